"""The speed targets of issue 14, each against its comparison, in one run.

Every case runs in child processes, interleaved run by run (so machine load hits each
alike); the median wall and CPU time (user + system of the child) of ``--runs`` runs is
kept, and each target is a ratio of two medians of the same run:

- start-up: ``overlay-lint .`` in an empty folder / ``python -c pass`` (same venv);
  target <= 4x;
- seed size: the full lint of ../shared/fixtures/aether-clean (``overlay-lint infra``) /
  three ``kubectl kustomize`` calls (its three overlays); target <= 0.25x;
- pre-commit: one line of one dev overlay changed in the 150-service tree of
  benchmarks/generate.py, ``overlay-lint . overlays/dev/kustomization.yaml`` (what the
  hook checks) / the full lint ``overlay-lint .``; target <= 0.5x; and the hook as
  pre-commit runs it (the change staged, ``overlay-lint --pre-commit FILE``: the files
  of the run from git, the run's marker), from its own shell each time;
- many dirs: ``overlay-lint render DIR``, one process per dir, over ``--dirs`` corpus dirs
  (../shared/corpus, every n-th of the INDEX) / ``kubectl kustomize DIR`` over the same
  dirs; target <= 0.6x (the sum over the dirs of each run, median of the runs).

Every version runs from a regular install (not the editable one of a developer venv:
see bench_render.installed), and ``python -c pass`` from that install's venv. With
``--before DIR`` (a source checkout of another commit, e.g. ``git worktree add
/tmp/before 8ee6be2``) that version is installed the same way and runs each overlay-lint
case too, interleaved with this one: before and after in the same table. The parse
cache (core/parse_cache.py) is used as the commands use it: in the pre-commit case (the
hook's run; warm after the first round, in a folder of this run), not in a full lint. The
pre-commit ratio is also given with the cache in both runs and in neither.

    python benchmarks/targets.py [--runs 11] [--dirs 40] [--before DIR]
"""
from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_render import ENV, overlay_lint_cmd, python_cmd  # noqa: E402
from generate import generate  # noqa: E402

SHARED = HERE.parent.parent / "shared"


