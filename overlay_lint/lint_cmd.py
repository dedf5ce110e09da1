"""``overlay-lint [PATH ...]``: lint every environment (placeholder until the rule engine lands)."""
from __future__ import annotations

import sys


def run_lint(argv: list[str]) -> int:
    print("overlay-lint: linting is not implemented yet; try `overlay-lint render DIR`",
          file=sys.stderr)
    return 2
