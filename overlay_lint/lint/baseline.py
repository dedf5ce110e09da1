"""Baseline files: today's findings, recorded so that only new ones are reported.

A finding is identified by ``Finding.fingerprint()`` (rule, file, resource, field path,
value): no line number, so editing lines above a baselined finding does not bring it
back. Counts are kept, so a second identical finding is still reported as new.
"""
from __future__ import annotations

import json
import os
from collections import Counter

from .. import __version__
from ..core.errors import OverlayLintError
from ..core.paths import write_text
from .findings import Finding

VERSION = 1


def write_baseline(path: str, findings: list[Finding]) -> None:
    entries = [{"fingerprint": f.fingerprint(), "rule": f.rule, "file": f.file,
                "resource": f.resource, "message": f.message}
               for f in sorted(findings, key=lambda f: (f.file, f.line, f.rule))]
    doc = {"version": VERSION, "tool": f"overlay-lint {__version__}", "findings": entries}
    write_text(path, json.dumps(doc, indent=2) + "\n")


MAX_BYTES = 64 * 1024 * 1024     # a baseline of 100,000 findings is about 30 MB


def read_baseline(path: str) -> Counter:
    """The fingerprints a baseline records, with their counts. Anything but a baseline
    (wrong JSON shape, a fingerprint that is not a string, too big, nested too deep) is a
    located :class:`OverlayLintError`, never a crash that loses the run's findings."""
    try:
        if os.path.getsize(path) > MAX_BYTES:
            raise OverlayLintError(f"baseline is larger than {MAX_BYTES // 2**20} MiB; refused",
                                   path)
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh)
    except OSError as exc:
        raise OverlayLintError(f"cannot read baseline: {exc.strerror or exc}", path) from None
    except ValueError as exc:      # JSONDecodeError and UnicodeDecodeError
        raise OverlayLintError(f"baseline is not valid JSON: {exc}", path,
                               getattr(exc, "lineno", None)) from None
    except RecursionError:
        raise OverlayLintError("baseline is nested too deeply to be a baseline", path) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list):
        raise OverlayLintError("not an overlay-lint baseline (expected an object with a "
                               "'findings' list; write one with --write-baseline)", path, 1)
    if doc.get("version", VERSION) != VERSION:
        raise OverlayLintError(f"baseline version {doc.get('version')!r} is not supported "
                               f"(this overlay-lint writes version {VERSION})", path, 1)
    known: Counter = Counter()
    for i, e in enumerate(doc["findings"]):
        fp = e.get("fingerprint") if isinstance(e, dict) else None
        if not isinstance(fp, str) or not 0 < len(fp) <= 128:
            raise OverlayLintError(f"baseline findings[{i}] has no fingerprint string (write "
                                   "the baseline again with --write-baseline)", path)
        known[fp] += 1
    return known


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
