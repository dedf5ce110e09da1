"""File access for a build: Kustomize's load restrictions plus overlay-lint's safety rules.

Security model (see docs/security.md):

- Nothing outside the *lint root* is ever opened: every path a build names is resolved
  (symlinks included) before it is checked, and a path that lands outside the root is
  refused with the ``file:line`` that named it. The root is ``--root`` or
  :func:`default_root` of the linted path.
- Remote resources (URLs, git repositories) are refused with their ``file:line``;
  nothing is fetched.
- Files named by a kustomization (resources, patches, generator sources) must be in or
  below that kustomization's directory, as with Kustomize's default load restrictor
  (``LoadRestrictionsRootOnly``); a loader made with ``restrict=False`` reads them anywhere
  inside the lint root, as ``--load-restrictor LoadRestrictionsNone`` (and Flux, which
  always builds so) does. Directories (bases, components) may be elsewhere inside the root, never absolute.
- Only regular files are read (never a FIFO or device that could block or stream).
"""
from __future__ import annotations

import os
import re
import stat

from ..core.errors import at, display_path, unsupported
from ..core.lazy_pattern import LazyPattern
from ..core.node import Node, Origin
from ..core.paths import find_root, real
from ..core.yaml_reader import (load_file_counted, load_file_owned, load_kustomization_file,
                                parse_documents, read_text)
from .budget import Budget

TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    from typing import Callable

# What Kustomize's git.NewRepoSpecFromURL accepts as a repository (plus plain URLs,
# which its file loader fetches over HTTP): a scheme, the go-getter ``git::`` prefix,
# an SCP-style ``user@host:`` or a GitHub host.
_REMOTE = LazyPattern(
    r"^(?:[a-z][a-z0-9+.-]*://|git::|[a-z][a-z0-9-]*@|github\.com[/:]|gh:)", re.IGNORECASE)


def is_remote(path: str) -> bool:
    """True when Kustomize would fetch ``path`` from the network."""
    # every form of the pattern holds a ':' or '@' but "github.com/" (any case): the
    # pattern, compiled on first use, is tried only where it may match
    if ":" in path or "@" in path or (path[6:7] == "." and path[10:11] == "/"):
        if _REMOTE.match(path):
            return True
    return "?ref=" in path or ".git//" in path


def default_root(path: str) -> str:
    """The lint root for ``path`` when no ``--root`` is given: see
    :func:`overlay_lint.core.paths.find_root` (found from the path as given, never from
    where a symlink points; never wider than the repository or the current directory)."""
    return find_root(path)


def _within(real: str, top: str) -> bool:
    return real == top or top == os.sep or real.startswith(top + os.sep)


def _realpath(path: str, origin: Origin | None, shown: str | None) -> str:
    """``path`` resolved, or a located error naming it as ``shown`` (None: as the user
    sees ``path``, worked out only then)."""
    resolved = real(path)   # resolved once per command (core/paths.py)
    if resolved is not None:
        return resolved
    try:
        return os.path.realpath(path)
    except (OSError, ValueError) as exc:  # symlink loops on strict systems, odd bytes
        raise at(origin, f"cannot resolve path '{shown or display_path(path)}': {exc}"
                 ) from None


