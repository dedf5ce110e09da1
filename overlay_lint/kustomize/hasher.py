"""The content-hash suffix of generated ConfigMaps and Secrets (Kustomize's api/hasher), and
Go's JSON encoding it hashes."""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any

from ..core.node import Node
from ..core.yaml_writer import scalar_text
from .resmap import ResMap


def add_hashes(resmap: ResMap) -> None:
    """Append the content hash to every generated name that wants one (Kustomize's
    hash transformer, run once after the whole tree is built)."""
    for res in resmap:
        if res.state.needs_hash:
            h = content_hash(res.node)
            res.store_previous_id()
            res.set_name(f"{res.name}-{h}")


def _text(v: Any) -> str:
    """A scalar's YAML text (what Kustomize's GetValue returns)."""
    return "" if v is None else scalar_text(v)


def content_hash(node: Node) -> str:
    """The 10-character suffix Kustomize derives from a ConfigMap's or Secret's content."""
    kind = node.str_at("kind") or ""
    m: Any
    # Kustomize looks the name up as ONE field called "metadata/name", which never exists:
    # the name does not take part in the hash.
    name_v = _hash_field(node, "metadata/name")
    if kind == "ConfigMap":
        m = {"kind": "ConfigMap", "name": name_v, "data": _hash_field(node, "data")}
        bd = node.get("binaryData")
        if bd is not None and bd.is_map:
            m["binaryData"] = bd.data()
    elif kind == "Secret":
        t = node.get("type")
        m = {"kind": "Secret", "type": _text(t.v) if t is not None and t.is_scalar else "",
             "name": name_v, "data": _hash_field(node, "data")}
        sd = node.get("stringData")
        if sd is not None and sd.is_map:
            m["stringData"] = sd.data()
    else:
        m = node.data()
    from ..core.digest import sha256   # here: most builds generate nothing
    digest = sha256(go_json(m).encode("utf-8")).hexdigest()
    return digest[:10].translate(_HASH_MAP)


_HASH_MAP = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})


def _hash_field(node: Node, key: str) -> Any:
    n = node.get(key)
    if n is None:
        return ""
    if n.is_scalar:
        return _text(n.v) if n.v is not None else ""
    return n.data()


def go_json(v: Any) -> str:
    """JSON exactly as Go's encoding/json writes it (sorted keys, HTML-safe escapes)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    t = type(v)
    if t is int:
        # numbers pass through float64 in Kustomize (JSON decode into interface{})
        return str(v) if abs(v) <= 2 ** 53 else _go_float(float(v))
    if t is float:
        return _go_float(v)
    if t is str:
        return _go_str(v)
    if t is dict:
        return "{" + ",".join(_go_str(k) + ":" + go_json(v[k]) for k in sorted(v)) + "}"
    if t is list:
        return "[" + ",".join(go_json(x) for x in v) + "]"
    return _go_str(str(v))


def _go_float(f: float) -> str:
    """A float64 as Go's encoding/json prints it (shortest digits; 'e' form outside
    [1e-6, 1e21))."""
    if f != f or f in (float("inf"), float("-inf")):
        return "null"  # Go refuses these; never produced by YAML data we load
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        return repr(f)
    from decimal import Decimal  # here: a float in a generated resource is rare
    text = format(Decimal(repr(f)), "f")
    return text[:-2] if text.endswith(".0") else text


_GO_ESC = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
           "<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
           "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _go_str(s: str) -> str:
    out = ['"']
    for ch in s:
        e = _GO_ESC.get(ch)
        if e is not None:
            out.append(e)
        elif ch < " ":
            out.append("\\u%04x" % ord(ch))
        elif "\ud800" <= ch <= "\udfff":
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
