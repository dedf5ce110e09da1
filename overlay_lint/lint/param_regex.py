"""Regex parameters of rules (``tag-pattern``, ``name-pattern``): compiled with Go's RE2,
since a pull request can set them in the config and RE2 never backtracks.

A rule's own default is the exception: each default here has a Python pattern that gives the
same answer on every text (``$`` is the end of the text in RE2: ``\\Z`` here; ``.`` stops at
a newline in both), so a run that keeps the defaults does not load RE2 (~3 ms of a
pre-commit run). tests/test_param_regex.py checks each pair against RE2.
"""
from __future__ import annotations

import re

TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    from typing import Any

# a default as the rules state it -> its Python equivalent
EQUIVALENT = {
    r"^dev([-.].*)?$": r"^dev([-.].*)?\Z",
    r"^dev$|^dev-|-dev$": r"^dev\Z|^dev-|-dev\Z",
}
_compiled: dict[str, Any] = {}


def param_regex(value: str, what: str) -> Any:
    """``value`` compiled, with a ``search`` that answers as RE2's does."""
    python = EQUIVALENT.get(value)
    if python is None:
        from ..kustomize.regex import go_regex
        return go_regex(value, None, what)
    found = _compiled.get(python)
    if found is None:
        found = _compiled[python] = re.compile(python)
    return found
