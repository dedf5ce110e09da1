"""Untrusted text made safe to print: file names and YAML values come from pull requests.

Every reporter prints file names, YAML values and messages built from them. Printed
verbatim, a newline forges a second line, ESC sequences drive the terminal, and a CI log
parses a line as a command: the GitHub Actions runner takes ``::cmd::`` at the start of a
line (after whitespace) and ``##[cmd]`` anywhere in it. :func:`visible` is the one escaper
for text meant for people (terminal, stderr, CI logs); each machine format adds its own
rules on top (see ``overlay_lint/report``).
"""
from __future__ import annotations

import re

from .lazy_pattern import LazyPattern

# Line breaks and every control character (C0, DEL, C1), Unicode line/paragraph
# separators, bidirectional and zero-width format characters (they reorder or hide text:
# "Trojan Source"), the two XML non-characters, and lone surrogates (undecodable bytes of a
# non-UTF-8 file name, as Python's surrogateescape gives them).
_UNSAFE = LazyPattern("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2064"
                     "\u2066-\u2069\ufeff\ufffe\uffff\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
# GitHub's runner reads ``##[command]`` anywhere in a line of a step's output
_V1_COMMAND = "##["


def _escape(m: re.Match) -> str:
    c = m.group()
    if c in _NAMED:
        return _NAMED[c]
    n = ord(c)
    if 0xDC80 <= n <= 0xDCFF:        # surrogateescape: the original byte
        return f"\\x{n - 0xDC00:02x}"
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def visible(text: object) -> str:
    """``text`` on one line with nothing hidden: control and format characters, line
    breaks and undecodable bytes escaped (``\\n``, ``\\x1b``, ``\\u202e``, ``\\xe9``), and
    ``##[`` broken up (``##\\[``) so that no CI runner reads it as a command."""
    s = text if isinstance(text, str) else str(text)
    s = _UNSAFE.sub(_escape, s)
    return s.replace(_V1_COMMAND, "##\\[") if _V1_COMMAND in s else s


# what may start a printed line: a runner trims leading whitespace, then looks for "::"
_SAFE_START = LazyPattern(r"[A-Za-z0-9_./~]")


def line_start(path: str) -> str:
    """A relative path that may begin a printed line: ``./`` in front when it starts with
    anything but a letter, digit, ``_``, ``.``, ``/`` or ``~`` (``::error::x.yaml`` or a
    leading space would otherwise begin a workflow command)."""
    return path if not path or _SAFE_START.match(path) else "./" + path


def safe_lines(text: str) -> str:
    """Multi-line text (a rule's documentation) safe to print: each line :func:`visible`,
    and a backslash before a ``::`` that would begin a line (a workflow command)."""
    out = []
    for line in str(text).split("\n"):
        shown = visible(line)
        body = shown.lstrip()
        if body.startswith("::"):
            shown = shown[:len(shown) - len(body)] + "\\" + body
        out.append(shown)
    return "\n".join(out)


def shown_path(path: str) -> str:
    """A file name as printed at the start of a line: :func:`visible`, then
    :func:`line_start`."""
    return line_start(visible(path))


def fs_bytes(text: str) -> bytes:
    """The bytes of a file name as the file system has them (undecodable bytes back from
    their surrogateescape form); UTF-8 for any other text. Never raises."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:      # a surrogate no file name decodes to (from JSON input)
        return text.encode("utf-8", "surrogatepass")
