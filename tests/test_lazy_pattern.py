"""core/lazy_pattern.py: a pattern compiled on first use answers as re.compile's does."""
from __future__ import annotations

import re

from overlay_lint.core.lazy_pattern import LazyPattern


def test_a_lazy_pattern_compiles_on_first_use_and_answers_as_the_compiled_one() -> None:
    lazy = LazyPattern(r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)
    compiled = re.compile(r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)
    assert "match" not in vars(lazy)  # nothing compiled at construction
    for text in ("abc-12", "x ABC-3 y", "none", ""):
        assert repr(lazy.match(text)) == repr(compiled.match(text))
        assert repr(lazy.search(text)) == repr(compiled.search(text))
        assert repr(lazy.fullmatch(text)) == repr(compiled.fullmatch(text))
        assert lazy.sub("<\\1>", text) == compiled.sub("<\\1>", text)
        assert lazy.findall(text) == compiled.findall(text)
    assert "match" in vars(lazy)  # kept after the first use
    assert (lazy.pattern, lazy.flags, lazy.groups, lazy.groupindex) == \
        (compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex)
