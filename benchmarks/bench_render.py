"""Time overlay-lint against ``kubectl kustomize`` on generated trees (a script, not a test).

For each size N it generates N services x base + dev/staging/prod (see generate.py), then
times, wall clock and best of a few runs:

- one ``overlay-lint render overlays/dev overlays/staging overlays/prod`` process;
- three ``kubectl kustomize overlays/<env>`` processes, one after the other (what a CI
  job or a pre-commit hook calling Kustomize per environment pays).

It checks that both print the same YAML, and prints a Markdown table plus the growth of
overlay-lint's time per overlay to show it stays linear. With ``--lint`` it also times
the full lint of ``../shared/fixtures/aether-clean`` against kubectl on its overlays.

    python benchmarks/bench_render.py                 # sizes 8,150,500
    python benchmarks/bench_render.py --sizes 8,50 --runs 5
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import ENVS, generate  # noqa: E402

OVERLAYS = [f"overlays/{env}" for env in ENVS]
SHARED = HERE.parents[1] / "shared"


_INSTALLED: dict[str, Path] = {}


def installed(checkout: Path | str = HERE.parent) -> Path:
    """The bin folder of a scratch venv holding ``checkout`` installed as users get it.

    Users run a regular (non-editable) install: pip, pre-commit and the GitHub Action all
    make one. The developer venv's editable install adds an import finder that every
    interpreter start there pays, ``python -c pass`` included (~12 ms: pathlib,
    urllib.parse, ...), which flatters every ratio to the bare interpreter and inflates
    every absolute figure. So each benchmark times a regular install of the checkout,
    made once per benchmark process in a temporary folder (removed at exit). Its
    dependencies are this interpreter's site-packages, put on the path by a path file
    (the ``.pth`` files inside them, the editable finder's among them, do not run)."""
    key = os.path.realpath(checkout)
    if key not in _INSTALLED:
        import atexit
        import site
        import venv
        into = Path(tempfile.mkdtemp(prefix="ol-bench-venv-"))
        atexit.register(shutil.rmtree, into, True)
        venv.create(into, with_pip=False)
        python = into / "bin" / "python"
        purelib = subprocess.run([python, "-c", "import sysconfig; "
                                  "print(sysconfig.get_paths()['purelib'])"],
                                 capture_output=True, text=True, check=True).stdout.strip()
        Path(purelib, "_benchmark_deps.pth").write_text(
            "".join(p + "\n" for p in site.getsitepackages()))
        done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python),
                               "install", "--quiet", "--no-deps", key],
                              capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"installing {key} failed:\n{done.stderr[-2000:]}")
        _INSTALLED[key] = into / "bin"
    return _INSTALLED[key]


def overlay_lint_cmd(checkout: Path | str = HERE.parent) -> list[str]:
    """The console script of a regular install of ``checkout`` (see :func:`installed`)."""
    return [str(installed(checkout) / "overlay-lint")]


def python_cmd(checkout: Path | str = HERE.parent) -> list[str]:
    """The interpreter of that install's venv: the bare start-up users' commands pay."""
    return [str(installed(checkout) / "python")]


CPU = {"last": 0.0}  # CPU seconds (user + sys) of the last run() child


def _child_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


# Children may write compiled bytecode where the environment forbids it (a scratch
# install's own, and the stdlib's), as they do on a user's machine.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess]:
    """Wall seconds of one process; its CPU seconds go to CPU["last"]."""
    c0, t0 = _child_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=ENV)
    wall = time.perf_counter() - t0
    CPU["last"] = _child_cpu() - c0
    return wall, proc


def best_of(runs: int, fn) -> tuple[float, object]:
    """Best wall time of ``runs`` calls of ``fn`` (returning (seconds, result)).

    The least CPU time of those calls goes to CPU["best"] (fn adds up CPU["last"] into
    CPU["sum"]): on a busy machine CPU time is the steadier figure.
    """
    best, result, cpu = float("inf"), None, float("inf")
    for _ in range(runs):
        CPU["sum"] = 0.0
        t, r = fn()
        cpu = min(cpu, CPU["sum"])
        if t < best:
            best, result = t, r
    CPU["best"] = cpu
    return best, result


