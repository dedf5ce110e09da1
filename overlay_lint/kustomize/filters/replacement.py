"""Replacement field paths: reading and writing the fields a replacement names (kyaml's
PathMatcher/PathGetter, Kustomize's filters/replacement).

``fieldPaths`` accept field names, sequence indexes, ``*`` and ``[key=regex]`` (an
unanchored regular expression, as in kyaml); ``create`` makes missing fields. A scalar
target keeps its own type (``replicas: 1`` stays an int), a created scalar is read as
plain YAML, a non-scalar target is replaced whole.
"""
from __future__ import annotations

import re
TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any

from ...core.errors import at
from ...core.go_number import INT64_MAX, INT64_MIN, json_float
from ...core.go_time import go_timestamp
from ...core.node import Node, Origin, Path
from ...core.yaml_reader import resolve_plain, resolve_scalar
from ...core.yaml_writer import scalar_text as emit_text
from ..regex import go_regex

CREATED = object()  # a scalar made by ``create``: no type until a value lands in it


def split_field_path(path: str) -> list[str]:
    """kyaml's SmarterPathSplitter on '.': ``\\.`` escapes, ``[a.b=c]`` stays whole."""
    ps = path.split(".")
    if len(ps) > 1 and ps[0] == "":
        ps = ps[1:]
    parts = [ps[0]]
    for p in ps[1:]:
        if parts[-1].endswith("\\"):
            parts[-1] = parts[-1][:-1] + "." + p
        else:
            parts.append(p)
    out, i = [], 0
    while i < len(parts):
        elem = parts[i]
        if elem.startswith("[") and not elem.endswith("]"):
            group = [elem]
            while i < len(parts) - 1:
                i += 1
                group.append(parts[i])
                if parts[i].endswith("]"):
                    break
            joined = ".".join(group)
            out.append(joined if "=" in joined else joined.strip("[]"))
        else:
            out.append(elem)
        i += 1
    return out


def clean(parts: list[str]) -> list[str]:
    return [p.strip() for p in parts if p.strip()]


def _is_index(p: str) -> bool:
    return re.fullmatch(r"[+]?\d+", p) is not None


def _split_index(p: str, origin: Origin | None) -> tuple[str, str]:
    body = p[1:-1]
    if "=" not in body:
        raise at(origin, f"path element '{p}' must read [field=value]")
    k, v = body.split("=", 1)
    return k, v


def scalar_text(v: Any) -> str:
    """The YAML text of a scalar value (what Kustomize's yaml Value holds)."""
    if type(v) is str:
        return v
    if v is None:
        return ""
    return emit_text(v)


def value_text(node: Node) -> str:
    """A scalar node's text as Kustomize's yaml Value holds it: the source text of a time
    (``2020-1-1``) or of a number written otherwise than it prints (``1e3``)."""
    parts = node.parts
    if parts is not None and "text" in parts:
        return parts["text"]
    return scalar_text(node.v)


def lookup(node: Node, parts: list[str], origin: Origin | None) -> Node | None:
    """kyaml PathGetter (no create): fields, indexes, ``-`` (last), ``[k=v]`` (exact)."""
    cur: Node | None = node
    for p in clean(parts):
        if cur is None:
            return None
        v = cur.v
        if re.fullmatch(r"[+-]?\d+", p):
            idx = int(p)
            if idx < 0:
                raise at(origin, f"array index {idx} cannot be negative")
            cur = v[idx] if type(v) is list and idx < len(v) else None
        elif p == "-":
            cur = v[-1] if type(v) is list and v else None
        elif p == "*":
            raise at(origin, "wildcard '*' is not supported in a replacement source fieldPath")
        elif p.startswith("[") and p.endswith("]"):
            k, want = _split_index(p, origin)
            found = None
            if type(v) is list:
                for item in v:
                    if k == "":
                        ok = item.is_scalar and scalar_text(item.v) == want
                    else:
                        f = item.get(k)
                        ok = f is not None and f.is_scalar and scalar_text(f.v) == want
                    if ok:
                        found = item
                        break
            cur = found
        else:
            cur = v.get(p) if type(v) is dict else None
    return cur


def _kind_for(next_part: str, default: str) -> str:
    if next_part.startswith("[") and next_part.endswith("]"):
        return "seq"
    if _is_index(next_part):
        return "seq"
    if next_part == "":
        return default
    return "map"


def _new(kind: str, origin: Origin | None) -> Node:
    if kind == "map":
        return Node({}, origin)
    if kind == "seq":
        return Node([], origin)
    return Node(CREATED, origin)


