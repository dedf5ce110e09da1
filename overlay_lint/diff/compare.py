"""Compare two renders: resources matched by source identity, then field by field.

Matching. A resource is known by its kind, namespace and name *as the user wrote them*
(``Resource.org_id()``: before the env's ``namespace:``, ``namePrefix``/``nameSuffix`` and a
generator's content hash), so ``app-env-5f7k…`` in staging and ``app-env-b2h9…`` in prod are
one ConfigMap, and ``dev-gateway`` in dev is prod's ``gateway``. The API group takes part
first (two kinds of one name in different groups stay apart), then a resource whose
apiVersion changed still pairs by kind. When one render holds several resources with the
same source identity (one base included twice with different suffixes), those are matched
by their rendered names instead.

Fields. Mappings key by key; lists whose Kubernetes schema declares patch merge keys
(containers and env by ``name``, volume mounts by ``mountPath``, ports by port and
protocol, …; the strategic-merge keys of ``overlay_lint.kustomize.schema``) item by item
on those keys; lists of a type without a schema (custom resources) by ``name`` when every
item has a distinct one; other lists by position, aligned so that one inserted item shows
as one addition rather than a shifted tail. An added or removed field or item is one change
holding the whole value.

Renames. A value that differs only by names the build gave is marked (``Change.rename``)
rather than dropped, and callers decide what to show: a resource's own ``metadata.name``
differing only in its content hash (``HASH``), its own name or namespace differing by the
env's namespace/prefix/suffix (``IDENTITY``), and any other value that becomes equal once
each side's rendered names and namespaces are read as the source names they stand for
(``REFERENCE``: ``configMapRef.name``, a RoleBinding subject's namespace, a URL holding
``svc.aether-staging.svc``).
"""
from __future__ import annotations

import json
import re
from difflib import SequenceMatcher
from typing import Any, Sequence

from ..core.node import Node
from ..kustomize.schema import Schema, schema_for
from .model import HASH, IDENTITY, REFERENCE, Change, ResourceKey
from .paths import Item, Path

_HASHED = re.compile(r"(.*)-[2456789bcdfghkmt]{10}")  # Kustomize's content-hash suffix
MAX_ALIGN = 250_000   # items x items of a list pair aligned by content (500 x 500)


def resource_key(res: Any, rendered: bool = False) -> ResourceKey:
    """``res`` as written in its source (``rendered``: as rendered)."""
    if rendered:
        return ResourceKey(res.kind, res.namespace or None, res.name)
    org = res.org_id()
    ns = org.namespace if org.namespace not in ("", "default") else None
    return ResourceKey(res.kind, ns, org.name or res.name)


def _group(res: Any) -> str:
    api = res.api_version
    return api.split("/", 1)[0] if "/" in api else ""


def _keys(resources: Sequence[Any]) -> list[ResourceKey]:
    """Source keys, except where two resources of this render share one."""
    keys = [resource_key(r) for r in resources]
    seen: dict[tuple, int] = {}
    for r, k in zip(resources, keys):
        seen[(_group(r), k)] = seen.get((_group(r), k), 0) + 1
    return [resource_key(r, rendered=True) if seen[(_group(r), k)] > 1 else k
            for r, k in zip(resources, keys)]


def pair_resources(before: Sequence[Any], after: Sequence[Any]
                   ) -> list[tuple[ResourceKey, Any, Any]]:
    """``(key, before resource or None, after resource or None)``: after's order, then
    resources only ``before`` has."""
    bkeys, akeys = _keys(before), _keys(after)
    by_gk: dict[tuple, int] = {}
    for i, (r, k) in enumerate(zip(before, bkeys)):
        by_gk.setdefault((_group(r), k), i)
    used: set[int] = set()
    match: list[int | None] = []
    for r, k in zip(after, akeys):
        hit = by_gk.get((_group(r), k))
        if hit is not None and hit not in used:
            used.add(hit)
            match.append(hit)
        else:
            match.append(None)
    # an apiVersion change (policy/v1beta1 -> policy/v1) still pairs by kind/namespace/name
    by_k: dict[ResourceKey, list[int]] = {}
    for i, k in enumerate(bkeys):
        if i not in used:
            by_k.setdefault(k, []).append(i)
    for j, k in enumerate(akeys):
        left = by_k.get(k)
        if match[j] is None and left:
            first = left.pop(0)
            match[j] = first
            used.add(first)
    out: list[tuple[ResourceKey, Any, Any]] = []
    for j, r in enumerate(after):
        m = match[j]
        out.append((akeys[j], before[m] if m is not None else None, r))
    out += [(bkeys[i], r, None) for i, r in enumerate(before) if i not in used]
    return out


