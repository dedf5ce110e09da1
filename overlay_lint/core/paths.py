"""The lint root, and whether a path lies inside it: what overlay-lint may read.

Nothing outside the root is ever opened. The root is found from the path *as given*,
never from where a symlink points: a pull request controls every symlink below the
repository, so a committed ``infra -> ../../..`` passed as the linted path must not move
the root out of the repository. Then every path is resolved (symlinks included) and must
lie inside the root before anything opens it. The root is never widened silently: paths
that would need a wider root are refused, and ``--root`` is the only way to widen it.

Used by the loader (kustomize/), discovery, config lookup, rule folders and the engine.
"""
from __future__ import annotations

import os
import stat
from .errors import OverlayLintError

# Real paths resolved during one command (None outside one): a lint resolves the same
# folders and files many times, and ``os.path.realpath`` costs an lstat per component.
_resolved: list[dict[str, str | None] | None] = [None]
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)   # a FIFO must not block the open


class resolving_once:
    """For the duration (one command over files that do not change meanwhile), each path
    is resolved once, from its folder's resolution and one lstat of its own name."""

    def __enter__(self) -> None:
        self.outer = _resolved[0]
        if self.outer is None:
            _resolved[0] = {}

    def __exit__(self, *exc: object) -> None:
        _resolved[0] = self.outer


def real(path: str) -> str | None:
    """``path`` with every symlink resolved; None when it cannot be resolved (a NUL byte,
    a symlink loop on systems that report one)."""
    cache = _resolved[0]
    if cache is None:
        return _realpath(path)
    hit = cache.get(path, "")
    if hit != "":
        return hit
    r = cache[path] = _real_from_parent(path, cache)
    return r


def _realpath(path: str) -> str | None:
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return None


def _real_from_parent(path: str, cache: dict[str, str | None]) -> str | None:
    """``os.path.realpath(path)``, from the folder's real path when ``path`` is absolute and
    normal and its last name is no symlink (realpath resolves names left to right: the
    same answer)."""
    parent, name = os.path.split(path)
    if not os.path.isabs(path) or name in ("", ".", "..") or os.path.normpath(path) != path \
            or parent == path or path.count(os.sep) > 64:   # (the recursion stays shallow)
        return _realpath(path)
    top = cache.get(parent, "")
    if top == "":
        top = cache[parent] = _real_from_parent(parent, cache)
    if top is None:
        return _realpath(path)
    joined = os.path.join(top, name)
    try:
        if not stat.S_ISLNK(os.lstat(joined).st_mode):
            return joined
    except FileNotFoundError:
        return joined      # realpath keeps a missing name as it is
    except (OSError, ValueError):
        pass
    return _realpath(path)


def is_inside(root: str, path: str) -> bool:
    """True when ``path``, symlinks resolved, is ``root`` or lies below it.

    ``root`` must be a real path (what :func:`find_root` and :func:`check_root` return).
    A path that cannot be resolved is not inside.
    """
    r = real(path)
    return r is not None and within(r, root)


def within(real_path: str, root: str) -> bool:
    """``real_path`` is ``root`` or below it; both already resolved (no filesystem access)."""
    return real_path == root or real_path.startswith(root.rstrip(os.sep) + os.sep)


def _has_git(d: str) -> bool:
    # lexists: a worktree or submodule has a .git *file*; never look through a symlinked
    # folder (its .git is wherever the link points, not this repository's)
    return not os.path.islink(d) and os.path.lexists(os.path.join(d, ".git"))


def find_root(path: str, cwd: str | None = None) -> str:
    """The lint root for ``path`` when no ``--root`` is given, as a real path.

    The nearest ancestor of ``path`` *as given* (made absolute, not resolved) that holds
    ``.git`` (a folder, or a file for worktrees and submodules; git is not run). A
    symlinked folder on the way is passed over: the ``.git`` a link leads to belongs to
    whatever it points at. Outside a git work tree: the current directory when ``path`` is
    in or below it; else the top folder of ``path``'s own branch below the folder it shares
    with the current directory (``overlay-lint render ../shared/app/overlays/dev`` run in
    ``work/tool`` reads ``work/shared``: an overlay's ``../../base`` renders as with
    kubectl), never that shared folder itself (it could be ``/``), never the current
    directory's side. ``--root`` narrows or widens it.
    """
    cwd = os.path.realpath(cwd or os.getcwd())
    start = os.path.normpath(os.path.join(cwd, path))
    d = start
    while True:
        if _has_git(d):
            return os.path.realpath(d)
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    if within(start, cwd):
        return cwd
    if not os.path.isdir(start):
        start = os.path.dirname(start)
    shared = os.path.commonpath([start, cwd])
    branch = os.path.relpath(start, shared).split(os.sep)[0]
    top = os.path.join(shared, branch)
    # a symlinked folder is never the root's top (it could lead anywhere): stop below it
    while os.path.islink(top) and top != start:
        top = os.path.join(top, os.path.relpath(start, top).split(os.sep)[0])
    return os.path.realpath(top)


