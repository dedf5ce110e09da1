"""What a set of rules costs in a full lint (a script, not a test).

Generates the N-service tree of generate.py, then times ``overlay-lint .`` with every rule
and with the given rules switched off (a config file with ``rules: {RULE: false}``), the
two interleaved run by run in the same process tree so machine load hits both alike. Keeps
the best wall time and the best CPU time (user + system) of each, and prints a Markdown
table with the growth.

    python benchmarks/bench_rules.py                       # the silent no-op rules, 150 services
    python benchmarks/bench_rules.py --sizes 150,500 --runs 7
    python benchmarks/bench_rules.py --rules k8s-schema
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_render import ENV, overlay_lint_cmd  # noqa: E402
from generate import generate  # noqa: E402

NOOP_RULES = ("patch-no-match", "patch-no-effect", "unused-image-override",
              "replacement-no-target", "unreferenced-manifest", "deprecated-kustomize-field",
              "duplicate-key")


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall s, CPU s) of one lint run; exit 0 or 1 (findings) is expected."""
    c0, t0 = _cpu(), time.perf_counter()
    p = subprocess.run(cmd, cwd=cwd, env=ENV, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    wall, cpu = time.perf_counter() - t0, _cpu() - c0
    if p.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr[-500:]}")
    return wall, cpu


def measure(n: int, rules: list[str], runs: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / f"tree{n}"
        generate(root, n)
        off = Path(tmp) / "off.yaml"
        off.write_text("rules:\n" + "".join(f"  {r}: false\n" for r in rules))
        base = [*overlay_lint_cmd(), ".", "--format", "json"]
        cmds = {"with": base, "without": [*base, "--config", str(off)]}
        for cmd in cmds.values():          # warm-up (bytecode, page cache)
            timed(cmd, root)
        best = {k: [float("inf"), float("inf")] for k in cmds}
        for _ in range(runs):
            for k, cmd in cmds.items():
                wall, cpu = timed(cmd, root)
                best[k][0] = min(best[k][0], wall)
                best[k][1] = min(best[k][1], cpu)
        return best


def in_process(n: int, rules: list[str], runs: int) -> tuple[float, float]:
    """(CPU s of the whole lint, CPU s spent in ``rules``' checks), best of ``runs``, in this
    process: every rule's check is timed where the engine calls it, so the figure is the
    rules' own cost, free of start-up and of the noise between processes."""
    from overlay_lint.lint.config import load_config
    from overlay_lint.lint.engine import LintOptions, lint
    from overlay_lint.lint.registry import load_rules
    spent: dict[str, float] = {}

    def timed_check(rule_id, check):
        def run(ctx):
            t0 = time.process_time()
            out = list(check(ctx))
            spent[rule_id] = spent.get(rule_id, 0.0) + time.process_time() - t0
            return out
        return run

    best_all, best_rules = float("inf"), float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        root = str(generate(Path(tmp) / f"tree{n}", n))
        cfg = load_config(root, None, root)
        checked = load_rules(cfg)
        for r in checked:
            r.check = timed_check(r.id, r.check)
        lint([root], cfg, checked, LintOptions(root=root))       # warm-up
        for _ in range(runs):
            spent.clear()
            t0 = time.process_time()
            lint([root], cfg, checked, LintOptions(root=root))
            best_all = min(best_all, time.process_time() - t0)
            best_rules = min(best_rules, sum(spent.get(r, 0.0) for r in rules))
    return best_all, best_rules


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="150", help="numbers of services (comma-separated)")
    ap.add_argument("--runs", type=int, default=5, help="interleaved runs, best kept")
    ap.add_argument("--rules", default=",".join(NOOP_RULES),
                    help="the rules whose cost is measured (comma-separated)")
    args = ap.parse_args()
    rules = [r for r in args.rules.split(",") if r]
    print(f"rules measured: {', '.join(rules)}\n")
    print("| services | lint without them s (CPU s) | lint with them s (CPU s) | growth wall | "
          "growth CPU |")
    print("|---:|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        b = measure(n, rules, args.runs)
        (w0, c0), (w1, c1) = b["without"], b["with"]
        print(f"| {n} | {w0:.3f} ({c0:.2f}) | {w1:.3f} ({c1:.2f}) | "
              f"{(w1 / w0 - 1) * 100:+.1f}% | {(c1 / c0 - 1) * 100:+.1f}% |")
    print("\nIn one process, each rule's check timed where the engine calls it:\n")
    print("| services | full lint CPU ms | in these rules ms | share |")
    print("|---:|---:|---:|---:|")
    for n in (int(s) for s in args.sizes.split(",")):
        total, mine = in_process(n, rules, args.runs)
        print(f"| {n} | {total * 1000:.0f} | {mine * 1000:.1f} | {mine / total * 100:.1f}% |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
