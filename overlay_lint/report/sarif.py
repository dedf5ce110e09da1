"""``--format sarif``: SARIF 2.1.0, as GitHub code scanning (upload-sarif) reads it.

Untrusted text (file names, messages quoting YAML values): artifact URIs percent-encode the
file name's bytes, so a non-UTF-8 name is exact; message texts escape ``[`` and ``]`` as
SARIF requires for plain-text messages (a viewer would otherwise render ``[text](url)`` as
an embedded link); strings hold no undecodable bytes (shown ``\\xNN``), so every JSON
reader accepts the log.
"""
from __future__ import annotations

import re
from urllib.parse import quote

from .. import __version__
from ..core.escape import fs_bytes
from ..lint.findings import LintError, LintResult
from . import DOCS_URL, TOOL_NAME, posix_path, rule_ids, rule_metadata, with_envs
from .text import log_safe_json

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# partialFingerprints key; bump the suffix if Finding.fingerprint() ever changes meaning.
FINGERPRINT_KEY = "overlayLint/v1"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _str(text: object) -> str:
    """A JSON string every reader accepts: undecodable bytes (lone surrogates) as ``\\xNN``."""
    s = str(text)
    return _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) & 0xff:02x}"
                          if 0xDC80 <= ord(m.group()) <= 0xDCFF
                          else f"\\u{ord(m.group()):04x}", s)


def _message(text: str) -> dict:
    """A plain-text SARIF message: literal brackets escaped (SARIF 2.1.0, 3.11.6)."""
    s = re.sub(r"\\(?=[\[\]])", r"\\\\", _str(text))   # a backslash before a bracket
    return {"text": s.replace("[", "\\[").replace("]", "\\]")}


def _uri(path: str) -> str:
    return quote(fs_bytes(posix_path(path)), safe="/")


def _location(file: str, line: int | None, col: int | None) -> dict:
    phys: dict = {"artifactLocation": {"uri": _uri(file), "uriBaseId": "%SRCROOT%"}}
    if line:
        phys["region"] = {"startLine": int(line), "startColumn": int(col or 1)}
    return {"physicalLocation": phys}


def _notification(err: LintError, level: str = "error") -> dict:
    text = err.message if not err.env else f"{err.message} (env {err.env})"
    if level == "skipped":
        level, text = "warning", f"{err.env} not checked: {err.message}"
    note: dict = {"level": level, "message": _message(text)}
    if err.file:
        note["locations"] = [_location(err.file, err.line, err.col)]
    return note


def to_sarif(result: LintResult) -> dict:
    """The SARIF log as a plain dict."""
    ids = rule_ids(result)
    meta = rule_metadata(ids)
    index = {rid: i for i, rid in enumerate(ids)}
    rules = []
    for rid in ids:
        m = meta[rid]
        rules.append({
            "id": _str(rid),
            "name": "".join(p.capitalize() for p in rid.split("-")),
            "shortDescription": {"text": _str(m.short)},
            "fullDescription": {"text": _str(m.full)},
            "help": {"text": _str(m.help_text), "markdown": _str(m.help_markdown)},
            "helpUri": _str(m.help_uri),
            "defaultConfiguration": {"level": LEVELS.get(m.level, "error")},
        })
    results = []
    for f in result.findings:
        res: dict = {
            "ruleId": _str(f.rule),
            "ruleIndex": index[f.rule],
            "level": LEVELS.get(f.severity, "warning"),
            "message": _message(with_envs(f.message, f.envs)),
            "locations": [_location(f.file, f.line, f.col)],
            "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint()},
            "properties": {"envs": [_str(e) for e in f.envs]},
        }
        if f.resource:
            res["properties"]["resource"] = _str(f.resource)
        if f.field_path:
            res["properties"]["fieldPath"] = _str(f.field_path)
        results.append(res)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": TOOL_NAME,
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": DOCS_URL.rsplit("/blob/", 1)[0],
                "rules": rules,
            }},
            "invocations": [{
                "executionSuccessful": not result.errors,
                "toolExecutionNotifications": [_notification(e) for e in result.errors]
                + [_notification(s, "skipped") for s in result.skipped]
                + [_notification(w, "warning") for w in result.warnings],
            }],
            "originalUriBaseIds": {"%SRCROOT%": {
                "description": {"text": "The directory overlay-lint ran in"}}},
            "results": results,
            "properties": {"envs": [_str(e) for e in result.envs],
                           "protected": [_str(e) for e in result.protected]},
        }],
    }


def render(result: LintResult) -> str:
    """SARIF 2.1.0 JSON text."""
    return log_safe_json(_strings(to_sarif(result)))


def _strings(doc: object) -> object:
    """Every string of ``doc`` through :func:`_str` (keys included)."""
    if isinstance(doc, dict):
        return {_str(k): _strings(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_strings(v) for v in doc]
    return _str(doc) if isinstance(doc, str) else doc
