"""Suppression comments and annotations that suppress nothing (`--report-unused-suppressions`).

Reported only when asked (``overlay-lint --report-unused-suppressions``, like ruff's
RUF100): a ``# overlay-lint: disable=RULE`` comment, a ``disable-next-line`` comment or an
``overlay-lint.io/disable`` annotation that dropped no finding of that rule in this run.
Only rules that ran count, and only in files every env reading them was checked in.

Why: a suppression outlives the problem it hid. Left in place it will silently hide the
next, real violation on that line.

Failing (the Deployment now has ``revisionHistoryLimit: 3``)::

    spec:  # overlay-lint: disable=revision-history-limit -- legacy chart
      revisionHistoryLimit: 3

Passing::

    spec:
      revisionHistoryLimit: 3

Fix: remove the comment (or the rule from the annotation). A suppression naming a rule
that does not exist is a warning in every run, with or without the option.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RuleContext

ID = "unused-suppression"
SEVERITY = "warning"
PARAMETERS: dict = {}


def check(ctx: RuleContext) -> Iterator[Problem]:
    """Nothing to check in the rendered output: the lint run reports these after the
    other rules, from what the suppressions dropped (``lint.suppress.audit``)."""
    return iter(())
