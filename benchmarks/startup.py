"""Start-up: overlay-lint's quick commands against ``python -c pass`` in the same venv.

A pre-commit hook pays start-up on every commit. This times, interleaved run by run so
that machine load hits every command alike, ``--runs`` runs of each (default 21) and
prints the median wall and CPU time (user + system of the child) and each one's ratio to
the bare interpreter started from the same venv. Both run from a regular install of this
checkout in a scratch venv (see bench_render.installed): a developer venv's editable
install adds an import finder that every start there pays, ``python -c pass`` too.

- ``python -c pass``
- ``overlay-lint --version``, ``--help``, ``rules``, ``explain revision-history-limit``
- ``overlay-lint .`` in an empty folder (the target: within 4x the interpreter)
- ``overlay-lint render`` of a one-file kustomization

and, for each, whether it imported anything heavy (the YAML parser, jsonschema, the
renderer, the differ, the Kubernetes schemas).

    python benchmarks/startup.py [--runs 21]
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
from bench_render import ENV, overlay_lint_cmd, python_cmd  # noqa: E402

HEAVY = ("jsonschema", "ruamel", "overlay_lint.core.yaml_reader", "overlay_lint.kustomize.build",
         "overlay_lint.diff", "overlay_lint.lint.k8s")


def timed(cmd: list[str], cwd: str) -> tuple[float, float]:
    """(wall s, CPU s) of one process."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {os.waitstatus_to_exitcode(status)}")
    return wall, ru.ru_utime + ru.ru_stime


def heavy_imports(args: list[str], cwd: str) -> list[str]:
    code = ("import sys, io, contextlib\nfrom overlay_lint.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), "
            "contextlib.redirect_stderr(io.StringIO()):\n"
            f"    try: main({args!r})\n    except SystemExit: pass\n"
            "print(' '.join(sorted(sys.modules)))")
    out = subprocess.run(python_cmd() + ["-c", code], cwd=cwd, env=ENV, capture_output=True,
                         text=True).stdout.split()
    return sorted({h for h in HEAVY for m in out if m == h or m.startswith(h + ".")})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=21, help="runs of each command (median kept)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ol-startup-") as tmp:
        empty = os.path.join(tmp, "empty")
        one = os.path.join(tmp, "one")
        os.makedirs(empty)
        os.makedirs(one)
        Path(one, "kustomization.yaml").write_text("resources: [cm.yaml]\n")
        Path(one, "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                        "  name: c\ndata:\n  a: b\n")
        ol = overlay_lint_cmd()
        cases = [
            ("python -c pass", python_cmd() + ["-c", "pass"], empty, None),
            ("overlay-lint --version", ol + ["--version"], empty, ["--version"]),
            ("overlay-lint --help", ol + ["--help"], empty, ["--help"]),
            ("overlay-lint rules", ol + ["rules"], empty, ["rules"]),
            ("overlay-lint explain revision-history-limit",
             ol + ["explain", "revision-history-limit"], empty,
             ["explain", "revision-history-limit"]),
            ("overlay-lint . (empty folder)", ol + ["."], empty, ["."]),
            ("overlay-lint render DIR (one ConfigMap)", ol + ["render", one], tmp,
             ["render", one]),
        ]
        results: dict[str, list[tuple[float, float]]] = {c[0]: [] for c in cases}
        for i in range(args.runs + 1):          # the first round warms caches, not kept
            for name, cmd, cwd, _ in cases:
                r = timed(cmd, cwd)
                if i:
                    results[name].append(r)
        imports = {name: heavy_imports(a, cwd) for name, _, cwd, a in cases if a is not None}
    med = {n: (statistics.median(w for w, _ in rs), statistics.median(c for _, c in rs))
           for n, rs in results.items()}
    w0, c0 = med["python -c pass"]
    print(f"median of {args.runs} interleaved runs; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    print("| command | wall ms | CPU ms | x python -c pass (wall / CPU) | heavy imports |")
    print("|---|---:|---:|---:|---|")
    for name, (w, c) in med.items():
        heavy = ", ".join(imports.get(name, [])) or ("none" if name in imports else "-")
        print(f"| `{name}` | {w * 1000:.0f} | {c * 1000:.0f} | {w / w0:.2f} / {c / c0:.2f} "
              f"| {heavy} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
