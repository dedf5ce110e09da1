"""What makes a report safe, checked independently of the reporters' own escaping.

- ``runner_command``: whether the GitHub Actions runner would read a line of a step's
  output as a workflow command (its ``ActionCommand.cs``: ``::name ...::data`` after leading
  whitespace, ``##[name ...]data`` anywhere in the line), i.e. whether a report forges one.
- ``check_report``: the invariants of each ``--format`` for any result, however hostile
  its file names and values: well-formed (parsed back), lossless where the format can be,
  no forged command, no control character, no live HTML or link in the Markdown.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from urllib.parse import unquote_to_bytes

# .NET's String.TrimStart() trims what char.IsWhiteSpace() calls white space
_NET_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "\u180e"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e"
                      "\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff]")


def runner_command(line: str) -> str | None:
    """The command a GitHub runner would parse from ``line``, or None."""
    s = line.lstrip(_NET_SPACE)
    if s.startswith("::") and s.find("::", 2) >= 0:
        info = s[2:s.find("::", 2)]
        return info.split(" ", 1)[0] or None
    i = line.find("##[")
    if i >= 0 and line.find("]", i) >= 0:
        return line[i + 3:line.find("]", i)].split(" ", 1)[0] or None
    return None


def decode_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command split and unescaped the way the runner does it."""
    head, _, data = line[2:].partition("::")
    kind, _, props = head.partition(" ")
    d = {}
    for pair in props.split(",") if props else []:
        k, _, v = pair.partition("=")
        d[k] = (v.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":")
                .replace("%2C", ",").replace("%25", "%"))
    return kind, d, data.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def no_forgery(text: str, own: re.Pattern | None = None) -> None:
    """No line of ``text`` is a workflow command, except those matching ``own``."""
    for line in text.splitlines():
        cmd = runner_command(line)
        if cmd is not None:
            assert own is not None and own.match(line), f"forged command {cmd!r}: {line!r}"


def no_control(text: str) -> None:
    bad = _CONTROL.search(text.replace("\n", ""))
    assert bad is None, f"raw control/format character {bad.group()!r} in {text[:300]!r}"


OWN_COMMAND = re.compile(r"^::(error|warning|notice) (?:(?:file|line|col|title)=[^,:]*,?)*"
                         r"::")


def check_report(fmt: str, text: str, result) -> None:
    """Every invariant of ``fmt`` for the report ``text`` of ``result``."""
    from overlay_lint.core.escape import fs_bytes
    assert isinstance(text, str)
    text.encode("utf-8")                       # writable as UTF-8, no lone surrogate
    if fmt == "json":
        no_forgery(text)
        doc = json.loads(text)
        assert [f["file"] for f in doc["findings"]] == [f.file for f in result.findings]
        assert [f["message"] for f in doc["findings"]] == [f.message for f in result.findings]
        assert doc["envs"] == list(result.envs)
        assert text.isascii()
        return
    if fmt == "sarif":
        no_forgery(text)
        doc = json.loads(text)
        json.dumps(doc, ensure_ascii=False).encode("utf-8")   # strict readers: no surrogate
        res = doc["runs"][0]["results"]
        assert len(res) == len(result.findings)
        for r, f in zip(res, result.findings):
            uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            assert unquote_to_bytes(uri) == fs_bytes(f.file)
            msg = r["message"]["text"]
            # SARIF plain text: every literal bracket escaped, so no embedded link
            assert re.search(r"(?<!\\)[\[\]]", msg.replace("\\\\", "")) is None, msg
        return
    no_control(text)
    if fmt == "github":
        lines = text.splitlines()
        assert len(lines) == len(result.findings) + len(result.errors) + \
            len(result.skipped) + len(result.warnings)
        for line in lines:
            assert OWN_COMMAND.match(line), line
            kind, props, data = decode_command(line)
            assert kind in ("error", "warning", "notice")
            assert set(props) <= {"file", "line", "col", "title"}
        no_forgery(text, OWN_COMMAND)
        return
    no_forgery(text)
    if fmt == "junit":
        root = ET.fromstring(text)
        fails = root.findall(".//failure")
        assert len(fails) == sum(len({e for e in f.envs if e}) or 1 for f in result.findings)
        assert len(root.findall(".//error")) == len(result.errors)
        return
    if fmt == "markdown":
        check_markdown(text, result)
        return
    if fmt == "text":
        return
    raise AssertionError(fmt)


# HTML the summary itself produces (GitHub's renderer, cmark-gfm, with its extensions)
_OWN_TAGS = {"h2", "h3", "p", "strong", "table", "thead", "tbody", "tr", "th", "td", "code",
             "br", "ul", "li"}


def check_markdown(text: str, result) -> None:
    """Render as GitHub does (cmark-gfm: tables, autolinks, tag filter; raw HTML on, as
    GitHub sanitizes rather than drops it) and check that only our own markup appears."""
    import cmarkgfm
    from cmarkgfm.cmark import Options
    html = cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)
    # GitHub links @mentions and #references in text nodes (after this renderer): none of
    # the text a report shows may hold one outside a code span
    prose = re.sub(r"<code>.*?</code>", "", html)
    assert not re.search(r"[@#][A-Za-z0-9]", re.sub(r"<[^>]*>", "", prose)), html
    tags = {t.lower() for t in re.findall(r"<([A-Za-z][A-Za-z0-9-]*)", html)}
    assert tags <= _OWN_TAGS, (tags - _OWN_TAGS, text[:2000])
    # one table row per finding shown, five cells each: nothing broke out of a cell
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    if result.findings:
        body = rows[1:]
        assert len(body) == min(len(result.findings), 500), text[:2000]
        for r in body:
            assert r.count("<td") == 5, r
    for line in text.splitlines():
        assert not line.startswith(("<", "    ", "\t")), line   # no raw HTML/code block


