"""Write rendered resources as YAML the way ``kubectl kustomize`` prints them.

Kustomize's output passes through Go's JSON encoder and go-yaml, and so does ours in
effect: keys in go-yaml's order (digit runs compared as numbers), sequences at their
parent key's indentation, multi-line strings as literal blocks, long strings folded at
column 80, double quotes for text another type would be read from, single quotes for other
text plain style cannot hold. The output reads back as the same data in any YAML reader
(1.1 or 1.2), as kubectl's does, but for the dates YAML 1.1 readers take where go-yaml
reads text, which kubectl and overlay-lint print plain (``2023-02-29``,
``2021-06-07T08:09:10``: PyYAML fails on the first, reads the second as a time). With a ``comment`` function every line that holds a value ends with a
comment naming the source line that produced it (``overlay-lint render --origin``).
"""
from __future__ import annotations

import functools
import math
import re
TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Callable, Iterable

from .go_number import go_float_text, go_number, json_float
from .go_time import go_timestamp
from .lazy_pattern import LazyPattern
from .node import Node

try:  # what json.dumps(s, ensure_ascii=False) runs for a str, without json's import
    from _json import encode_basestring as _json_string
except ImportError:  # pragma: no cover - an interpreter without the accelerator
    from json.encoder import py_encode_basestring as _json_string

# What kubectl's writer (go-yaml v2) reads as no string, and so double-quotes, learnt from
# its resolver and judged against kubectl (tests/test_yaml_timestamps.py): its words, in
# these spellings only (``tRue`` prints plain; ``=`` and ``<<`` are quoted below); its
# numbers (core/go_number.py: ``.5e3``, ``1_000``, ``0X1F``; not ``1e400``, ``._5``); from
# a digit, a time (go_timestamp); and base-60 numbers (``1:20``, not ``1:60``). So
# versions and addresses (``1.8.1``, ``10.0.0.1``) stay plain, as kubectl prints them.
_GO_WORDS = frozenset((
    "", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE",
    "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "~", "null", "Null",
    "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
    "-.inf", "-.Inf", "-.INF",
    # kubectl prints these two plain; quoted here so that YAML 1.1 readers read the output
    # back (PyYAML takes a plain = for a value tag and << for a merge key): same data
    "=", "<<"))
