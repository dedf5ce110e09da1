"""Print a diff: text for a terminal, Markdown for a pull request, JSON for tools.

Text and Markdown group the changes by resource; a change that several resources share
(the same field, values and source lines: a label or annotation every resource gets) is
printed once with the resources it applies to. JSON lists every change of every resource,
in the shape the README documents. Every value, path and file name is escaped for the
format it is printed in: a manifest cannot draw on the terminal, close a Markdown table or
inject HTML into a pull-request comment.
"""
from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

from ..core.errors import one_line
from ..core.node import Node, from_data
from ..core.yaml_writer import dump_node, scalar_text
from .model import HASH, IDENTITY, REFERENCE, Change, ResourceKey, Where

SHARED_MIN = 3          # a change shared by this many resources is printed once
MAX_MARKDOWN_ROWS = 300  # GitHub caps a step summary at 1 MiB and a comment at 65,536 chars


@dataclass
class DiffReport:
    """A diff ready to print.

    ``before``/``after`` name the two sides (two envs, or a git ref and the work tree);
    ``envs`` the envs compared; ``hidden`` the changes not listed (values that differ only
    by names the build gave, see ``Change.rename``).
    """

    changes: list[Change]
    before: str
    after: str
    envs: list[str]
    by_env: bool = False       # --base: each change names its envs
    hidden: list[Change] = field(default_factory=list)
    title: str = ""
    renames: bool = False      # --renames: every value listed as it is (hashes included)


# --- JSON ------------------------------------------------------------------------------------

def change_json(c: Change, where: Where) -> dict:
    return {"envs": list(c.envs), "resource": c.resource.to_json(), "path": c.path_text,
            "before": c.before, "after": c.after,
            "before_origin": where(c.before_origin), "after_origin": where(c.after_origin)}


def render_json(report: DiffReport, where: Where) -> str:
    return json.dumps({"changes": [change_json(c, where) for c in report.changes]},
                      indent=2, ensure_ascii=False) + "\n"


# --- shared pieces ---------------------------------------------------------------------------

def _shared(report: DiffReport, where: Where) -> tuple[list[tuple[Change, list[ResourceKey]]],
                                                       dict[ResourceKey, list[Change]]]:
    """Changes shared by ``SHARED_MIN`` or more resources, and the rest by resource."""
    groups: dict[tuple, list[Change]] = {}
    for c in report.changes:
        if c.path:
            key = c.identity(where)[1:] + (tuple(c.envs),)
            groups.setdefault(key, []).append(c)
    shared_ids = {id(c) for g in groups.values() if len(g) >= SHARED_MIN for c in g}
    shared = [(g[0], [c.resource for c in g]) for g in groups.values() if len(g) >= SHARED_MIN]
    rest: dict[ResourceKey, list[Change]] = {}
    for c in report.changes:
        if id(c) not in shared_ids:
            rest.setdefault(c.resource, []).append(c)
    return shared, rest


def hidden_summary(report: DiffReport) -> str:
    """One sentence on the values not listed, or ''."""
    if not report.hidden:
        return ""
    why = []
    ns = sorted({(c.before or "", c.after or "") for c in report.hidden
                 if c.rename == IDENTITY and c.path == ("metadata", "namespace")})
    if ns:
        why.append("namespace (" + ", ".join(f"{b or 'none'} -> {a or 'none'}"
                                             for b, a in ns[:3]) + ")")
    if any(c.rename == IDENTITY and c.path == ("metadata", "name") for c in report.hidden):
        why.append("name prefix/suffix")
    if any(c.rename == HASH for c in report.hidden):
        why.append("content hash")
    n = len(report.hidden)
    if why:
        text = f"Not listed: {n} value{'s' if n != 1 else ''} that differ only by " + \
            " or ".join([", ".join(why[:-1]), why[-1]] if len(why) > 1 else why)
        if any(c.rename == REFERENCE for c in report.hidden):
            text += ", and the references that follow"
    else:
        text = f"Not listed: {n} reference{'s that follow' if n != 1 else ' that follows'} " \
               "a renamed resource"
    return one_line(text + " (--renames lists them).")


def counts(report: DiffReport) -> str:
    n = len(report.changes)
    res = len({c.resource for c in report.changes})
    return f"{n} change{'s' if n != 1 else ''} in {res} resource{'s' if res != 1 else ''}"


def _is_block(v: Any) -> bool:
    return type(v) in (dict, list) and bool(v)


def _scalar(v: Any) -> str:
    if type(v) is dict:
        return "{}"
    if type(v) is list:
        return "[]"
    return one_line(scalar_text(v))