def timed(cmd: list[str], cwd: Path | str, env: dict[str, str]) -> tuple[float, float]:
    """(wall s, CPU s) of one process, output discarded; a failure is said on stderr."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        print(f"  exit {os.waitstatus_to_exitcode(status)}: {' '.join(cmd)} (in {cwd})",
              file=sys.stderr)
    return time.perf_counter() - t0, ru.ru_utime + ru.ru_stime


def corpus_dirs(every: int) -> list[tuple[Path, str]]:
    """(repository folder, dir relative to it) of the corpus dirs kubectl renders
    (INDEX.md: OK; run from the repository folder, as the INDEX was), every ``every``-th."""
    index = SHARED / "corpus" / "INDEX.md"
    out, repo = [], None
    for line in index.read_text().splitlines():
        m = re.match(r"^## (\S+)", line)
        if m:
            repo = m.group(1)
            continue
        m = re.match(r"^\| `([^`]+)` \| \w+ \| \d+ \| \d+ \| (.*) \|$", line.strip())
        if m and repo and m.group(2).startswith("OK"):
            out.append((SHARED / "corpus" / repo, m.group(1)))
    return out[::every]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=11, help="runs of each case (median kept)")
    ap.add_argument("--dirs", type=int, default=40, help="corpus dirs for the many-dirs case")
    ap.add_argument("--before", metavar="DIR", help="source checkout of the version to "
                    "compare with")
    args = ap.parse_args()
    kubectl = shutil.which("kubectl")
    if not kubectl or not SHARED.is_dir():
        sys.exit("needs kubectl on the PATH and ../shared")
    versions = {"after": (overlay_lint_cmd(), dict(ENV))}
    if args.before:
        versions["before"] = (overlay_lint_cmd(args.before), dict(ENV))
    with tempfile.TemporaryDirectory(prefix="ol-targets-") as tmp:
        empty = Path(tmp, "empty")
        empty.mkdir()
        tree = generate(Path(tmp, "tree"), 150)
        dev = tree / "overlays" / "dev" / "kustomization.yaml"
        git_env = dict(ENV, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@b",
                       GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@b")
        for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "tree"]):
            subprocess.run(["git", *cmd], cwd=tree, env=git_env, check=True)
        dev.write_text(dev.read_text().replace("newTag: dev-1.0.0", "newTag: dev-1.0.1"))
        subprocess.run(["git", "add", str(dev)], cwd=tree, env=git_env, check=True)
        clean = SHARED / "fixtures" / "aether-clean"
        overlays = sorted(p.parent for p in (clean / "infra").rglob("kustomization.yaml")
                          if p.parent.parent.name == "overlays")
        all_dirs = corpus_dirs(1)
        dirs = all_dirs[::max(1, len(all_dirs) // args.dirs)][:args.dirs]
        cases: dict[str, list] = {           # name -> [(cmd, cwd, env)] timed as one
            "python -c pass": [(python_cmd() + ["-c", "pass"], empty, ENV)],
            f"kubectl kustomize x{len(overlays)} (aether-clean)":
                [([kubectl, "kustomize", str(o)], clean, ENV) for o in overlays],
            f"kubectl kustomize, {len(dirs)} corpus dirs":
                [([kubectl, "kustomize", d], top, ENV) for top, d in dirs],
        }
        for v, (ol, env) in versions.items():
            cases[f"{v}: overlay-lint . (empty folder)"] = [(ol + ["."], empty, env)]
            cases[f"{v}: overlay-lint infra (aether-clean)"] = [(ol + ["infra"], clean, env)]
            cases[f"{v}: overlay-lint . (150 services)"] = [(ol + ["."], tree, env)]
            # the hook's parse cache (on in --pre-commit runs; here asked for, since
            # --pre-commit takes its files from git)
            hook = dict(env, OVERLAY_LINT_CACHE_DIR=os.path.join(tmp, "parse-cache"))
            cases[f"{v}: overlay-lint . overlays/dev/kustomization.yaml"] = [
                (ol + [".", str(dev)], tree, hook)]
            # as pre-commit runs it: the files from git, the run's marker, the cache on.
            # Each run from its own shell: the marker is per parent process (a second
            # invocation of one pre-commit run exits at once); the shell's CPU is counted
            # with its children's (overlay-lint's and git's)
            hook_cmd = " ".join(shlex.quote(a) for a in ol + ["--pre-commit", str(dev)])
            cases[f"{v}: overlay-lint --pre-commit overlays/dev/kustomization.yaml"] = [
                (["sh", "-c", f"{hook_cmd}; true"], tree, hook)]
            cases[f"{v}: overlay-lint render, {len(dirs)} corpus dirs"] = [
                (ol + ["render", d], top, env) for top, d in dirs]
        ol, env = versions["after"]
        warm = dict(env, OVERLAY_LINT_CACHE_DIR=os.path.join(tmp, "parse-cache"))
        cases["after, parse cache in both: overlay-lint . (150 services)"] = [
            (ol + ["."], tree, warm)]
        cases["after, parse cache in both: overlay-lint . overlays/dev/kustomization.yaml"] = [
            (ol + [".", str(dev)], tree, warm)]
        cases["after, no parse cache: overlay-lint . (150 services)"] = [
            (ol + ["."], tree, env)]
        cases["after, no parse cache: overlay-lint . overlays/dev/kustomization.yaml"] = [
            (ol + [".", str(dev)], tree, env)]
        results: dict[str, list[tuple[float, float]]] = {c: [] for c in cases}
        for i in range(args.runs + 1):        # the first round warms caches, not kept
            for name, procs in cases.items():
                w = c = 0.0
                for cmd, cwd, env in procs:
                    dw, dc = timed(cmd, cwd, env)
                    w, c = w + dw, c + dc
                if i:
                    results[name].append((w, c))
            print(f"  round {i}/{args.runs}", file=sys.stderr)
    med = {n: (statistics.median(w for w, _ in rs), statistics.median(c for _, c in rs))
           for n, rs in results.items()}
    print(f"median of {args.runs} interleaved runs; Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}\n")
    print("| case | wall s | CPU s |")
    print("|---|---:|---:|")
    for n, (w, c) in med.items():
        print(f"| {n} | {w:.3f} | {c:.3f} |")
    print("\n| target | version | ratio wall | ratio CPU | goal |")
    print("|---|---|---:|---:|---:|")
    k3 = f"kubectl kustomize x{len(overlays)} (aether-clean)"
    kd = f"kubectl kustomize, {len(dirs)} corpus dirs"
    for v in [*versions, "after, parse cache in both", "after, no parse cache"]:
        for target, num, den, goal in (
                ("start-up: empty-folder lint / python -c pass",
                 f"{v}: overlay-lint . (empty folder)", "python -c pass", "<= 4"),
                ("seed size: full lint / 3 kubectl calls",
                 f"{v}: overlay-lint infra (aether-clean)", k3, "<= 0.25"),
                ("pre-commit: dev change / full lint (150 services)",
                 f"{v}: overlay-lint . overlays/dev/kustomization.yaml",
                 f"{v}: overlay-lint . (150 services)", "<= 0.5"),
                ("pre-commit as run (--pre-commit: git, marker) / full lint",
                 f"{v}: overlay-lint --pre-commit overlays/dev/kustomization.yaml",
                 f"{v}: overlay-lint . (150 services)", "<= 0.5"),
                ("many dirs: render per dir / kubectl per dir",
                 f"{v}: overlay-lint render, {len(dirs)} corpus dirs", kd, "<= 0.6")):
            if num not in med:
                continue
            print(f"| {target} | {v} | {med[num][0] / med[den][0]:.2f} "
                  f"| {med[num][1] / med[den][1]:.2f} | {goal} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
