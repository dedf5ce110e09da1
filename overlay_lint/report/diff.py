"""``overlay-lint diff`` output: text for a terminal, Markdown for a pull request, JSON.

Text and Markdown group the changes by resource; a change that several resources share
(the same field, values and source lines: a label or annotation every resource gets) is
printed once with the resources it applies to, and a generated object's new content hash
is one line. JSON lists every change of every resource, in the shape the README documents.

Every value, path, name and file name comes from the repository (a pull request chose
them) and is escaped for its format (:mod:`overlay_lint.core.escape`, :mod:`.md`): in text
nothing hidden or drawn on the terminal, no line a CI runner reads as a command; in
Markdown nothing that renders as HTML, a link, emphasis, or leaves its code span or cell.
"""
from __future__ import annotations

import json
import re
from typing import Any

from ..core.escape import visible
from ..core.node import Node, from_data
from ..core.record import dataclass, field
from ..core.yaml_writer import dump_node, scalar_text
from ..diff.model import HASH, IDENTITY, REFERENCE, Change, ResourceKey, Where
from .md import code, text as md_text

SHARED_MIN = 3             # a change this many resources share is printed once
# GitHub caps a comment at 65,536 characters (a step summary at 1 MiB); the findings table
# shares the comment, so the diff stops well before
MAX_MARKDOWN_ROWS = 300
MAX_MARKDOWN_CHARS = 40_000


@dataclass
class DiffReport:
    """A diff ready to print.

    ``before``/``after`` name the two sides (two envs, or a git ref and the work tree);
    ``envs`` the envs compared; ``hidden`` the changes not listed (values that differ only
    by names the build gave, see ``Change.rename``); ``by_env``: each change names its
    envs (``--base``); ``renames``: every value is listed as it is (``--renames``).
    """

    changes: list[Change]
    before: str
    after: str
    envs: list[str]
    by_env: bool = False
    hidden: list[Change] = field(default_factory=list)
    title: str = ""
    renames: bool = False


# --- JSON ------------------------------------------------------------------------------------

def change_json(c: Change, where: Where) -> dict:
    return {"envs": list(c.envs), "resource": c.resource.to_json(), "path": c.path_text,
            "before": c.before, "after": c.after,
            "before_origin": where(c.before_origin), "after_origin": where(c.after_origin)}


def render_json(report: DiffReport, where: Where) -> str:
    return json.dumps({"changes": [change_json(c, where) for c in report.changes]},
                      indent=2, ensure_ascii=False) + "\n"


# --- what both human formats show ------------------------------------------------------------

@dataclass
class _Section:
    """One resource's changes as printed: whole-resource entries, new content hashes (one
    line), and field changes."""

    key: ResourceKey
    whole: list[Change]
    hashes: list[Change]
    fields: list[Change]


def _layout(report: DiffReport, where: Where) -> tuple[list[tuple[Change, list[ResourceKey]]],
                                                       list[_Section]]:
    """Changes ``SHARED_MIN`` or more resources share, and the rest by resource."""
    groups: dict[tuple, list[Change]] = {}
    for c in report.changes:
        if c.path and c.rename != HASH:
            groups.setdefault(c.identity(where)[1:] + (tuple(c.envs),), []).append(c)
    shared = [(g[0], [c.resource for c in g]) for g in groups.values() if len(g) >= SHARED_MIN]
    in_shared = {id(c) for g in groups.values() if len(g) >= SHARED_MIN for c in g}
    sections: dict[ResourceKey, _Section] = {}
    for c in report.changes:
        if id(c) in in_shared:
            continue
        s = sections.setdefault(c.resource, _Section(c.resource, [], [], []))
        if not c.path:
            s.whole.append(c)
        elif c.rename == HASH and not report.renames:
            s.hashes.append(c)
        else:
            s.fields.append(c)
    return shared, list(sections.values())


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
        line = f"Not listed: {n} value{'s that differ' if n != 1 else ' that differs'} only by " + \
            (", ".join(why[:-1]) + " or " + why[-1] if len(why) > 1 else why[0])
        if any(c.rename == REFERENCE for c in report.hidden):
            line += ", and the references that follow"
    else:
        line = f"Not listed: {n} reference{'s that follow' if n != 1 else ' that follows'} " \
               "a renamed resource"
    return line + " (--renames lists them)."


def counts(report: DiffReport) -> str:
    n = len(report.changes)
    res = len({c.resource for c in report.changes})
    return f"{n} change{'s' if n != 1 else ''} in {res} resource{'s' if res != 1 else ''}"


def _nothing(report: DiffReport) -> str:
    if report.by_env and not report.envs:
        return "No env renders a file this change touches"
    return "No differences"


