"""Output order: Kustomize's ``legacy`` sort (the default) or ``fifo`` (``sortOptions``)."""
from __future__ import annotations

import functools

from ..core.errors import at
from .gvk import ORDER_FIRST, ORDER_LAST, gvk_sort_string, type_orders
from .resource import ResId, Resource
from .types import SortOptions


def _id_sort_string(rid: ResId) -> str:
    gvk = ".".join((rid.kind or "[noKind]", rid.version or "[noVer]", rid.group or "[noGrp]"))
    return "|".join((gvk, rid.namespace or "~X", rid.name or "~N"))


def legacy_sort(resources: list[Resource], first: tuple = ORDER_FIRST,
                last: tuple = ORDER_LAST) -> list[Resource]:
    orders = type_orders(first, last)
    keyed = [(r.cur_id(), r) for r in resources]

    def less(a: ResId, b: ResId) -> bool:
        if (a.group, a.version, a.kind) != (b.group, b.version, b.kind):
            ia, ib = orders.get(a.kind, 0), orders.get(b.kind, 0)
            if ia != ib:
                return ia < ib
            sa = gvk_sort_string(a.group, a.version, a.kind)
            sb = gvk_sort_string(b.group, b.version, b.kind)
            if a.kind == "Namespace" and b.kind == "Namespace" and (not a.group or not b.group):
                return sa > sb
            return sa < sb
        return _id_sort_string(a) < _id_sort_string(b)

    def cmp(x: tuple, y: tuple) -> int:
        return -1 if less(x[0], y[0]) else 1 if less(y[0], x[0]) else 0

    return [r for _, r in sorted(keyed, key=functools.cmp_to_key(cmp))]


def apply_sort_options(resources: list[Resource],
                       options: SortOptions | None) -> list[Resource]:
    """Order resources as the top kustomization's ``sortOptions`` (default legacy) says."""
    if options is None:
        return legacy_sort(resources)
    order, legacy = options.order, options.legacy_sort_options
    mode = order.v if order is not None else None
    if mode not in ("legacy", "fifo"):
        raise at(order.o if order is not None else options.o,
                 "the field 'sortOptions.order' must be one of [fifo, legacy]")
    if mode == "fifo":
        if legacy is not None:
            raise at(legacy.o, "the field 'sortOptions.legacySortOptions' is set but the "
                               "selected sort order is 'fifo', not 'legacy'")
        return list(resources)
    if legacy is None:
        return legacy_sort(resources)
    return legacy_sort(resources, legacy.order_first, legacy.order_last)
