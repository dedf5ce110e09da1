"""File access for a build: Kustomize's load restrictions plus overlay-lint's safety rules.

- Remote resources (URLs, git) are refused with their ``file:line``; nothing is fetched.
- Files named by a kustomization (resources, patches, generator sources) must be in or
  below that kustomization's directory, as with Kustomize's default load restrictor.
- Directories (bases, components) may be elsewhere, but never outside the lint root;
  symlinks are resolved before that check.
"""
from __future__ import annotations

import os
import re

from ..errors import OverlayLintError, at
from ..node import Node, Origin
from ..source import load_file, read_text

_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@|github\.com/|gitlab\.com/|bitbucket\.org/)",
                     re.IGNORECASE)


def is_remote(path: str) -> bool:
    return bool(_REMOTE.match(path)) or "?ref=" in path or ".git//" in path


class Loader:
    """Resolves and reads the files and directories a build names."""

    def __init__(self, root: str | None = None) -> None:
        # root: nothing outside it is ever read (None: no confinement, e.g. a bare render)
        self.root = os.path.realpath(root) if root else None
        self.files_read: set[str] = set()  # every file a build read (for changed-file runs)

    def _confine(self, real: str, shown: str, origin: Origin | None) -> None:
        if self.root is None:
            return
        if real != self.root and not real.startswith(self.root + os.sep):
            raise at(origin, f"'{shown}' resolves outside the lint root {self.root}; refused")

    def resolve(self, base_dir: str, rel: str, origin: Origin | None, what: str) -> str:
        """Absolute path of ``rel`` relative to ``base_dir`` (no restriction on its kind)."""
        if is_remote(rel):
            raise at(origin, f"remote {what} '{rel}' is not supported: overlay-lint never "
                             "fetches from the network")
        if os.path.isabs(rel):
            raise at(origin, f"absolute {what} path '{rel}' is not allowed")
        path = os.path.normpath(os.path.join(base_dir, rel))
        real = os.path.realpath(path)
        self._confine(real, rel, origin)
        return path

    def file(self, kdir: str, rel: str, origin: Origin | None, what: str = "file") -> str:
        """A file named in the kustomization at ``kdir``; must be in or below ``kdir``."""
        path = self.resolve(kdir, rel, origin, what)
        if not os.path.exists(path):
            raise at(origin, f"{what} '{rel}' not found")
        if os.path.isdir(path):
            raise at(origin, f"{what} '{rel}' is a directory, expected a file")
        real, kreal = os.path.realpath(path), os.path.realpath(kdir)
        if not real.startswith(kreal + os.sep):
            raise at(origin, f"{what} '{rel}' is not in or below '{kdir}' "
                             "(Kustomize's load restrictor refuses it)")
        self.files_read.add(path)
        return path

    def directory(self, kdir: str, rel: str, origin: Origin | None, what: str) -> str:
        path = self.resolve(kdir, rel, origin, what)
        if not os.path.isdir(path):
            raise at(origin, f"{what} '{rel}' is not a directory")
        return path

    def read_text(self, path: str) -> str:
        self.files_read.add(path)
        return read_text(path)

    def documents(self, path: str) -> list[Node | None]:
        self.files_read.add(path)
        return load_file(path)
