"""What each kustomization names, read statically (no rendering).

A kustomization file is parsed leniently (a broken one is a leaf, not a crash) and every
path it lists becomes a :class:`Ref`: resources, bases, components, patch files, generator
sources, configurations, CRDs, transformer configs. Discovery uses this to see which
kustomizations include which, and a changed-file run uses :meth:`KustIndex.reach` to
pick the targets a change can affect before anything renders.

For that choice the closure must be complete: every directory a render can build is a
child here (``resources``, ``bases``, ``components``, and ``transformers``, ``generators``,
``validators`` entries that are kustomization directories), named paths are followed from
the directory as written and, when it is a symlink, from where it points (Kustomize
resolves ``..`` from the real directory), and a named path that does not exist is kept
(``KustInfo.missing``): its deletion is what changed.
"""
from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from ..core.node import Node
from ..core.paths import find_root, is_inside, real
from ..core.record import dataclass, field

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# fields whose entries may be kustomization directories that a render builds
DIR_FIELDS = ("resources", "bases", "components", "transformers", "generators", "validators")


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
    missing: list[str] = field(default_factory=list)    # named paths that do not exist


class KustIndex:
    """Parsed kustomization files, read leniently (a broken one is a leaf, not a crash).

    ``root``: the lint root; a kustomization file whose real path is outside it is never
    read (None: each directory's own :func:`~overlay_lint.core.paths.find_root`).
    """

    def __init__(self, root: str | None = None) -> None:
        self.root = os.path.realpath(root) if root else None
        self._cache: dict[str, KustInfo | None] = {}

    def get(self, kdir: str) -> KustInfo | None:
        if kdir in self._cache:     # keys are normalised: so is a hit (no normpath then)
            return self._cache[kdir]
        kdir = os.path.normpath(kdir)
        if kdir not in self._cache:
            self._cache[kdir] = None  # guards cycles while reading
            self._cache[kdir] = _read_kust(kdir, self.root or find_root(kdir))
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
        """The closure of ``kdir`` and every path its kustomizations name (missing ones
        included: a deleted file still selects the targets that named it)."""
        dirs = self.closure(kdir)
        files: set[str] = set()
        for d in dirs:
            info = self.get(d)
            files.add(info.file)
            files.update(r.path for r in info.refs)
            files.update(info.missing)
        return dirs, files


def kustomization_file(d: str) -> str | None:
    for n in KUSTOMIZATION_FILES:
        p = os.path.join(d, n)
        if os.path.isfile(p):
            return p
    return None


def _read_kust(kdir: str, root: str) -> KustInfo | None:
    from ..core.errors import OverlayLintError
    from ..core.yaml_reader import load_file
    path = kustomization_file(kdir)
    if path is None:
        return None
    if not regular_inside(path, root):
        return KustInfo(kdir, path, False)  # out of the root (a symlink, ../..): never read
    try:
        docs = [d for d in load_file(path) if d is not None]
    except OverlayLintError:
        return KustInfo(kdir, path, False)
    if not docs or not docs[0].is_map:
        return KustInfo(kdir, path, False)
    doc = docs[0]
    info = KustInfo(kdir, path, doc.str_at("kind") == "Component", doc)
    bases = [kdir]
    rdir = real(kdir)
    if rdir is not None and rdir != os.path.abspath(kdir):
        bases.append(rdir)        # Kustomize resolves names from the real directory
    for entry, fld, text in _named(doc, kdir, root):
        _add(info, bases, entry, fld, text)
    return info


def _add(info: KustInfo, bases: list[str], entry: Node, fld: str, text: object) -> None:
    """Record the path ``text`` names (from each base folder): a ref, a child kustomization
    folder, or a missing path (where a dangling symlink points, too)."""
    if type(text) is not str or not text or "://" in text or os.path.isabs(text) \
            or "\x00" in text:
        return
    for base in bases:
        p = os.path.normpath(os.path.join(base, text))
        try:
            mode = os.lstat(p).st_mode
        except (OSError, ValueError):
            info.missing.append(p)
            continue
        link = stat.S_ISLNK(mode)
        info.refs.append(Ref(entry, fld, p, info.file))
        if link and not os.path.exists(p):    # a dangling symlink: where it points
            target = real(p)
            if target is not None:
                info.missing.append(target)
        elif fld in DIR_FIELDS and (os.path.isdir(p) if link else stat.S_ISDIR(mode)) \
                and kustomization_file(p):
            info.children.append(p)


