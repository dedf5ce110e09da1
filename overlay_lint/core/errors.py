"""The one error type that reaches users: a message anchored at ``file:line``."""
from __future__ import annotations

import os

from .escape import shown_path, visible


class OverlayLintError(Exception):
    """An input problem, reported as one line ``file:line: message`` (exit code 2)."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 col: int | None = None) -> None:
        message = one_line(message)
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.col = col

    def location(self) -> str:
        if not self.file:
            return ""
        path = shown_path(display_path(self.file))
        if self.line:
            return f"{path}:{self.line}"
        return path

    def __str__(self) -> str:
        loc = self.location()
        return f"{loc}: {self.message}" if loc else self.message


class UnsupportedError(OverlayLintError):
    """A kustomization uses something overlay-lint refuses to render: it would fetch from
    the network or run a program (``feature``: ``remote``, ``helm``, ``plugin``) or it
    cannot be rendered faithfully (``openapi``). Still exit code 2 by default; the lint
    command's ``unsupported: skip`` mode reports the env as skipped instead."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 col: int | None = None, feature: str = "") -> None:
        super().__init__(message, file, line, col)
        self.feature = feature


def one_line(text: str) -> str:
    """``text`` with line breaks, control and format characters escaped: an error is one
    line even when it quotes a hostile value (``'a\\nb'``, never two lines); see
    :func:`overlay_lint.core.escape.visible`."""
    return visible(text)


def at(origin: tuple | None, message: str) -> OverlayLintError:
    """Build an error located at a node origin ``(file, line, col)``."""
    if origin is None:
        return OverlayLintError(message)
    return OverlayLintError(message, origin[0], origin[1], origin[2])


def unsupported(origin: tuple | None, message: str, feature: str) -> UnsupportedError:
    """An :class:`UnsupportedError` located at ``origin``."""
    if origin is None:
        return UnsupportedError(message, feature=feature)
    return UnsupportedError(message, origin[0], origin[1], origin[2], feature=feature)


def display_path(path: str) -> str:
    """A path as users want to see it: relative to the current directory when below it."""
    cwd = os.getcwd()
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    if path.startswith(prefix) and os.path.normpath(path) == path:
        # normal, absolute and below: what relpath gives, without its work (abspath of
        # both, a split, a common prefix: ~5 us; a lint shows hundreds of paths)
        rel = path[len(prefix):]
        return path if rel.startswith("..") else rel
    try:
        rel = os.path.relpath(path)
    except ValueError:  # other drive on Windows
        return path
    return path if rel.startswith("..") else rel
