"""Strings kubectl cannot print: Kustomize's last step fails on them, so the build fails.

Kustomize writes each resource with go-yaml and reads it back; go-yaml writes DEL, the C1
controls other than NEL (U+0080-U+0084, U+0086-U+009F) and the non-characters U+FFFE and
U+FFFF unescaped, then refuses them when reading ("yaml: control characters are not
allowed"). Any key or value of the output holding one, whether from a resource file
(``"\\u007f"``), a generator source or a patch, makes ``kubectl kustomize`` fail, while one
that a patch removes before the end does not: the check runs on the finished resources.
Checked against kubectl v5.5.0 for every code point below U+00A0 and both non-characters.
Likewise a time (a plain scalar go-yaml reads as a timestamp) with a zone offset of 24
hours or more (``+24:00``, ``+23:60``), and a plain ``.inf``, ``-.Inf`` or ``.nan``:
go-yaml reads them, Go's JSON encoder refuses them.

Keys Kustomize writes itself are plain (untagged, unquoted) YAML scalars, and its last step
reads each resource back into Go maps: a plain key that reads back as a boolean, null, a
number or a timestamp (``true``, ``1``, ``0x1F``, ``.5``, ``2020-01-01``) makes the map one
JSON cannot encode, and ``kubectl kustomize`` fails ("json: unsupported type:
map[interface {}]interface {}"). Kustomize writes these keys itself: every key of a
resource's ``metadata.annotations`` (it rewrites the map on every resource), the data keys
and option labels of a generated ConfigMap or Secret, the labels, annotations and data of
an object a generator merges into, and each label or annotation a transformer adds. The
builtins mark the keys they create (:func:`mark_plain_keys`); :func:`check_printable`
refuses those still there at the end, and a JSON6902 patch refuses an object holding one
(Kustomize encodes the object as JSON to patch it: the same failure).
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Iterable

from ..core.errors import at
from ..core.go_time import time_printable
from ..core.lazy_pattern import LazyPattern
from ..core.node import Node
from ..core.yaml_reader import FLOW, canonical_text, resolve_plain, resolve_scalar
from .resource import Resource

_UNPRINTABLE = LazyPattern("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def check_printable(resources: Iterable[Resource]) -> None:
    """Refuse, at the value's line, the first key or value kubectl could not print."""
    for res in resources:
        md = res.node.get("metadata")
        ann = md.get("annotations") if md is not None else None
        if ann is not None and type(ann.v) is dict:  # Kustomize writes them all anew
            for key, child in ann.v.items():
                _plain_key(key, child, "")
        stack: list[tuple[Node, bool]] = [(res.node, False)]  # (node, in a flow collection)
        while stack:
            node, flow = stack.pop()
            v = node.v
            t = type(v)
            if t is dict:
                if node.parts is not None:
                    if PLAIN_KEYS in node.parts:
                        _marked_keys(node, "")
                    flow = flow or FLOW in node.parts
                for key, child in v.items():
                    if not key.isascii() or "\x7f" in key:
                        _check(key, child, "key")
                    stack.append((child, flow))
            elif t is list:
                flow = flow or (node.parts is not None and FLOW in node.parts)
                stack.extend((c, flow) for c in v)
            elif t is float and v - v != 0:  # .inf, -.Inf, .nan
                text = (node.parts or {}).get("text", canonical_text(v))
                raise at(node.o, f"the number {text} "
                                 "is infinite or not a number, which kubectl cannot print "
                                 "(json: unsupported value); Kustomize fails on it, so the "
                                 "build is refused; quote it to keep it as text")
            elif t is str:
                if node.parts is not None and "text" in node.parts and not time_printable(v) \
                        and not (flow and ":" in node.parts["text"]):  # there: its text
                    raise at(node.o, f"the time '{node.parts['text']}' has a zone offset of 24 "
                                     "hours or more, which kubectl cannot print (Time."
                                     "MarshalJSON: timezone hour outside of range [0,23]); "
                                     "Kustomize fails on it, so the build is refused; quote "
                                     "it to keep it as text")
                if not v.isascii() or "\x7f" in v:
                    _check(v, node, "value")


