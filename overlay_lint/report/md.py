"""Untrusted text in Markdown (the job summary, SARIF help): literal, on one line.

GitHub renders Markdown with cmark-gfm (tables, autolinks) and sanitised raw HTML, so a
file name or value printed verbatim could become HTML, an image, a link, emphasis, or break
out of its code span or table cell. A mail address may still show as a ``mailto:`` link
(cmark-gfm links it however it is escaped); nothing else does.
"""
from __future__ import annotations

import re

from ..core.escape import visible

# Markdown punctuation that can start inline markup (emphasis, code, links, images, raw
# HTML, entities, math, table cells), and the triggers of GitHub's autolinks
# (``scheme://``, ``www.``, ``user@host``): backslash-escaped, each renders as itself.
_MARKUP = re.compile(r"[\\`*_~\[\]<>&|$#@!]|:(?=//)|(?<=[wW]{3})\.")


def text(value: str) -> str:
    """Untrusted text as literal Markdown on one line (newlines become ``<br>``)."""
    return "<br>".join(_MARKUP.sub(lambda m: "\\" + m.group(), visible(part))
                       for part in str(value).replace("\r\n", "\n").split("\n"))


def code(value: str, in_table: bool = False) -> str:
    """Untrusted text as a code span: a fence longer than any run of backticks inside it,
    so the text can never close it; ``|`` escaped inside a table (GFM splits cells first)."""
    s = visible(value)
    if in_table:
        s = s.replace("|", "\\|")
    runs = [len(r) for r in re.findall("`+", s)]
    fence = "`" * (max(runs) + 1 if runs else 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip(" ") else ""
    return f"{fence}{pad}{s}{pad}{fence}"
