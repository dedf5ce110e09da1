"""Read-only git commands (changed-only runs, the pre-commit hook, diffs): one runner.

A read never takes the index lock or rewrites the index of a work tree someone is using
(``--no-optional-locks``), never prompts (``GIT_TERMINAL_PROMPT=0``, standard input from
the null device) and never runs for more than :data:`TIMEOUT` seconds; callers pass
``--no-ext-diff``/``--no-textconv`` where a command could run a filter. Every failure is
one line naming what needed git.

git is started with ``posix_spawn`` and its pipes are read here: ``subprocess`` and what it
imports (threading, selectors, signal) cost a pre-commit run ~6 ms, about a tenth of what
the hook itself costs on a small repository. Where ``posix_spawn`` is missing (Windows),
``subprocess`` runs it.
"""
from __future__ import annotations

import os

from .errors import OverlayLintError
from .record import dataclass

TIMEOUT = 120
CHUNK = 1 << 16


@dataclass
class GitResult:
    returncode: int
    stdout: bytes
    stderr: bytes


class _TimedOut(Exception):
    pass


def git_process(args: list[str], cwd: str, what: str,
                input_bytes: bytes | None = None, timeout: float = TIMEOUT) -> GitResult:
    """The finished ``git ARGS`` process, whatever its exit code; an error only when git
    cannot run (absent, not executable, over the time limit)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    # -C: posix_spawn has no working-folder option before Python 3.13; git's own is the same
    argv = ["git", "-C", cwd, "--no-optional-locks", *args]
    try:
        if hasattr(os, "posix_spawnp"):
            return _spawned(argv, env, input_bytes, timeout)
        return _subprocess(argv, env, input_bytes, timeout)
    except FileNotFoundError:
        raise OverlayLintError(f"{what} needs git, and git is not on PATH") from None
    except _TimedOut:
        raise OverlayLintError(f"{what}: git {args[0]} took more than {timeout:g} s") from None
    except OSError as exc:      # git present but not runnable (permissions, a broken binary)
        raise OverlayLintError(f"{what}: cannot run git: {exc.strerror or exc}") from None


def _spawned(argv: list[str], env: dict[str, str], input_bytes: bytes | None,
             timeout: float) -> GitResult:
    import signal
    import time
    deadline = time.monotonic() + timeout
    out_r, out_w = os.pipe()        # not inherited but for the ends dup2 gives the child
    err_r, err_w = os.pipe()
    in_r, in_w = os.pipe() if input_bytes is not None else (-1, -1)
    ours = {fd for fd in (out_r, err_r, in_w) if fd >= 0}      # our ends, open
    stdin = [(os.POSIX_SPAWN_DUP2, in_r, 0)] if input_bytes is not None else \
        [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)]
    try:
        # signals Python ignores (SIGPIPE, SIGXFSZ) back to their default, as subprocess does
        pid = os.posix_spawnp("git", argv, env, file_actions=[
            *stdin, (os.POSIX_SPAWN_DUP2, out_w, 1), (os.POSIX_SPAWN_DUP2, err_w, 2)],
            setsigdef=[getattr(signal, s) for s in ("SIGPIPE", "SIGXFSZ") if hasattr(signal, s)])
    except BaseException:
        _close(ours)
        raise
    finally:
        _close({fd for fd in (out_w, err_w, in_r) if fd >= 0})     # the child's ends
    chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
    try:
        _pump(chunks, in_w, input_bytes or b"", deadline, ours)
        return GitResult(_wait(pid, deadline), b"".join(chunks[out_r]), b"".join(chunks[err_r]))
    except BaseException:
        _kill(pid)
        raise
    finally:
        _close(ours)


def _close(fds: set[int]) -> None:
    for fd in fds:
        os.close(fd)
    fds.clear()


def _pump(chunks: dict[int, list[bytes]], in_w: int, data: bytes, deadline: float,
          ours: set[int]) -> None:
    """Read both outputs to their end while feeding ``data`` to standard input; each fd
    of ``ours`` is closed (and taken out) at its end."""
    import select
    import time
    poller = select.poll()
    for fd in ours:
        poller.register(fd, select.POLLOUT if fd == in_w else select.POLLIN)
    if in_w >= 0:
        os.set_blocking(in_w, False)
    sent = 0
    while ours:
        left = deadline - time.monotonic()
        if left <= 0:
            raise _TimedOut
        for fd, event in poller.poll(max(1, int(left * 1000))):
            if fd == in_w:
                if event & (select.POLLERR | select.POLLHUP):
                    sent = len(data)        # git closed its input: it wants no more
                else:
                    try:
                        sent += os.write(in_w, data[sent:sent + CHUNK])
                    except BlockingIOError:
                        pass
                    except BrokenPipeError:
                        sent = len(data)
                done = sent >= len(data)
            else:
                piece = os.read(fd, CHUNK)
                chunks[fd].append(piece)
                done = not piece            # the end of that output
            if done:
                poller.unregister(fd)
                ours.discard(fd)
                os.close(fd)


def _wait(pid: int, deadline: float) -> int:
    """The exit code of a child whose outputs ended (it is exiting); bounded all the same."""
    import time
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            raise _TimedOut
        time.sleep(0.001)


def _kill(pid: int) -> None:
    import signal
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (OSError, ChildProcessError):   # it ended (and was reaped) already
        pass


def _subprocess(argv: list[str], env: dict[str, str], input_bytes: bytes | None,
                timeout: float) -> GitResult:
    import subprocess
    try:
        p = subprocess.run(argv, input=input_bytes, capture_output=True, timeout=timeout,
                           env=env, stdin=None if input_bytes is not None
                           else subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise _TimedOut from None
    return GitResult(p.returncode, p.stdout, p.stderr)


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
