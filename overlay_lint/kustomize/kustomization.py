"""Reading a kustomization file: field names, types and the unsupported features."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..core.errors import OverlayLintError, at, unsupported
from ..core.node import Node, Origin
from .touched import DuplicateKey
from ..core.yaml_reader import load_kustomization_file

if TYPE_CHECKING:
    from .loader import Loader

FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1"
COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1"

# The shape of every field Kustomize v5 accepts (its Go structs, api/types): "str", "int",
# "bool", "any", ("list", T), ("dict", T) (string keys, values T) or a dict of the struct's
# fields. Kustomize unmarshals strictly: an unknown field or a wrong type is an error.
_S, _I, _B = "str", "int", "bool"
_GVK = {"group": _S, "version": _S, "kind": _S}
_RESID = {**_GVK, "name": _S, "namespace": _S}
_SELECTOR = {**_RESID, "annotationSelector": _S, "labelSelector": _S}
_FIELDSPEC = {**_GVK, "path": _S, "create": _B}
_PATCH = {"path": _S, "patch": _S, "target": _SELECTOR, "options": ("dict", _B)}
_IMAGE = {"name": _S, "newName": _S, "tagSuffix": _S, "newTag": _S, "digest": _S}
_GEN_OPTIONS = {"labels": ("dict", _S), "annotations": ("dict", _S),
                "disableNameSuffixHash": _B, "immutable": _B}
_GEN_ARGS = {"namespace": _S, "name": _S, "behavior": _S, "literals": ("list", _S),
             "files": ("list", _S), "envs": ("list", _S), "env": _S, "options": _GEN_OPTIONS}
_FIELD_OPTIONS = {"delimiter": _S, "index": _I, "encoding": _S, "create": _B}
_REPLACEMENT = {
    "path": _S,
    "source": {**_RESID, "fieldPath": _S, "options": _FIELD_OPTIONS},
    "targets": ("list", {"select": _SELECTOR, "reject": ("list", _SELECTOR),
                         "fieldPaths": ("list", _S), "options": _FIELD_OPTIONS}),
}
_STRINGS = ("list", _S)

SCHEMA: dict[str, object] = {
    "apiVersion": _S, "kind": _S,
    "metadata": {"name": _S, "namespace": _S, "labels": ("dict", _S),
                 "annotations": ("dict", _S)},
    "openapi": ("dict", _S),
    "namePrefix": _S, "nameSuffix": _S, "namespace": _S,
    "commonLabels": ("dict", _S), "commonAnnotations": ("dict", _S),
    "labels": ("list", {"pairs": ("dict", _S), "includeSelectors": _B,
                        "includeTemplates": _B, "fields": ("list", _FIELDSPEC)}),
    "patchesStrategicMerge": _STRINGS, "patchesJson6902": ("list", _PATCH),
    "patches": ("list", _PATCH),
    "images": ("list", _IMAGE), "imageTags": ("list", _IMAGE),
    "replacements": ("list", _REPLACEMENT),
    "replicas": ("list", {"name": _S, "count": _I}),
    "vars": ("list", {"name": _S,
                      "objref": {"apiVersion": _S, **_GVK, "name": _S, "namespace": _S},
                      "fieldref": {"fieldPath": _S}}),
    "sortOptions": {"order": _S,
                    "legacySortOptions": {"orderFirst": _STRINGS, "orderLast": _STRINGS}},
    "resources": _STRINGS, "components": _STRINGS, "crds": _STRINGS, "bases": _STRINGS,
    "configMapGenerator": ("list", _GEN_ARGS),
    "secretGenerator": ("list", {**_GEN_ARGS, "type": _S}),
    "generatorOptions": _GEN_OPTIONS,
    "configurations": _STRINGS, "transformers": _STRINGS, "buildMetadata": _STRINGS,
    # refused below before their content matters
    "helmGlobals": "any", "helmCharts": "any", "helmChartInflationGenerator": "any",
    "generators": _STRINGS, "validators": "any",
}

_TYPE_WORDS = {"str": "a string", "int": "an integer", "bool": "true or false",
               "list": "a list", "dict": "a mapping", "struct": "a mapping"}


def check_shape(node: Node, shape: object, where: str,
                dups: list[DuplicateKey] | None = None) -> None:
    """Raise at the first value of ``node`` that Kustomize's strict unmarshal refuses."""
    v = node.v
    if v is None or shape == "any":
        return  # null is Go's zero value: accepted everywhere
    if isinstance(shape, str):
        t = type(v)
        ok = (t is str if shape == _S else t is int if shape == _I else t is bool)
        if ok and shape == _S and node.parts and "yaml11" in node.parts:
            # Kustomize reads kustomization files as YAML 1.1: a plain yes/no/on/off/y/n
            # is a boolean there, so kubectl refuses it in a string field
            raise at(node.o, f"'{where}' must be a string, but Kustomize reads the plain "
                             f"'{v}' as a YAML 1.1 boolean; quote it: \"{v}\"")
        if not ok:
            hint = "; quote it" if shape == _S and t in (int, float, bool) else ""
            raise at(node.o, f"'{where}' must be {_TYPE_WORDS[shape]}, not {_describe(v)}{hint}")
        return
    if isinstance(shape, tuple):
        kind, inner = shape
        if kind == "list":
            if type(v) is not list:
                raise at(node.o, f"'{where}' must be a list, not {_describe(v)}")
            for i, item in enumerate(v):
                check_shape(item, inner, f"{where}[{i}]", dups)
            return
        if type(v) is not dict:
            raise at(node.o, f"'{where}' must be a mapping, not {_describe(v)}")
        for k, item in v.items():
            check_shape(item, inner, f"{where}.{k}", dups)
        return
    if type(v) is not dict:
        raise at(node.o, f"'{where}' must be a mapping, not {_describe(v)}")
    canonical_keys(node, shape, where, dups)  # type: ignore[arg-type]
    for k, item in node.v.items():
        check_shape(item, shape[k], f"{where}.{k}", dups)  # type: ignore[index]