def diff_resources(before: Sequence[Any], after: Sequence[Any]) -> list[Change]:
    """Every difference between two renders (lists of ``Resource``), ``envs`` left empty."""
    pairs = pair_resources(before, after)
    renames = _Renames([(b, a) for _, b, a in pairs if b is not None and a is not None])
    out: list[Change] = []
    for key, b, a in pairs:
        if b is None:
            out.append(Change(key, (), None, a.node.data(), None, a.node.o, after_node=a.node))
        elif a is None:
            out.append(Change(key, (), b.node.data(), None, b.node.o, None, before_node=b.node))
        else:
            schema = schema_for(a.api_version, a.kind)
            _Walk(key, renames, out).node(b.node, a.node, (), schema)
    return out


class _Walk:
    """Field-by-field comparison of one resource pair, appending to ``out``."""

    def __init__(self, key: ResourceKey, renames: "_Renames", out: list[Change]) -> None:
        self.key = key
        self.renames = renames
        self.out = out

    def change(self, path: Path, b: Node | None, a: Node | None) -> None:
        one = a if b is None else b if a is None else None
        if one is not None and type(one.v) is dict and one.v and path and \
                type(path[-1]) is str:
            # an added or removed field holding a mapping: field by field, like any other
            # difference (a list item stays whole: it is one thing added or removed)
            for k, c in one.v.items():
                if c.v is not None:
                    self.change(path + (k,), None if b is None else c, None if a is None else c)
            return
        bv = b.data() if b is not None else None
        av = a.data() if a is not None else None
        rename = None
        if type(bv) is str and type(av) is str or path == ("metadata", "namespace"):
            rename = self.renames.classify(path, bv, av)
        self.out.append(Change(self.key, path, bv, av, b.o if b is not None else None,
                               a.o if a is not None else None, rename=rename,
                               before_node=b, after_node=a))

    def node(self, b: Node, a: Node, path: Path, schema: Schema | None) -> None:
        bv, av = b.v, a.v
        tb, ta = type(bv), type(av)
        if tb is dict and ta is dict:
            for k, an in av.items():
                bn = bv.get(k)
                if bn is None or bn.v is None:
                    if an.v is not None:  # absent and null mean the same
                        self.change(path + (k,), bn, an)
                    continue
                if an.v is None:
                    self.change(path + (k,), bn, an)
                    continue
                self.node(bn, an, path + (k,), schema.field(k) if schema is not None else None)
            for k, bn in bv.items():
                if k not in av and bn.v is not None:
                    self.change(path + (k,), bn, None)
        elif tb is list and ta is list:
            self.seq(b, a, path, schema)
        elif not same(bv, av):
            self.change(path, b, a)

    # --- lists -----------------------------------------------------------------------
    def seq(self, b: Node, a: Node, path: Path, schema: Schema | None) -> None:
        items = schema.elements() if schema is not None else None
        keys = _merge_keys(schema, b.v, a.v)
        if keys:
            self.keyed(b, a, path, keys, items)
        else:
            self.aligned(b, a, path, items)

    def keyed(self, b: Node, a: Node, path: Path, keys: list[str],
              items: Schema | None) -> None:
        before = {_item_key(n, keys): n for n in b.v}
        after_keys = set()
        for n in a.v:
            k = _item_key(n, keys)
            after_keys.add(k)
            seg = _item_segment(n, keys)
            bn = before.get(k)
            if bn is None:
                self.change(path + (seg,), None, n)
            else:
                self.node(bn, n, path + (seg,), items)
        for n in b.v:
            if _item_key(n, keys) not in after_keys:
                self.change(path + (_item_segment(n, keys),), n, None)

    def aligned(self, b: Node, a: Node, path: Path, items: Schema | None) -> None:
        bl, al = b.v, a.v
        if len(bl) == len(al) and all(same_node(x, y) for x, y in zip(bl, al)):
            return
        opcodes: Sequence[tuple[str, int, int, int, int]]
        if len(bl) * len(al) > MAX_ALIGN:   # alignment is quadratic: long lists by position
            opcodes = [("replace", 0, len(bl), 0, len(al))]
        else:
            opcodes = SequenceMatcher(None, [_canon(n) for n in bl], [_canon(n) for n in al],
                                      autojunk=False).get_opcodes()
        for op, i1, i2, j1, j2 in opcodes:
            if op == "equal":
                continue
            common = min(i2 - i1, j2 - j1)
            for k in range(common):
                self.node(bl[i1 + k], al[j1 + k], path + (j1 + k,), items)
            for k in range(i1 + common, i2):
                self.change(path + (k,), bl[k], None)
            for k in range(j1 + common, j2):
                self.change(path + (k,), None, al[k])