def match_paths(node: Node, parts: list[str], create: str | None, origin: Origin | None,
                _retry: bool = False, path: Path = ()) -> list[tuple[Node, Path]]:
    """kyaml PathMatcher: every node the path reaches (with its path), creating what is
    missing if asked."""
    if not parts:
        return [(node, path)]
    p, rest = parts[0], parts[1:]
    nxt = rest[0] if rest else ""
    v = node.v
    if _is_index(p):
        idx = int(p)
        if type(v) is not list:
            raise at(origin, f"path element '{p}' needs a sequence")
        if len(v) == idx and create:
            v.append(_new(_kind_for(nxt, create), origin))
        if len(v) < idx + 1:
            raise at(origin, f"index {idx} specified but only {len(v)} elements found")
        return match_paths(v[idx], rest, create, origin, path=path + (idx,))
    if p.startswith("[") and p.endswith("]"):
        k, pattern = _split_index(p, origin)
        rx = go_regex(pattern, origin, f"the value pattern of '{p}'")  # unanchored, as kyaml
        if v is None and create:
            node.v = v = []
        if type(v) is not list:
            raise at(origin, f"path element '{p}' needs a sequence")
        out: list[tuple[Node, Path]] = []
        for i, item in enumerate(list(v)):
            if k == "":
                if item.is_scalar and rx.search(scalar_text(item.v).strip()):
                    out.extend(match_paths(item, rest, create, origin, path=path + (i,)))
            else:
                f = item.get(k)
                if f is not None and f.v is not None and f.is_scalar \
                        and rx.search(scalar_text(f.v).strip()):
                    out.extend(match_paths(item, rest, create, origin, path=path + (i,)))
        if out or not create:
            return out
        if _retry:
            # the element just made does not match its own pattern (Kustomize loops forever)
            raise at(origin, f"cannot create an element matching '{p}': the value does not "
                             "match its own pattern")
        val = Node(_plain(pattern), origin)
        v.append(val if k == "" else Node({k: val}, origin))
        return match_paths(node, parts, create, origin, _retry=True, path=path)
    if p == "*":
        if type(v) is not list:
            raise at(origin, "wildcard '*' needs a sequence")
        out = []
        for i, item in enumerate(v):
            out.extend(match_paths(item, rest, create, origin, path=path + (i,)))
        return out
    child = v.get(p) if type(v) is dict else None
    if child is None:
        if not create:
            return []
        if v is None or v is CREATED:
            node.v = v = {}
        if type(v) is not dict:
            raise at(origin, f"cannot create field '{p}' inside a non-mapping value")
        child = _new(_kind_for(nxt, create), origin)
        v[p] = child
    elif child.v is None and create and rest:
        child.v = {} if _kind_for(nxt, create) == "map" else []
    return match_paths(child, rest, create, origin, path=path + (p,))


_STR, _TIME = "tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_WHAT = {"bool": "a boolean", "int": "an integer", "float": "a number", "null": "null",
         "timestamp": "a time"}


def _plain(text: str) -> Any:
    """What an untagged scalar holding ``text`` reads back as (go-yaml v3 resolution)."""
    tag = resolve_plain(text, (True, False))
    if tag == _TIME:
        return go_timestamp(text)
    return resolve_scalar(tag, text, None)


def _tag(node: Node) -> str | None:
    """The go-yaml tag Kustomize's node holds for a scalar target (None: created, none):
    a number's is its text's (``1e3`` is a float, though it prints as the int 1000)."""
    v = node.v
    if v is CREATED:
        return None
    if type(v) is str:
        return _TIME if _is_time(node) else _STR
    return resolve_plain(value_text(node), (True, False)) if v is not None else \
        "tag:yaml.org,2002:null"


def _typed(text: str, target: Node, origin: Origin | None) -> Any:
    """``text`` written into the scalar ``target``: Kustomize keeps the target's tag and
    sets its text, which reads back where go-yaml resolves the text to that tag (an int
    also into a float, as a float), and fails otherwise (``!!int 1e3``: "cannot decode
    !!float `1e3` as a !!int"); a string target takes any text."""
    tag = _tag(target)
    if tag is None:
        return _plain(text)
    if tag == _STR:
        return text
    got = resolve_plain(text, (True, False))
    value = resolve_scalar(got, text, None)
    if got == tag:
        return go_timestamp(text) if tag == _TIME else value
    if tag == _FLOAT and got == _INT and type(value) is int and INT64_MIN <= value <= INT64_MAX:
        return json_float(float(value))
    short, want = got.rsplit(":", 1)[1], tag.rsplit(":", 1)[1]
    raise at(origin, f"replacement value '{text}' cannot go into a field holding "
                     f"{_WHAT.get(want, want)}: Kustomize keeps the target's type and kubectl "
                     f"fails (cannot decode !!{short} `{text}` as a !!{want}); quote the "
                     "target value or change the source")


def _is_time(node: Node) -> bool:
    return type(node.v) is str and node.parts is not None and "text" in node.parts


def set_value(target: Node, value: Node, delimiter: str, index: int,
              origin: Origin | None) -> None:
    """Write ``value`` into ``target`` (``delimiter``/``index``: into one piece of it)."""
    if delimiter:
        if not target.is_scalar:
            raise at(origin, "delimiter option can only be used with scalar fields")
        cur = "" if target.v is CREATED else value_text(target)
        pieces = cur.split(delimiter)
        v = value_text(value) if value.is_scalar else ""
        if index < 0:
            pieces.insert(0, v)
        elif index >= len(pieces):
            pieces.append(v)
        else:
            pieces[index] = v
        target.v = _typed(delimiter.join(pieces), target, origin)
        target.o = value.o
        target.parts = None
        return
    if target.is_scalar:
        text = value_text(value) if value.is_scalar else ""
        was_text = type(target.v) is str and not _is_time(target)
        target.v = _typed(text, target, origin)
        target.o = value.o
        parts = value.parts if value.is_scalar else None
        if was_text and parts and "text" in parts:  # the text itself now: no time there
            parts = {k: x for k, x in parts.items() if k != "text"} or None
        elif not was_text and type(target.v) is str and go_timestamp(text) is not None:
            parts = dict(parts or {}, text=text)  # a time (created, or a time's field)
        target.parts = parts
        return
    copy = value.clone()
    target.v = copy.v
    target.o = copy.o
    target.parts = copy.parts