class Loader:
    """Resolves and reads the files and directories a build names."""

    def __init__(self, root: str | None = None, budget: Budget | None = None,
                 restrict: bool = True) -> None:
        # root: nothing outside it is ever read (None: no confinement, e.g. library use)
        self.root = os.path.realpath(root) if root else None
        # restrict: Kustomize's load restrictor (LoadRestrictionsRootOnly); False is
        # LoadRestrictionsNone, files anywhere in the root (never outside it)
        self.restrict = restrict
        # budget: shared by every build of a run (lint: every env); None: this build's own
        self.budget = budget if budget is not None else Budget()
        self.files_read: set[str] = set()  # every file a build read (for changed-file runs)
        # path -> real path: a build resolves the same files and directories many times
        self._reals: dict[str, str] = {}

    def _real(self, path: str, origin: Origin | None, shown: str) -> str:
        real = self._reals.get(path)
        if real is None:
            real = self._reals[path] = _realpath(path, origin, shown)
        return real

    # --- checks ---------------------------------------------------------------------------
    def _confine(self, real: str, shown: str, origin: Origin | None) -> None:
        if self.root is not None and not _within(real, self.root):
            raise at(origin, f"'{shown}' resolves outside the lint root {self.root}; refused "
                             "(set --root to widen it)")

    def check_inside(self, path: str, origin: Origin | None = None) -> str:
        """``path`` itself (a build directory, a kustomization file) must lie in the root."""
        if origin is None:
            origin = Origin(path, 0, 0)
        real = self._reals.get(path)
        if real is None:
            real = self._reals[path] = _realpath(path, origin, None)
        if self.root is not None and not _within(real, self.root):
            self._confine(real, display_path(path), origin)
        return real

    def _check_text(self, rel: object, origin: Origin | None, what: str) -> str:
        if type(rel) is not str:
            raise at(origin, f"{what} path must be a string")
        if not rel.strip():
            raise at(origin, f"{what} path is empty")
        if "\x00" in rel:
            raise at(origin, f"{what} path contains a NUL character")
        if len(rel) > 4096:
            raise at(origin, f"{what} path is longer than 4096 characters")
        if is_remote(rel):
            raise unsupported(origin, f"remote {what} '{rel}' is not supported: overlay-lint "
                                      "never fetches from the network", "remote")
        return rel

    # --- resolution -----------------------------------------------------------------------
    def resolve(self, base_dir: str, rel: str, origin: Origin | None, what: str) -> str:
        """Absolute path of ``rel`` relative to ``base_dir`` (no restriction on its kind),
        refused when it is remote or resolves outside the lint root."""
        return self._resolve(base_dir, rel, origin, what)[0]

    def _resolve(self, base_dir: str, rel: str, origin: Origin | None,
                 what: str) -> tuple[str, str]:
        """``resolve`` plus the real path it checked (callers need not resolve it again)."""
        self._check_text(rel, origin, what)
        path = os.path.normpath(os.path.join(base_dir, rel))
        real = self._real(path, origin, rel)
        self._confine(real, rel, origin)
        return path, real

    def file(self, kdir: str, rel: str, origin: Origin | None, what: str = "file") -> str:
        """A file named in the kustomization at ``kdir``; must be in or below ``kdir``."""
        path, real = self._resolve(kdir, rel, origin, what)
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            raise at(origin, f"{what} '{rel}' not found") from None
        if stat.S_ISDIR(st.st_mode):
            raise at(origin, f"{what} '{rel}' is a directory, expected a file")
        if not stat.S_ISREG(st.st_mode):
            raise at(origin, f"{what} '{rel}' is not a regular file; refused")
        if self.restrict and not _within(real, self._real(kdir, origin, kdir)):
            raise at(origin, f"{what} '{rel}' is not in or below '{kdir}' "
                             "(Kustomize's load restrictor refuses it)")
        self.files_read.add(path)
        return path

    def directory(self, kdir: str, rel: str, origin: Origin | None, what: str) -> str:
        """A directory (base, component) named in the kustomization at ``kdir``."""
        self._check_text(rel, origin, what)
        if os.path.isabs(rel):
            raise at(origin, f"{what} '{rel}' is an absolute path; Kustomize accepts only "
                             "relative directories")
        path = self.resolve(kdir, rel, origin, what)
        if not os.path.isdir(path):
            raise at(origin, f"{what} '{rel}' is not a directory")
        return path

    # --- reading --------------------------------------------------------------------------
    def read_text(self, path: str, origin: Origin | None = None) -> str:
        self.check_inside(path)
        self.files_read.add(path)
        text = read_text(path)
        self.budget.spend("bytes", len(text), origin or Origin(path, 0, 0))
        return text

    def kustomization(self, path: str) -> tuple[list[Node | None],
                                                list[tuple[str, Origin, Origin]]]:
        """A kustomization file's documents and repeated keys (Kustomize keeps the last)."""
        self.check_inside(path)
        self.files_read.add(path)
        return load_kustomization_file(path)

    def documents_repeating(self, path: str, origin: Origin | None,
                            repeats: list[tuple[str, Origin, Origin]],
                            keep_first: bool, shadow: bool = False) -> list[Node | None]:
        """The file's documents parsed afresh (not shared) with repeated keys accepted
        (``repeats`` collects them; the first value kept or the last; ``shadow``: the
        later values kept aside too, see ``parse_documents``), charged to the budget as
        :meth:`documents`."""
        self.check_inside(path)
        self.files_read.add(path)
        where = origin or Origin(path, 0, 0)
        text = read_text(path)
        self.budget.spend("bytes", len(text), where)
        counts: list[int] = []
        docs = parse_documents(text, path, counts=counts, duplicates=repeats,
                               keep_first=keep_first, shadow=shadow)
        self.budget.spend("nodes", counts[0], where)
        return docs

    def documents(self, path: str, origin: Origin | None = None) -> list[Node | None]:
        """The file's documents (shared: clone before changing them). Each use is charged
        to the run's budget: its bytes, and its nodes (callers copy what they use)."""
        return self._charged(path, origin, load_file_counted)

    def own_documents(self, path: str, origin: Origin | None = None) -> list[Node | None]:
        """The file's documents as the caller's own (copied, or decoded afresh), charged
        as :meth:`documents`."""
        return self._charged(path, origin, load_file_owned)

    def _charged(self, path: str, origin: Origin | None,
                 load: Callable[[str], tuple[list[Node | None], int, int]]
                 ) -> list[Node | None]:
        self.check_inside(path)
        self.files_read.add(path)
        docs, nodes, size = load(self._source(path))
        where = origin or Origin(path, 0, 0)
        self.budget.spend("bytes", size, where)
        self.budget.spend("nodes", nodes, where)
        return docs

    def _source(self, path: str) -> str:
        """The file read for ``path`` (a snapshot's loader reads some from the work tree)."""
        return path