def canonical_keys(node: Node, shape: dict, where: str | None,
                   dups: list[DuplicateKey] | None = None) -> None:
    """Rename keys to the spelling of ``shape``: Go's JSON decoder matches field names
    case-insensitively (``fieldpath`` is ``fieldPath``), so every stage may rely on one
    spelling. An unknown field is an error, as in Kustomize's strict unmarshal.

    Spellings of one field (``namespace`` and ``Namespace``) all reach it; Kustomize
    decodes them in sorted key order, so the spelling sorting last wins. With ``dups``
    the others are recorded there (a lint finding); without, they are an error."""
    v = node.v
    if all(k in shape for k in v):
        return
    folded = {k.lower(): k for k in shape}
    out: dict[str, Node] = {}
    spelled: dict[str, str] = {}
    for k, item in v.items():
        name = k if k in shape else folded.get(k.lower())
        if name is None:
            what = f"unknown field '{k}' in '{where}'" if where else \
                f"unknown kustomization field '{k}'"
            raise at(item.o, f"{what} (Kustomize rejects it)")
        if name in out:
            if dups is None:
                raise at(item.o, f"field '{k}' repeats '{name}' (field names ignore case)")
            other, other_key = out[name], spelled[name]
            win_key, win, lose_key, lose = (k, item, other_key, other) if k > other_key \
                else (other_key, other, k, item)
            later, earlier = (item, other) if _after(item.o, other.o) else (other, item)
            dups.append(DuplicateKey(_file(item.o), lose_key, later.o, earlier.o, win.o))
            out[name], spelled[name] = win, win_key
            continue
        out[name] = item
        spelled[name] = k
    node.v = out


def lenient(node: Node, shape: object) -> Node:
    """``node`` as Kustomize decodes a builtin plugin's configuration: unknown fields are
    dropped, not refused (plugins decode without strict mode); names still match
    case-insensitively. Returns a copy where anything was dropped or renamed."""
    v = node.v
    if isinstance(shape, tuple):
        kind, inner = shape
        if kind == "list" and type(v) is list:
            return Node([lenient(i, inner) for i in v], node.o, node.parts)
        if kind == "dict" and type(v) is dict:
            return Node({k: lenient(c, inner) for k, c in v.items()}, node.o, node.parts)
        return node
    if not isinstance(shape, dict) or type(v) is not dict:
        return node
    folded = {k.lower(): k for k in shape}
    out: dict[str, Node] = {}
    for k, c in v.items():
        name = k if k in shape else folded.get(k.lower())
        if name is not None:
            out[name] = lenient(c, shape[name])
    return Node(out, node.o, node.parts)


def _after(a: Origin | None, b: Origin | None) -> bool:
    return a is not None and b is not None and (a[1], a[2]) > (b[1], b[2])


def _file(o: Origin | None) -> str:
    return o[0] if o is not None else ""


def _describe(v: object) -> str:
    if type(v) is dict:
        return "a mapping"
    if type(v) is list:
        return "a list"
    if type(v) is bool:
        return f"the boolean {str(v).lower()}"
    if type(v) in (int, float):
        return f"the number {v}"
    text = str(v)
    return f"'{text[:60]}...'" if len(text) > 63 else f"'{text}'"


