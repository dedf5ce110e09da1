"""Text and JSON reports (SARIF, GitHub and JUnit live in ``overlay_lint/report``)."""
from __future__ import annotations

import json
import os
from collections import Counter

from ..lint.findings import LintResult
from ..lint.suppress import source_line

JSON_VERSION = 1

_COLORS = {"error": "31", "warning": "33", "info": "36", "bold": "1", "dim": "2",
           "caret": "32"}


def use_color(stream, mode: str = "auto") -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _c(text: str, what: str, on: bool) -> str:
    return f"\x1b[{_COLORS[what]}m{text}\x1b[0m" if on else text


def render_text(result: LintResult, color: bool = False) -> str:
    out: list[str] = []
    for e in result.errors:
        loc = ""
        if e.file:
            loc = f"{e.file}:{e.line}: " if e.line else f"{e.file}: "
        env = f" (env {e.env})" if e.env else ""
        out.append(f"{_c(loc, 'bold', color)}{_c('error:', 'error', color)} {e.message}{env}")
    for f in result.findings:
        envs = f" ({', '.join(f.envs)})" if f.envs else ""
        out.append(f"{_c(f'{f.file}:{f.line}:{f.col}:', 'bold', color)} "
                   f"{_c(f.severity, f.severity, color)} {_c(f'[{f.rule}]', 'dim', color)} "
                   f"{f.message}{envs}")
        src = source_line(os.path.abspath(f.file), f.line)
        if src is not None:
            src = src.expandtabs(1).rstrip()
            out.append(f"    {src}")
            out.append("    " + " " * max(f.col - 1, 0) + _c("^", "caret", color))
    if result.unvalidated:
        out.append(unvalidated_line(result))
    out.append(summary(result))
    return "\n".join(out) + "\n"


def unvalidated_line(result: LintResult) -> str:
    """Kinds no schema checked, once per kind (k8s-schema), so nothing passes unseen."""
    kinds = [f"{u['kind']} {u['apiVersion']}" + (f" ({', '.join(u['envs'])})" if u["envs"] else "")
             for u in result.unvalidated]
    n = len(kinds)
    return (f"{n} kind{'s' if n != 1 else ''} not schema-checked (no CRD or schema in the "
            f"repository or kubernetes.crds): " + ", ".join(kinds))


def summary(result: LintResult) -> str:
    n = len(result.findings)
    by = Counter(f.severity for f in result.findings)
    where = f"in {len(result.envs)} env{'s' if len(result.envs) != 1 else ''}" + (
        f" ({', '.join(result.envs)})" if result.envs else "")
    parts = [f"{n} finding{'s' if n != 1 else ''}"]
    if n:
        parts[0] += " (" + ", ".join(f"{by[s]} {s}{'s' if by[s] != 1 else ''}"
                                     for s in ("error", "warning", "info") if by[s]) + ")"
    parts[0] += f" {where}"
    if result.errors:
        parts.append(f"{len(result.errors)} input error{'s' if len(result.errors) != 1 else ''}")
    if result.suppressed:
        parts.append(f"{result.suppressed} suppressed")
    if result.baselined:
        parts.append(f"{result.baselined} in baseline")
    return "; ".join(parts)


def render_json(result: LintResult) -> str:
    """The ``--format json`` document (schema: overlay_lint/schemas/findings.schema.json)."""
    doc = {
        "version": JSON_VERSION,
        "findings": [f.to_json() for f in result.findings],
        "errors": [e.to_json() for e in result.errors],
        "envs": list(result.envs),
        "unvalidated": list(result.unvalidated),
        "summary": {
            "findings": len(result.findings),
            "errors": len(result.errors),
            "suppressed": result.suppressed,
            "baselined": result.baselined,
        },
    }
    return json.dumps(doc, indent=2) + "\n"
