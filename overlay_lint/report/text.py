"""Text and JSON reports (SARIF, GitHub and JUnit live in ``overlay_lint/report``)."""
from __future__ import annotations

import json
import os
from collections import Counter

from ..core.escape import shown_path, visible
from ..lint.envnames import short_list
from ..lint.findings import LintError, LintResult
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
    return f"\x1b[{_COLORS[what]}m{text}\x1b[0m" if on and what in _COLORS else text


def _loc(e: LintError) -> str:
    if not e.file:
        return ""
    return f"{shown_path(e.file)}:{e.line}: " if e.line else f"{shown_path(e.file)}: "


def error_lines(result: LintResult, color: bool = False) -> list[str]:
    """One ``file:line: error: message (env X)`` line per input error; the same error in
    several envs (a remote resource in a base many envs share) is one line naming them."""
    merged: dict[tuple, list[str]] = {}
    for e in result.errors:
        merged.setdefault((e.file, e.line, e.col, e.message), []).append(e.env or "")
    out = []
    for (file, line, col, message), names in merged.items():
        envs = [n for n in dict.fromkeys(names) if n]
        where = ""
        if len(envs) == 1:
            where = f" (env {visible(envs[0])})"
        elif envs:
            where = f" ({visible(short_list(envs))})" if len(envs) > 4 else \
                f" (envs {visible(', '.join(envs))})"
        out.append(f"{_c(_loc(LintError(message, file, line, col)), 'bold', color)}"
                   f"{_c('error:', 'error', color)} {visible(message)}{where}")
    return out


def render_text(result: LintResult, color: bool = False, errors: bool = True) -> str:
    """Errors (unless ``errors=False``: the lint command prints them on stderr), skipped
    targets and warnings, then findings with their source line, then the summary line.

    File names, messages, env names and source lines come from the repository: each is
    printed through :func:`~overlay_lint.core.escape.visible` (one line, no control or
    format characters, no CI command), and neither a file name nor a source line starts a
    printed line with anything a CI runner could take for a command.
    """
    out: list[str] = error_lines(result, color) if errors else []
    for s in result.skipped:
        out.append(f"{_c(_loc(s), 'bold', color)}{_c('skipped:', 'warning', color)} "
                   f"{visible(s.env or '')} not checked: {visible(s.message)}")
    for w in result.warnings:
        out.append(f"{_c(_loc(w), 'bold', color)}{_c('warning:', 'warning', color)} "
                   f"{visible(w.message)}")
    for f in result.findings:
        envs = f" ({visible(short_list(f.envs))})" if f.envs else ""
        out.append(f"{_c(f'{shown_path(f.file)}:{f.line}:{f.col}:', 'bold', color)} "
                   f"{_c(visible(f.severity), f.severity, color)} "
                   f"{_c(f'[{visible(f.rule)}]', 'dim', color)} {visible(f.message)}{envs}")
        try:
            src = source_line(os.path.abspath(f.file), f.line)
        except (OSError, ValueError):    # a name the file system refuses (NUL)
            src = None
        if src is not None:
            src, col = _source(src.expandtabs(1).rstrip(), f.col)
            out.append(f"    {src}")
            out.append("    " + " " * max(col - 1, 0) + _c("^", "caret", color))
    if result.unvalidated:
        out.append(unvalidated_line(result))
    out.append(summary(result))
    return "\n".join(out) + "\n"


def unvalidated_line(result: LintResult) -> str:
    """Kinds no schema checked, once per kind (k8s-schema), so nothing passes unseen."""
    kinds = []
    for u in result.unvalidated:
        notes = ", ".join(u["envs"])
        if u["reason"] != "no CRD or schema found":      # e.g. no schema for Kubernetes 1.20
            notes = f"{notes}; {u['reason']}" if notes else u["reason"]
        kinds.append(visible(f"{u['kind']} {u['apiVersion']}" + (f" ({notes})" if notes else "")))
    n = len(kinds)
    return (f"{n} kind{'s' if n != 1 else ''} not schema-checked (no CRD or schema in the "
            f"repository or kubernetes.crds): " + ", ".join(kinds))


def _source(line: str, col: int) -> tuple[str, int]:
    """A source line as printed, and the caret column: escaped (:func:`visible`), and a
    backslash before a ``::`` that would begin the printed line (a CI runner would take
    it for a workflow command)."""
    shown = visible(line)
    col = len(visible(line[:max(col - 1, 0)])) + 1     # escapes widen what precedes it
    body = shown.lstrip()
    if body.startswith("::"):
        indent = len(shown) - len(body)
        return shown[:indent] + "\\" + body, col + (col > indent)
    return shown, col


def summary(result: LintResult) -> str:
    n = len(result.findings)
    by = Counter(f.severity for f in result.findings)
    where = visible(in_envs(result.envs))
    parts = [f"{n} finding{'s' if n != 1 else ''}"]
    if n:
        parts[0] += " (" + ", ".join(f"{by[s]} {s}{'s' if by[s] != 1 else ''}"
                                     for s in ("error", "warning", "info") if by[s]) + ")"
    parts[0] += f" {where}"
    if result.envs:
        parts.append(f"protected: {visible(short_list(result.protected))}"
                     if result.protected else "no protected env checked")
    if result.skipped:
        parts.append(f"{len(result.skipped)} skipped (unsupported)")
    if result.errors:
        parts.append(f"{len(result.errors)} input error{'s' if len(result.errors) != 1 else ''}")
    if result.warnings:
        parts.append(f"{len(result.warnings)} warning{'s' if len(result.warnings) != 1 else ''}")
    if result.suppressed:
        parts.append(f"{result.suppressed} suppressed")
    if result.baselined:
        parts.append(f"{result.baselined} in baseline")
    return "; ".join(parts)


def in_envs(envs: list[str]) -> str:
    """``in 3 envs (dev, staging, prod)``; a long list: ``in 312 envs: a, b, c, … (+309)``."""
    if len(envs) > 4:
        return f"in {short_list(envs)}"
    return f"in {len(envs)} env{'s' if len(envs) != 1 else ''}" + (
        f" ({', '.join(envs)})" if envs else "")


def render_json(result: LintResult) -> str:
    """The ``--format json`` document (schema: overlay_lint/schemas/findings.schema.json)."""
    doc = {
        "version": JSON_VERSION,
        "findings": [f.to_json() for f in result.findings],
        "errors": [e.to_json() for e in result.errors],
        "envs": list(result.envs),
        "unvalidated": list(result.unvalidated),
        "protected": list(result.protected),
        "warnings": [w.to_json() for w in result.warnings],
        "skipped": [s.to_json() for s in result.skipped],
        "summary": {
            "findings": len(result.findings),
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "skipped": len(result.skipped),
            "suppressed": result.suppressed,
            "baselined": result.baselined,
        },
    }
    return log_safe_json(doc)


def log_safe_json(doc: object) -> str:
    """``doc`` as indented JSON that a CI log cannot misread: ASCII only (undecodable bytes
    of file names stay lossless as ``\\udcXX`` escapes, which Python reads back), and
    ``##[`` written ``##\\u005b`` (the same string to every JSON reader; no command to a
    GitHub runner, which looks for ``##[`` anywhere in a line). No line can start with
    ``::``: every line of indented JSON starts with whitespace and a quote or bracket."""
    return json.dumps(doc, indent=2, ensure_ascii=True).replace("##[", "##\\u005b") + "\n"
