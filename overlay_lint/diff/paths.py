"""Field paths of a rendered resource, and the wildcard patterns that match them.

A path is a tuple of segments: a mapping key (``str``), a list position (``int``), or a
list item chosen by its merge keys (:class:`Item`). As text::

    spec.template.spec.containers[name=web].image
    spec.rules[0].host
    metadata.labels["app.kubernetes.io/name"]     (a key holding '.', '[', ']', '"', '*', '?'
                                                    or blanks is written as a JSON string)
    spec.template.spec.containers[name=web].ports[containerPort=8080,protocol=UDP]

A pattern is written the same way with wildcards: ``*`` inside a segment matches any
characters of it (``containers[*]`` any item, ``annotations["prometheus.io/*"]`` any of those
keys), ``**`` matches any number of segments. A pattern matches a path when it matches the
path or one of its parents: allowing ``**.resources`` allows every field below it.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Union

from ..core.errors import OverlayLintError
from ..core.record import dataclass


@dataclass(frozen=True)
class Item:
    """A list element picked by the values of its merge keys, e.g. ``name=web``."""

    keys: tuple[tuple[str, Any], ...]

    def text(self) -> str:
        return ",".join(f"{k}={_value_text(v)}" for k, v in self.keys)


Segment = Union[str, int, Item]
Path = tuple  # tuple[Segment, ...]

_PLAIN_KEY = re.compile(r'[^.\[\]"*?\s]+')
_PLAIN_VALUE = re.compile(r'[^\[\],="\s]+')


def _value_text(v: Any) -> str:
    if type(v) is str and _PLAIN_VALUE.fullmatch(v):
        return v
    return json.dumps(v, ensure_ascii=False)


def _key_text(k: str) -> str:
    return k if _PLAIN_KEY.fullmatch(k) else f"[{json.dumps(k, ensure_ascii=False)}]"


def format_path(path: Path) -> str:
    """``("spec", "containers", Item((("name", "web"),)), "image")`` ->
    ``spec.containers[name=web].image``; the empty path is ``""``."""
    out = []
    for seg in path:
        if type(seg) is int:
            out.append(f"[{seg}]")
        elif isinstance(seg, Item):
            out.append(f"[{seg.text()}]")
        else:
            text = _key_text(seg)
            out.append(text if not out or text.startswith("[") else "." + text)
    return "".join(out)


# --- patterns ----------------------------------------------------------------------------

_ANY = "**"


def _tokens(text: str) -> list[tuple[str, str]]:
    """Split path or pattern text into ``("key", text)`` and ``("item", inner text)``."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == ".":
            i += 1
            continue
        if c == "[":
            if text.startswith('["', i):
                try:
                    key, end = json.JSONDecoder().raw_decode(text, i + 1)
                except ValueError:
                    raise OverlayLintError(f"bad quoted key in field path {text!r}") from None
                if not text.startswith("]", end):
                    raise OverlayLintError(f"missing ']' after a quoted key in {text!r}")
                out.append(("key", key))
                i = end + 1
                continue
            j, quoted = i + 1, False
            while j < n and (quoted or text[j] != "]"):
                if text[j] == '"' and text[j - 1] != "\\":
                    quoted = not quoted
                j += 1
            if j >= n:
                raise OverlayLintError(f"missing ']' in field path {text!r}")
            out.append(("item", text[i + 1:j]))
            i = j + 1
            continue
        j = i
        while j < n and text[j] not in ".[":
            j += 1
        out.append(("key", text[i:j]))
        i = j
    return out


def _glob(text: str) -> re.Pattern:
    return re.compile("".join(".*" if c == "*" else "." if c == "?" else re.escape(c)
                              for c in text), re.DOTALL)


@lru_cache(maxsize=512)
def compile_pattern(text: str) -> tuple:
    """A pattern's segments: ``(kind, compiled glob)`` or ``_ANY``."""
    segs: list = []
    for kind, tok in _tokens(text.strip()):
        if kind == "key" and tok == _ANY:
            segs.append(_ANY)
        else:
            segs.append((kind, _glob(tok)))
    return tuple(segs)


def _segment_text(seg: Segment) -> tuple[str, str]:
    if type(seg) is int:
        return "item", str(seg)
    if isinstance(seg, Item):
        return "item", seg.text()
    return "key", str(seg)


def matches(pattern: str, path: Path) -> bool:
    """True when ``pattern`` matches ``path`` or one of its parents."""
    pat = compile_pattern(pattern)
    segs = [_segment_text(s) for s in path]
    return _match(pat, 0, segs, 0, {})


def _match(pat: tuple, i: int, segs: list, j: int, memo: dict) -> bool:
    key = (i, j)
    if key in memo:
        return memo[key]
    if i == len(pat):
        ok = True  # the pattern names this path or a parent of it
    elif pat[i] == _ANY:
        ok = any(_match(pat, i + 1, segs, k, memo) for k in range(j, len(segs) + 1))
    elif j == len(segs):
        ok = False
    else:
        kind, rx = pat[i]
        skind, stext = segs[j]
        ok = kind == skind and rx.fullmatch(stext) is not None and \
            _match(pat, i + 1, segs, j + 1, memo)
    memo[key] = ok
    return ok
