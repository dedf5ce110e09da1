"""Baseline files: today's findings, recorded so that only new ones are reported.

A finding is identified by ``Finding.fingerprint()`` (rule, file, resource, field path,
value): no line number, so editing lines above a baselined finding does not bring it
back. Counts are kept, so a second identical finding is still reported as new.
"""
from __future__ import annotations

import json
from collections import Counter

from .. import __version__
from ..core.errors import OverlayLintError
from .findings import Finding

VERSION = 1


def write_baseline(path: str, findings: list[Finding]) -> None:
    entries = [{"fingerprint": f.fingerprint(), "rule": f.rule, "file": f.file,
                "resource": f.resource, "message": f.message}
               for f in sorted(findings, key=lambda f: (f.file, f.line, f.rule))]
    doc = {"version": VERSION, "tool": f"overlay-lint {__version__}", "findings": entries}
    try:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=2)
            fh.write("\n")
    except OSError as exc:
        raise OverlayLintError(f"cannot write baseline: {exc.strerror or exc}", path) from None


def read_baseline(path: str) -> Counter:
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise OverlayLintError(f"cannot read baseline: {exc.strerror or exc}", path) from None
    except ValueError as exc:
        raise OverlayLintError(f"baseline is not valid JSON: {exc}", path,
                               getattr(exc, "lineno", None)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise OverlayLintError("not an overlay-lint baseline (expected an object with a "
                               "'findings' list; write one with --write-baseline)", path, 1)
    return Counter(e.get("fingerprint") for e in doc["findings"] if isinstance(e, dict))


def apply_baseline(findings: list[Finding], known: Counter) -> tuple[list[Finding], int]:
    """Findings not in the baseline, and how many were dropped."""
    left = Counter(known)
    out, dropped = [], 0
    for f in findings:
        fp = f.fingerprint()
        if left[fp] > 0:
            left[fp] -= 1
            dropped += 1
        else:
            out.append(f)
    return out, dropped
