"""Write rendered resources as YAML the way ``kubectl kustomize`` prints them.

Keys are sorted (Kustomize's output passes through Go's JSON encoder), sequences sit at
their parent key's indentation, multi-line strings use literal blocks. Strings that any
YAML reader (1.1 or 1.2) could take for another type are double-quoted, so the output
reads back as the same data everywhere. With ``origins=True`` every line that holds a
value ends with a comment naming the source line that produced it.
"""
from __future__ import annotations

import json
import math
import re
from typing import Callable, Iterable

from .node import Node

# Plain scalars that YAML 1.1 or 1.2 readers resolve to bool or null.
_SPECIAL_WORDS = {
    "y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "=", "<<",
}
_PLAIN_OK = re.compile(r"^[^\s\-?:,\[\]{}#&*!|>'\"%@`][^\n\r\t]*$")
# Plain scalars some YAML reader (1.1 or 1.2, go-yaml or PyYAML) takes for a number or a
# date: digits with separators and an exponent (also versions like 1.8.1, harmlessly),
# 0x/0o/0b forms, .inf/.nan, timestamps. "128Mi" or "50m" stay plain, as kubectl prints them.
_NUMBER_LIKE = re.compile(
    r"[-+]?[0-9_.:]*[0-9][0-9_.:]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?0[xXoObB][0-9a-fA-F_]+"
    r"|[-+]?\.(?:inf|nan)"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?", re.IGNORECASE)
_DASH_OK = re.compile(r"^-[^\s\d.]")
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff"
                          "\ufffe\uffff]")


def _needs_quotes(s: str) -> bool:
    if not s or s != s.strip() or s.lower() in _SPECIAL_WORDS:
        return True
    if _NUMBER_LIKE.fullmatch(s):
        return True
    if not _PLAIN_OK.match(s) and not _DASH_OK.match(s):
        return True
    if ": " in s or " #" in s or s.endswith(":") or _UNPRINTABLE.search(s):
        return True
    return False


def quote(s: str) -> str:
    out = json.dumps(s, ensure_ascii=False)
    return _UNPRINTABLE.sub(lambda m: "\\u%04x" % ord(m.group()), out)


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
        if v.is_integer() and -(1 << 63) <= v < (1 << 64):
            return str(int(v))
        return repr(v)  # Go's shortest form: 1e+20 (an integral float past 64 bits)
    s = str(v)
    return quote(s) if _needs_quotes(s) else s


def _literal_ok(s: str) -> bool:
    if "\n" not in s or "\r" in s or _UNPRINTABLE.search(s):
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


class _Writer:
    def __init__(self, comment: Callable[[Node], str] | None) -> None:
        self.out: list[str] = []
        self.comment = comment

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
            self.mapping(v, indent + "  ")
        elif type(v) is list:
            if not v:
                self.out.append(f"{prefix} []{self.note(node)}")
                return
            self.out.append(f"{prefix}{self.note(node)}")
            self.sequence(v, indent)
        else:
            self.scalar(prefix + " ", node, indent + "  ")

    def scalar(self, prefix: str, node: Node, block_indent: str) -> None:
        v = node.v
        if type(v) is str and _literal_ok(v):
            lines = _literal(v, block_indent)
            self.out.append(prefix + lines[0] + self.note(node))
            self.out.extend(lines[1:])
        else:
            self.out.append(prefix + scalar_text(v) + self.note(node))

    def mapping(self, items: dict, indent: str) -> None:
        for key in sorted(items):
            child = items[key]
            k = scalar_text(key)
            if type(child.v) is list and child.v:
                # sequences sit at the key's own indentation, as kubectl prints them
                self.out.append(f"{indent}{k}:{self.note(child)}")
                self.sequence(child.v, indent)
            else:
                self.value_after_key(f"{indent}{k}:", child, indent)

    def sequence(self, items: list, indent: str) -> None:
        for item in items:
            v = item.v
            if type(v) is dict and v:
                first = True
                inner = indent + "  "
                for key in sorted(v):
                    child = v[key]
                    lead = f"{indent}- " if first else inner
                    first = False
                    k = scalar_text(key)
                    if type(child.v) is list and child.v:
                        self.out.append(f"{lead}{k}:{self.note(child)}")
                        self.sequence(child.v, inner)
                    else:
                        self.value_after_key(f"{lead}{k}:", child, inner)
            elif type(v) is list and v:
                self.out.append(f"{indent}-{self.note(item)}")
                self.sequence(v, indent + "  ")
            else:
                if type(v) is dict:
                    self.out.append(f"{indent}- {{}}{self.note(item)}")
                elif type(v) is list:
                    self.out.append(f"{indent}- []{self.note(item)}")
                else:
                    self.scalar(f"{indent}- ", item, indent + "  ")


def dump_node(node: Node, comment: Callable[[Node], str] | None = None) -> str:
    """One document as YAML text (ending with a newline)."""
    w = _Writer(comment)
    if type(node.v) is dict:
        if node.v:
            w.mapping(node.v, "")
        else:
            w.out.append("{}")
    elif type(node.v) is list:
        if node.v:
            w.sequence(node.v, "")
        else:
            w.out.append("[]")
    else:
        w.scalar("", node, "  ")
    return "\n".join(w.out) + "\n"


def dump_stream(nodes: Iterable[Node], comment: Callable[[Node], str] | None = None) -> str:
    """Documents separated by ``---`` as kubectl prints them."""
    return "---\n".join(dump_node(n, comment) for n in nodes)
