"""Reading a kustomization file: field names, types and the unsupported features."""
from __future__ import annotations

import os

from ..errors import OverlayLintError, at
from ..node import Node
from ..source import load_file

FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
KUSTOMIZATION_VERSION = "kustomize.config.k8s.io/v1beta1"
COMPONENT_VERSION = "kustomize.config.k8s.io/v1alpha1"

# Every field Kustomize v5 accepts, with the YAML type it must have.
FIELDS: dict[str, str] = {
    "apiVersion": "str", "kind": "str", "metadata": "map", "openapi": "map",
    "namePrefix": "str", "nameSuffix": "str", "namespace": "str",
    "commonLabels": "map", "labels": "seq", "commonAnnotations": "map",
    "patchesStrategicMerge": "seq", "patchesJson6902": "seq", "patches": "seq",
    "images": "seq", "imageTags": "seq", "replacements": "seq", "replicas": "seq",
    "vars": "seq", "sortOptions": "map", "resources": "seq", "components": "seq",
    "crds": "seq", "bases": "seq", "configMapGenerator": "seq", "secretGenerator": "seq",
    "helmGlobals": "map", "helmCharts": "seq", "helmChartInflationGenerator": "seq",
    "generatorOptions": "map", "configurations": "seq", "generators": "seq",
    "transformers": "seq", "validators": "seq", "buildMetadata": "seq",
}

# Fields that would fetch or execute something: refused, never half-rendered.
UNSUPPORTED: dict[str, str] = {
    "helmCharts": "Helm chart inflation runs helm",
    "helmChartInflationGenerator": "Helm chart inflation runs helm",
    "helmGlobals": "Helm chart inflation runs helm",
    "generators": "generator plugins and KRM functions are executables",
    "validators": "validator plugins and KRM functions are executables",
}

_TYPE_NAMES = {"str": "a string", "map": "a mapping", "seq": "a list"}


def find_kustomization_file(directory: str) -> str | None:
    """The kustomization file of ``directory``; error when there are several."""
    found = [n for n in FILE_NAMES if os.path.isfile(os.path.join(directory, n))]
    if len(found) > 1:
        raise OverlayLintError(
            f"found multiple kustomization files ({', '.join(found)})", directory)
    return os.path.join(directory, found[0]) if found else None


class Kustomization:
    """A parsed kustomization file; fields stay ``Node`` trees so their lines are known."""

    def __init__(self, directory: str, path: str, node: Node) -> None:
        self.dir = directory
        self.path = path
        self.node = node

    @classmethod
    def load(cls, directory: str) -> "Kustomization":
        path = find_kustomization_file(directory)
        if path is None:
            raise OverlayLintError(
                "no kustomization.yaml, kustomization.yml or Kustomization file", directory)
        docs = [d for d in load_file(path) if d is not None]
        if not docs:
            raise OverlayLintError("kustomization file is empty", path, 1)
        if len(docs) > 1:
            raise at(docs[1].o, "a kustomization file holds one YAML document")
        node = docs[0]
        if not node.is_map:
            raise at(node.o, "a kustomization must be a YAML mapping")
        k = cls(directory, path, node)
        k._validate()
        return k

    def _validate(self) -> None:
        for key, child in self.node.items():
            want = FIELDS.get(key)
            if want is None:
                raise at(child.o, f"unknown kustomization field '{key}'")
            if child.v is None:
                continue
            ok = (child.is_map if want == "map" else child.is_seq if want == "seq"
                  else type(child.v) is str)
            if not ok:
                raise at(child.o, f"field '{key}' must be {_TYPE_NAMES[want]}")
        kind = self.kind
        if kind not in ("Kustomization", "Component"):
            raise at(self.node.get("kind").o, "kind should be Kustomization or Component")
        av = self.node.get("apiVersion")
        want_av = COMPONENT_VERSION if kind == "Component" else KUSTOMIZATION_VERSION
        if av is not None and av.v and av.v != want_av:
            raise at(av.o, f"apiVersion for {kind} should be {want_av}")
        for key, why in UNSUPPORTED.items():
            child = self.node.get(key)
            if child is not None and child.v:
                raise at(child.o, f"'{key}' is not supported: {why}; overlay-lint never runs them")

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