PLAIN_KEYS = "plain_keys"  # in a mapping's ``parts``: keys Kustomize wrote plain there


def top_level_keys(doc: Node, patch: bool = False) -> None:
    """A resource's (or a strategic merge ``patch``'s) own plain keys read as no string,
    which the YAML reader marks (``yaml_reader.TYPED_KEYS``): Kustomize prints those at the
    top of a resource as written (``0x1F: x`` gives ``"0x1F": x``) and fails on a null one
    only, which a patch's merge drops (checked against kubectl,
    tests/test_kubectl_refusals.py)."""
    keys = doc.parts.get(PLAIN_KEYS) if doc.parts else None
    if not keys:
        return
    parts = {k: v for k, v in doc.parts.items() if k != PLAIN_KEYS}  # type: ignore[union-attr]
    left = frozenset(k for k in keys if reads_back_as(k) == "null")
    if left and patch:
        doc.v = {k: c for k, c in doc.v.items() if k not in left}
    elif left:
        parts[PLAIN_KEYS] = left
    doc.parts = parts or None


def mark_plain_keys(mapping: Node, keys: Iterable[str]) -> None:
    """Record that Kustomize writes ``keys`` of ``mapping`` as plain scalars (only those
    that do not read back as strings are kept: most renders mark nothing)."""
    odd = [k for k in keys if reads_back_as(k) is not None]
    if odd:
        parts = dict(mapping.parts or {})  # parts may be shared with clones: a new dict
        parts[PLAIN_KEYS] = frozenset(parts.get(PLAIN_KEYS, ())).union(odd)
        mapping.parts = parts


def check_plain_keys(root: Node, doing: str) -> None:
    """Refuse a key of this object that Kustomize wrote plain and that reads back as no
    string (``doing``: what fails on it, e.g. a JSON6902 patch)."""
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        v = node.v
        t = type(v)
        if t is dict:
            if node.parts is not None and PLAIN_KEYS in node.parts:
                _marked_keys(node, doing)
            stack.extend(v.values())
        elif t is list:
            stack.extend(v)


def _marked_keys(node: Node, doing: str) -> None:
    for key in sorted(node.parts[PLAIN_KEYS]):  # type: ignore[index]
        child = node.v.get(key)
        if child is not None:
            _plain_key(key, child, doing)


def reads_back_as(key: str) -> str | None:
    """What go-yaml reads ``key`` written as a plain scalar back as, when that is not a
    string: "a boolean", "null", "a number", "a timestamp"; None for a string."""
    tag = resolve_plain(key, (True, False))
    kind = tag.rsplit(":", 1)[-1]
    if kind == "bool":
        return "a boolean"
    if kind == "null":
        return "null"
    if kind in ("int", "float"):
        return "a number" if type(resolve_scalar(tag, key, None)) is not str else None
    if kind == "timestamp":  # the tag of a valid time only (an invalid date is text)
        return "a timestamp"
    return None


def _plain_key(key: str, child: Node, doing: str) -> None:
    kind = reads_back_as(key)
    if kind is None:
        return
    fails = doing or "kubectl kustomize fails on it"
    raise at(child.o, f"key '{key}': Kustomize writes it unquoted, where it reads back as "
                      f"{kind}, not a string, and {fails} (json: unsupported type: "
                      "map[interface {}]interface {}); rename the key")


def _check(text: str, node: Node, what: str) -> None:
    m = _UNPRINTABLE.search(text)
    if m is not None:
        raise at(node.o, f"this {what} holds U+{ord(m.group()):04X}, a control character "
                         "kubectl kustomize cannot print (go-yaml: control characters are "
                         "not allowed); Kustomize fails on it, so the build is refused")
