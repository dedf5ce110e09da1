"""RFC 6902 JSON patch operations on ``Node`` trees, with Kustomize's (evanphx/json-patch v4)
behaviour: ``-`` appends; a negative index counts from the end (for ``add``, of the list
after insertion); ``replace`` of a missing mapping key adds it; ``remove`` of a missing key
and any path through a missing parent are errors.

Errors are reported at the ``path:`` (or ``from:``) line of the failing operation. Values
added or replaced carry the origins of the operation's ``value:`` node; a moved value keeps
its own origins.
"""
from __future__ import annotations

import re
TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any

from ...core.errors import at
from ...core.go_number import INT64_MAX, go_float32_text, go_float_text, go_number, json_float
from ...core.node import Node
from ...core.yaml_reader import FLOW, canonical_text, resolve_plain, resolve_scalar
from ..budget import Budget, count_nodes
from ..printable import PLAIN_KEYS
from ..touched import Ignored

_INT = re.compile(r"^[-+]?[0-9]+$")  # what Go's strconv.Atoi accepts
OPS = ("add", "remove", "replace", "move", "copy", "test")


class Op:
    """One decoded operation; ``node`` is the op mapping, for error locations."""

    __slots__ = ("node", "op", "path", "from_", "value")

    def __init__(self, node: Node) -> None:
        if not node.is_map:
            raise at(node.o, "each JSON6902 operation must be a mapping with 'op' and 'path'")
        self.node = node
        opn = node.get("op")
        if opn is None or type(opn.v) is not str:
            raise at(node.o, "JSON6902 operation without an 'op' (add, remove, replace, "
                             "move, copy or test)")
        if opn.v not in OPS:
            raise at(opn.o, f"unknown JSON6902 operation '{opn.v}' (use one of {', '.join(OPS)})")
        self.op = opn.v
        self.path = _pointer_node(node, "path")
        self.from_ = _pointer_node(node, "from") if self.op in ("move", "copy") else None
        self.value = node.get("value")


def _pointer_node(op: Node, key: str) -> Node:
    n = op.get(key)
    if n is None or type(n.v) is not str:
        raise at(n.o if n is not None else op.o,
                 f"JSON6902 operation needs a '{key}' string "
                 "(a JSON pointer such as /spec/replicas)")
    # Kustomize's json-patch drops whatever comes before the first '/': `spec/spec/x`
    # reads as /spec/x (so written on purpose); with no '/' at all it names no field
    if n.v and "/" not in n.v:
        raise at(n.o, f"JSON6902 {key} '{n.v}' must be a JSON pointer starting with '/' "
                      "(such as /spec/replicas)")
    return n


def unrooted(ops: list[Op]) -> list[Ignored]:
    """What a pointer written without its leading '/' loses: json-patch reads it from its
    first '/' (``spec/replicas`` patches ``/replicas``, a top-level field). Rendered so,
    and reported (rule ignored-by-kustomize): the text before the '/' looks meant."""
    out = []
    for op in ops:
        for key, n in (("path", op.path), ("from", op.from_)):
            if n is not None and n.v and not n.v.startswith("/"):
                cut = n.v.index("/")
                out.append(Ignored(n.o, f"JSON6902 {key} '{n.v}' does not start with '/': "
                                        f"Kustomize drops '{n.v[:cut]}' and patches "
                                        f"'{n.v[cut:]}'"))
    return out


def decode_ops(doc: Node | None, where: tuple | None) -> list[Op]:
    """The operations of a JSON6902 patch document (a list of op mappings)."""
    if doc is None or doc.v is None:
        raise at(where, "JSON6902 patch is empty")
    if not doc.is_seq:
        raise at(doc.o, "a JSON6902 patch must be a list of operations")
    if not doc.v:
        raise at(doc.o, "JSON6902 patch has no operations")
    for _, n in doc.walk():
        if n.parts and PLAIN_KEYS in n.parts:
            _json_keys(n)
    return [Op(item) for item in doc.v]


