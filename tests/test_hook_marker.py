"""``--pre-commit``'s one report per run: the first invocation of a pre-commit run (same
parent process, same plan) claims the run with a marker in ``$TMPDIR/overlay-lint-<uid>``
and reports; the next ones exit 0 silently. Real git repository, real processes."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(GIT is None, reason="git is not installed")

RUN = textwrap.dedent("""
    import contextlib, io, sys
    from overlay_lint.cli import main
    out = io.StringIO()
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
    print(repr([code, "tempfile" in sys.modules, "shutil" in sys.modules, out.getvalue()]))
""")


def _repo(tmp_path: Path, revisions: int = 3) -> Path:
    repo = tmp_path / "repo"
    (repo / "base").mkdir(parents=True)
    (repo / "base" / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (repo / "base" / "deployment.yaml").write_text(textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          revisionHistoryLimit: REVISIONS
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec: {containers: [{name: web, image: "example.com/web:1.0"}]}
        """).replace("REVISIONS", str(revisions)))
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    for cmd in (["init", "-q"], ["add", "-A"]):
        subprocess.run([GIT, *cmd], cwd=repo, env=env, check=True, capture_output=True)
    return repo


def _hook(repo: Path, tmpdir: Path) -> list:
    env = {k: v for k, v in os.environ.items() if k not in ("TEMP", "TMP")}
    env["TMPDIR"] = str(tmpdir)
    env["OVERLAY_LINT_NO_CACHE"] = "1"
    p = subprocess.run([sys.executable, "-c", RUN, "--pre-commit", "base/deployment.yaml"],
                       cwd=repo, env=env, capture_output=True, text=True, check=True)
    return eval(p.stdout.strip().splitlines()[-1])   # a list of literals we printed


def _markers(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.name != "swept")


def test_first_invocation_reports_the_next_is_silent(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    code, has_tempfile, has_shutil, out = _hook(repo, tmpdir)
    assert code == 0 and "0 findings" in out, out
    # the temporary folder is found without them (a failing declarative rule would load
    # jsonschema, which loads tempfile: not here, every rule passes)
    assert not has_tempfile and not has_shutil
    uid = os.getuid() if hasattr(os, "getuid") else None
    folder = tmpdir / f"overlay-lint-{uid}"
    assert folder.is_dir() and _markers(folder) == 1
    code, _, _, out = _hook(repo, tmpdir)            # same parent (this test), same plan
    assert code == 0 and out == "", out


def test_a_tmpdir_that_cannot_be_used_falls_back(tmp_path: Path) -> None:
    """``$TMPDIR`` naming no folder: the system's temporary folder, as tempfile does; the
    run still reports."""
    repo = _repo(tmp_path, revisions=10)
    code, _, _, out = _hook(repo, tmp_path / "missing")
    assert code == 1 and "revisionHistoryLimit is 10" in out, out
    assert not (tmp_path / "missing").exists()


def test_old_markers_are_swept_at_most_once_an_hour(tmp_path: Path) -> None:
    """Markers a day old go, but a run scans the folder only when the last sweep is an
    hour old: a run's cost does not grow with the markers a busy day leaves."""
    repo = _repo(tmp_path)
    tmpdir = tmp_path / "tmp"
    folder = tmpdir / f"overlay-lint-{os.getuid() if hasattr(os, 'getuid') else None}"
    folder.mkdir(parents=True, mode=0o700)
    day_old = os.path.getmtime(folder) - 25 * 3600
    stale = folder / "1-x-stale"
    stale.write_text("")
    os.utime(stale, (day_old, day_old))
    _hook(repo, tmpdir)                     # never swept: sweeps
    assert not stale.exists() and (folder / "swept").is_file()
    stale.write_text("")
    os.utime(stale, (day_old, day_old))
    _hook(repo, tmpdir)                     # swept just now: the folder is not scanned
    assert stale.exists()
    hours_ago = os.path.getmtime(folder / "swept") - 2 * 3600
    os.utime(folder / "swept", (hours_ago, hours_ago))
    _hook(repo, tmpdir)
    assert not stale.exists()
