"""``argparse.ArgumentParser`` for every command, without importing :mod:`shutil`.

argparse builds a help formatter for each ``add_argument`` (to check the metavar), and
each asks ``shutil.get_terminal_size()`` for the width: the first one imports shutil
(with fnmatch, bz2, lzma): ~2.5 ms of every lint and pre-commit run, for help text that
is rarely printed. :class:`_Formatter` reads the width as shutil does (``COLUMNS`` when
it is a positive integer, else the terminal of ``sys.__stdout__``, else 80), so help and
usage text are the same.
"""
from __future__ import annotations

import argparse
import os
import sys

TYPE_CHECKING = False    # typing itself is not imported: ~2 ms, this is start-up code
if TYPE_CHECKING:
    from typing import Any


def terminal_columns() -> int:
    """``shutil.get_terminal_size().columns``, computed the same way."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns


class _Formatter(argparse.HelpFormatter):
    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = terminal_columns() - 2   # as HelpFormatter subtracts
        super().__init__(prog, indent_increment, max_help_position, width)


def new_parser(**kwargs: Any) -> argparse.ArgumentParser:
    """An ``ArgumentParser`` (same arguments) whose help formatter does not import shutil."""
    kwargs.setdefault("formatter_class", _Formatter)
    return argparse.ArgumentParser(**kwargs)