def _json_text(key: str, child: Node) -> str:
    """The JSON key sigs.k8s.io/yaml's YAMLToJSON makes of a plain key go-yaml v2 reads as
    no string: an int in decimal, a float in Go's shortest 32-bit 'g' form (``1e3`` ->
    "1000", -9223372036854775809 -> "-9.223372e+18", .Inf -> ".inf"); a null key or
    one past int64 (a uint64) it cannot convert, and Kustomize fails on the patch."""
    v = resolve_scalar(resolve_plain(key, (True, False)), key, None)
    unparsable = "which Kustomize cannot convert to JSON: it fails on the patch ('unable "\
        "to parse SM or JSON patch'); quote the key"
    if v is None:
        raise at(child.o, f"key '{key}' reads as null, {unparsable}")
    if type(v) is str:
        return key  # a time: kept as written (checked against kubectl)
    if type(v) is bool:
        return "true" if v else "false"
    n = go_number(key)
    if type(n) is int:
        if n > INT64_MAX:
            raise at(child.o, f"key '{key}' reads as an unsigned 64-bit number, {unparsable}")
        return str(n)
    text = go_float32_text(float(v))
    return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)


def _json_keys(m: Node) -> None:
    """Kustomize decodes the operations as JSON: a plain key read as a number or a boolean
    becomes its JSON text (``0x1F`` the key "31"), a string like any other."""
    keys = m.parts[PLAIN_KEYS]  # type: ignore[index]
    m.v = {(_json_text(k, c) if k in keys else k): c for k, c in m.v.items()}
    m.parts = {k: v for k, v in m.parts.items() if k != PLAIN_KEYS} or None  # type: ignore[union-attr]


def _split(pointer: str) -> list[str]:
    if pointer == "":
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _index(key: str, size: int, for_add: bool) -> int | None:
    """A list index as json-patch v4 reads it; None when invalid."""
    if not _INT.match(key):
        return None
    idx = int(key)
    limit = size + 1 if for_add else size
    if idx < 0:
        if idx < -limit:
            return None
        idx += limit
    if idx >= limit:
        return None
    return idx


def _container(root: Node, parts: list[str]) -> Node | None:
    """The mapping or list holding the last part of a pointer (None when missing)."""
    cur: Node | None = root
    for p in parts[:-1]:
        if cur is None:
            return None
        if cur.is_map:
            cur = cur.v.get(p)
        elif cur.is_seq:
            i = _index(p, len(cur.v), False)
            cur = cur.v[i] if i is not None else None
        else:
            return None
    if cur is None or not (cur.is_map or cur.is_seq):
        return None
    return cur


class _Fail(Exception):
    def __init__(self, which: str, detail: str) -> None:
        super().__init__(detail)
        self.which = which
        self.detail = detail


def _locate(root: Node, pointer: str) -> tuple[Node, str]:
    """The mapping or list holding a non-empty pointer's last token, and that token."""
    parts = _split(pointer)
    con = _container(root, parts)
    if con is None:
        raise _Fail("missing", pointer)
    return con, parts[-1]


def _get(root: Node, pointer: str) -> Node | None:
    if pointer == "":
        return root
    con, key = _locate(root, pointer)
    if con.is_map:
        return con.v.get(key)
    i = _index(key, len(con.v), False)
    if i is None:
        raise _Fail("index", pointer)
    return con.v[i]


def _add(root: Node, pointer: str, value: Node) -> Node:
    if pointer == "":
        return value
    con, key = _locate(root, pointer)
    if con.is_map:
        con.v[key] = value
    elif key == "-":
        con.v.append(value)
    else:
        i = _index(key, len(con.v), True)
        if i is None:
            raise _Fail("index", pointer)
        con.v.insert(i, value)
    return root