def _yaml(value: Any, node: Node | None, where: Where) -> list[str]:
    """A mapping or list as YAML lines, each value followed by its source line."""
    def comment(n: Node) -> str:
        w = where(n.o)
        return one_line(w) if w else ""
    tree = node if node is not None and node.data() == value else from_data(value, None)
    return [one_line(ln) for ln in dump_node(tree, comment).rstrip("\n").split("\n")]


# --- text ------------------------------------------------------------------------------------

_COLORS = {"del": "31", "add": "32", "head": "1", "path": "36", "dim": "2"}


def _c(text: str, what: str, on: bool) -> str:
    return f"\x1b[{_COLORS[what]}m{text}\x1b[0m" if on and text else text


def render_text(report: DiffReport, where: Where, color: bool = False) -> str:
    out: list[str] = []
    if report.title:
        out += [_c(one_line(report.title), "head", color), ""]
    shared, rest = _shared(report, where)
    width = max(len(report.before), len(report.after))
    labels = (report.before.ljust(width), report.after.ljust(width))

    def sides(c: Change, indent: str) -> None:
        texts = ["(absent)" if v is None else "" if _is_block(v) else _scalar(v)
                 for v in (c.before, c.after)]
        pad = max(len(t) for t in texts) if max(len(t) for t in texts) <= 48 else 0
        for sign, label, v, node, o, what, shown in (
                ("-", labels[0], c.before, c.before_node, c.before_origin, "del", texts[0]),
                ("+", labels[1], c.after, c.after_node, c.after_origin, "add", texts[1])):
            w = where(o) if v is not None else None
            head = f"{indent}{_c(sign + ' ' + one_line(label), what, color)}  "
            value = _c(shown, "dim" if v is None else what, color)
            if w:
                value += " " * (pad - len(shown) + 2) + _c(one_line(w), "dim", color)
            out.append((head + value).rstrip())
            if _is_block(v):
                out.extend(f"{indent}    {_c(ln, what, color)}" for ln in _yaml(v, node, where))

    def envs_note(c: Change) -> str:
        return _c(f"  ({', '.join(c.envs)})", "dim", color) if report.by_env and c.envs else ""

    if shared:
        out.append(_c("Changes shared by several resources", "head", color))
        for c, keys in shared:
            names = ", ".join(k.label() for k in keys[:3]) + (", …" if len(keys) > 3 else "")
            out.append(f"  {_c(one_line(c.path_text), 'path', color)}{envs_note(c)}  "
                       + _c(one_line(f"in {len(keys)} resources: {names}"), "dim", color))
            sides(c, "    ")
        out.append("")
    for key, changes in rest.items():
        whole = [c for c in changes if not c.path]
        if whole:
            c = whole[0]
            what = f"only in {report.after}" if c.added else f"only in {report.before}"
            if report.by_env:
                what = "added" if c.added else "removed"
            sign, tone = ("+", "add") if c.added else ("-", "del")
            o = where(c.after_origin if c.added else c.before_origin)
            out.append(_c(f"{sign} {one_line(key.label())}", tone, color) + "  "
                       + _c(f"({what}{', ' + ', '.join(c.envs) if report.by_env else ''})"
                            + (f"  {one_line(o)}" if o else ""), "dim", color))
            v, node = (c.after, c.after_node) if c.added else (c.before, c.before_node)
            out.extend(f"    {_c(ln, tone, color)}" for ln in _yaml(v, node, where))
            changes = [x for x in changes if x.path]
            if not changes:
                out.append("")
                continue
        out.append(_c(one_line(key.label()), "head", color))
        hashes = [c for c in changes if c.rename == HASH and not report.renames]
        if hashes:   # one line: the hashes themselves say nothing to a reviewer
            hashed = [e for c in hashes for e in c.envs]
            o = where(hashes[0].after_origin)
            out.append(f"  {_c('metadata.name', 'path', color)}"
                       + (_c(f"  ({', '.join(hashed)})", "dim", color) if report.by_env else "")
                       + "  new content hash: the workloads that use it roll out"
                       + (_c(f"  {one_line(o)}", "dim", color) if o else ""))
        for c in changes:
            if c in hashes:
                continue
            out.append(f"  {_c(one_line(c.path_text), 'path', color)}{envs_note(c)}")
            sides(c, "    ")
        out.append("")
    summary = counts(report) if report.changes else "No differences"
    where_envs = f" ({', '.join(report.envs)})" if report.by_env and report.envs else ""
    out.append(summary + where_envs)
    note = hidden_summary(report)
    if note:
        out.append(_c(note, "dim", color))
    return "\n".join(out) + "\n"


