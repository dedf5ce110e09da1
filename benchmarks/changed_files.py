"""Benchmark: a one-file change in dev re-renders only dev (the pre-commit path).

Generates N services x base + dev/staging/prod with ``benchmarks/generate.py``, changes one
line of the dev overlay, then times, in separate processes as a hook would run:

- full:    ``overlay-lint ROOT --format json``                (every env)
- changed: ``overlay-lint ROOT ROOT/overlays/dev/kustomization.yaml --format json``
           (what pre-commit runs for that staged file)

and the in-process cost of the pre-check alone (discovery + selection, no rendering).
Prints the envs each run checked (from the JSON ``envs``) and the time saved.

Usage: ``python benchmarks/changed_files.py [--services 150] [--repeat 3]``
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
from generate import generate  # noqa: E402  (the renderer benchmark's tree generator)


# An installed package has its bytecode compiled; let the runs cache theirs too (some CI
# images set PYTHONDONTWRITEBYTECODE, which would add recompiling to every run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _run(args: list[str], cwd: Path) -> tuple[float, float, list[str]]:
    """(wall seconds, CPU seconds, envs checked) of one overlay-lint process."""
    c0, t0 = _cpu(), time.perf_counter()
    p = subprocess.run(overlay_lint_cmd() + args + ["--format", "json"], cwd=cwd,
                       capture_output=True, text=True, env=ENV)
    dt, dc = time.perf_counter() - t0, _cpu() - c0
    if p.returncode not in (0, 1):
        sys.exit(f"overlay-lint {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
    return dt, dc, json.loads(p.stdout).get("envs", [])


def _precheck_seconds(root: Path, changed: Path) -> tuple[float, list[str]]:
    from overlay_lint.lint.selection import select_targets
    from overlay_lint.lint.config import Config
    from overlay_lint.lint.discovery import discover
    t0 = time.perf_counter()
    sel = select_targets(discover([str(root)], Config()), [str(changed)])
    return time.perf_counter() - t0, sel.names


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--services", type=int, default=150)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="overlay-lint-changed-") as tmp:
        root = Path(tmp) / "tree"
        generate(root, args.services)
        dev = root / "overlays" / "dev" / "kustomization.yaml"
        text = dev.read_text()
        dev.write_text(text.replace("newTag: dev-1.7.0", "newTag: dev-1.7.1", 1))  # one line
        assert dev.read_text() != text
        rel_dev = os.path.relpath(dev, root)
        _run(["."], root)                                  # warm-up: bytecode, disk cache
        full, changed = [], []
        for _ in range(args.repeat):
            t, c, full_envs = _run(["."], root)
            full.append((t, c))
            t, c, changed_envs = _run([".", rel_dev], root)
            changed.append((t, c))
        os.chdir(root)
        pre, pre_names = _precheck_seconds(root, dev)
    f, c = (statistics.median(t for t, _ in full), statistics.median(t for t, _ in changed))
    fc, cc = (statistics.median(x for _, x in full), statistics.median(x for _, x in changed))
    print(f"{args.services} services x base + dev/staging/prod, median of {args.repeat} runs "
          "(wall / CPU seconds; CPU is the steadier figure on a busy machine)")
    print(f"  full run      ({', '.join(full_envs)}): {f:6.2f} s wall {fc:6.2f} s CPU")
    print(f"  one dev file  ({', '.join(changed_envs)}): {c:6.2f} s wall {cc:6.2f} s CPU")
    print(f"  pre-check alone (discovery + selection, in process): {pre * 1000:.0f} ms "
          f"-> {', '.join(n or 'loose manifests' for n in pre_names)}")
    print(f"  saved: {f - c:.2f} s wall ({(1 - c / f) * 100:.0f}% less, {f / c:.1f}x faster), "
          f"{fc - cc:.2f} s CPU ({(1 - cc / fc) * 100:.0f}% less)")
    if changed_envs != ["dev"]:
        sys.exit(f"expected only dev to be checked, got {changed_envs}")


if __name__ == "__main__":
    main()