def check_root(root: str) -> str:
    """A ``--root`` given by the user, as a real path; an error when it is not a folder."""
    r = real(root)
    if r is None or not os.path.isdir(r):
        raise OverlayLintError("--root: not a directory", root)
    return r


def common_root(paths: list[str], root: str | None = None) -> str:
    """The one root of every path in ``paths`` (``--root`` when given).

    Paths in different repositories are an error, never the folder holding both (that
    could be ``/``): lint them one at a time, or give ``--root``.
    """
    if root is not None:
        return check_root(root)
    roots = sorted({find_root(p) for p in (paths or ["."])})
    if len(roots) > 1:
        raise OverlayLintError(
            f"the linted paths lie in different roots ({', '.join(roots)}); lint them one "
            "at a time, or give --root")
    return roots[0]


def write_text(path: str, text: str, append: bool = False) -> None:
    """Write ``text`` (UTF-8) to ``path``, creating missing folders.

    Inside the current directory (a CI checkout: the pull request's files) nothing is
    written through a symbolic link, into anything but a regular file, or into a folder
    reached through a symbolic link: a committed ``overlay-lint.sarif -> ~/.bashrc`` would
    otherwise have the report overwrite a file outside the repository. Paths outside the
    current directory (``/dev/stdout``, a runner's temporary folder) are the caller's.
    Raises :class:`OverlayLintError` naming the path.
    """
    full = os.path.abspath(path)
    cwd = os.path.realpath(os.getcwd())
    guarded = within(full, cwd) and full != cwd
    try:
        if guarded:
            d = cwd
            for part in os.path.relpath(os.path.dirname(full), cwd).split(os.sep):
                if part in ("", "."):
                    continue
                d = os.path.join(d, part)
                if os.path.islink(d):
                    raise OverlayLintError("cannot write: a folder on the way is a symbolic "
                                           "link; refused", path)
                if not os.path.isdir(d):
                    os.mkdir(d)
        else:
            os.makedirs(os.path.dirname(full), exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
        if guarded:
            # no symlink at the end either; a FIFO without a reader fails instead of blocking
            flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
            if os.path.islink(full):
                raise OverlayLintError("cannot write: it is a symbolic link; refused", path)
        fd = os.open(full, flags, 0o666)
    except OSError as exc:
        raise OverlayLintError(f"cannot write: {exc.strerror or exc}", path) from None
    with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as fh:
        if guarded and not _regular(fh.fileno()):
            raise OverlayLintError("cannot write: not a regular file; refused", path)
        try:
            fh.write(text)
            fh.flush()
        except OSError as exc:
            raise OverlayLintError(f"cannot write: {exc.strerror or exc}", path) from None


def _regular(fd: int) -> bool:
    import stat
    return stat.S_ISREG(os.fstat(fd).st_mode)


def read_head(path: str, limit: int) -> bytes:
    """The first ``limit`` bytes of a regular file (all of a smaller one). Raises OSError,
    also for anything but a regular file (a FIFO is opened without blocking, then refused).

    Plain ``os`` calls, not ``open()``: a lint reads every YAML file of the tree, and the
    file object's set-up costs three system calls more a file (a terminal check, a seek,
    a second stat) and a few microseconds; a small file is read in one call without
    allocating ``limit`` bytes."""
    fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise IsADirectoryError(path) if stat.S_ISDIR(st.st_mode) else \
                OSError(f"not a regular file: {path}")
        want = min(st.st_size + 1, limit)      # one byte over: a file growing since
        first = os.read(fd, want)
        if len(first) < want or want == limit:
            return first                       # at the end (short: the end), or the limit
        chunks, got = [first], want            # it grew since the stat: read on
        while got < limit:
            more = os.read(fd, limit - got)
            if not more:
                break
            chunks.append(more)
            got += len(more)
        return b"".join(chunks)
    finally:
        os.close(fd)
