"""``python -m overlay_lint.report --input RESULT.json --format FMT [--output FILE]``.

Converts the JSON of one ``overlay-lint --format json`` run into another format, so CI can
render once and publish annotations, a job summary and SARIF from the same result.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys

from ..core.errors import OverlayLintError
from ..core.escape import shown_path, visible
from ..core.paths import write_text
from ..lint.findings import Finding, LintError, LintResult
from . import FORMATS


class BadResult(ValueError):
    """The JSON is not what ``overlay-lint --format json`` writes."""


_FINDING = {"rule": str, "severity": str, "message": str, "file": str, "line": int,
            "col": int, "envs": list, "resource": str, "field_path": str,
            "value": (str, type(None))}
_ERROR = {"message": str, "file": (str, type(None)), "line": (int, type(None)),
          "col": (int, type(None)), "env": (str, type(None))}


def _record(d: object, shape: dict, required: tuple, where: str) -> dict:
    if not isinstance(d, dict):
        raise BadResult(f"{where} is not an object")
    out = {}
    for k, v in d.items():
        if k not in shape:
            continue            # unknown keys (fingerprint, later additions) are ignored
        if not isinstance(v, shape[k]) or isinstance(v, bool):
            raise BadResult(f"{where}.{k} has the wrong type")
        if isinstance(v, list) and not all(isinstance(x, str) for x in v):
            raise BadResult(f"{where}.{k} must be a list of strings")
        out[k] = v
    missing = [k for k in required if k not in out]
    if missing:
        raise BadResult(f"{where} has no '{missing[0]}'")
    return out


def load_json(text: str) -> LintResult:
    """A LintResult from ``--format json`` output (unknown keys are ignored); raises
    ``ValueError`` for anything else, never a crash."""
    data = json.loads(text)
    if not isinstance(data, dict):
        raise BadResult("expected a JSON object with 'findings' and 'errors'")
    findings, errors = data.get("findings", []), data.get("errors", [])
    envs, summary = data.get("envs", []), data.get("summary", {})
    if not (isinstance(findings, list) and isinstance(errors, list) and isinstance(envs, list)
            and all(isinstance(e, str) for e in envs) and isinstance(summary, dict)):
        raise BadResult("'findings', 'errors' and 'envs' must be lists, 'summary' an object")
    counts = [summary.get(k, 0) for k in ("suppressed", "baselined")]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in counts):
        raise BadResult("summary counts must be integers")
    return LintResult(
        findings=[Finding(**_record(d, _FINDING, ("rule", "severity", "message", "file",
                                                  "line"), f"findings[{i}]"))
                  for i, d in enumerate(findings)],
        errors=[LintError(**_record(d, _ERROR, ("message",), f"errors[{i}]"))
                for i, d in enumerate(errors)],
        envs=list(envs), suppressed=counts[0], baselined=counts[1],
        unvalidated=_unvalidated(data.get("unvalidated", [])),
        protected=_strings(data.get("protected", []), "protected"),
        warnings=_errors(data.get("warnings", []), "warnings"),
        skipped=_errors(data.get("skipped", []), "skipped"))


def _strings(items: object, where: str) -> list[str]:
    if not isinstance(items, list) or not all(isinstance(e, str) for e in items):
        raise BadResult(f"'{where}' must be a list of strings")
    return list(items)


def _errors(items: object, where: str) -> list[LintError]:
    """Warnings and skipped targets: shaped like errors."""
    if not isinstance(items, list):
        raise BadResult(f"'{where}' must be a list")
    return [LintError(**_record(d, _ERROR, ("message",), f"{where}[{i}]"))
            for i, d in enumerate(items)]


def _unvalidated(items: object) -> list[dict]:
    """Kinds no schema covered (k8s-schema): objects naming a kind, apiVersion and envs."""
    if not isinstance(items, list):
        raise BadResult("'unvalidated' must be a list")
    for i, u in enumerate(items):
        if not (isinstance(u, dict) and isinstance(u.get("kind"), str)
                and isinstance(u.get("apiVersion"), str) and isinstance(u.get("envs"), list)
                and all(isinstance(e, str) for e in u["envs"])):
            raise BadResult(f"unvalidated[{i}] must name a kind, apiVersion and envs")
    return list(items)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m overlay_lint.report", description=__doc__,
                                 allow_abbrev=False)
    ap.add_argument("--input", required=True, help="JSON written by overlay-lint --format json")
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--format", choices=FORMATS)
    what.add_argument("--counts", action="store_true",
                      help="print findings=N and errors=N (for $GITHUB_OUTPUT)")
    ap.add_argument("--output", help="write here (appending for markdown) instead of stdout; "
                                     "missing folders are created")
    args = ap.parse_args(argv)
    try:
        with open(args.input, encoding="utf-8") as fh:
            result = load_json(fh.read())
    except (OSError, ValueError, RecursionError) as exc:
        print(f"{shown_path(args.input)}: cannot read overlay-lint JSON: {visible(exc)}",
              file=sys.stderr)
        return 2
    if args.counts:
        print(f"findings={len(result.findings)}\nerrors={len(result.errors)}")
        return 0
    text = importlib.import_module(f"overlay_lint.report.{args.format}").render(result)
    if args.output:
        # a job summary file is shared by every step: append, never truncate
        try:
            write_text(args.output, text, append=args.format == "markdown")
        except OverlayLintError as exc:
            print(str(exc), file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
