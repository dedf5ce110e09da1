"""Property: every output format stays well-formed and injection-free for arbitrary file
names, messages, env names and values (issue 8).

For generated results (hostile text: workflow commands, ``##[``, newlines, ESC sequences,
bidi overrides, HTML, Markdown links, backticks, pipes, undecodable bytes of non-UTF-8 file
names) each reporter's output is checked by ``output_checks.check_report``: JSON, SARIF and
JUnit parse back (JSON losslessly), GitHub commands are exactly ours, no line of text,
GitHub or Markdown output is a forged command, Markdown renders (cmark-gfm, GitHub's own
renderer) with no HTML, image or link of its own. The JSON a run writes converts to every
other format exactly as a direct run prints it.

Profiles: ``quick`` (CI, deterministic) and ``long`` (``OVERLAY_LINT_FUZZ_PROFILE=long``, or
``scripts/fuzz_security_long.py``).
"""
from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overlay_lint.lint.findings import Finding, LintError, LintResult
from overlay_lint.report import github, junit, sarif, summary
from overlay_lint.report.__main__ import load_json
from overlay_lint.report.text import render_json, render_text

from output_checks import check_report

_PROFILES = {"quick": 150, "long": 20_000}
_N = _PROFILES.get(os.environ.get("OVERLAY_LINT_FUZZ_PROFILE", "quick"), 150)
if not os.environ.get("OVERLAY_LINT_FUZZ_PROFILE", "quick") == "quick":   # --scale
    _N = max(1, int(_N * float(os.environ.get("OVERLAY_LINT_FUZZ_SCALE", "1"))))
_QUICK = os.environ.get("OVERLAY_LINT_FUZZ_PROFILE", "quick") == "quick"
_SETTINGS = dict(max_examples=_N, deadline=None, database=None, derandomize=_QUICK,
                 suppress_health_check=list(HealthCheck))

_HOSTILE = st.sampled_from([
    "::", "::error::forged", "::stop-commands::tok", "##[warning]x", "##[set-output name=a;]b",
    "\n", "\r", "\r\n", "\n::error::x", "\x1b[31m", "\x1b]8;;https://e\x07", "\x07", "\x00",
    "\x85", "\u2028", "\u202e", "\u200b", "\ufeff", "\ufffe", "\u00a0::warning::x",
    "<img src=https://e/p.png>", "<script>", "&amp;", "`", "``", "|", "\\|", "\\", "[x](https://e)",
    "![i](https://e/i.png)", "www.e.com", "https://e.com", "a@e.com", "*", "_", "~~", "$x$",
    "%", "%0A", "%25", ",", ":", "=", "]", "[", "#", "<!--", "-->", " ", "\t",
    "\udce9", "\udc80", "\udcff", "é", "☃", "𝄞",
])
_TEXT = st.lists(st.one_of(_HOSTILE, st.text(max_size=4)), max_size=6).map("".join)
_NAME = st.lists(st.one_of(_HOSTILE, st.text(min_size=1, max_size=4)), min_size=1,
                 max_size=4).map("".join)
_PATH = st.lists(_NAME, min_size=1, max_size=3).map("/".join)


@st.composite
def results(draw) -> LintResult:
    findings = [Finding(
        rule=draw(st.one_of(st.sampled_from(["no-plain-secrets", "dev-replicas"]), _NAME)),
        severity=draw(st.sampled_from(["error", "warning", "info"])),
        message=draw(_TEXT), file=draw(_PATH), line=draw(st.integers(1, 10**6)),
        col=draw(st.integers(1, 500)), envs=draw(st.lists(_NAME, max_size=3)),
        resource=draw(_TEXT), field_path=draw(_TEXT),
        value=draw(st.one_of(st.none(), _TEXT)))
        for _ in range(draw(st.integers(0, 4)))]
    def errors_like() -> list[LintError]:   # errors, warnings, skipped targets
        return [LintError(draw(_TEXT), draw(st.one_of(st.none(), _PATH)),
                          draw(st.one_of(st.none(), st.integers(1, 10**6))),
                          draw(st.one_of(st.none(), st.integers(1, 500))),
                          draw(st.one_of(st.none(), _NAME)))
                for _ in range(draw(st.integers(0, 2)))]
    errors = errors_like()
    unvalidated = [{"apiVersion": draw(_NAME), "kind": draw(_NAME), "reason": draw(_TEXT),
                    "envs": draw(st.lists(_NAME, max_size=2)), "resources": 1}
                   for _ in range(draw(st.integers(0, 2)))]
    return LintResult(findings, errors, draw(st.lists(_NAME, max_size=3)),
                      draw(st.integers(0, 3)), draw(st.integers(0, 3)), unvalidated,
                      draw(st.lists(_NAME, max_size=2)), errors_like(), errors_like())


_RENDER = {"json": render_json, "sarif": sarif.render, "github": github.render,
           "junit": junit.render, "markdown": summary.render, "text": render_text}


@settings(**_SETTINGS)
@given(result=results())
def test_every_format_is_well_formed_and_injection_free(result: LintResult) -> None:
    for fmt, render in _RENDER.items():
        check_report(fmt, render(result), result)
    # what the Action does: render JSON once, convert it to the other formats
    back = load_json(render_json(result))
    assert back == result                    # lossless, undecodable bytes included
    for fmt in ("sarif", "github", "junit", "markdown"):
        assert _RENDER[fmt](back) == _RENDER[fmt](result)
