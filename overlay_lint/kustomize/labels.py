"""``commonLabels``, ``labels:`` and ``commonAnnotations`` (Label/AnnotationsTransformer).

Each ``labels:`` entry is its own transformer, run before ``commonLabels``, with field specs
combined as Kustomize's configurator does: the entry's ``fields``, the configuration's
``labels`` specs, then either every commonLabels spec (``includeSelectors``) or the
metadata labels plus, with ``includeTemplates``, the pod-template labels.
``commonLabels`` use the configuration's commonLabels specs (selectors included).

Every value set carries the origin of its pair's line in the kustomization; mappings
created to hold them carry the origin of the field (``commonLabels:``/``pairs:`` line).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..core.errors import at
from ..core.node import Node, Origin, PathKey
from .config import ConfigConflict, fieldspecs_from_node, merge_fs
from .fieldspec import FieldSpec, apply_fieldspecs
from .kustomization import Kustomization
from .resource import ResMap, Resource
from .touched import Touched

if TYPE_CHECKING:
    from .build import Accumulator, BuildContext

_META_LABELS = FieldSpec("metadata/labels", create=True)
_LABEL_KEYS = ("pairs", "includeSelectors", "includeTemplates", "fields")

# A pair: key -> (value text, origin of the pair's line)
Pairs = dict


def apply_labels(acc: "Accumulator", kust: Kustomization, ctx: "BuildContext") -> None:
    """The kustomization's ``labels:`` entries, then its ``commonLabels``."""
    cfg = acc.config
    for entry in kust.items("labels"):
        pairs, specs = label_entry(entry, cfg)
        rec = ctx.record("LabelTransformer", "labels", entry.o, kust)
        set_map_entries(acc.resmap, pairs, specs, entry.o, "label", rec)
    common = kust.field("commonLabels")
    if common is not None:
        pairs = pairs_from_node(common, "commonLabels")
        rec = ctx.record("LabelTransformer", "commonLabels", common.o, kust) if pairs else None
        set_map_entries(acc.resmap, pairs, cfg.common_labels, common.o, "label", rec)


def apply_annotations(acc: "Accumulator", kust: Kustomization, ctx: "BuildContext") -> None:
    """The kustomization's ``commonAnnotations``."""
    common = kust.field("commonAnnotations")
    if common is not None:
        pairs = pairs_from_node(common, "commonAnnotations")
        rec = ctx.record("AnnotationsTransformer", "commonAnnotations", common.o,
                         kust) if pairs else None
        set_map_entries(acc.resmap, pairs, acc.config.common_annotations, common.o,
                        "annotation", rec)


def label_entry(entry: Node, cfg) -> tuple[Pairs, tuple[FieldSpec, ...]]:
    """The pairs and combined field specs of one ``labels:`` entry."""
    if not entry.is_map:
        raise at(entry.o, "each entry of 'labels' must be a mapping with 'pairs'")
    for k, c in entry.items():
        if k not in _LABEL_KEYS:
            raise at(c.o, f"unknown field '{k}' in a 'labels' entry "
                          f"(expected one of {', '.join(_LABEL_KEYS)})")
    pairs = pairs_from_node(entry.get("pairs"), "pairs")
    selectors = _flag(entry, "includeSelectors")
    templates = _flag(entry, "includeTemplates")
    specs = tuple(fieldspecs_from_node(entry.get("fields"), "labels fields"))
    try:
        specs = merge_fs(specs, cfg.labels)
        if selectors:
            specs = merge_fs(specs, cfg.common_labels)
        else:
            if templates:
                specs = merge_fs(specs, cfg.template_labels)
            specs = merge_fs(specs, (_META_LABELS,))
    except ConfigConflict as exc:
        raise at(entry.o, f"{exc.message}; make 'create' of the entry's fields agree with "
                          "Kustomize's label field specs") from None
    return pairs, specs


def _flag(entry: Node, key: str) -> bool:
    n = entry.get(key)
    if n is None or n.v is None:
        return False
    if type(n.v) is not bool:
        raise at(n.o, f"'{key}' must be true or false")
    return n.v


def pairs_from_node(node: Node | None, what: str) -> Pairs:
    """key -> (string value, origin of the pair) for a map of labels or annotations."""
    if node is None or node.v is None:
        return {}
    if not node.is_map:
        raise at(node.o, f"'{what}' must be a mapping of names to values")
    out: Pairs = {}
    for k, c in node.items():
        if k == "":
            # Kustomize fails on an empty name too (with a node-kind error deep in a filter)
            raise at(c.o, f"'{what}' has an entry with an empty name; give it a name")
        if c.v is not None and type(c.v) is not str:
            # Kustomize reads these maps as strings and refuses numbers, booleans, maps
            raise at(c.o, f"value of '{k}' in '{what}' must be a string; quote it "
                          f"(found {_type_name(c)})")
        out[k] = ("" if c.v is None else c.v, c.o)
    return out


def _type_name(n: Node) -> str:
    if n.is_map:
        return "a mapping"
    if n.is_seq:
        return "a list"
    return {bool: "a boolean", int: "a number", float: "a number"}.get(type(n.v), "a scalar")


def set_map_entries(resmap: ResMap, pairs: Pairs, specs: Iterable[FieldSpec],
                    create_origin: Origin | None, what: str,
                    rec: Touched | None = None) -> None:
    """Set every pair in the mappings the field specs select (creating them if allowed)."""
    if not pairs:
        return
    specs = tuple(specs)
    keys = sorted(pairs)
    current: list[Resource] = []

    def setter(node: Node, path: list[PathKey] | None) -> None:
        if node.v is None:
            return  # an explicit null that the spec may not create stays null
        if not node.is_map:
            raise at(node.o, f"cannot set {what}s here: expected a mapping, found a "
                             f"{'list' if node.is_seq else 'scalar'}")
        if rec is not None:
            rec.select(current[0])
        for k in keys:
            value, origin = pairs[k]
            if rec is not None:
                old = node.v.get(k)
                rec.set(current[0], (*(path or ()), k), None if old is None else old.data(), value,
                        origin, changed=True if old is None else None)
            node.v[k] = Node(value, origin)

    for res in resmap:
        current[:] = [res]
        apply_fieldspecs(res.node, specs, setter, res.gvk(), "map", create_origin,
                         paths=rec is not None)
