"""The Markdown summary table the GitHub Action writes to ``$GITHUB_STEP_SUMMARY``.

Also reachable as ``--format markdown``. GitHub caps a step summary at 1 MiB, so the table
stops after ``MAX_ROWS`` findings and says how many were left out.

File names, env names and messages come from the pull request: each is escaped so that it
renders as the text it is, never as HTML, a link, an image or emphasis, never breaks out
of its code span or table cell, and never reads as a CI command (see :mod:`.md`).
"""
from __future__ import annotations

from ..lint.findings import LintResult
from . import TOOL_NAME, posix_path
from .md import code, text

MAX_ROWS = 500
ICONS = {"error": "❌ error", "warning": "⚠️ warning", "info": "ℹ️ info"}


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render(result: LintResult) -> str:
    """A heading, a one-line verdict naming the envs checked, and the findings table."""
    envs = ", ".join(code(e) for e in result.envs) or "none"
    out = [f"## {TOOL_NAME}", ""]
    hidden = [f"{n} {what}" for n, what in ((result.suppressed, "suppressed"),
                                            (result.baselined, "in the baseline")) if n]
    prot = (" Protected: " + ", ".join(code(e) for e in result.protected) + "."
            if result.protected else "")
    if not result.findings and not result.errors:
        out.append(f"✅ No findings. Envs checked: {envs}.{prot}"
                   + (f" ({', '.join(hidden)}.)" if hidden else ""))
        return "\n".join(out + _notes(result)) + "\n"
    by_sev = [_count(sum(f.severity == s for f in result.findings), s)
              for s in ("error", "warning", "info")
              if any(f.severity == s for f in result.findings)]
    verdict = ", ".join(by_sev) or "no findings"
    if result.errors:
        verdict += f", {_count(len(result.errors), 'input error')}"
    if hidden:
        verdict += f" ({', '.join(hidden)})"
    out += [f"**{verdict}**. Envs checked: {envs}.{prot}", ""]
    if result.findings:
        out += ["| Severity | Rule | Location | Envs | Message |",
                "|---|---|---|---|---|"]
        for f in result.findings[:MAX_ROWS]:
            out.append(f"| {ICONS.get(f.severity, text(f.severity))} | "
                       f"{code(f.rule, True)} | "
                       f"{code(f'{posix_path(f.file)}:{f.line}', True)} | "
                       f"{text(', '.join(f.envs))} | {text(f.message)} |")
        if len(result.findings) > MAX_ROWS:
            out.append(f"\n… and {len(result.findings) - MAX_ROWS} more findings "
                       "(see the job log or the SARIF report).")
    if result.errors:
        out += ["", "### Input errors", ""]
        out += [f"- {text(str(e))}" for e in result.errors[:MAX_ROWS]]
    return "\n".join(out + _notes(result)) + "\n"


def _notes(result: LintResult) -> list[str]:
    """Skipped envs and warnings: shown, never failing."""
    out: list[str] = []
    if result.skipped:
        out += ["", "### Not checked (unsupported)", ""]
        out += [f"- {code(s.env or '')}: {text(_at(s) + s.message)}"
                for s in result.skipped[:MAX_ROWS]]
    if result.warnings:
        out += ["", "### Warnings", ""]
        out += [f"- {text(_at(w) + w.message)}" for w in result.warnings[:MAX_ROWS]]
    return out


def _at(e) -> str:
    return f"{posix_path(e.file)}:{e.line}: " if e.file and e.line else \
        (f"{posix_path(e.file)}: " if e.file else "")
