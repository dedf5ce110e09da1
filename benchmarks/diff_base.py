"""Benchmark: ``overlay-lint diff --base REF`` against a full lint of the same tree.

Generates N services x base + dev/staging/prod with ``benchmarks/generate.py`` in a fresh
git repository (one commit), then makes the pull request: one base change every env
renders (an env var of one service) and one prod-only ``images:`` change, committed on a
branch. Times, in separate processes and the same run:

- lint: ``overlay-lint . --format json``                 (every env rendered and checked)
- diff: ``overlay-lint diff --base main --format json``  (every env the change affects,
  rendered at the merge base and now, compared value by value)

and prints the medians (wall and CPU) and the ratio diff/lint. The target is a ratio below
2: the diff renders each affected env twice (once per commit).

Usage: ``python benchmarks/diff_base.py [--services 150] [--repeat 5]``
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_render import overlay_lint_cmd  # noqa: E402
from generate import generate  # noqa: E402

ENV = {k: v for k, v in os.environ.items()
       if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("GIT_")}
ENV.update(GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
           GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=ENV)


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(args: list[str], cwd: Path) -> tuple[float, float, str]:
    c0, t0 = _cpu(), time.perf_counter()
    p = subprocess.run(overlay_lint_cmd() + args, cwd=cwd, capture_output=True, text=True,
                       env=ENV)
    dt, dc = time.perf_counter() - t0, _cpu() - c0
    if p.returncode not in (0, 1):
        sys.exit(f"overlay-lint {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    return dt, dc, p.stdout


def make_repo(root: Path, services: int) -> None:
    generate(root, services)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    _git(root, "checkout", "-qb", "pr")
    svc = root / "base" / "svc-0007" / "deployment.yaml"
    svc.write_text(svc.read_text().replace("value: info", "value: debug", 1))
    prod = root / "overlays" / "prod" / "kustomization.yaml"
    prod.write_text(prod.read_text().replace("newTag: 1.3.0\n", "newTag: 1.3.1\n", 1))
    _git(root, "commit", "-qam", "pr")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--services", type=int, default=150)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="overlay-lint-diff-bench-") as tmp:
        root = Path(tmp) / "tree"
        make_repo(root, args.services)
        lint_cmd = [".", "--format", "json"]
        diff_cmd = ["diff", "--base", "main", "--format", "json"]
        _run(lint_cmd, root)                      # warm-up: bytecode, disk cache
        _run(diff_cmd, root)
        lint, diff = [], []
        for _ in range(args.repeat):             # interleaved: load changes hit both
            t, c, _ = _run(lint_cmd, root)
            lint.append((t, c))
            t, c, out = _run(diff_cmd, root)
            diff.append((t, c))
        changes = json.loads(out)["changes"]
    lw, lc = statistics.median(t for t, _ in lint), statistics.median(c for _, c in lint)
    dw, dc = statistics.median(t for t, _ in diff), statistics.median(c for _, c in diff)
    envs = sorted({e for c in changes for e in c["envs"]})
    print(f"{args.services} services x base + dev/staging/prod, median of {args.repeat} "
          "runs (wall / CPU seconds; CPU is the steadier figure on a busy machine)")
    print(f"  full lint                        : {lw:6.2f} s wall {lc:6.2f} s CPU")
    print(f"  diff --base                      : {dw:6.2f} s wall {dc:6.2f} s CPU "
          f"(envs {', '.join(envs)})")
    print(f"  ratio diff/lint: {dw / lw:.2f}x wall, {dc / lc:.2f}x CPU "
          f"({len(changes)} changes)")
    if [(c["envs"], c["path"]) for c in changes] != [
            (["dev", "staging", "prod"],
             "spec.template.spec.containers[name=app].env[name=LOG_LEVEL].value"),
            (["prod"], "spec.template.spec.containers[name=app].image")]:
        sys.exit(f"unexpected changes: {json.dumps(changes, indent=2)}")


if __name__ == "__main__":
    main()