def time_overlay_lint(tree: Path, runs: int) -> tuple[float, str]:
    cmd = overlay_lint_cmd() + ["render", *OVERLAYS]

    def once():
        t, p = run(cmd, tree)
        CPU["sum"] += CPU["last"]
        if p.returncode != 0:
            raise RuntimeError(f"overlay-lint failed ({p.returncode}): {p.stderr.strip()}")
        return t, p.stdout
    once()  # warm-up: bytecode cache and file cache, as on a developer's machine
    return best_of(runs, once)


def time_kubectl(tree: Path, runs: int, dirs: list[str] = OVERLAYS) -> tuple[float, str]:
    def once():
        total, outs = 0.0, []
        for d in dirs:
            t, p = run(["kubectl", "kustomize", d], tree)
            CPU["sum"] += CPU["last"]
            if p.returncode != 0:
                raise RuntimeError(f"kubectl kustomize {d} failed: {p.stderr.strip()}")
            total += t
            if p.stdout:
                outs.append(p.stdout)
        return total, "---\n".join(outs)
    if runs > 1:
        once()  # warm-up: file cache
    return best_of(runs, once)


def same_output(a: str, b: str) -> bool:
    """Equal as data and document order (PyYAML when installed, else the exact text)."""
    if a == b:
        return True
    try:
        import yaml
    except ImportError:
        return False
    return list(yaml.safe_load_all(a)) == list(yaml.safe_load_all(b))


def bench_size(n: int, runs: int, kubectl_runs: int, workdir: Path) -> dict:
    tree = generate(workdir / f"tree-{n}", n)
    ol, ol_out = time_overlay_lint(tree, runs)
    row = {"n": n, "ol": ol, "ol_cpu": CPU["best"], "kubectl": None, "kc_cpu": None,
           "same": None}
    if shutil.which("kubectl") and kubectl_runs > 0:
        kc, kc_out = time_kubectl(tree, kubectl_runs)
        row.update(kubectl=kc, kc_cpu=CPU["best"], same=same_output(ol_out, kc_out))
    return row


def bench_lint(runs: int) -> dict | None:
    """``overlay-lint infra`` on aether-clean against kubectl on its three overlays."""
    fixture = SHARED / "fixtures" / "aether-clean"
    if not fixture.is_dir():
        print(f"(skipping lint timing: {fixture} not found)", file=sys.stderr)
        return None
    cmd = overlay_lint_cmd() + ["infra"]

    def once():
        t, p = run(cmd, fixture)
        CPU["sum"] += CPU["last"]
        if p.returncode not in (0, 1):
            raise RuntimeError(f"overlay-lint infra failed ({p.returncode}): {p.stderr.strip()}")
        return t, p.returncode
    try:
        once()  # warm-up
        ol, _ = best_of(runs, once)
    except RuntimeError as exc:
        print(f"(skipping lint timing: {exc})", file=sys.stderr)
        return None
    ol_cpu = CPU["best"]
    dirs = sorted(str(p.relative_to(fixture))
                  for p in (fixture / "infra" / "overlays").iterdir() if p.is_dir())
    kc, _ = time_kubectl(fixture, runs, dirs)
    return {"ol": ol, "kubectl": kc, "dirs": dirs, "ol_cpu": ol_cpu, "kc_cpu": CPU["best"]}


def startup(runs: int) -> float:
    """Wall time of ``overlay-lint --version``: interpreter plus the CLI module."""
    run(overlay_lint_cmd() + ["--version"], HERE)
    t, _ = best_of(runs, lambda: run(overlay_lint_cmd() + ["--version"], HERE))
    return t


