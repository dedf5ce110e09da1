"""Reading a kustomization file: field names, types and the unsupported features."""
from __future__ import annotations

import os
TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)

from ..core.errors import OverlayLintError, at, unsupported
from ..core.lazy_pattern import LazyPattern
from ..core.node import Node, Origin
from ..core.yaml_reader import load_kustomization_file, parse_documents, read_text
from . import types as T
from .decode import decode
from .touched import DuplicateKey, Ignored

if TYPE_CHECKING:
    from .loader import Loader

FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1"
COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1"

# Fields that would fetch or execute something: refused, never half-rendered.
UNSUPPORTED: dict[str, tuple[str, str]] = {
    "helmCharts": ("Helm chart inflation runs helm", "helm"),
    "helmChartInflationGenerator": ("Helm chart inflation runs helm", "helm"),
    "helmGlobals": ("Helm chart inflation runs helm", "helm"),
    "validators": ("validator plugins and KRM functions are executables", "plugin"),
}

_SEPARATOR = LazyPattern(r"^(?:---|\.\.\.)(?:[ \t]|$)")


def _first_document(path: str, exc: OverlayLintError
                    ) -> tuple[list[Node | None], list[tuple[str, Origin, Origin]]] | None:
    """Kustomize parses the first document only: a YAML error in a later one is no error
    there. The first document alone, plus a stand-in for the rest (located at its
    separator, so it is reported as ignored), when ``exc`` lies after the first
    document; else None."""
    if exc.file != path or exc.line is None:
        return None
    lines = read_text(path).split("\n")
    content = False
    for i, line in enumerate(lines):
        if content and _SEPARATOR.match(line):
            break
        stripped = line.strip()
        content = content or bool(stripped and not stripped.startswith(("#", "%", "---")))
    else:
        return None
    if exc.line <= i + 1:
        return None
    repeats: list[tuple[str, Origin, Origin]] = []
    docs = parse_documents("\n".join(lines[:i]), path, duplicates=repeats)
    return docs[:1] + [Node(None, Origin(path, i + 2 if i + 1 < len(lines) else i + 1, 1))], \
        repeats


def _end_line(later: list[Node]) -> float:
    """The line where the documents Kustomize ignores begin (repeats there are not its)."""
    first = later[0].o if later else None
    return first[1] if first is not None else float("inf")


def find_kustomization_file(directory: str) -> str | None:
    """The kustomization file of ``directory``; error when there are several."""
    found = [n for n in FILE_NAMES if os.path.isfile(os.path.join(directory, n))]
    if len(found) > 1:
        raise OverlayLintError(
            f"found multiple kustomization files ({', '.join(found)})", directory)
    return os.path.join(directory, found[0]) if found else None


# path -> (the parsed documents it was checked from, the checked node, its typed form, its
# repeated keys): a kustomization read again (every env of a lint reads the base) is not
# decoded again. Both forms are shared: builds only read kustomizations.
_VALIDATED: dict[str, tuple[list, Node, T.Kustomization, tuple[DuplicateKey, ...],
                            tuple[Ignored, ...]]] = {}