# Fields that would fetch or execute something: refused, never half-rendered.
UNSUPPORTED: dict[str, tuple[str, str]] = {
    "helmCharts": ("Helm chart inflation runs helm", "helm"),
    "helmChartInflationGenerator": ("Helm chart inflation runs helm", "helm"),
    "helmGlobals": ("Helm chart inflation runs helm", "helm"),
    "validators": ("validator plugins and KRM functions are executables", "plugin"),
}

def find_kustomization_file(directory: str) -> str | None:
    """The kustomization file of ``directory``; error when there are several."""
    found = [n for n in FILE_NAMES if os.path.isfile(os.path.join(directory, n))]
    if len(found) > 1:
        raise OverlayLintError(
            f"found multiple kustomization files ({', '.join(found)})", directory)
    return os.path.join(directory, found[0]) if found else None


# path -> (the parsed documents it was checked from, the checked node, its repeated keys):
# a kustomization read again (every env of a lint reads the base) is not checked again.
# The checked node is shared: builds only read kustomizations.
_VALIDATED: dict[str, tuple[list, Node, tuple[DuplicateKey, ...]]] = {}


class Kustomization:
    """A parsed kustomization file; fields stay ``Node`` trees so their lines are known."""

    def __init__(self, directory: str, path: str, node: Node) -> None:
        self.dir = directory
        self.path = path
        self.node = node
        # keys Kustomize reads once although written twice (it keeps the last value, or
        # the spelling sorting last): a lint finding, not an error
        self.duplicates: list[DuplicateKey] = []

    @classmethod
    def load(cls, directory: str, loader: "Loader | None" = None) -> "Kustomization":
        """Read and check the kustomization of ``directory`` (through ``loader``, which
        refuses a kustomization file that resolves outside the lint root)."""
        path = find_kustomization_file(directory)
        if path is None:
            raise OverlayLintError(
                "no kustomization.yaml, kustomization.yml or Kustomization file", directory)
        raw, repeats = loader.kustomization(path) if loader is not None \
            else load_kustomization_file(path)
        hit = _VALIDATED.get(path)
        if hit is not None and hit[0] is raw:  # the same parse: already checked
            k = cls(directory, path, hit[1])
            k.duplicates = list(hit[2])
            return k
        docs = [d for d in raw if d is not None]
        if not docs:
            raise OverlayLintError("kustomization file is empty", path, 1)
        if len(docs) > 1:
            raise at(docs[1].o, "a kustomization file holds one YAML document")
        node = docs[0]
        if not node.is_map:
            raise at(node.o, "a kustomization must be a YAML mapping")
        # validation renames keys in place: work on a copy of the cached document
        k = cls(directory, path, node.clone())
        k.duplicates = [DuplicateKey(path, key, again, first, again)
                        for key, again, first in repeats]
        k._validate()
        if k._is_empty():
            raise OverlayLintError("kustomization file is empty (nothing but apiVersion/kind); "
                                   "Kustomize refuses it", path, node.o[1] if node.o else 1)
        if len(_VALIDATED) > 4096:
            _VALIDATED.clear()
        _VALIDATED[path] = (raw, k.node, tuple(k.duplicates))
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
        canonical_keys(self.node, SCHEMA, None, self.duplicates)
        for key, child in self.node.items():
            check_shape(child, SCHEMA[key], key, self.duplicates)
        kind = self.kind
        if kind not in ("Kustomization", "Component"):
            raise at(self.node.get("kind").o, "kind should be Kustomization or Component")
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
        k = self.node.get("kind")
        return k.v if k is not None and k.v else "Kustomization"

    @property
    def is_component(self) -> bool:
        return self.kind == "Component"

    def field(self, name: str) -> Node | None:
        """The field's node, or None when absent or null."""
        n = self.node.get(name)
        return None if n is None or n.v is None else n

    def items(self, name: str) -> list[Node]:
        """The entries of a list field (empty when absent)."""
        n = self.field(name)
        return list(n.v) if n is not None else []

    def strings(self, name: str) -> list[Node]:
        """The entries of a list-of-strings field, each checked to be a string."""
        out = []
        for item in self.items(name):
            if type(item.v) is not str:
                raise at(item.o, f"each entry of '{name}' must be a string")
            out.append(item)
        return out

    def string(self, name: str) -> Node | None:
        return self.field(name)

    def location(self, name: str) -> tuple | None:
        n = self.node.get(name)
        return n.o if n is not None else None