def report(rows: list[dict], lint: dict | None, start: float) -> str:
    out = ["| services | overlay-lint (3 overlays, 1 process) s | kubectl kustomize (3 calls) s "
           "| speed-up | CPU s: overlay-lint / kubectl | same output |",
           "|---:|---:|---:|---:|---:|:---:|"]
    for r in rows:
        kc = f"{r['kubectl']:.3f}" if r["kubectl"] is not None else "-"
        sp = f"{r['kubectl'] / r['ol']:.1f}x" if r["kubectl"] is not None else "-"
        cpu = f"{r['ol_cpu']:.2f} / " + (f"{r['kc_cpu']:.2f}" if r["kc_cpu"] is not None
                                         else "-")
        same = {True: "yes", False: "NO", None: "-"}[r["same"]]
        out.append(f"| {r['n']} | {r['ol']:.3f} | {kc} | {sp} | {cpu} | {same} |")
    out += ["", "Growth of overlay-lint (start-up of "
            f"{start * 1000:.0f} ms subtracted, per overlay):", "",
            "| services | s per overlay | ms per service | x time vs previous | x services |",
            "|---:|---:|---:|---:|---:|"]
    prev = None
    for r in rows:
        per = max(r["ol"] - start, 1e-9) / len(OVERLAYS)
        growth = f"{per / prev[1]:.2f}" if prev else "-"
        nx = f"{r['n'] / prev[0]:.2f}" if prev else "-"
        out.append(f"| {r['n']} | {per:.3f} | {per / r['n'] * 1000:.2f} | {growth} | {nx} |")
        prev = (r["n"], per)
    if lint:
        out += ["", "| full lint of aether-clean | overlay-lint s | kubectl kustomize s "
                f"({len(lint['dirs'])} overlays) | ratio | CPU s: overlay-lint / kubectl |",
                "|---|---:|---:|---:|---:|",
                f"| `overlay-lint infra` | {lint['ol']:.3f} | {lint['kubectl']:.3f} "
                f"| {lint['ol'] / lint['kubectl']:.2f} "
                f"| {lint['ol_cpu']:.2f} / {lint['kc_cpu']:.2f} |"]
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="8,150,500",
                    help="comma-separated service counts (default 8,150,500)")
    ap.add_argument("--runs", type=int, default=3, help="runs per measurement, best kept")
    ap.add_argument("--kubectl-runs", type=int, default=None,
                    help="runs for kubectl (default: --runs, but 1 above 150 services)")
    ap.add_argument("--no-kubectl", action="store_true", help="time overlay-lint only")
    ap.add_argument("--lint", action="store_true",
                    help="also time `overlay-lint infra` on ../shared/fixtures/aether-clean")
    ap.add_argument("--keep", metavar="DIR", help="generate trees here and keep them")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not shutil.which("kubectl") and not args.no_kubectl:
        print("kubectl not found: timing overlay-lint only", file=sys.stderr)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ol-bench-"))
    rows = []
    try:
        start = startup(args.runs)
        for n in sizes:
            if args.no_kubectl:
                kruns = 0
            elif args.kubectl_runs is not None:
                kruns = args.kubectl_runs
            else:
                kruns = args.runs if n <= 150 else 1  # Kustomize is quadratic: 500 takes minutes
            row = bench_size(n, args.runs, kruns, work)
            rows.append(row)
            print(f"  {n} services: overlay-lint {row['ol']:.3f}s"
                  + (f", kubectl {row['kubectl']:.3f}s" if row["kubectl"] else ""),
                  file=sys.stderr)
        lint = bench_lint(args.runs) if args.lint else None
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"overlay-lint start-up (`--version`): {start * 1000:.0f} ms; "
          f"{os.cpu_count()} CPUs; Python {sys.version.split()[0]}\n")
    print(report(rows, lint, start))
    return 1 if any(r["same"] is False for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