_BASE60 = LazyPattern(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?")
# numbers a YAML 1.1 reader (PyYAML) reads where go-yaml reads text (``1.5e+400``, ``._5``,
# ``0b_``): quoted too, so that the output reads back as the same data there
_YAML11_NUMBER = LazyPattern(
    r"[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?0b[0-1_]+|[-+]?0x[0-9a-fA-F_]+|[-+]?[0-9][0-9_]*")
_NUMBER_STARTS = frozenset("+-.0123456789")
_NUMBER_CHARS = frozenset("0123456789+-._:eExXoObBabcdfABCDF")  # every number's letters
# (a document marker, --- or ..., at the start: kubectl single-quotes the text)
_PLAIN_OK = re.compile(r"^(?!\.\.\.)[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n\r\t]*$")
_BREAKS = re.compile("[\n\r\t]")  # a plain scalar is one line without tabs, whatever it starts with
_DASH_OK = re.compile(r"^(?!---)[-?:]\S")  # "-Xmx1g", ":9001", "-8+" may stay plain
_UNPRINTABLE = LazyPattern("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff"
                          "\ufffe\uffff]")


def _unprintable(s: str) -> bool:
    """``s`` holds a character of _UNPRINTABLE (each is one str.isprintable refuses)."""
    return not s.isprintable() and _UNPRINTABLE.search(s) is not None


def _ambiguous(s: str) -> bool:
    """A plain scalar kubectl's writer would read as no string (it double-quotes these)."""
    if s in _GO_WORDS:
        return True
    c = s[0]
    if c not in _NUMBER_STARTS:
        return False
    if c == ".":  # ``._5`` plain, as kubectl prints it
        return go_number(s) is not None
    if s[4:5] == "-" and go_timestamp(s) is not None:
        return True
    if not _NUMBER_CHARS.issuperset(s):  # "500m", "128Mi", "1.8.1-rc": at once
        return False
    if go_number(s) is not None:
        return True
    return _BASE60.fullmatch(s) is not None or _YAML11_NUMBER.fullmatch(s) is not None


def _plain_ok(s: str) -> bool:
    """The YAML syntax allows ``s`` as a plain scalar (when it is not ambiguous)."""
    if s != s.strip() or _unprintable(s) or _BREAKS.search(s):
        return False
    if not _PLAIN_OK.match(s) and not _DASH_OK.match(s):
        return False
    return not (": " in s or " #" in s or s.endswith(":"))


def quote(s: str) -> str:
    """Double-quoted, JSON-style escapes (valid YAML for any text)."""
    out = _json_string(s)
    if out.isprintable():
        return out
    return _UNPRINTABLE.sub(lambda m: "\\u%04x" % ord(m.group()), out)


def _string_text(s: str) -> str:
    # As kubectl (go-yaml) chooses: plain when possible, double quotes for text that would
    # read as another type, single quotes for other text the plain style cannot hold.
    if _ambiguous(s):
        return quote(s)
    if _plain_ok(s):
        return s
    if "\n" in s or "\r" in s or "\t" in s or _unprintable(s):
        return quote(s)
    return "'" + s.replace("'", "''") + "'"


def scalar_text(v: object) -> str:
    """One scalar as YAML text (never a block)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is int:
        return str(v)
    if type(v) is float:
        if math.isnan(v):
            return ".nan"
        if math.isinf(v):
            return ".inf" if v > 0 else "-.inf"
        n = json_float(v)  # as Kustomize's JSON round trip leaves it
        return str(n) if type(n) is int else go_float_text(v)
    return _string_text(str(v))


def _key_less(a: str, b: str) -> bool:
    """go-yaml's key order, which kubectl's output follows: letters after other characters,
    runs of digits compared as numbers (``k2`` before ``k10``)."""
    for i, (x, y) in enumerate(zip(a, b)):
        if x == y:
            continue
        xl, yl = x.isalpha(), y.isalpha()
        if xl and yl:
            return x < y
        if xl or yl:
            return yl
        an = bn = 0
        if x == "0" or y == "0":
            # inside a longer number whose earlier digits are not all zeros
            j = i - 1
            while j >= 0 and a[j].isdigit():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdigit():
            an = an * 10 + int(a[ai])
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdigit():
            bn = bn * 10 + int(b[bi])
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return x < y
    return len(a) < len(b)


def _sorted_keys(items: dict) -> list:
    keys = list(items)
    if len(keys) < 2 or all(k.isalpha() for k in keys):
        return sorted(keys)  # the same order for plain words
    return sorted(keys, key=_GO_KEY)


_GO_KEY = functools.cmp_to_key(
    lambda a, b: -1 if _key_less(a, b) else 1 if _key_less(b, a) else 0)


_BEST_WIDTH = 80


def _fold(text: str, column: int, indent: str) -> list[str]:
    """Break a long plain or single-quoted scalar at spaces past column 80, as go-yaml (and
    so kubectl) does: a single space, not the first or last character, followed by a
    non-space, becomes a line break and the continuation is indented."""
    lines, cur, spaces = [], [], False
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch == " ":
            if (not spaces and column > _BEST_WIDTH and 0 < i < last
                    and text[i + 1] != " "):
                lines.append("".join(cur))
                cur = [indent]
                column = len(indent)
            else:
                cur.append(ch)
                column += 1
            spaces = True
        else:
            cur.append(ch)
            column += 1
            spaces = False
    lines.append("".join(cur))
    return lines


def _literal_ok(s: str) -> bool:
    if "\n" not in s or "\r" in s or _unprintable(s):
        return False
    if s.startswith((" ", "\t", "\n")) or s.strip("\n") == "":
        return False
    # trailing spaces on a line would survive, but some readers fold them: keep it exact
    return not any(line != line.rstrip(" \t") for line in s.split("\n"))


def _literal(s: str, indent: str) -> list[str]:
    if s.endswith("\n\n"):
        header, body = "|+", s[:-1]
    elif s.endswith("\n"):
        header, body = "|", s[:-1]
    else:
        header, body = "|-", s
    lines = [header]
    for line in body.split("\n"):
        lines.append(indent + line if line else "")
    return lines


FLOW = "flow"  # parts key of a flow collection (core/yaml_reader.py's FLOW)


class _Writer:
    def __init__(self, comment: Callable[[Node], str] | None) -> None:
        self.out: list[str] = []
        self.comment = comment
        # inside a flow collection (at any depth): kubectl's writer (go-yaml) cannot write a
        # plain scalar holding ':' there, so a time read from such text (``2021-6-7T8:9:1Z``)
        # is written quoted, which reads back as the text, not the time
        self.flow = 0

    def note(self, node: Node) -> str:
        if self.comment is None:
            return ""
        c = self.comment(node)
        return f"  # {c}" if c else ""

    def value_after_key(self, prefix: str, node: Node, indent: str) -> None:
        """Write ``prefix`` (a ``key:`` or ``- ``) and then ``node``."""
        v = node.v
        if type(v) is dict:
            if not v:
                self.out.append(f"{prefix} {{}}{self.note(node)}")
                return
            self.out.append(f"{prefix}{self.note(node)}")
            if node.parts is None:  # the usual case, without a call
                self.mapping(v, indent + "  ")
            else:
                self.inside(node, self.mapping, v, indent + "  ")
        elif type(v) is list:
            if not v:
                self.out.append(f"{prefix} []{self.note(node)}")
                return
            self.out.append(f"{prefix}{self.note(node)}")
            if node.parts is None:  # the usual case, without a call
                self.sequence(v, indent)
            else:
                self.inside(node, self.sequence, v, indent)
        else:
            self.scalar(prefix + " ", node, indent + "  ")

    def inside(self, node: Node, write: Callable[..., None], *args: object) -> None:
        """``write(*args)``: the content of the collection ``node``."""
        if node.parts is not None and FLOW in node.parts:
            self.flow += 1
            write(*args)
            self.flow -= 1
        else:
            write(*args)

    def scalar(self, prefix: str, node: Node, block_indent: str) -> None:
        v = node.v
        if self.flow and type(v) is str and node.parts is not None and "text" in node.parts \
                and ":" in node.parts["text"]:
            v = node.parts["text"]  # a time, in a flow collection: its text
        if type(v) is str and _literal_ok(v):
            lines = _literal(v, block_indent)
            self.out.append(prefix + lines[0] + self.note(node))
            self.out.extend(lines[1:])
        else:
            text = scalar_text(v)
            if len(prefix) + len(text) > _BEST_WIDTH and type(v) is str and text[0] != '"':
                lines = _fold(text, len(prefix), block_indent)
                if len(lines) > 1:
                    self.out.append(prefix + lines[0])
                    self.out.extend(lines[1:-1])
                    self.out.append(lines[-1] + self.note(node))
                    return
            self.out.append(prefix + text + self.note(node))

    def mapping(self, items: dict, indent: str) -> None:
        for key in _sorted_keys(items):
            child = items[key]
            k = scalar_text(key)
            if type(child.v) is list and child.v:
                # sequences sit at the key's own indentation, as kubectl prints them
                self.out.append(f"{indent}{k}:{self.note(child)}")
                if child.parts is None:  # the usual case, without a call
                    self.sequence(child.v, indent)
                else:
                    self.inside(child, self.sequence, child.v, indent)
            else:
                self.value_after_key(f"{indent}{k}:", child, indent)

    def sequence(self, items: list, indent: str, lead: str | None = None) -> None:
        """``lead``: the first item's prefix, when it continues its parent's line (a
        sequence in a sequence prints as kubectl prints it: ``- - x``)."""
        for item in items:
            v = item.v
            dash = f"{indent}- " if lead is None else lead
            lead = None
            if type(v) is dict and v:
                if item.parts is None:  # the usual case, without a call
                    self.item_mapping(v, indent, dash)
                else:
                    self.inside(item, self.item_mapping, v, indent, dash)
            elif type(v) is list and v:
                if item.parts is None:  # the usual case, without a call
                    self.sequence(v, indent + "  ", dash + "- ")
                else:
                    self.inside(item, self.sequence, v, indent + "  ", dash + "- ")
            elif type(v) is dict:
                self.out.append(f"{dash}{{}}{self.note(item)}")
            elif type(v) is list:
                self.out.append(f"{dash}[]{self.note(item)}")
            else:
                self.scalar(dash, item, indent + "  ")

    def item_mapping(self, v: dict, indent: str, dash: str) -> None:
        """A mapping that is a sequence item: its first key on the item's line."""
        first = True
        inner = indent + "  "
        for key in _sorted_keys(v):
            child = v[key]
            key_lead = dash if first else inner
            first = False
            k = scalar_text(key)
            if type(child.v) is list and child.v:
                self.out.append(f"{key_lead}{k}:{self.note(child)}")
                if child.parts is None:  # the usual case, without a call
                    self.sequence(child.v, inner)
                else:
                    self.inside(child, self.sequence, child.v, inner)
            else:
                self.value_after_key(f"{key_lead}{k}:", child, inner)


def dump_node(node: Node, comment: Callable[[Node], str] | None = None) -> str:
    """One document as YAML text (ending with a newline)."""
    w = _Writer(comment)
    if type(node.v) is dict:
        if node.v:
            w.inside(node, w.mapping, node.v, "")
        else:
            w.out.append("{}")
    elif type(node.v) is list:
        if node.v:
            w.inside(node, w.sequence, node.v, "")
        else:
            w.out.append("[]")
    else:
        w.scalar("", node, "  ")
    return "\n".join(w.out) + "\n"


def dump_stream(nodes: Iterable[Node], comment: Callable[[Node], str] | None = None) -> str:
    """Documents separated by ``---`` as kubectl prints them."""
    return "---\n".join(dump_node(n, comment) for n in nodes)
