"""Machine-readable reporters: one module per ``--format``, each with ``render(result) -> str``.

The lint command imports ``overlay_lint.report.<format>`` lazily, so a plain text run never
pays for these. Shared here: rule metadata lookup (from the rule registry when it is there)
and the small helpers every reporter needs.
"""
from __future__ import annotations

import os

from ..core.escape import fs_bytes
from ..core.record import dataclass
from ..lint.findings import LintResult

TOOL_NAME = "overlay-lint"
# Where a rule's documentation lives when the registry does not say; `#<rule-id>` is appended.
DOCS_URL = "https://github.com/overlay-lint/overlay-lint/blob/main/docs/rules.md"
FORMATS = ("sarif", "github", "junit", "markdown")


@dataclass(frozen=True)
class RuleMeta:
    """What a reporter says about a rule (SARIF reportingDescriptor, titles)."""

    id: str
    short: str
    full: str
    help_text: str
    help_markdown: str  # a known rule's own docs; for any other id, escaped text
    help_uri: str
    level: str          # error | warning | info (our severities)


def _registry() -> dict[str, object]:
    """Rules known to the rule engine (default configuration), by id; {} if unavailable."""
    try:
        from ..lint.registry import load_rules
        return {r.id: r for r in load_rules()}
    except Exception:  # a broken rule folder must not stop the report; fall back below
        return {}


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.strip().split("\n\n") if p.strip()]


def rule_metadata(rule_ids: list[str]) -> dict[str, RuleMeta]:
    """Metadata for each rule id: from the rule registry, else a plain fallback."""
    from urllib.parse import quote   # not for the text report: ~2.5 ms with ipaddress
    known = _registry() if rule_ids else {}
    out: dict[str, RuleMeta] = {}
    for rid in rule_ids:
        rule = known.get(rid)
        doc = (getattr(rule, "doc", "") or "").strip()
        paras = _paragraphs(doc)
        short = (getattr(rule, "summary", "") or "").strip() or \
            (paras[0] if paras else f"overlay-lint rule {rid}")
        # full: the summary plus its "why" paragraph, when the docs have one
        full = " ".join(paras[:2]) if len(paras) > 1 else short
        help_text = doc or f"{short}\n\nRun `overlay-lint explain {rid}` for details."
        if rule is None:    # an id from elsewhere (a user's rule folder, a JSON file)
            from .md import code, text
            help_md = f"{text(short)}\n\nRun {code('overlay-lint explain ' + rid)} for details."
        else:
            help_md = help_text
        level = getattr(rule, "severity", "error")
        out[rid] = RuleMeta(rid, short, full, help_text, help_md, f"{DOCS_URL}#{quote(fs_bytes(rid))}",
                            level if level in ("error", "warning", "info") else "error")
    return out


def rule_ids(result: LintResult) -> list[str]:
    """Rule ids that occur in ``result``, sorted."""
    return sorted({f.rule for f in result.findings})


def posix_path(path: str) -> str:
    """A finding's file as a forward-slash relative path (what CI systems expect)."""
    return path.replace(os.sep, "/") if os.sep != "/" else path


def with_envs(message: str, envs: list[str]) -> str:
    """A message followed by the envs it shows in, as every reporter words it."""
    return f"{message} (envs: {', '.join(envs)})" if envs else message
