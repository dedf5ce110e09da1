"""``$(NAME)`` references filled with the values of vars (Kustomize's filters/refvar).

``$$`` escapes a ``$``; an unknown ``$(X)`` stays as it is; a string that is exactly
``$(NAME)`` takes the value's type. A replaced value points at the var's source field
when the whole string was the reference; a partly substituted string keeps its own line
and lists the sources in ``parts``.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any

import math

from ...core.errors import at
from ...core.go_number import INT64_MAX, INT64_MIN, go_float_text
from ...core.lazy_pattern import LazyPattern
from ...core.node import Node, Path
from ...core.yaml_reader import canonical_text, resolve_plain
from ..resource import Resource
from ..touched import Touched
from .replacement import lookup, split_field_path


class Where:
    """The resource and field a substitution happens in, and the vars' records."""

    __slots__ = ("res", "path", "recs")

    def __init__(self, res: Resource, path: Path, recs: dict[str, Touched]) -> None:
        self.res, self.path, self.recs = res, path, recs

    def record(self, names: list[str], path: Path, before: object, after: object) -> None:
        for name in dict.fromkeys(names):
            rec = self.recs.get(name)
            if rec is not None:
                rec.set(self.res, path, before, after, rec.origin)  # type: ignore[arg-type]


_SLICE_RE = LazyPattern(r"^(.*)\[(\d+)\]$")


def get_field(root: Node, path: str) -> Node | None:
    """kyaml GetFieldValue: dotted path, ``name[0]`` indexes, ``[k=v]`` elements."""
    parts = []
    for s in split_field_path(path):
        m = _SLICE_RE.match(s) if s.endswith("]") else None
        if m:
            if m.group(1):
                parts.append(m.group(1))
            parts.append(m.group(2))
        else:
            parts.append(s)
    return lookup(root, parts, None)


def substitute(node: Node, values: dict[str, Node], where: Where) -> None:
    v = node.v
    if v is None:
        return
    if type(v) is str:
        _replace_in(node, values, where, where.path)
    elif type(v) is dict:
        for k, child in v.items():
            if type(child.v) is str:
                _replace_in(child, values, where, where.path + (k,))
    elif type(v) is list:
        for i, item in enumerate(v):
            if type(item.v) is not str:
                raise at(item.o, "a list holding $(VAR) references must hold only strings")
            _replace_in(item, values, where, where.path + (i,))


def _primitive(n: Node | None) -> Any:
    """The value a var substitutes, or None when it cannot (unknown, or not a scalar)."""
    if n is None or not n.is_scalar:
        return None
    return n.v if n.v is not None else ""


_ATOI = LazyPattern(r"[-+]?[0-9]+")


def var_scalar(n: Node, fail: Any) -> Node:
    """The value Kustomize's GetFieldValue gives a var from the scalar ``n``: by the node's
    tag, its text through Go's strconv: an int's with Atoi (decimal only: ``017`` is 17,
    ``0x1F`` fails), a float's with ParseFloat (``.inf`` fails), a boolean; any other
    scalar its text (a time as written, a null as written: ``~``, ``null`` or empty).
    ``fail(text)`` raises where Go's conversion fails (kubectl: the var's field "not
    found")."""
    v = n.v
    t = type(v)
    parts = n.parts or {}
    if t is str:
        return Node(parts.get("text", v), n.o) if "text" in parts else n  # a time: text
    if v is None:
        return Node("" if parts.get("empty") else parts.get("text", "null"), n.o)
    if t is bool:
        return n
    text = parts.get("text", canonical_text(v))
    if resolve_plain(text, (True, False)) == "tag:yaml.org,2002:int":
        if _ATOI.fullmatch(text) is None or not INT64_MIN <= int(text) <= INT64_MAX:
            fail(text)
        return Node(int(text), n.o)
    try:
        f = float(text)  # Go's ParseFloat: the same underscores, no words such as .inf
    except ValueError:
        f = math.nan
    if f - f != 0:
        fail(text)
    return Node(f, n.o)


def _replace_in(node: Node, values: dict[str, Node], where: Where, path: Path) -> None:
    text = node.v
    if "$" not in text:
        return
    out: list[str] = []
    used: list[Node] = []
    names: list[str] = []
    i, checkpoint, n = 0, 0, len(text)
    while i < n:
        if text[i] == "$" and i + 1 < n:
            out.append(text[checkpoint:i])
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 1
            elif nxt == "(":
                close = text.find(")", i + 2)
                if close < 0:
                    out.append("$(")
                    i += 1
                else:
                    name = text[i + 2:close]
                    src = values.get(name)
                    val = _primitive(src)
                    if val is None or src is None:
                        out.append(f"$({name})")
                    else:
                        if text == f"$({name})":
                            node.v = val
                            node.o = src.o
                            node.parts = None
                            where.record([name], path, text, val)
                            return
                        used.append(src)
                        names.append(name)
                        out.append(_go_text(val))
                    i = close
            else:
                out.append("$" + nxt)
                i += 1
            checkpoint = i + 1
        i += 1
    new = "".join(out) + text[checkpoint:]
    if names:
        where.record(names, path, text, new)
    if new != text:
        node.v = new
        if used:
            parts = dict(node.parts or {})
            parts["vars"] = [*parts.get("vars", ()), *(src.o for src in used)]
            node.parts = parts


def _go_text(v: Any) -> str:
    """fmt's %v of a var value."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is float:
        return go_float_text(v)
    return str(v)
