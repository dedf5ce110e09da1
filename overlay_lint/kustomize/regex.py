"""Regular expressions evaluated as Kustomize evaluates them: Go's RE2 (linear time).

Kustomize compiles user text with Go's ``regexp`` in three places: the fields of a patch
``target`` (anchored: ``^(?:...)$``), an ``images:`` entry's ``name`` (anchored, followed
by an optional tag and digest) and the value of a ``[key=value]`` step in a replacement
target's field path (unanchored). Python's ``re`` backtracks (``(a|aa)+b`` takes minutes
on a 40-character name) and reads some patterns differently; ``google-re2`` is the same
engine with Go's syntax and linear time. Compiled patterns are cached.
"""
from __future__ import annotations

from functools import lru_cache
TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any

from ..core.errors import at
from ..core.lazy_pattern import LazyPattern
from ..core.node import Origin

MAX_PATTERN = 4096  # characters; RE2 also bounds its own memory (max_mem)

# Text without any regular-expression syntax matches only itself: a plain comparison gives
# the same answer as RE2, without the cost of a call into it (patch targets are nearly
# always plain names and kinds).
_LITERAL = LazyPattern(r"[A-Za-z0-9_\-/:@=,;%~ ]*")


class Literal:
    """An anchored pattern that is plain text: equality, same answers as RE2."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def search(self, value: str) -> bool:
        return value == self.text


def anchored(pattern: str, origin: Origin | None, what: str) -> Any:
    """``^(?:pattern)$`` as Go's RE2 reads it (a :class:`Literal` for plain text)."""
    if _LITERAL.fullmatch(pattern):
        return Literal(pattern)
    return go_regex(f"^(?:{pattern})$", origin, what)


@lru_cache(maxsize=1024)
def _compile(pattern: str) -> Any:
    import re2  # google-re2: imported when a pattern is first needed
    options = re2.Options()
    options.log_errors = False  # errors come back as exceptions, never on stderr
    return re2.compile(pattern, options)


def go_regex(pattern: str, origin: Origin | None, what: str) -> Any:
    """``pattern`` compiled with Go's syntax; a located error when it does not compile."""
    if len(pattern) > MAX_PATTERN:
        raise at(origin, f"{what} '{pattern[:40]}...' is longer than {MAX_PATTERN} characters")
    try:
        return _compile(pattern)
    except Exception as exc:  # re2.error: the message is bytes
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise at(origin, f"{what} '{pattern}' is not a valid regular expression: "
                         f"{detail}") from None
