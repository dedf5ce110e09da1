"""``overlay-lint --pre-commit``: one report per pre-commit run, however many files.

pre-commit passes the files of a run as arguments and splits a list longer than a command
line may be (``--all-files`` in a large repository) into several invocations of the hook.
Each would print its own report, and a finding in a base that envs of two invocations
share would show twice. In this mode every invocation works out, from git, the whole set
of files the run is about (not just its own arguments), so all invocations of a run plan
the same check; the first one to claim the run checks and reports, the others exit 0 at
once, silently.

The files of a run: with ``--from-ref``/``--to-ref`` (pre-push hooks, ``pre-commit run
--from-ref A --to-ref B``; pre-commit exports them), the files changed between the two;
when every argument is staged (a commit, ``pre-commit run``), every staged file; otherwise
(``--all-files``, or ``--files`` naming unstaged files), everything.

The claim is a marker file, created atomically, in a private folder of the temporary
directory, named after the pre-commit process (its pid and, where the system says, its
start time) and the plan. When it cannot be created, the invocation checks anyway: a
duplicate report is better than none.
"""
from __future__ import annotations

import os
import stat
import time

from ..core.digest import sha256
from ..core.record import dataclass

STALE_SECONDS = 24 * 3600
REUSE_SECONDS = 600      # without a process start time: an older marker is another run's
SWEEP_SECONDS = 3600     # between two sweeps of old markers
SWEPT = "swept"          # the stamp file: its modification time is the last sweep


@dataclass
class HookPlan:
    changed: list[str] | None    # absolute paths the run is about; None: check everything
    duplicate: bool              # another invocation of this run reports: stay silent
    mode: str                    # range | staged | all


def plan(files: list[str], options: list[str], cwd: str = ".") -> HookPlan:
    """What this invocation of the hook should do. ``options``: the hook's own arguments
    (not the files), so two differently configured hooks of one run are told apart."""
    top = _git(["rev-parse", "--show-toplevel"], cwd).decode("utf-8", "surrogateescape").strip()
    frm, to = os.environ.get("PRE_COMMIT_FROM_REF"), os.environ.get("PRE_COMMIT_TO_REF")
    changed: list[str] | None
    if frm and to:
        mode = "range"
        changed = _names(["diff", "--name-only", "--no-renames", "-z", f"{frm}...{to}", "--"],
                         top)
    else:
        staged = _names(["diff", "--cached", "--name-only", "--no-renames", "-z", "--"], top)
        given = {os.path.normpath(os.path.abspath(f)) for f in files}
        if given <= {os.path.normpath(p) for p in staged}:
            mode, changed = "staged", staged
        else:
            mode, changed = "all", None
    key = "\0".join([mode, top, *options, *(sorted(changed) if changed is not None else [])])
    digest = sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return HookPlan(changed, not _claim(digest), mode)


def _git(args: list[str], cwd: str) -> bytes:
    from ..core.git import git
    return git(args, cwd, "--pre-commit")


def _names(args: list[str], top: str) -> list[str]:
    """Absolute paths of the NUL-separated names a git command prints."""
    return [os.path.normpath(os.path.join(top, n.decode("utf-8", "surrogateescape")))
            for n in _git(args, top).split(b"\0") if n]


def _claim(digest: str) -> bool:
    """True for the first invocation of this run: it creates the marker."""
    folder = _private_folder()
    if folder is None:
        return True
    _sweep(folder)
    ppid = os.getppid()
    started = _start_time(ppid)
    marker = os.path.join(folder, f"{ppid}-{started or 'x'}-{digest}")
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        if started is None and _age(marker) > REUSE_SECONDS:
            os.utime(marker)     # a reused pid long after: another run
            return True
        return False
    except OSError:
        return True
    os.close(fd)
    return True


def _private_folder() -> str | None:
    """``$TMPDIR/overlay-lint-<user>``, ours alone (never a folder someone else made)."""
    uid = os.getuid() if hasattr(os, "getuid") else None
    name = f"overlay-lint-{uid if uid is not None else os.environ.get('USERNAME', 'user')}"
    folder = os.path.join(_temp_dir(), name)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or (uid is not None and st.st_uid != uid):
        return None
    return folder


def _temp_dir() -> str:
    """The folder ``tempfile.gettempdir()`` would choose, without importing tempfile (it
    loads shutil and random: ~5 ms of every invocation, and pre-commit may run several):
    ``$TMPDIR``, ``$TEMP``, ``$TMP``, then ``/tmp``, ``/var/tmp``, ``/usr/tmp``, the first
    folder this user can write to; else the current folder."""
    for var in ("TMPDIR", "TEMP", "TMP"):
        d = os.environ.get(var)
        if d and _writable(d):
            return os.path.abspath(d)
    if os.name != "posix":          # the system's own candidates (Windows): tempfile's
        import tempfile
        return tempfile.gettempdir()
    for d in ("/tmp", "/var/tmp", "/usr/tmp"):
        if _writable(d):
            return d
    return os.getcwd()


def _writable(d: str) -> bool:
    return os.path.isdir(d) and os.access(d, os.W_OK | os.X_OK)


def _start_time(pid: int) -> str | None:
    """The process start time (Linux: field 22 of /proc/PID/stat), to tell a reused pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            text = fh.read()
        return text.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _age(path: str) -> float:
    try:
        return time.time() - os.stat(path).st_mtime
    except OSError:
        return 0.0


def _sweep(folder: str) -> None:
    """Remove markers older than a day (runs leave theirs behind), at most once every
    :data:`SWEEP_SECONDS` (the stamp file's time says when): a scan stats every marker,
    and a busy day leaves hundreds."""
    now = time.time()
    stamp = os.path.join(folder, SWEPT)
    try:
        if 0 <= now - os.stat(stamp).st_mtime < SWEEP_SECONDS:
            return
    except OSError:         # never swept (or unreadable): sweep
        pass
    try:                    # first, so that concurrent invocations do not all sweep
        os.close(os.open(stamp, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                         0o600))
        os.utime(stamp)
    except OSError:
        pass
    try:
        for entry in os.scandir(folder):
            try:
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_SECONDS:
                    os.unlink(entry.path)
            except OSError:
                continue
    except OSError:
        pass
