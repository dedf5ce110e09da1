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

from .errors import OverlayLintError


def real(path: str) -> str | None:
    """``path`` with every symlink resolved; None when it cannot be resolved (a NUL byte,
    a symlink loop on systems that report one)."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return None


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
    in or below it, else ``path`` itself (its folder, for a file). ``--root`` widens it.
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
    return os.path.realpath(start)


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