# --- Markdown --------------------------------------------------------------------------------

def _md_code(text: str) -> str:
    """Inline code that holds any text: HTML-escaped, pipes and newlines made safe."""
    if not text:
        return ""
    esc = html.escape(text, quote=True).replace("|", "&#124;").replace("\r", "")
    return "<code>" + esc.replace("\n", "<br>") + "</code>"


def _md_value(v: Any, o: str | None) -> str:
    text = "<i>absent</i>" if v is None else _md_code(
        json.dumps(v, ensure_ascii=False) if _is_block(v) else scalar_text(v))
    return text + (f"<br><sub>{_md_code(o)}</sub>" if o else "")


def _md_text(text: str) -> str:
    """Prose inside Markdown: no HTML, no emphasis, links or table breaks from values."""
    out = html.escape(one_line(text), quote=True)
    for ch in "\\`*_[]|#!~<>":
        out = out.replace(ch, "\\" + ch)
    return out


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``."""
    run = best = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        best = max(best, run)
    return "`" * max(3, best + 1)


def render_markdown(report: DiffReport, where: Where) -> str:
    head = report.title or f"overlay-lint diff: {report.before} → {report.after}"
    out = [f"## {_md_text(head)}", ""]
    if not report.changes:
        out.append("✅ No differences" + (f" in {', '.join(_md_code(e) for e in report.envs)}"
                                         if report.envs else "") + ".")
    else:
        out.append(f"**{counts(report)}**" + (
            f" in {', '.join(_md_code(e) for e in report.envs)}" if report.by_env else "") + ".")
    note = hidden_summary(report)
    if note:
        out += ["", f"<sub>{_md_text(note)}</sub>"]
    rows = 0
    cols = "| Field | Envs | Before | After |\n|---|---|---|---|" if report.by_env else \
        f"| Field | {_md_code(report.before)} | {_md_code(report.after)} |\n|---|---|---|"

    def row(c: Change, extra: str = "") -> str:
        cells = [_md_code(c.path_text) + extra]
        if report.by_env:
            cells.append(", ".join(_md_code(e) for e in c.envs))
        cells += [_md_value(c.before, where(c.before_origin)),
                  _md_value(c.after, where(c.after_origin))]
        return "| " + " | ".join(cells) + " |"

    shared, rest = _shared(report, where)
    if shared:
        out += ["", "### Shared by several resources", "", cols]
        for c, keys in shared:
            names = ", ".join(k.label() for k in keys[:5]) + (", …" if len(keys) > 5 else "")
            out.append(row(c, f"<br><sub>{len(keys)} resources: {_md_code(names)}</sub>"))
            rows += 1
    for key, changes in rest.items():
        if rows >= MAX_MARKDOWN_ROWS:
            break
        out += ["", f"### {_md_text(key.kind)} {_md_code(key.name)}"
                + (f" <sub>namespace {_md_code(key.namespace)}</sub>" if key.namespace else "")]
        hashes = [c for c in changes if c.rename == HASH and not report.renames]
        fields = [c for c in changes if c.path and c not in hashes]
        if hashes:
            hashed = [e for c in hashes for e in c.envs]
            o = where(hashes[0].after_origin)
            out += ["", "New content hash" + (f" in {', '.join(_md_code(e) for e in hashed)}"
                                              if report.by_env else "")
                    + (f" ({_md_code(o)})" if o else "")
                    + ": the workloads that use it roll out."]
        for c in changes:
            if c.path:
                continue
            side = report.after if c.added else report.before
            what = ("added" if c.added else "removed") if report.by_env else f"only in {side}"
            envs = f" in {', '.join(c.envs)}" if report.by_env else ""
            o = where(c.after_origin if c.added else c.before_origin)
            v = c.after if c.added else c.before
            text = "\n".join(_yaml(v, c.after_node if c.added else c.before_node, where))
            fence = _fence(text)
            out += ["", f"<details><summary>{_md_text(what + envs)}"
                        + (f" ({_md_code(o)})" if o else "") + "</summary>", "",
                    f"{fence}yaml", text, fence, "", "</details>"]
            rows += 1
        if fields:
            out += ["", cols]
            for c in fields:
                if rows >= MAX_MARKDOWN_ROWS:
                    break
                out.append(row(c))
                rows += 1
    if rows >= MAX_MARKDOWN_ROWS:
        left = len(report.changes) - rows
        if left > 0:
            out += ["", f"… and {left} more changes (run `overlay-lint diff` locally for all)."]
    return "\n".join(out) + "\n"
