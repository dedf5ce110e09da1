"""``replicas:``: set the replica count of the objects an entry names.

As Kustomize's ReplicaCountTransformer: for each ``replicas`` field spec, the objects
whose current or any earlier name equals the entry's ``name`` and whose kind/group/version
fit the spec get the count, the field being created when absent. An entry that matches
nothing is an error. The new value points at the entry's ``count:`` line.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.errors import at
from ..core.node import Node, PathKey
from .fieldspec import apply_fieldspec
from .resource import Resource
from .touched import Touched

if TYPE_CHECKING:  # import cycle otherwise: build imports the stages
    from .build import Accumulator, BuildContext
    from .kustomization import Kustomization

_KEYS = ("name", "count")


def apply_replicas(acc: Accumulator, kust: Kustomization, ctx: BuildContext) -> None:
    """Apply this kustomization's ``replicas`` entries in order."""
    entries = kust.items("replicas")
    if not entries:
        return
    # name -> [(resource, its ids)] in build order: one index instead of a scan per entry
    by_name: dict[str, list] = {}
    for res in acc.resmap:
        ids = [res.cur_id(), *res.prev_ids]
        for name in dict.fromkeys(i.name for i in ids):
            by_name.setdefault(name, []).append((res, ids))
    for entry in entries:
        name, count_n = _parse(entry)
        candidates = by_name.get(name, [])
        found = False
        rec = ctx.record("ReplicaCountTransformer", "replicas", entry.o, kust)
        for fs in acc.config.replicas:
            for res, ids in candidates:
                if not any(i.name == name and fs.matches_gvk(i.group, i.version, i.kind)
                           for i in ids):
                    continue
                found = True
                rec.select(res)
                apply_fieldspec(res.node, fs, _setter(count_n, res, rec), create_kind="scalar",
                                create_origin=count_n.o, gvk=res.gvk(), paths=True)
        if not found:
            kinds = ", ".join(sorted({fs.kind or "*" for fs in acc.config.replicas})) or "none"
            raise at(entry.o, f"replicas: no object named '{name}' of a kind with a replica "
                              f"count ({kinds}); check the name or add a 'replicas' field spec "
                              "in configurations")


def _parse(entry: Node) -> tuple[str, Node]:
    if not entry.is_map:
        raise at(entry.o, "each entry of 'replicas' must be a mapping")
    for key, child in entry.items():
        if key not in _KEYS:
            raise at(child.o, f"unknown field '{key}' in replicas entry (known: name, count)")
    name_n = entry.get("name")
    name = "" if name_n is None or name_n.v is None else name_n.v
    if type(name) is not str:
        raise at(name_n.o, "replicas name must be a string")
    count_n = entry.get("count")
    if count_n is None or count_n.v is None:
        # Kustomize reads a missing count as 0
        return name, Node(0, (name_n or entry).o)
    if type(count_n.v) is not int or type(count_n.v) is bool:
        raise at(count_n.o, f"replicas count must be an integer, got {count_n.v!r}")
    return name, count_n


def _setter(count_n: Node, res: Resource, rec: Touched):
    def set_count(node: Node, path: list[PathKey] | None) -> None:
        rec.set(res, tuple(path or ()), node.v, count_n.v, count_n.o)
        node.v = count_n.v
        node.o = count_n.o
        node.parts = None
    return set_count