def _is_block(v: Any) -> bool:
    return type(v) in (dict, list) and bool(v)


def _scalar(v: Any) -> str:
    if type(v) is dict:
        return "{}"
    if type(v) is list:
        return "[]"
    return scalar_text(v)


def _yaml(value: Any, node: Node | None, where: Where) -> list[str]:
    """A mapping or list as YAML lines (each escaped), values followed by their origin."""
    def comment(n: Node) -> str:
        return where(n.o) or ""
    tree = node if node is not None and node.data() == value else from_data(value, None)
    return [visible(ln) for ln in dump_node(tree, comment).rstrip("\n").split("\n")]


def _hash_envs(hashes: list[Change]) -> list[str]:
    return [e for c in hashes for e in c.envs]


# --- text ------------------------------------------------------------------------------------

_COLORS = {"del": "31", "add": "32", "head": "1", "path": "36", "dim": "2"}
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _c(text: str, what: str, on: bool) -> str:
    return f"\x1b[{_COLORS[what]}m{text}\x1b[0m" if on and text else text


def _unforgeable(line: str) -> str:
    """A CI runner reads ``::command::`` at the start of a line (after blanks): a line
    whose text would start so gets a backslash first."""
    plain = _ANSI.sub("", line)
    body = plain.lstrip()
    if not body.startswith("::"):
        return line
    at = line.index("::")
    return line[:at] + "\\" + line[at:]


def render_text(report: DiffReport, where: Where, color: bool = False) -> str:
    out: list[str] = []

    def w(o: Any) -> str:
        shown = where(o)
        return visible(shown) if shown else ""

    width = max(len(visible(report.before)), len(visible(report.after)))
    labels = (visible(report.before).ljust(width), visible(report.after).ljust(width))

    def envs_note(c: Change) -> str:
        return _c(f"  ({visible(', '.join(c.envs))})", "dim", color) \
            if report.by_env and c.envs else ""

    def sides(c: Change, indent: str) -> None:
        texts = ["(absent)" if v is None else "" if _is_block(v) else visible(_scalar(v))
                 for v in (c.before, c.after)]
        pad = max(map(len, texts)) if max(map(len, texts)) <= 48 else 0
        for sign, label, v, node, o, tone, shown in (
                ("-", labels[0], c.before, c.before_node, c.before_origin, "del", texts[0]),
                ("+", labels[1], c.after, c.after_node, c.after_origin, "add", texts[1])):
            origin = w(o) if v is not None else ""
            line = f"{indent}{_c(sign + ' ' + label, tone, color)}  " + \
                _c(shown, "dim" if v is None else tone, color)
            if origin:
                line += " " * (pad - len(shown) + 2) + _c(origin, "dim", color)
            out.append(line.rstrip())
            if _is_block(v):
                out.extend(f"{indent}    {_c(ln, tone, color)}" for ln in _yaml(v, node, where))

    if report.title:
        out += [_c(visible(report.title), "head", color), ""]
    shared, sections = _layout(report, where)
    if shared:
        out.append(_c("Changes shared by several resources", "head", color))
        for c, keys in shared:
            names = ", ".join(k.label() for k in keys[:3]) + (", …" if len(keys) > 3 else "")
            out.append(f"  {_c(visible(c.path_text), 'path', color)}{envs_note(c)}  "
                       + _c(visible(f"in {len(keys)} resources: {names}"), "dim", color))
            sides(c, "    ")
        out.append("")
    for s in sections:
        label = visible(s.key.label())
        for c in s.whole:
            sign, tone = ("+", "add") if c.added else ("-", "del")
            what = ("added" if c.added else "removed") if report.by_env else \
                f"only in {visible(report.after if c.added else report.before)}"
            if report.by_env:
                what += ": " + visible(", ".join(c.envs))
            o = w(c.after_origin if c.added else c.before_origin)
            out.append(_c(f"{sign} {label}", tone, color) + "  "
                       + _c(f"({what})" + (f"  {o}" if o else ""), "dim", color))
            v, node = (c.after, c.after_node) if c.added else (c.before, c.before_node)
            out.extend(f"    {_c(ln, tone, color)}" for ln in _yaml(v, node, where))
        if s.hashes or s.fields:
            out.append(_c(label, "head", color))
        if s.hashes:   # the hashes themselves say nothing to a reviewer
            o = w(s.hashes[0].after_origin)
            envs = _c(f"  ({visible(', '.join(_hash_envs(s.hashes)))})", "dim", color) \
                if report.by_env else ""
            out.append(f"  {_c('metadata.name', 'path', color)}{envs}  new content hash: "
                       "the workloads that use it roll out" + (_c(f"  {o}", "dim", color)
                                                              if o else ""))
        for c in s.fields:
            out.append(f"  {_c(visible(c.path_text), 'path', color)}{envs_note(c)}")
            sides(c, "    ")
        out.append("")
    summary = counts(report) if report.changes else _nothing(report)
    if report.by_env and report.envs:
        summary += f" ({visible(', '.join(report.envs))})"
    out.append(summary)
    note = hidden_summary(report)
    if note:
        out.append(_c(visible(note), "dim", color))
    return "\n".join(_unforgeable(ln) for ln in out) + "\n"