def _remove(root: Node, pointer: str) -> Node:
    if pointer == "":
        raise _Fail("missing", pointer)
    con, key = _locate(root, pointer)
    if con.is_map:
        if key not in con.v:
            raise _Fail("missing", pointer)
        removed = con.v.pop(key)
    else:
        i = _index(key, len(con.v), False)
        if i is None:
            raise _Fail("index", pointer)
        removed = con.v.pop(i)
    return removed


def _replace(root: Node, pointer: str, value: Node) -> Node:
    if pointer == "":
        return value
    con, key = _locate(root, pointer)
    if con.is_map:
        con.v[key] = value  # json-patch v4 does not require the key to exist
    else:
        i = _index(key, len(con.v), False)
        if i is None:
            raise _Fail("missing", pointer)
        con.v[i] = value
    return root


def apply_ops(root: Node, ops: list[Op], what: str = "the resource",
              budget: Budget | None = None) -> Node:
    """Apply ``ops`` in order to ``root`` (mutated); returns the (possibly new) root.
    ``budget`` (the run's) is charged with the nodes each operation copies."""
    for op in ops:
        try:
            root = _apply_one(root, op, budget)
        except _Fail as f:
            loc = op.from_ if op.from_ is not None and f.detail == op.from_.v else op.path
            if f.which == "index":
                msg = (f"JSON6902 {op.op}: index in path {f.detail} is out of range in {what}; "
                       "fix the index or use '-' to append")
            elif f.which == "test":
                msg = f"JSON6902 test of {f.detail} failed: {what} holds a different value"
            else:
                msg = (f"JSON6902 path {f.detail} does not exist in {what} "
                       f"(op '{op.op}'); fix the path or the patch target")
            raise at(loc.o, msg) from None
    return root


def as_json(root: Node) -> None:
    """``root`` as Kustomize's JSON encoding of it leaves it for a JSON6902 patch: a time is
    a string of its RFC 3339 text (its written text in a flow collection, when that holds
    ':': see core/yaml_writer.py), and no collection is flow style any more (it is read
    back from JSON). Numbers: :func:`as_float64`, after the operations."""
    stack = [(root, False)]
    while stack:
        n, flow = stack.pop()
        v = n.v
        if type(v) is dict or type(v) is list:
            parts = n.parts
            if parts is not None and FLOW in parts:
                flow = True
                n.parts = {k: x for k, x in parts.items() if k != FLOW} or None
            stack.extend((c, flow) for c in (v.values() if type(v) is dict else v))
        elif type(v) is str and n.parts is not None and "text" in n.parts:
            text = n.parts["text"]
            n.v = text if flow and ":" in text else v
            n.parts = None


def as_float64(root: Node) -> None:
    """Every number of ``root`` as Kustomize leaves it after a JSON6902 patch: it reads the
    patched object back with Go's JSON decoder, which makes each number a float64, and
    writes that as YAML (Go's 'g' format). So 9007199254740993 becomes 9007199254740992,
    9223372036854775807 prints 9223372036854776000, 1000000 is the text ``1e+06`` (what
    a later replacement or annotation reads) and prints 1000000 again."""
    for _path, n in root.walk():
        v = n.v
        t = type(v)
        if t is int or t is float:
            f = float(v)
            n.v = json_float(f)
            text = go_float_text(f)
            n.parts = {"text": text} if text != canonical_text(n.v) else None


def _value(op: Op) -> Node:
    if op.value is None:
        return Node(None, op.node.o)
    return _yaml11(op.value.clone())


def _yaml11(node: Node) -> Node:
    """Kustomize converts YAML ops to JSON with YAML 1.1 rules: plain yes/no/on/off/y/n
    are booleans there (the loader marks them), and a time is its text."""
    for _path, n in node.walk():
        if n.parts and type(n.v) is str:
            if "yaml11" in n.parts:
                n.v = n.parts["yaml11"]
                n.parts = None
            elif "text" in n.parts:
                n.v = n.parts["text"]
                n.parts = None
    return node


