"""``--format sarif``: SARIF 2.1.0, as GitHub code scanning (upload-sarif) reads it."""
from __future__ import annotations

import json
from urllib.parse import quote

from .. import __version__
from ..lint.findings import LintError, LintResult
from . import DOCS_URL, TOOL_NAME, posix_path, rule_ids, rule_metadata, with_envs

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
# partialFingerprints key; bump the suffix if Finding.fingerprint() ever changes meaning.
FINGERPRINT_KEY = "overlayLint/v1"


def _uri(path: str) -> str:
    return quote(posix_path(path), safe="/")


def _location(file: str, line: int | None, col: int | None) -> dict:
    phys: dict = {"artifactLocation": {"uri": _uri(file), "uriBaseId": "%SRCROOT%"}}
    if line:
        phys["region"] = {"startLine": int(line), "startColumn": int(col or 1)}
    return {"physicalLocation": phys}


def _notification(err: LintError) -> dict:
    note: dict = {"level": "error", "message": {"text": err.message if not err.env
                                                else f"{err.message} (env {err.env})"}}
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
            "id": rid,
            "name": "".join(p.capitalize() for p in rid.split("-")),
            "shortDescription": {"text": m.short},
            "fullDescription": {"text": m.full},
            "help": {"text": m.help_text, "markdown": m.help_text},
            "helpUri": m.help_uri,
            "defaultConfiguration": {"level": LEVELS.get(m.level, "error")},
        })
    results = []
    for f in result.findings:
        res: dict = {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVELS.get(f.severity, "warning"),
            "message": {"text": with_envs(f.message, f.envs)},
            "locations": [_location(f.file, f.line, f.col)],
            "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint()},
            "properties": {"envs": list(f.envs)},
        }
        if f.resource:
            res["properties"]["resource"] = f.resource
        if f.field_path:
            res["properties"]["fieldPath"] = f.field_path
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
                "toolExecutionNotifications": [_notification(e) for e in result.errors],
            }],
            "originalUriBaseIds": {"%SRCROOT%": {
                "description": {"text": "The directory overlay-lint ran in"}}},
            "results": results,
            "properties": {"envs": list(result.envs)},
        }],
    }


def render(result: LintResult) -> str:
    """SARIF 2.1.0 JSON text."""
    return json.dumps(to_sarif(result), indent=2) + "\n"
