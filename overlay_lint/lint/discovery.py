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

from .config import Config
from .reach import KUSTOMIZATION_FILES, KustIndex, kustomization_file, regular_inside

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
YAML_EXT = (".yaml", ".yml")


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
                    if not cfg.path_ignored(p) and regular_inside(p, top):
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
