"""Regular expressions compiled on first use, not at import.

A module-level ``re.compile`` runs at every start-up, used or not: the patterns of error
messages, rare YAML forms or remote URLs cost a render or a lint a few milliseconds that
most runs never use. ``LazyPattern(pattern, flags)`` stands in for ``re.compile(pattern,
flags)``: the first look-up of a method compiles it, and the compiled pattern's methods are
then kept on the instance, so later calls cost what the compiled pattern's cost.
"""
from __future__ import annotations

import re
TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any

_KEPT = ("match", "fullmatch", "search", "sub", "subn", "split", "findall", "finditer",
         "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """``re.compile(pattern, flags)``, compiled when first used."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)

    def __getattr__(self, name: str) -> Any:  # only for what is not kept yet
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(*self._args)
        for kept in _KEPT:
            setattr(self, kept, getattr(compiled, kept))
        return getattr(compiled, name)
