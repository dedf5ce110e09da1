"""``python -m overlay_lint.report --input RESULT.json --format FMT [--output FILE]``.

Converts the JSON of one ``overlay-lint --format json`` run into another format, so CI can
render once and publish annotations, a job summary and SARIF from the same result.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys
from dataclasses import fields

from ..lint.findings import Finding, LintError, LintResult
from . import FORMATS


def load_json(text: str) -> LintResult:
    """A LintResult from ``--format json`` output (unknown keys are ignored)."""
    data = json.loads(text)
    fnames = {f.name for f in fields(Finding)}
    enames = {f.name for f in fields(LintError)}
    return LintResult(
        findings=[Finding(**{k: v for k, v in d.items() if k in fnames})
                  for d in data.get("findings", [])],
        errors=[LintError(**{k: v for k, v in d.items() if k in enames})
                for d in data.get("errors", [])],
        envs=list(data.get("envs", [])),
        unvalidated=list(data.get("unvalidated", [])),
        suppressed=int(data.get("summary", {}).get("suppressed", 0)),
        baselined=int(data.get("summary", {}).get("baselined", 0)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m overlay_lint.report", description=__doc__,
                                 allow_abbrev=False)
    ap.add_argument("--input", required=True, help="JSON written by overlay-lint --format json")
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--format", choices=FORMATS)
    what.add_argument("--counts", action="store_true",
                      help="print findings=N and errors=N (for $GITHUB_OUTPUT)")
    ap.add_argument("--output", help="write here (appending for markdown) instead of stdout")
    args = ap.parse_args(argv)
    try:
        with open(args.input, encoding="utf-8") as fh:
            result = load_json(fh.read())
    except (OSError, ValueError, TypeError) as exc:
        print(f"{args.input}: cannot read overlay-lint JSON: {exc}", file=sys.stderr)
        return 2
    if args.counts:
        print(f"findings={len(result.findings)}\nerrors={len(result.errors)}")
        return 0
    text = importlib.import_module(f"overlay_lint.report.{args.format}").render(result)
    if args.output:
        # a job summary file is shared by every step: append, never truncate
        with open(args.output, "a" if args.format == "markdown" else "w",
                  encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
