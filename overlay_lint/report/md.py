"""Untrusted text in Markdown (the job summary, SARIF help): literal, on one line.

GitHub renders Markdown with cmark-gfm (tables, autolinks) and sanitised raw HTML, then
links ``@user`` mentions and ``#123`` references in what is left as text. A file name or
value printed verbatim could become HTML, an image, a link, emphasis, break out of its code
span or table cell, or, in a pull-request comment, notify whoever it mentions. Here every
such character is escaped, and ``@`` and ``#`` are put in a code span of their own: GitHub
links neither a mention nor a mail address nor a reference across one.
"""
from __future__ import annotations

import re

from ..core.escape import visible

# Markdown punctuation that can start inline markup (emphasis, code, links, images, raw
# HTML, entities, math, table cells), and the triggers of GitHub's autolinks
# (``scheme://``, ``www.``): backslash-escaped, each renders as itself. ``@`` (mentions,
# mail addresses) and ``#`` (issue references) go in a code span: a backslash would not
# stop GitHub from linking them.
_MARKUP = re.compile(r"[\\`*_~\[\]<>&|$!]|:(?=//)|(?<=[wW]{3})\.")
_REFERENCE = re.compile(r"[@#]+")


def text(value: str) -> str:
    """Untrusted text as literal Markdown on one line (newlines become ``<br>``)."""
    return "<br>".join(
        _REFERENCE.sub(lambda m: f"`{m.group()}`",
                       _MARKUP.sub(lambda m: "\\" + m.group(), visible(part)))
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