def _charge(budget: Budget | None, node: Node | None, origin: Any) -> None:
    """Charge the nodes a copy of ``node`` creates, before making it (counting stops as
    soon as the budget is crossed: a doubling copy fails at once)."""
    if budget is not None and node is not None:
        # the copy, the depth check of what it adds and the touched record's value
        budget.spend("nodes", 3 * count_nodes(node, budget.left("nodes")), origin)


def _apply_one(root: Node, op: Op, budget: Budget | None = None) -> Node:
    path = op.path.v
    if op.op in ("add", "replace"):
        _charge(budget, op.value, op.path.o)
    if op.op == "add":
        return _add(root, path, _value(op))
    if op.op == "remove":
        _remove(root, path)
        return root
    if op.op == "replace":
        return _replace(root, path, _value(op))
    if op.op == "move":
        assert op.from_ is not None  # decoded for move and copy
        src = op.from_.v
        if _get(root, src) is None:
            raise _Fail("missing", src)
        moved = _remove(root, src) if src else root
        return _add(root, path, moved)
    if op.op == "copy":
        assert op.from_ is not None
        src = op.from_.v
        got = _get(root, src)  # json-patch v4 copies a missing mapping key as null
        _charge(budget, got, op.path.o)
        return _add(root, path, got.clone() if got is not None else Node(None, op.from_.o))
    # test
    got = _get(root, path)
    want = _yaml11(op.value.clone()).data() if op.value is not None else None
    have = got.data() if got is not None else None
    if not _json_equal(have, want):
        raise _Fail("test", path)
    return root


def _json_equal(a: Any, b: Any) -> bool:
    # JSON equality: 1 == 1.0, but True is not 1
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    return a == b


def node_at(root: Node, op: Op) -> tuple[Node | None, int]:
    """The node at ``op``'s path after it ran (``-``: the appended item) and its depth."""
    parts = _split(op.path.v)
    if not parts:
        return root, 0
    cur: Node | None = root
    for p in parts:
        if cur is None:
            return None, 0
        if cur.is_map:
            cur = cur.v.get(p)
        elif cur.is_seq:
            i = len(cur.v) - 1 if p == "-" else _index(p, len(cur.v), False)
            cur = cur.v[i] if i is not None and cur.v else None
        else:
            return None, 0
    return cur, len(parts)


def pointer_value(root: Node, op: Op) -> tuple[bool | None, Any, tuple]:
    """(whether the value at ``op``'s path exists, its plain data, its path with list
    indexes as ints) — for touched records. An ``add`` into a list inserts: existence is
    None there."""
    pointer = op.path.v
    if pointer == "":
        return True, root.data(), ()
    parts = _split(pointer)
    path: list = []
    cur: Node | None = root
    for p in parts[:-1]:  # the container's path, indexes resolved as json-patch does
        if cur is not None and cur.is_seq:
            i = _index(p, len(cur.v), False)
            path.append(i if i is not None else p)
            cur = cur.v[i] if i is not None else None
        else:
            path.append(p)
            cur = cur.v.get(p) if cur is not None and cur.is_map else None
    key = parts[-1]
    if cur is None or not (cur.is_map or cur.is_seq):
        return False, None, tuple(path + [key])
    if cur.is_map:
        n = cur.v.get(key)
        return n is not None, None if n is None else n.data(), tuple(path + [key])
    if key == "-":
        i = len(cur.v) - 1 if cur.v else None
    else:
        i = _index(key, len(cur.v), False)
    n = cur.v[i] if i is not None else None
    exists = None if op.op == "add" else n is not None
    return exists, None if n is None else n.data(), tuple(path + [i if i is not None else key])


__all__ = ["Op", "decode_ops", "unrooted", "apply_ops", "pointer_value", "node_at",
           "as_float64", "as_json"]
