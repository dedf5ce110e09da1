"""``--format github``: GitHub Actions workflow commands, shown as annotations on the PR diff.

Escaping follows the Actions runner (toolkit ``command.ts``, runner ``ActionCommand.cs``):
in the message ``%``, ``\\r`` and ``\\n`` are percent-encoded; in properties also ``:``
and ``,``. Each line starts with our own ``::command``, so nothing in a message can be read
as another command; control and format characters (ESC sequences, bidi overrides) are
escaped visibly as well, since the log viewer would interpret them.
"""
from __future__ import annotations

import re

from ..core.escape import visible
from ..lint.findings import LintResult
from . import TOOL_NAME, posix_path, with_envs

_BREAK = re.compile("([\r\n])")
COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def _shown(text: str) -> str:
    """Line breaks kept (they are percent-encoded below), everything else made visible."""
    return "".join(p if p in ("\r", "\n") else visible(p)
                   for p in _BREAK.split(str(text)))


def escape_data(text: str) -> str:
    return _shown(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **props: object) -> str:
    """One ``::kind k=v,...::message`` line; properties whose value is None are left out."""
    parts = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items()
                     if v is not None)
    return f"::{kind}{' ' + parts if parts else ''}::{escape_data(message)}"


def render(result: LintResult) -> str:
    """One workflow command per finding and per error."""
    lines = []
    for f in result.findings:
        lines.append(command(COMMANDS.get(f.severity, "warning"), with_envs(f.message, f.envs),
                             file=posix_path(f.file), line=f.line, col=f.col,
                             title=f"{TOOL_NAME} [{f.rule}]"))
    for e in result.errors:
        msg = f"{e.message} (env {e.env})" if e.env else e.message
        lines.append(command("error", msg, file=posix_path(e.file) if e.file else None,
                             line=e.line or None, col=e.col or None,
                             title=f"{TOOL_NAME} error"))
    for s in result.skipped:
        lines.append(command("warning", f"{s.env} not checked: {s.message}",
                             file=posix_path(s.file) if s.file else None,
                             line=s.line or None, col=s.col or None,
                             title=f"{TOOL_NAME}: env skipped"))
    for w in result.warnings:
        lines.append(command("warning", w.message, file=posix_path(w.file) if w.file else None,
                             line=w.line or None, title=f"{TOOL_NAME} warning"))
    return "".join(line + "\n" for line in lines)