# --- Markdown --------------------------------------------------------------------------------

def _cell_value(v: Any, origin: str | None) -> str:
    shown = "*absent*" if v is None else code(
        json.dumps(v, ensure_ascii=False) if _is_block(v) else scalar_text(v), in_table=True)
    return shown + (f"<br><sub>{code(origin, in_table=True)}</sub>" if origin else "")


def _envs(envs: list[str]) -> str:
    return ", ".join(code(e, in_table=True) for e in envs)


def _fence(body: str) -> str:
    """A code fence longer than any run of backticks in ``body``."""
    runs = [len(r) for r in re.findall("`+", body)]
    return "`" * max(3, max(runs, default=0) + 1)


def render_markdown(report: DiffReport, where: Where) -> str:
    head = report.title or f"overlay-lint diff: {report.before} → {report.after}"
    out = [f"## {md_text(head)}", ""]
    if not report.changes:
        out.append("✅ " + (_nothing(report) if not report.envs else
                           f"No differences in {_envs(report.envs)}") + ".")
    else:
        out.append(f"**{counts(report)}**"
                   + (f" in {_envs(report.envs)}" if report.by_env else "") + ".")
    note = hidden_summary(report)
    if note:
        out += ["", f"<sub>{md_text(note)}</sub>"]
    header = ("| Field | Envs | Before | After |\n|---|---|---|---|" if report.by_env else
              f"| Field | {code(report.before, in_table=True)} | "
              f"{code(report.after, in_table=True)} |\n|---|---|---|")

    def row(c: Change, extra: str = "") -> str:
        cells = [code(c.path_text, in_table=True) + extra]
        if report.by_env:
            cells.append(_envs(c.envs))
        cells += [_cell_value(c.before, where(c.before_origin)),
                  _cell_value(c.after, where(c.after_origin))]
        return "| " + " | ".join(cells) + " |"

    shown = 0

    def full() -> bool:
        return shown >= MAX_MARKDOWN_ROWS or sum(len(x) + 1 for x in out) > MAX_MARKDOWN_CHARS

    shared, sections = _layout(report, where)
    if shared:
        out += ["", "### Shared by several resources", "", header]
        for c, keys in shared:
            names = ", ".join(k.label() for k in keys[:5]) + (", …" if len(keys) > 5 else "")
            out.append(row(c, f"<br><sub>{len(keys)} resources: "
                              f"{code(names, in_table=True)}</sub>"))
            shown += len(keys)
    for s in sections:
        if full():
            break
        out += ["", f"### {md_text(s.key.kind)} {code(s.key.name)}"
                + (f" <sub>namespace {code(s.key.namespace)}</sub>" if s.key.namespace else "")]
        for c in s.whole:
            what = ("added" if c.added else "removed") if report.by_env else \
                f"only in {report.after if c.added else report.before}"
            if report.by_env:
                what += " in " + ", ".join(c.envs)
            o = where(c.after_origin if c.added else c.before_origin)
            body = "\n".join(_yaml(c.after if c.added else c.before,
                                   c.after_node if c.added else c.before_node, where))
            fence = _fence(body)
            out += ["", f"<details><summary>{md_text(what)}"
                        + (f" ({code(o)})" if o else "") + "</summary>", "",
                    f"{fence}yaml", body, fence, "", "</details>"]
            shown += 1
        if s.hashes:
            o = where(s.hashes[0].after_origin)
            out += ["", "New content hash" + (f" in {_envs(_hash_envs(s.hashes))}"
                                              if report.by_env else "")
                    + (f" ({code(o)})" if o else "") + ": the workloads that use it roll out."]
            shown += len(s.hashes)
        if s.fields:
            out += ["", header]
            for c in s.fields:
                if full():
                    break
                out.append(row(c))
                shown += 1
    if shown < len(report.changes):
        out += ["", f"… and {len(report.changes) - shown} more changes (run `overlay-lint "
                    "diff` locally for all of them)."]
    return "\n".join(out) + "\n"
