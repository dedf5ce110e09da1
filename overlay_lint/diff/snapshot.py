"""A commit's files in a private temporary folder, read from git objects.

``overlay-lint diff --base REF`` and ``overlay-lint --new-since REF`` render the tree of an
older commit. The user's work tree and index are never touched: the files are listed with
``git ls-tree`` and their contents read with ``git cat-file --batch`` (plumbing that reads
objects only; no checkout, no filters, no hooks), then written under a fresh folder only
this user can read, removed afterwards.

The tree is untrusted input (a pull request chose it), so writing it is guarded:

- every path is checked before anything is written: no empty, ``.``, ``..`` or ``.git``
  component, no absolute path; a file is never written through a symlink (each folder on
  the way must be a real folder, files are created with ``O_EXCL | O_NOFOLLOW``);
- symlinks are recreated as they are in the repository, so a render confined to the
  snapshot refuses one that leads out of it exactly as it refuses it in the work tree;
- a blob over the file-size limit (``OVERLAY_LINT_MAX_FILE_BYTES``) becomes an empty sparse
  file of its size, so reading it fails with the same "over the limit" error without the
  bytes ever being read or written; the whole snapshot is bounded too
  (``OVERLAY_LINT_MAX_SNAPSHOT_BYTES``, default 512 MiB; ``…_FILES``, default 200,000);
- the folder is made by ``mkdtemp`` (mode 0700, a fresh random name), in memory
  (``/dev/shm``) when there is room and ``TMPDIR`` is not set;
- submodules are skipped (their commits are not in this repository).

Files are written in batches chosen by the caller (``materialise(predicate)``), so a
render that needs a few folders of a large monorepo does not pay for the rest.
"""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
from typing import Callable

from ..core.errors import OverlayLintError
from ..core.git import git
from ..core.record import dataclass
from ..core.yaml_reader import LIMITS
from ..kustomize.budget import Budget
from ..kustomize.loader import Loader



def _limit(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def resolve_base(ref: str, top: str, what: str) -> str:
    """The commit to compare with: the merge base of ``ref`` and HEAD (what a pull request
    changes, as ``git diff REF...HEAD`` and ``--changed-since`` see it)."""
    if not ref or ref.startswith("-") or "\x00" in ref:
        raise OverlayLintError(f"{what}: '{ref}' is not a git revision")
    commit = git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top,
                 f"{what} {ref}").decode().strip()
    try:
        base = git(["merge-base", commit, "HEAD"], top, f"{what} {ref}").decode().strip()
    except OverlayLintError:
        raise OverlayLintError(
            f"{what} {ref}: no merge base with HEAD; in GitHub Actions check out with "
            "`fetch-depth: 0` so the base commit is there") from None
    return base


def _memory_dir(need: int) -> str | None:
    """``/dev/shm`` when it has room for ``need`` bytes (twice over) and ``TMPDIR`` does not
    say otherwise, else None (the system's temporary folder). A snapshot is hundreds of
    small files written once and read once: on a disk-backed /tmp, creating them can cost
    more than rendering them (1 ms a file on a busy VM disk, 20 µs in memory)."""
    shm = "/dev/shm"
    if os.environ.get("TMPDIR") or not os.path.isdir(shm) or not os.access(shm, os.W_OK):
        return None
    try:
        st = os.statvfs(shm)
    except OSError:
        return None
    return shm if st.f_bavail * st.f_frsize > 2 * need + (64 << 20) else None


@dataclass(frozen=True)
class Entry:
    mode: str
    oid: str
    size: int
    path: str            # repository-relative, '/'-separated

    @property
    def is_link(self) -> bool:
        return self.mode == "120000"


def _bad_component(c: str) -> bool:
    return c in ("", ".", "..") or c.lower() == ".git" or "\x00" in c or "/" in c \
        or "\\" in c


