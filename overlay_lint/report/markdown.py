"""``--format markdown``: see :mod:`overlay_lint.report.summary` (the job summary table)."""
from .summary import render

__all__ = ["render"]
