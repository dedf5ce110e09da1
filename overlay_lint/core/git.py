"""Read-only git commands (changed-only runs, the pre-commit hook, diffs): one runner.

A read never takes the index lock or rewrites the index of a work tree someone is using
(``--no-optional-locks``), never prompts (``GIT_TERMINAL_PROMPT=0``) and never runs for
more than :data:`TIMEOUT` seconds; callers pass ``--no-ext-diff``/``--no-textconv`` where a
command could run a filter. Every failure is one line naming what needed git.
"""
from __future__ import annotations

import os

from .errors import OverlayLintError

TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    import subprocess

TIMEOUT = 120


def git_process(args: list[str], cwd: str, what: str,
                input_bytes: bytes | None = None) -> subprocess.CompletedProcess:
    """The finished ``git ARGS`` process, whatever its exit code; an error only when git
    cannot run (absent, not executable, over the time limit)."""
    import subprocess   # here: most runs never run git
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        return subprocess.run(["git", "--no-optional-locks", *args], cwd=cwd,
                              input=input_bytes, capture_output=True, timeout=TIMEOUT, env=env)
    except FileNotFoundError:
        raise OverlayLintError(f"{what} needs git, and git is not on PATH") from None
    except subprocess.TimeoutExpired:
        raise OverlayLintError(f"{what}: git {args[0]} took more than {TIMEOUT} s") from None
    except OSError as exc:      # git present but not runnable (permissions, a broken binary)
        raise OverlayLintError(f"{what}: cannot run git: {exc.strerror or exc}") from None


def git(args: list[str], cwd: str, what: str, input_bytes: bytes | None = None) -> bytes:
    """``git ARGS``'s output; a one-line error naming ``what`` when it fails."""
    p = git_process(args, cwd, what, input_bytes)
    if p.returncode != 0:
        raise OverlayLintError(f"{what}: git {args[0]} failed: "
                               f"{last_line(p.stderr) or 'exit code ' + str(p.returncode)}")
    return p.stdout


def last_line(stderr: bytes) -> str:
    """The last line git printed on stderr (its reason), or ''."""
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    return lines[-1] if lines else ""
