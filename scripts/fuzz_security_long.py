#!/usr/bin/env python3
"""The long profile of the security properties (issue 8), one after the other:

- outputs: every format well-formed and injection-free for arbitrary file names and
  values (tests/test_output_fuzz.py, 20,000 results);
- changed-only runs: for random edits of a fixture copy, what a changed-files run reports
  equals the full run on the envs it checks, and nothing the edit brings is missed
  (tests/test_changed.py, 1,000 edits);
- budgets: every generated work-multiplying tree finishes within seconds in bounded memory
  (tests/test_budget_fuzz.py, 200 trees).

usage: nice -n 10 .venv/bin/python scripts/fuzz_security_long.py [-k outputs|changed|budget]
       [--scale F]   (F times the examples of each property: 0.1 is about 15 minutes)
Prints each property's outcome and time; exit status 1 if any failed. About an hour on a
shared 2-core machine; CI runs the quick, deterministic profile of the same tests.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROPERTIES = {
    "outputs": ["tests/test_output_fuzz.py"],
    "changed": ["tests/test_changed.py", "-k", "equals_full_run"],
    "budget": ["tests/test_budget_fuzz.py", "-k", "finishes_within_seconds"],
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", choices=sorted(PROPERTIES), action="append",
                    help="run only this property (repeatable)")
    ap.add_argument("--scale", type=float, default=1.0,
                    help="multiply the number of examples of each property (default 1)")
    args = ap.parse_args()
    env = dict(os.environ, OVERLAY_LINT_FUZZ_PROFILE="long",
               OVERLAY_LINT_FUZZ_SCALE=str(args.scale))
    failed = []
    for name in args.k or list(PROPERTIES):
        start = time.monotonic()
        code = subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                "--hypothesis-show-statistics", *PROPERTIES[name]],
                               cwd=REPO, env=env)
        minutes = (time.monotonic() - start) / 60
        print(f"== {name}: {'ok' if code == 0 else 'FAILED'} in {minutes:.1f} min", flush=True)
        if code != 0:
            failed.append(name)
    print("failed: " + (", ".join(failed) if failed else "none"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
