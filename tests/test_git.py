"""core/git.py: the one git runner of changed-only runs, the pre-commit hook and diffs."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time

import pytest

from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.git import git, git_process

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def test_a_git_command_returns_its_output(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert git(["rev-parse", "--show-toplevel"], str(tmp_path), "test").strip() \
        == str(tmp_path.resolve()).encode()


def test_a_failing_git_command_is_one_line_naming_what_needed_it(tmp_path):
    with pytest.raises(OverlayLintError) as exc:
        git(["rev-parse", "--verify", "no-such-ref"], str(tmp_path), "--base no-such-ref")
    assert exc.value.message.startswith("--base no-such-ref: git rev-parse failed: ")
    assert "\n" not in exc.value.message
    # the process itself is there for callers that read the exit code
    assert git_process(["rev-parse", "--verify", "x"], str(tmp_path), "t").returncode != 0


def test_without_git_on_the_path_the_error_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(OverlayLintError, match="^--pre-commit needs git, and git is not on PATH$"):
        git(["status"], str(tmp_path), "--pre-commit")



def _fake_git(tmp_path, monkeypatch, script: str) -> None:
    """A ``git`` on PATH that runs ``script`` (a POSIX shell script)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "git"
    fake.write_text("#!/bin/sh\n" + script)
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


def test_a_git_that_hangs_is_stopped_at_the_time_limit(tmp_path, monkeypatch):
    _fake_git(tmp_path, monkeypatch, "exec sleep 30\n")
    start = time.monotonic()
    with pytest.raises(OverlayLintError, match=r"^--pre-commit: git status took more than "
                                               r"0\.5 s$"):
        git_process(["status"], str(tmp_path), "--pre-commit", timeout=0.5)
    assert time.monotonic() - start < 10


def test_without_input_git_reads_the_null_device(tmp_path, monkeypatch):
    """Standard input is never the terminal or pipe overlay-lint was given: a git that
    reads it ends at once (a prompt would wait for ever)."""
    _fake_git(tmp_path, monkeypatch, 'cat; echo "args: $*"; echo oops >&2; exit 3\n')
    p = git_process(["status"], str(tmp_path), "t")
    assert (p.returncode, p.stdout, p.stderr) == \
        (3, f"args: -C {tmp_path} --no-optional-locks status\n".encode(), b"oops\n")


def test_large_input_and_output_flow_both_ways(tmp_path):
    """Megabytes in and out at once (``cat-file --batch`` of a diff's base commit): neither
    pipe fills up and blocks the other."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    blob = os.urandom(3 << 20)
    oid = git(["hash-object", "-w", "--stdin"], str(tmp_path), "t", blob).strip()
    assert oid == hashlib.sha1(b"blob %d\0" % len(blob) + blob).hexdigest().encode()
    out = git(["cat-file", "--batch"], str(tmp_path), "t", (oid + b"\n") * 4)
    header = oid + b" blob %d\n" % len(blob)
    assert out == (header + blob + b"\n") * 4