class Kustomization:
    """A parsed kustomization file; fields stay ``Node`` trees so their lines are known."""

    def __init__(self, directory: str, path: str, node: Node,
                 config: T.Kustomization | None = None) -> None:
        self.dir = directory
        self.path = path
        self.node = node  # keys renamed to their canonical spelling (decode.py)
        self.config = config if config is not None else T.Kustomization()
        # keys Kustomize reads once although written twice (it keeps the last value, or
        # the spelling sorting last): a lint finding, not an error
        self.duplicates: list[DuplicateKey] = []
        # what Kustomize reads past (documents after the first): findings, not errors
        self.ignored: list[Ignored] = []

    @classmethod
    def load(cls, directory: str, loader: "Loader | None" = None) -> "Kustomization":
        """Read and check the kustomization of ``directory`` (through ``loader``, which
        refuses a kustomization file that resolves outside the lint root)."""
        path = find_kustomization_file(directory)
        if path is None:
            raise OverlayLintError(
                "no kustomization.yaml, kustomization.yml or Kustomization file", directory)
        try:
            raw, repeats = loader.kustomization(path) if loader is not None \
                else load_kustomization_file(path)
        except OverlayLintError as exc:
            first = _first_document(path, exc)
            if first is None:
                raise
            raw, repeats = first
        hit = _VALIDATED.get(path)
        if hit is not None and hit[0] is raw:  # the same parse: already checked
            k = cls(directory, path, hit[1], hit[2])
            k.duplicates, k.ignored = list(hit[3]), list(hit[4])
            return k
        # Kustomize decodes the first document only (an empty one is an empty
        # kustomization, even with others after it) and never looks at the rest
        node = raw[0] if raw else None
        if node is None:
            raise OverlayLintError("kustomization file is empty", path, 1)
        rest = [d for d in raw[1:] if d is not None]  # (a Node that ends raw: see below)
        if not node.is_map:
            raise at(node.o, "a kustomization must be a YAML mapping")
        # validation renames keys in place: work on a copy of the cached document
        k = cls(directory, path, node.clone())
        k.duplicates = [DuplicateKey(path, key, again, first, again)
                        for key, again, first in repeats
                        if node.o is None or again[1] < _end_line(rest)]
        k.ignored = [Ignored(d.o, "a second YAML document in a kustomization file: Kustomize "
                                  "reads only the first document and ignores this one (and "
                                  "any after it); merge it into the first or delete it")
                     for d in rest[:1]]
        k._validate()
        if k._is_empty():
            raise OverlayLintError("kustomization file is empty (nothing but apiVersion/kind); "
                                   "Kustomize refuses it", path, node.o[1] if node.o else 1)
        if len(_VALIDATED) > 4096:
            _VALIDATED.clear()
        _VALIDATED[path] = (raw, k.node, k.config, tuple(k.duplicates), tuple(k.ignored))
        return k

    def _is_empty(self) -> bool:
        """Kustomize's CheckEmpty: every field is Go's zero value (an empty list or mapping
        is not zero: ``resources: []`` is a valid, if useless, kustomization)."""
        for key, child in self.node.items():
            if key in ("apiVersion", "kind") or child.v is None or child.v == "":
                continue
            if key == "metadata" and child.is_map and all(
                    c.v is None or c.v == "" for c in child.v.values()):
                continue
            return False
        return True

    def _validate(self) -> None:
        self.config = decode(self.node, T.Kustomization, strict=True, dups=self.duplicates)
        kind = self.kind
        if kind not in ("Kustomization", "Component"):
            raise at(self.config.kind.o if self.config.kind else self.node.o,
                     "kind should be Kustomization or Component")
        av = self.node.get("apiVersion")
        want_av = COMPONENT_VERSION if kind == "Component" else KUSTOMIZATION_VERSION
        if av is not None and av.v and av.v != want_av:
            raise at(av.o, f"apiVersion for {kind} should be {want_av}")
        for key, (why, feature) in UNSUPPORTED.items():
            child = self.node.get(key)
            if child is not None and child.v:
                raise unsupported(child.o, f"'{key}' is not supported: {why}; overlay-lint "
                                           "never runs them", feature)
        openapi = self.node.get("openapi")
        if openapi is not None and openapi.v:
            # a custom schema changes strategic-merge keys: refuse rather than render wrongly
            raise unsupported(openapi.o, "'openapi' (a custom schema for strategic merge) is not "
                                         "supported; remove it or render this directory with "
                                         "kustomize", "openapi")

    # --- field access -------------------------------------------------------------------
    @property
    def kind(self) -> str:
        k = self.config.kind
        return k.v if k is not None and k.v else "Kustomization"

    @property
    def is_component(self) -> bool:
        return self.kind == "Component"

    def location(self, name: str) -> Origin | None:
        """The line of a top-level field (None when absent)."""
        n = self.node.get(name)
        return n.o if n is not None else None
