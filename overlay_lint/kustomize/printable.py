"""Strings kubectl cannot print: Kustomize's last step fails on them, so the build fails.

Kustomize writes each resource with go-yaml and reads it back; go-yaml writes DEL, the C1
controls other than NEL (U+0080-U+0084, U+0086-U+009F) and the non-characters U+FFFE and
U+FFFF unescaped, then refuses them when reading ("yaml: control characters are not
allowed"). Any key or value of the output holding one, whether from a resource file
(``"\\u007f"``), a generator source or a patch, makes ``kubectl kustomize`` fail, while one
that a patch removes before the end does not: the check runs on the finished resources.
Checked against kubectl v5.5.0 for every code point below U+00A0 and both non-characters.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Iterable

from ..core.errors import at
from ..core.lazy_pattern import LazyPattern
from ..core.node import Node
from .resource import Resource

_UNPRINTABLE = LazyPattern("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def check_printable(resources: Iterable[Resource]) -> None:
    """Refuse, at the value's line, the first key or value kubectl could not print."""
    for res in resources:
        stack: list[Node] = [res.node]
        while stack:
            node = stack.pop()
            v = node.v
            t = type(v)
            if t is dict:
                for key, child in v.items():
                    if not key.isascii() or "\x7f" in key:
                        _check(key, child, "key")
                    stack.append(child)
            elif t is list:
                stack.extend(v)
            elif t is str and (not v.isascii() or "\x7f" in v):
                _check(v, node, "value")


def _check(text: str, node: Node, what: str) -> None:
    m = _UNPRINTABLE.search(text)
    if m is not None:
        raise at(node.o, f"this {what} holds U+{ord(m.group()):04X}, a control character "
                         "kubectl kustomize cannot print (go-yaml: control characters are "
                         "not allowed); Kustomize fails on it, so the build is refused")
