"""Find what to check under the linted paths: envs, leftover bases, loose manifests.

- env: a kustomization directly under an ``overlays/`` folder, named after its folder
  (or the ``envs:`` of the config);
- base: any other kustomization no env includes (and no other such base includes);
- standalone: YAML manifests no kustomization reads (e.g. Argo CD Applications).

What includes what is read statically from the kustomization files (no rendering), so
discovery works even when an env fails to build, and the changed-file selection of a
pre-commit run can use ``Target.reach`` before anything renders.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..core.node import Node
from .config import Config

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
YAML_EXT = (".yaml", ".yml")


@dataclass
class Ref:
    """A path named in a kustomization file (``resources:`` entry, patch path, ...)."""

    node: Node            # the entry (its origin is the line to report)
    field: str            # kustomization field it is in
    path: str             # absolute, normalised
    kust: str             # the kustomization file naming it


@dataclass
class KustInfo:
    dir: str
    file: str
    is_component: bool
    node: Node | None = None                              # the parsed kustomization
    children: list[str] = field(default_factory=list)   # kustomization dirs it includes
    refs: list[Ref] = field(default_factory=list)


@dataclass
class Target:
    """Something to check: an env, a leftover base, or the loose manifests.

    ``reach`` holds the kustomization files and every file they name, statically
    (absolute paths): a change to any of them can change what the target renders.
    """

    name: str
    kind: str                      # env | base | standalone
    role: str                      # dev | protected | none
    dir: str | None = None         # kustomization directory (None for standalone)
    files: list[str] = field(default_factory=list)   # standalone manifest files
    reach: set[str] = field(default_factory=set)
    kdirs: list[str] = field(default_factory=list)   # kustomization dirs reached, in order
    group: str = ""   # envs of one app share a group (their ``overlays/`` folder)


class KustIndex:
    """Parsed kustomization files, read leniently (a broken one is a leaf, not a crash)."""

    def __init__(self) -> None:
        self._cache: dict[str, KustInfo | None] = {}

    def get(self, kdir: str) -> KustInfo | None:
        kdir = os.path.normpath(kdir)
        if kdir not in self._cache:
            self._cache[kdir] = None  # guards cycles while reading
            self._cache[kdir] = _read_kust(kdir)
        return self._cache[kdir]

    def closure(self, kdir: str) -> list[str]:
        """``kdir`` and every kustomization dir it includes, transitively (DFS order)."""
        out: list[str] = []
        seen: set[str] = set()
        stack = [os.path.normpath(kdir)]
        while stack:
            d = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            info = self.get(d)
            if info is None:
                continue
            out.append(d)
            stack.extend(reversed(info.children))
        return out

    def reach(self, kdir: str) -> tuple[list[str], set[str]]:
        dirs = self.closure(kdir)
        files: set[str] = set()
        for d in dirs:
            info = self.get(d)
            files.add(info.file)
            files.update(r.path for r in info.refs)
        return dirs, files


def kustomization_file(d: str) -> str | None:
    for n in KUSTOMIZATION_FILES:
        p = os.path.join(d, n)
        if os.path.isfile(p):
            return p
    return None


def _read_kust(kdir: str) -> KustInfo | None:
    from ..core.errors import OverlayLintError
    from ..core.yaml_reader import load_file
    path = kustomization_file(kdir)
    if path is None:
        return None
    from ..kustomize.loader import default_root
    if not _regular_inside(path, default_root(kdir)):
        return KustInfo(kdir, path, False)  # a symlink out of the repository: never read
    try:
        docs = [d for d in load_file(path) if d is not None]
    except OverlayLintError:
        return KustInfo(kdir, path, False)
    if not docs or not docs[0].is_map:
        return KustInfo(kdir, path, False)
    doc = docs[0]
    info = KustInfo(kdir, path, doc.str_at("kind") == "Component", doc)

    def add(entry: Node | None, fld: str, text: str | None = None) -> None:
        if entry is None:
            return
        text = entry.v if text is None else text
        if type(text) is not str or not text or "://" in text or os.path.isabs(text):
            return
        p = os.path.normpath(os.path.join(kdir, text))
        if not os.path.exists(p):
            return
        info.refs.append(Ref(entry, fld, p, path))
        if os.path.isdir(p) and fld in ("resources", "bases", "components") \
                and kustomization_file(p):
            info.children.append(p)

    def seq(name: str) -> list[Node]:
        n = doc.get(name)
        return list(n.v) if n is not None and n.is_seq else []

    for fld in ("resources", "bases", "components", "patchesStrategicMerge",
                "configurations", "crds", "transformers", "generators", "validators"):
        for e in seq(fld):
            if type(e.v) is str and "\n" not in e.v:
                add(e, fld)
    for fld in ("patches", "patchesJson6902", "replacements"):
        for e in seq(fld):
            add(e.get("path"), fld)
    for fld in ("configMapGenerator", "secretGenerator"):
        for e in seq(fld):
            for sub in ("files", "envs"):
                n = e.get(sub)
                for f in (n.v if n is not None and n.is_seq else []):
                    if type(f.v) is str:
                        add(f, fld, f.v.split("=", 1)[-1])
            add(e.get("env"), fld)
    oa = doc.get("openapi")
    if oa is not None:
        add(oa.get("path"), "openapi")
    return info


def _regular_inside(path: str, top: str) -> bool:
    """A regular file whose real path lies under ``top`` (symlinks resolved)."""
    if not os.path.isfile(path):
        return False
    real, rtop = os.path.realpath(path), os.path.realpath(top)
    return real == rtop or real.startswith(rtop.rstrip(os.sep) + os.sep)


def walk(paths: list[str], cfg: Config) -> tuple[list[str], list[str]]:
    """Kustomization dirs and YAML files under ``paths`` (hidden and ignored paths skipped)."""
    kdirs: list[str] = []
    yamls: list[str] = []
    seen: set[str] = set()
    for top in paths:
        top = os.path.abspath(top)
        if os.path.isfile(top):
            continue
        for d, subdirs, files in os.walk(top):
            subdirs[:] = sorted(s for s in subdirs if s not in SKIP_DIRS
                                and not s.startswith(".")
                                and not cfg.path_ignored(os.path.join(d, s)))
            if d in seen:
                continue
            seen.add(d)
            if kustomization_file(d):
                kdirs.append(os.path.normpath(d))
            for f in sorted(files):
                if f.endswith(YAML_EXT) and f not in KUSTOMIZATION_FILES:
                    p = os.path.join(d, f)
                    # never a FIFO/device, never a symlink out of the linted tree (security)
                    if not cfg.path_ignored(p) and _regular_inside(p, top):
                        yamls.append(os.path.normpath(p))
    return kdirs, yamls


def env_order(t: Target) -> tuple:
    return ({"dev": 0, "none": 1, "protected": 2}.get(t.role, 1), t.name)


def discover(paths: list[str], cfg: Config, index: KustIndex | None = None) -> list[Target]:
    """Envs (ordered dev, others, protected), then bases, then loose manifests."""
    index = index or KustIndex()
    kdirs, yamls = walk(paths, cfg)
    envs: list[Target] = []
    if cfg.envs is not None:
        for spec in cfg.envs:
            role = spec.role or cfg.role_of(spec.name)
            envs.append(Target(spec.name, "env", role, spec.path, group="config"))
    else:
        cands = [d for d in kdirs if os.path.basename(os.path.dirname(d)) == "overlays"
                 and index.get(d) is not None and not index.get(d).is_component]
        names = [os.path.basename(d) for d in cands]
        for d, n in zip(cands, names):
            name = n if names.count(n) == 1 else _display(d)
            envs.append(Target(name, "env", cfg.role_of(n), d, group=os.path.dirname(d)))
    covered: set[str] = set()
    for t in envs:
        t.kdirs, t.reach = index.reach(t.dir)
        covered.update(t.kdirs)
    envs.sort(key=env_order)

    # Leftover kustomizations: check each root (not included by another leftover) as base.
    left = [d for d in kdirs if d not in covered]
    included: set[str] = set()
    for d in left:
        for sub in index.closure(d)[1:]:
            included.add(sub)
    bases: list[Target] = []
    for d in left:
        info = index.get(d)
        if d in included or info is None or info.is_component:
            continue
        t = Target("base", "base", "none", d)
        t.kdirs, t.reach = index.reach(d)
        bases.append(t)

    # Loose manifests: YAML files no kustomization names (generator inputs and patch
    # files are not manifests).
    named: set[str] = set()
    for d in kdirs:   # each kustomization's own references (no closure needed: all listed)
        info = index.get(d)
        if info is not None:
            named.add(info.file)
            named.update(r.path for r in info.refs)
    for t in envs + bases:
        named.update(t.reach)
    loose = [f for f in yamls if f not in named]
    out = envs + bases
    if loose:
        out.append(Target("", "standalone", "none", None, files=loose, reach=set(loose)))
    return out


def _display(path: str) -> str:
    rel = os.path.relpath(path)
    return path if rel.startswith("..") else rel.replace(os.sep, "/")
