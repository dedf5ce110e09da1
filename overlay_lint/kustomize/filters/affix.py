"""Name prefixes and suffixes (Kustomize's filters/prefix and filters/suffix).

The field specs (by default ``metadata/name`` of every kind) get the prefix or suffix,
except on CustomResourceDefinitions, APIServices and Namespaces, whose names are API
contracts. Each renamed resource remembers its previous id (for name references) and the
prefixes/suffixes it received (to pick among equally named referral candidates).

Provenance: the name keeps the origin of the base name (the line defining the object);
``node.parts`` records ``{"name": base origin, "prefix"/"suffix": origin of the
kustomization field that added the outermost prefix/suffix}``.
"""
from __future__ import annotations

from ...core.errors import at
from ...core.node import Node, Origin, PathKey
from ..gvk import gvk_selected
from ..resmap import ResMap
from ..resource import Resource, split_api_version
from ..touched import Touched
from ..types import FieldSpec
from .fieldspec import apply_fieldspec

# (group, kind) selectors of resources never renamed ("" = any group)
_SKIP = (("", "CustomResourceDefinition"), ("apiregistration.k8s.io", "APIService"),
         ("", "Namespace"))


def add_affix(resmap: ResMap, text: str, origin: Origin | None,
              specs: tuple[FieldSpec, ...], is_prefix: bool, rec: Touched | None) -> None:
    """Add ``text`` as a prefix (or suffix) to the fields ``specs`` select; an empty
    ``text`` (a builtin transformer's) only normalises those fields to text."""
    part = "prefix" if is_prefix else "suffix"
    current: list[Resource] = []

    def setter(node: Node, path: list[PathKey] | None) -> None:
        if not node.is_scalar:
            raise at(node.o, f"cannot add a name {part} to a "
                             f"{'mapping' if node.is_map else 'list'}; the field spec "
                             "must select a string")
        old = name_text(node.v)
        if not text:
            node.v = old
            return
        parts = dict(node.parts) if node.parts else {}
        parts.setdefault("name", node.o)
        parts[part] = origin
        new = text + old if is_prefix else old + text
        if rec is not None:
            rec.select(current[0])
            rec.set(current[0], tuple(path or ()), node.v, new, origin)
        node.v = new
        node.parts = parts
        if node.o is None:
            node.o = origin

    for res in resmap:
        current[:] = [res]
        g, v, k = org_gvk(res)
        if any(gvk_selected(g, v, k, sg, "", sk) for sg, sk in _SKIP):
            continue
        for fs in specs:
            if not gvk_selected(g, v, k, fs.group, fs.version, fs.kind):
                continue
            if fs.path == "metadata/name" and text:
                state = res.state
                (state.prefixes if is_prefix else state.suffixes).append(text)
                res.store_previous_id()
            apply_fieldspec(res.node, fs, setter, "scalar", origin, res.gvk(),
                            paths=rec is not None)


def org_gvk(res: Resource) -> tuple[str, str, str]:
    """Group, version and kind of a resource's original id (Kustomize keeps the current
    apiVersion and only the kinds of previous ids)."""
    g, v = split_api_version(res.api_version)
    prev = res.state.prev_ids
    return g, v, (prev[0].kind if prev else res.kind)


def name_text(v: object) -> str:
    """A scalar as the YAML text Kustomize would concatenate."""
    if v is None:
        return ""
    if v is True or v is False:
        return "true" if v else "false"
    return str(v)