def _merge_keys(schema: Schema | None, bl: list, al: list) -> list[str] | None:
    """The keys that identify items of this list, or None to compare by position."""
    if schema is not None:
        strategy, keys = schema.strategy_and_keys()
        if not keys or "merge" not in strategy.split(","):
            return None
    else:
        keys = ["name"]   # no schema (a custom resource): by name when every item has one
    for lst in (bl, al):
        seen = set()
        for n in lst:
            if type(n.v) is not dict:
                return None
            first = n.v.get(keys[0])
            if first is None or type(first.v) not in (str, int) or (
                    schema is None and type(first.v) is not str):
                return None
            k = _item_key(n, keys)
            if k in seen:
                return None
            seen.add(k)
    return keys


def _item_key(n: Node, keys: list[str]) -> tuple:
    out = []
    for k in keys:
        c = n.v.get(k)
        v = c.v if c is not None else None
        if v is None and k == "protocol":
            v = "TCP"  # Kubernetes' default: an item without protocol is the TCP one
        out.append((type(v).__name__, v))
    return tuple(out)


def _item_segment(n: Node, keys: list[str]) -> Item:
    pairs = []
    for k in keys:
        c = n.v.get(k)
        if c is not None and c.v is not None:
            pairs.append((k, c.v))
    return Item(tuple(pairs))


def _canon(n: Node) -> str:
    return json.dumps(_typed(n.data()), sort_keys=True, ensure_ascii=False, default=str)


def _typed(v: Any) -> Any:
    """Data where ``1``, ``1.0`` and ``True`` stay apart in JSON text."""
    t = type(v)
    if t is dict:
        return {k: _typed(c) for k, c in v.items()}
    if t is list:
        return [_typed(c) for c in v]
    if t is float:
        return ["float", repr(v)]
    return v


def same(x: Any, y: Any) -> bool:
    """Scalar equality that tells ``1``, ``1.0``, ``True`` and ``"1"`` apart."""
    return type(x) is type(y) and x == y


def same_node(b: Node, a: Node) -> bool:
    """Deep equality of two value trees (types exact; absent and null fields equal)."""
    bv, av = b.v, a.v
    tb = type(bv)
    if tb is not type(av):
        return False
    if tb is dict:
        for k, an in av.items():
            bn = bv.get(k)
            if bn is None:
                if an.v is not None:
                    return False
            elif not same_node(bn, an):
                return False
        return all(k in av or bn.v is None for k, bn in bv.items())
    if tb is list:
        return len(bv) == len(av) and all(same_node(x, y) for x, y in zip(bv, av))
    return bv == av


class _Renames:
    """The names and namespaces that differ between paired resources of the two renders,
    to tell a value that differs only by them from a real change."""

    def __init__(self, pairs: list[tuple[Any, Any]]) -> None:
        self.names: set[tuple[str, str]] = set()
        self.namespaces: set[tuple[str, str]] = set()
        for b, a in pairs:
            if b.name != a.name:
                self.names.add((b.name, a.name))
            if b.namespace != a.namespace:
                self.namespaces.add((b.namespace, a.namespace))
        self._rx: tuple | None = None

    def classify(self, path: Path, bv: Any, av: Any) -> str | None:
        if not self.names and not self.namespaces:
            return None
        if path == ("metadata", "namespace"):
            return IDENTITY if (bv or "", av or "") in self.namespaces else None
        if type(bv) is not str or type(av) is not str:
            return None
        if path == ("metadata", "name"):
            hb, ha = _HASHED.fullmatch(bv), _HASHED.fullmatch(av)
            if hb and ha and hb.group(1) == ha.group(1):
                return HASH
            return IDENTITY if (bv, av) in self.names else None
        return REFERENCE if self._normal(bv, 0) == self._normal(av, 1) else None

    def _normal(self, text: str, side: int) -> str:
        """``text`` with each rendered name/namespace of one side replaced by a token
        naming the pair it belongs to (the same token on both sides)."""
        if self._rx is None:
            self._rx = (self._compile(0), self._compile(1))
        rx, table = self._rx[side]
        if rx is None:
            return text
        return rx.sub(lambda m: table[m.group(0)], text)

    def _compile(self, side: int) -> tuple:
        table: dict[str, str] = {}
        for i, pair in enumerate(sorted(self.names)):
            if pair[side]:
                table.setdefault(pair[side], f"\x00name{i}\x00")
        for i, pair in enumerate(sorted(self.namespaces)):
            if pair[side]:
                table.setdefault(pair[side], f"\x00ns{i}\x00")
        if not table:
            return None, table
        alt = "|".join(re.escape(t) for t in sorted(table, key=len, reverse=True))
        return re.compile(rf"(?<![A-Za-z0-9_-])(?:{alt})(?![A-Za-z0-9_-])"), table
