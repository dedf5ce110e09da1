#!/usr/bin/env python3
"""The long fuzz profile (>= 10,000 cases): every failure is collected instead of stopping at
the first, and the outcome counts are printed and written as JSON.

usage: scripts/fuzz_long.py [--out fuzz-long.json] [--cases N] [-k pytest expression]
Run it niced on a shared machine: `nice -n 10 .venv/bin/python scripts/fuzz_long.py`.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(REPO / "fuzz-long.json"))
    ap.add_argument("--cases", type=int, default=None,
                    help="about N cases instead of 14,000 (the four tests scaled alike)")
    ap.add_argument("-k", default=None, help="pytest -k expression (a subset of the tests)")
    args = ap.parse_args()
    env = dict(os.environ, OVERLAY_LINT_FUZZ_PROFILE="long", OVERLAY_LINT_FUZZ_COLLECT="1",
               OVERLAY_LINT_FUZZ_STATS=args.out)
    if args.cases:
        env["OVERLAY_LINT_FUZZ_CASES"] = str(args.cases)
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           str(REPO / "tests" / "test_fuzz.py")]
    if args.k:
        cmd += ["-k", args.k]
    start = time.monotonic()
    code = subprocess.call(cmd, cwd=REPO, env=env)
    minutes = (time.monotonic() - start) / 60
    try:
        report = json.loads(Path(args.out).read_text())
    except (OSError, ValueError):
        print("no stats written", file=sys.stderr)
        return code or 1
    stats = report["stats"]
    print(f"\nlong fuzz: {stats.get('cases', 0)} cases in {minutes:.1f} min")
    for k, v in sorted(stats.items(), key=lambda kv: -kv[1]):
        print(f"  {v:7d}  {k}")
    for f in report["failures"][:50]:
        print("FAILURE:", f["what"][:300])
    if report["failures"]:
        print(f"{len(report['failures'])} failures, inputs in {args.out}")
    return 1 if report["failures"] or code else 0


if __name__ == "__main__":
    sys.exit(main())