def _named(doc: Node, kdir: str, root: str) -> Iterator[tuple[Node, str, object]]:
    """(entry, field, path text) for every path the kustomization ``doc`` names."""
    def seq(name: str) -> list[Node]:
        n = doc.get(name)
        return list(n.v) if n is not None and n.is_seq else []

    for fld in ("resources", "bases", "components", "patchesStrategicMerge",
                "configurations", "crds", "transformers", "generators", "validators"):
        for e in seq(fld):
            if type(e.v) is str and "\n" not in e.v:
                yield e, fld, e.v
    # files named inside builtin transformer/generator configurations (a PatchTransformer's
    # path:), so that discovery does not take them for loose manifests
    for fld in ("transformers", "generators"):
        for e in seq(fld):
            for cfg in _configs(e, kdir, root):
                for entry, text in _config_paths(cfg):
                    yield entry, fld, text
    for fld in ("patches", "patchesJson6902", "replacements"):
        for e in seq(fld):
            if e.get("path") is not None:
                yield e.get("path"), fld, e.get("path").v
    for fld in ("configMapGenerator", "secretGenerator"):
        for e in seq(fld):
            for sub in ("files", "envs"):
                n = e.get(sub)
                for f in (n.v if n is not None and n.is_seq else []):
                    if type(f.v) is str:
                        yield f, fld, f.v.split("=", 1)[-1]
            if e.get("env") is not None:
                yield e.get("env"), fld, e.get("env").v
    oa = doc.get("openapi")
    if oa is not None and oa.get("path") is not None:
        yield oa.get("path"), "openapi", oa.get("path").v


def _configs(entry: Node, kdir: str, root: str) -> list[Node]:
    """The configuration documents of a ``transformers``/``generators`` entry: inline YAML,
    or a file inside the root (read leniently; anything else gives none)."""
    from ..core.errors import OverlayLintError
    from ..core.yaml_reader import load_file, parse_embedded
    text = entry.v
    if type(text) is not str or "\x00" in text:
        return []
    try:
        if "\n" in text or ":" in text:
            docs = parse_embedded(text, entry)
        else:
            p = os.path.normpath(os.path.join(kdir, text))
            if not regular_inside(p, root):
                return []
            docs = load_file(p)
    except OverlayLintError:
        return []
    return [d for d in docs if d is not None and d.is_map]


def _config_paths(cfg: Node) -> list[tuple[Node, str]]:
    """Paths a builtin configuration names: ``path``, ``paths``, ``replacements[].path``,
    generator ``files``/``envs``/``env``."""
    out: list[tuple[Node, str]] = []

    def one(n: Node | None, strip_key: bool = False) -> None:
        if n is not None and type(n.v) is str:
            out.append((n, n.v.split("=", 1)[-1] if strip_key else n.v))

    def many(n: Node | None, strip_key: bool = False) -> None:
        for item in (n.v if n is not None and n.is_seq else []):
            one(item, strip_key)

    one(cfg.get("path"))
    many(cfg.get("paths"))
    for r in (cfg.get("replacements").v if cfg.get("replacements") is not None
              and cfg.get("replacements").is_seq else []):
        one(r.get("path"))
    many(cfg.get("files"), True)
    many(cfg.get("envs"))
    one(cfg.get("env"))
    return out


def regular_inside(path: str, top: str) -> bool:
    """A regular file whose real path lies under ``top`` (symlinks resolved)."""
    rtop = real(top)
    return os.path.isfile(path) and rtop is not None and is_inside(rtop, path)


