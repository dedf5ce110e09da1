"""Linear growth: the full lint's cost and peak memory per service, from 150 to 5,000.

For each size N (default 150, 2000 and 5000) it writes the tree of benchmarks/generate.py
(N services x base + dev/staging/prod, an ``images:`` and a ``replicas:`` entry per
service and overlay) and times ``overlay-lint . --format json`` (discovery, render of the
three envs, every rule, the report) in a child process: the median CPU time (user +
system) and peak resident memory of ``--runs`` runs. The same run times a lint of the
one-service tree (the fixed cost: interpreter, imports, schemas) and subtracts it:

- CPU per service and env: (CPU - fixed CPU) / ((N - 1) x 3), and its ratio to the same
  figure at the smallest size (the target: within 10% at 2,000 and 5,000);
- memory per service: (peak - fixed peak) / (N - 1).

With ``--before DIR`` (a source checkout of another commit, e.g. ``git worktree add
/tmp/before 8ee6be2``), that version runs too, installed the same way (a regular install
in a scratch venv, see bench_render.installed) with the same interpreter and
dependencies, interleaved run by run with this one so that machine load hits both alike,
and the two outputs are compared (they must be the same). The on-disk parse cache is off
(``OVERLAY_LINT_NO_CACHE=1``): this measures the work, not what a previous run saved.

    python benchmarks/linear.py [--sizes 150,2000,5000] [--runs 3] [--before DIR]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_render import ENV, overlay_lint_cmd  # noqa: E402
from generate import ENVS, generate  # noqa: E402


def version_cmds(before: str | None) -> dict[str, tuple[list[str], dict[str, str]]]:
    """``{"after": (command, env), "before": ...}``: the console scripts of regular
    installs of this checkout and of ``before``."""
    out = {"after": (overlay_lint_cmd(), dict(ENV))}
    if before:
        out["before"] = (overlay_lint_cmd(before), dict(ENV))
    return out


def measure(cmd: list[str], cwd: Path, env: dict[str, str],
            out: Path | None = None) -> tuple[float, float, float]:
    """(CPU s, wall s, peak RSS MiB) of one run; its stdout goes to ``out``."""
    t0 = time.perf_counter()
    with open(out or os.devnull, "wb") as fh:
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.PIPE)
        _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace") if p.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {err[-400:]}")
    return ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss / 1024


def medians(rs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs),
            statistics.median(r[2] for r in rs))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="150,2000,5000")
    ap.add_argument("--runs", type=int, default=3, help="runs per size and version")
    ap.add_argument("--before", metavar="DIR", help="source checkout of the version to "
                    "compare with (run from this interpreter)")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    versions = version_cmds(args.before)
    for _, env in versions.values():   # the cost of the work itself, not of a warm cache
        env["OVERLAY_LINT_NO_CACHE"] = "1"
    results: dict[str, dict[int, tuple[float, float, float]]] = {v: {} for v in versions}
    fixed: dict[str, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="ol-linear-") as tmp:
        one = generate(Path(tmp, "tree-1"), 1)
        runs: dict[str, list] = {v: [] for v in versions}
        for i in range(max(args.runs, 5) + 1):     # the first round warms caches
            for v, (cmd, env) in versions.items():
                r = measure(cmd + [".", "--format", "json"], one, env)
                if i:
                    runs[v].append(r)
        fixed = {v: medians(rs) for v, rs in runs.items()}
        for n in sizes:
            tree = generate(Path(tmp, f"tree-{n}"), n)
            runs = {v: [] for v in versions}
            outputs = {}
            for i in range(args.runs + 1):
                for v, (cmd, env) in versions.items():
                    out = Path(tmp, f"out-{v}.json")
                    r = measure(cmd + [".", "--format", "json"], tree, env, out)
                    if i:
                        runs[v].append(r)
                    else:
                        outputs[v] = out.read_bytes()
            if len(set(outputs.values())) > 1:
                print(f"  {n} services: the versions' outputs differ", file=sys.stderr)
            for v, rs in runs.items():
                results[v][n] = medians(rs)
                print(f"  {n} services, {v}: {results[v][n][0]:.2f} s CPU, "
                      f"{results[v][n][2]:.0f} MiB", file=sys.stderr)
            shutil_rmtree(tree)
    envs = len(ENVS)
    print(f"median of {args.runs} interleaved runs; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; fixed cost "
          "(one service): " + ", ".join(f"{v} {f[0] * 1000:.0f} ms CPU, {f[2]:.0f} MiB"
                                         for v, f in fixed.items()) + "\n")
    print("| version | services | CPU s | wall s | ms CPU per service and env "
          "| x the smallest size | peak MiB | KiB per service |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for v, rows in results.items():
        first = None
        for n, (cpu, wall, rss) in rows.items():
            per = (cpu - fixed[v][0]) / ((n - 1) * envs) * 1000
            first = first or per
            kib = (rss - fixed[v][2]) * 1024 / (n - 1)
            print(f"| {v} | {n} | {cpu:.2f} | {wall:.2f} | {per:.3f} | {per / first:.2f} "
                  f"| {rss:.0f} | {kib:.1f} |")
    return 0


def shutil_rmtree(path: Path) -> None:
    import shutil
    shutil.rmtree(path, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
