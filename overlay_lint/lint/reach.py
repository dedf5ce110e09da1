"""What each kustomization names, read statically (no rendering).

A kustomization file is parsed leniently (a broken one is a leaf, not a crash) and every
path it lists becomes a :class:`Ref`: resources, bases, components, patch files, generator
sources, configurations, CRDs, transformer configs. Discovery uses this to see which
kustomizations include which, and a changed-file run uses :meth:`KustIndex.reach` to
pick the targets a change can affect before anything renders.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..core.node import Node
from ..core.paths import find_root, is_inside, real

KUSTOMIZATION_FILES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


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


class KustIndex:
    """Parsed kustomization files, read leniently (a broken one is a leaf, not a crash).

    ``root``: the lint root; a kustomization file whose real path is outside it is never
    read (None: each directory's own :func:`~overlay_lint.core.paths.find_root`).
    """

    def __init__(self, root: str | None = None) -> None:
        self.root = os.path.realpath(root) if root else None
        self._cache: dict[str, KustInfo | None] = {}

    def get(self, kdir: str) -> KustInfo | None:
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


def regular_inside(path: str, top: str) -> bool:
    """A regular file whose real path lies under ``top`` (symlinks resolved)."""
    rtop = real(top)
    return os.path.isfile(path) and rtop is not None and is_inside(rtop, path)


