"""lint/param_regex.py: a rule's default pattern runs on Python's re, and answers as RE2
does on every text; any other value is compiled with RE2."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

re2 = pytest.importorskip("re2")

from overlay_lint.core.errors import OverlayLintError  # noqa: E402
from overlay_lint.lint.param_regex import EQUIVALENT, param_regex  # noqa: E402
from overlay_lint.lint.rules import dev_image_tags, prod_no_dev_images  # noqa: E402

EDGES = ["", "dev", "dev\n", "dev-", "dev-\n", "dev.1", "dev-1\nx", "dev-1\n", "xdev", "dev1",
         "a-dev", "a-dev\n", "-dev", "dev-dev", "DEV", "dev\u2028", "dev-\u00e9", "dev.\r",
         "prod-dev\n\n", "\ndev", "dev\x00"]
# texts made of the characters that matter to these patterns
TEXTS = st.text(alphabet=st.sampled_from(list("dev-.x\n\r\u00e9\x00")), max_size=12)


def _same(default: str, text: str) -> None:
    want = re2.compile(default).search(text) is not None
    assert (param_regex(default, "p").search(text) is not None) == want, (default, text)


def test_every_default_of_the_rules_has_an_equivalent() -> None:
    defaults = {dev_image_tags.PARAMETERS["tag-pattern"],
                prod_no_dev_images.PARAMETERS["tag-pattern"],
                prod_no_dev_images.PARAMETERS["name-pattern"]}
    assert defaults == set(EQUIVALENT)
    for default in defaults:
        assert isinstance(param_regex(default, "p"), re.Pattern)


@pytest.mark.parametrize("default", sorted(EQUIVALENT))
@pytest.mark.parametrize("text", EDGES)
def test_edges_answer_as_re2(default: str, text: str) -> None:
    _same(default, text)


@given(TEXTS)
def test_any_text_answers_as_re2(text: str) -> None:
    for default in EQUIVALENT:
        _same(default, text)


def test_other_values_are_re2() -> None:
    assert not isinstance(param_regex("^rc-", "p"), re.Pattern)
    assert param_regex("^rc-", "p").search("rc-1")
    with pytest.raises(OverlayLintError, match="not a valid regular expression"):
        param_regex("(?=dev)", "tag-pattern")     # lookahead: RE2 has none
