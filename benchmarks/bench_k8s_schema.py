"""What the Kubernetes schema rules cost (a script, not a test).

In one run, on the same machine state:
- ``overlay-lint infra`` on ``../shared/fixtures/aether-clean`` with every rule, the same
  without ``k8s-schema``/``removed-api``/``deprecated-api``, and three ``kubectl kustomize``
  calls (one per overlay): the full lint must stay under a third of kubectl's time;
- the same two lints on trees of N generated services (``benchmarks/generate.py``), to
  show the schema rules' cost per service stays flat (linear growth).

Usage: ``python benchmarks/bench_k8s_schema.py [--sizes 150,500,1000] [--runs 5]``.
Prints Markdown tables (wall and CPU seconds, best of ``--runs``).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_render import CPU, SHARED, best_of, overlay_lint_cmd, run, time_kubectl  # noqa: E402
from generate import generate  # noqa: E402

OFF = "rules:\n  k8s-schema: off\n  removed-api: off\n  deprecated-api: off\n"


def time_lint(root: Path, args: list[str], runs: int) -> tuple[float, float]:
    """(best wall, least CPU) of ``overlay-lint ARGS`` in ``root``."""
    cmd = overlay_lint_cmd() + args

    def once():
        t, p = run(cmd, root)
        CPU["sum"] += CPU["last"]
        if p.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
        return t, p.returncode
    CPU["sum"] = 0.0
    once()  # warm-up
    t, _ = best_of(runs, once)
    return t, CPU["best"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="150,500,1000")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        off = Path(tmp) / "off.yaml"
        off.write_text(OFF)
        out = []
        fixture = SHARED / "fixtures" / "aether-clean"
        if fixture.is_dir():
            full = time_lint(fixture, ["infra"], args.runs)
            without = time_lint(fixture, ["infra", "--config", str(off)], args.runs)
            dirs = sorted(str(p.relative_to(fixture))
                          for p in (fixture / "infra" / "overlays").iterdir() if p.is_dir())
            kc, _ = time_kubectl(fixture, args.runs, dirs)
            kc_cpu = CPU["best"]
            out += ["| aether-clean | wall s | CPU s | share of 3 `kubectl kustomize` (wall) |",
                    "|---|---:|---:|---:|",
                    f"| `overlay-lint infra`, every rule | {full[0]:.3f} | {full[1]:.2f} | "
                    f"{full[0] / kc:.2f} |",
                    f"| the same without the 3 Kubernetes rules | {without[0]:.3f} | "
                    f"{without[1]:.2f} | {without[0] / kc:.2f} |",
                    f"| 3 x `kubectl kustomize` | {kc:.3f} | {kc_cpu:.2f} | 1.00 |", ""]
        out += ["| services | lint, every rule s (CPU) | without the Kubernetes rules s (CPU) "
                "| Kubernetes rules: CPU ms | per service and env: ms |",
                "|---:|---:|---:|---:|---:|"]
        for n in (int(x) for x in args.sizes.split(",")):
            root = generate(Path(tmp) / f"tree{n}", n)
            full = time_lint(root, ["."], args.runs)
            without = time_lint(root, [".", "--config", str(off)], args.runs)
            extra = max(full[1] - without[1], 0.0) * 1000
            out.append(f"| {n} | {full[0]:.2f} ({full[1]:.2f}) | {without[0]:.2f} "
                       f"({without[1]:.2f}) | {extra:.0f} | {extra / (n * 3):.3f} |")
        print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
