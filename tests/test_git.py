"""core/git.py: the one git runner of changed-only runs, the pre-commit hook and diffs."""
from __future__ import annotations

import shutil
import subprocess

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

