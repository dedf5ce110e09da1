"""Setting label or annotation pairs in the mappings field specs select (Kustomize's
filters/labels and filters/annotations, through its fsslice walk).

Every value set carries the origin of its pair's line; mappings created to hold them
carry the origin the caller gives (the ``commonLabels:``/``pairs:`` line).
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Iterable, Mapping

from ...core.errors import at
from ...core.node import Node, Origin, PathKey
from ..printable import mark_plain_keys
from ..resmap import ResMap
from ..resource import Resource
from ..touched import Touched
from ..types import FieldSpec, Str, StrMap
from .fieldspec import apply_fieldspecs


def set_map_entries(resmap: ResMap, pairs: Mapping[str, Str], specs: Iterable[FieldSpec],
                    create_origin: Origin | None, what: str,
                    rec: Touched | None = None) -> None:
    """Set every pair in the mappings the field specs select (creating them if allowed);
    ``what`` ("label", "annotation") names them in errors."""
    if not pairs:
        return
    specs = tuple(specs)
    keys = sorted(pairs)
    current: list[Resource] = []
    # Kustomize's setter makes one value node per resource and key and puts that node in
    # every mapping that lacks the key (metadata, selector, template...): the places share
    # it, and a later write into one of them (a patch, a replacement, another label
    # transformer) shows in all. A key already present is written into in place, so the
    # places sharing that node follow too.
    fresh: dict[str, Node] = {}

    def setter(node: Node, path: list[PathKey] | None) -> None:
        if node.v is None:
            return  # an explicit null that the spec may not create stays null
        if not node.is_map:
            raise at(node.o, f"cannot set {what}s here: expected a mapping, found a "
                             f"{'list' if node.is_seq else 'scalar'}")
        if rec is not None:
            rec.select(current[0])
        v = node.v
        created = [k for k in keys if k not in v]  # Kustomize writes these plain
        for k in keys:
            pair = pairs[k]
            value, origin = pair.v, pair.o
            old = v.get(k)
            if rec is not None:
                rec.set(current[0], (*(path or ()), k), None if old is None else old.data(),
                        value, origin, changed=True if old is None else None)
            if old is None:
                new = fresh.get(k)
                if new is None:
                    new = fresh[k] = Node(value, origin)
                else:
                    current[0].shared = True
                v[k] = new
            else:
                old.v, old.o, old.parts = value, origin, None
        mark_plain_keys(node, created)

    for res in resmap:
        current[:] = [res]
        fresh.clear()
        apply_fieldspecs(res.node, specs, setter, res.gvk(), "map", create_origin,
                         paths=rec is not None)


def check_pairs(pairs: StrMap | None, what: str) -> None:
    """Kustomize fails on a label or annotation with an empty name too (with a node-kind
    error deep in a filter): refused here at its line."""
    for k, value in (pairs.pairs.items() if pairs is not None else ()):
        if k == "":
            raise at(value.o, f"'{what}' has an entry with an empty name; give it a name")