class Snapshot:
    """The files of ``commit`` under ``self.root`` (created empty; see ``materialise``)."""

    def __init__(self, top: str, commit: str) -> None:
        self.top = os.path.realpath(top)
        self.commit = commit
        self.max_bytes = _limit("OVERLAY_LINT_MAX_SNAPSHOT_BYTES", 512 * 1024 * 1024)
        self.max_files = _limit("OVERLAY_LINT_MAX_SNAPSHOT_FILES", 200_000)
        self.entries = self._list()
        self.written: set[str] = set()
        self.bytes = 0
        self.root = os.path.realpath(tempfile.mkdtemp(
            prefix="overlay-lint-base-", dir=_memory_dir(sum(e.size for e in self.entries))))
        # The snapshot is a repository root of its own: the loader's default root and the
        # config lookup stop here, as they stop at the work tree's top.
        with open(os.path.join(self.root, ".git"), "w", encoding="utf-8") as fh:
            fh.write("gitdir: /nonexistent (overlay-lint snapshot)\n")

    # --- paths -----------------------------------------------------------------------
    def path(self, rel: str) -> str:
        """The snapshot path of a repository-relative path."""
        return os.path.join(self.root, *rel.split("/")) if rel else self.root

    def rel(self, path: str) -> str | None:
        """Repository-relative path of a path inside the work tree or the snapshot."""
        for top in (self.root, self.top):
            p = os.path.abspath(path)
            if p == top:
                return ""
            if p.startswith(top + os.sep):
                return os.path.relpath(p, top).replace(os.sep, "/")
        return None

    def to_snapshot(self, path: str) -> str:
        rel = self.rel(path)
        return self.path(rel) if rel is not None else path

    def to_work_tree(self, path: str) -> str:
        """A snapshot path as the same file in the work tree (other paths unchanged)."""
        p = os.path.abspath(path)
        if p == self.root or p.startswith(self.root + os.sep):
            rel = os.path.relpath(p, self.root)
            return self.top if rel == "." else os.path.join(self.top, rel)
        return path

    # --- listing and writing ---------------------------------------------------------
    def _list(self) -> list[Entry]:
        out = git(["ls-tree", "-r", "-z", "-l", "--full-tree", self.commit], self.top,
                  "reading the base commit")
        entries = []
        for rec in out.split(b"\0"):
            if not rec:
                continue
            meta, _, name = rec.partition(b"\t")
            parts = meta.split()
            if len(parts) != 4:
                continue
            mode, kind, oid, size = (p.decode("ascii", "replace") for p in parts)
            if kind != "blob" or mode not in ("100644", "100755", "120000"):
                continue  # submodules (commit), anything odd
            rel = name.decode("utf-8", "surrogateescape")
            if rel.startswith("/") or len(rel) > 4096 or \
                    any(_bad_component(c) for c in rel.split("/")):
                continue
            entries.append(Entry(mode, oid, int(size) if size.isdigit() else 0, rel))
            if len(entries) > self.max_files:
                raise OverlayLintError(f"the base commit lists more than {self.max_files} "
                                       "files (OVERLAY_LINT_MAX_SNAPSHOT_FILES raises it)")
        return entries

    def materialise(self, want: Callable[[Entry], bool]) -> int:
        """Write every entry ``want(entry)`` selects that is not written yet; returns how
        many were written."""
        todo = [e for e in self.entries if e.path not in self.written and want(e)]
        if not todo:
            return 0
        small = [e for e in todo if e.mode != "120000" and e.size <= LIMITS.max_file_bytes]
        self.bytes += sum(e.size for e in small)
        if self.bytes > self.max_bytes:
            raise OverlayLintError(
                f"the files to read at the base commit exceed {self.max_bytes} bytes "
                "(OVERLAY_LINT_MAX_SNAPSHOT_BYTES raises it)")
        links = [e for e in todo if e.mode == "120000"]
        blobs = self._blobs({e.oid for e in small} | {e.oid for e in links})
        for e in todo:
            if e.mode == "120000":
                continue
            self._write(e, blobs.get(e.oid) if e.size <= LIMITS.max_file_bytes else None)
        for e in links:  # last: no file of this batch is written through a new symlink
            target = blobs.get(e.oid, b"")
            if target and b"\0" not in target and len(target) <= 4096:
                self._link(e, target)
        return len(todo)

    def _blobs(self, oids: set[str]) -> dict[str, bytes]:
        if not oids:
            return {}
        order = sorted(oids)
        out = git(["cat-file", "--batch"], self.top, "reading the base commit",
                  ("\n".join(order) + "\n").encode("ascii"))
        blobs: dict[str, bytes] = {}
        pos = 0
        while pos < len(out):
            nl = out.index(b"\n", pos)
            header = out[pos:nl].split()
            pos = nl + 1
            if len(header) != 3:   # "<oid> missing"
                continue
            size = int(header[2])
            blobs[header[0].decode("ascii")] = out[pos:pos + size]
            pos += size + 1
        return blobs

    def _parent(self, e: Entry) -> str | None:
        """The folder to write ``e`` in, created as needed; None when a component of the
        way is a symlink or a file (never write through a link)."""
        d = self.root
        for comp in e.path.split("/")[:-1]:
            d = os.path.join(d, comp)
            try:
                st = os.lstat(d)
            except FileNotFoundError:
                os.mkdir(d, 0o700)
                continue
            if not stat.S_ISDIR(st.st_mode):
                return None
        return d

    def _write(self, e: Entry, data: bytes | None) -> None:
        d = self._parent(e)
        if d is None:
            return
        path = os.path.join(d, e.path.rsplit("/", 1)[-1])
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(path, flags, 0o600)
        except FileExistsError:
            return
        with os.fdopen(fd, "wb") as fh:
            if data is None:
                fh.truncate(e.size)   # over the size limit: the size, never the bytes
            else:
                fh.write(data)
        self.written.add(e.path)

    def _link(self, e: Entry, target: bytes) -> None:
        d = self._parent(e)
        if d is None:
            return
        try:
            os.symlink(os.fsdecode(target), os.path.join(d, e.path.rsplit("/", 1)[-1]))
        except (FileExistsError, ValueError, OSError):
            return
        self.written.add(e.path)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "Snapshot":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SnapshotLoader(Loader):
    """The build loader for a snapshot: reads are confined to the snapshot, and a file the
    change did not touch (``unchanged(work_tree_path)``; same bytes in the work tree) is
    parsed once per process, from the work tree, whose render usually parsed it already.
    Its values then carry work-tree origins, which is how snapshot origins are shown anyway.
    Every read is charged to the run's ``budget`` as the plain loader charges it.
    """

    def __init__(self, snapshot: Snapshot, unchanged: Callable[[str], bool],
                 budget: Budget | None = None) -> None:
        super().__init__(snapshot.root, budget)
        self.snapshot = snapshot
        self.unchanged = unchanged

    def _source(self, path: str) -> str:
        real = os.path.realpath(path)    # a link is judged by the file it leads to
        work = self.snapshot.to_work_tree(real)
        if work != real and self.unchanged(work) and os.path.isfile(work) \
                and not os.path.islink(work):
            return work
        return path
