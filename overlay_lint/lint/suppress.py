"""Suppressions: inline comments, the resource annotation, config ignores, the baseline.

- ``# overlay-lint: disable=rule[,rule] -- reason`` on the line a finding points to;
- ``# overlay-lint: disable-next-line=rule[,rule]`` on the line above it;
- annotation ``overlay-lint.io/disable: "rule,rule"`` on a resource (base or overlay);
- ``ignore:`` entries of the config (rules, paths, resources, envs);
- a baseline file of fingerprints (``--baseline``), see ``baseline.py``.
``all`` stands for every rule.
"""
from __future__ import annotations

import fnmatch
import os
import sys

from ..core.record import dataclass
from .config import Config, path_matches

ANNOTATION = "overlay-lint.io/disable"
_MARK = "overlay-lint:"
_RULE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-, \t")


@dataclass(frozen=True)
class Directive:
    """``# overlay-lint: disable=a,b -- reason`` (or ``disable-next-line``) in a line."""

    kind: str                  # disable | disable-next-line
    rules: tuple[str, ...]
    col: int                   # 1-based column of the ``#``


def parse_directive(text: str | None) -> Directive | None:
    """The suppression comment in a source line, if any: the first ``#`` followed by
    ``overlay-lint: disable...=``. Linear in the line's length (a regex with nested
    repetition took minutes on a crafted 3 KB line)."""
    if not text:
        return None
    i = text.find(_MARK)
    while i >= 0:
        j = i - 1
        while j >= 0 and text[j] in " \t":
            j -= 1
        if j >= 0 and text[j] == "#":
            k = _skip_blanks(text, i + len(_MARK))
            for kind in ("disable-next-line", "disable"):
                if text.startswith(kind, k):
                    k = _skip_blanks(text, k + len(kind))
                    if text.startswith("=", k):
                        return _directive(text, k + 1, kind, j + 1)
                    break
        i = text.find(_MARK, i + len(_MARK))
    return None


def _skip_blanks(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t":
        i += 1
    return i


def _directive(text: str, start: int, kind: str, col: int) -> Directive | None:
    cut = text.find("--", start)
    names = text[start:] if cut < 0 else text[start:cut]
    if not set(names) <= _RULE_CHARS:
        return None
    rules = tuple(r.strip() for r in names.split(",") if r.strip())
    return Directive(kind, rules, col) if rules else None


_LINES: dict[str, tuple] = {}


def _read(path: str) -> tuple[tuple[str, ...], bool]:
    """A file's lines and whether any holds the suppression mark (no mark, no comment),
    cached while the file is unchanged (size and mtime)."""
    try:
        st = os.stat(path)
        hit = _LINES.get(path)
        if hit is not None and hit[0] == (st.st_mtime_ns, st.st_size):
            return hit[1], hit[2]
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return (), False
    lines, marked = tuple(text.splitlines()), _MARK in text
    _LINES[path] = ((st.st_mtime_ns, st.st_size), lines, marked)
    return lines, marked


def _may_hold_mark(path: str) -> bool:
    """False when the YAML reader read ``path`` this run and saw no suppression mark in
    it (spares the audit reading every file of the tree again)."""
    reader = sys.modules.get("overlay_lint.core.yaml_reader")
    return reader is None or reader.HOLDS_MARK.get(path, True)


def _lines(path: str) -> tuple[str, ...]:
    """A file's lines, cached while the file is unchanged (size and mtime)."""
    return _read(path)[0]


def source_line(path: str, line: int) -> str | None:
    lines = _lines(path)
    return lines[line - 1] if 0 < line <= len(lines) else None


def _rules_in(text: str | None, kind: str) -> set[str]:
    d = parse_directive(text)
    return set(d.rules) if d is not None and d.kind == kind else set()


# What suppressed something in this run: (file, line, name) of inline comments and
# annotations; read by `audit` (unused suppressions), cleared by `reset_usage`.
_USED: set[tuple[str, int, str]] = set()


def reset_usage() -> None:
    _USED.clear()


def inline_disabled(rule: str, path: str, line: int) -> bool:
    """Whether an inline comment disables ``rule`` for ``path:line``."""
    if not _may_hold_mark(path) or not _read(path)[1]:
        return False            # no line of the file holds the mark
    same = _rules_in(source_line(path, line), "disable")
    above = _rules_in(source_line(path, line - 1), "disable-next-line") if line > 1 else set()
    for where, names in ((line, same), (line - 1, above)):
        for name in (rule, "all"):
            if name in names:
                _USED.add((path, where, name))
                return True
    return False


def annotation_disabled(rule: str, resource) -> bool:
    if resource is None:
        return False
    value = resource.annotations.get(ANNOTATION)
    if not value:
        return False
    names = {r.strip() for r in value.split(",")}
    for name in (rule, "all"):
        if name in names:
            o = _annotation_origin(resource)
            if o is not None:
                _USED.add((o[0], o[1], name))
            return True
    return False


def _annotation_origin(resource):
    n = resource.node.path("metadata", "annotations", ANNOTATION)
    return n.o if n is not None else None


def resource_label(kind: str, namespace: str, name: str) -> str:
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def config_ignored(cfg: Config, rule: str, abs_file: str, resource: str, env: str) -> bool:
    """Whether a config ``ignore:`` entry drops this (rule, file, resource, env)."""
    if cfg.path_ignored(abs_file):
        return True
    for ig in cfg.ignores:
        if ig.rules and rule not in ig.rules and "all" not in ig.rules:
            continue
        if ig.paths and not any(path_matches(cfg.rel(abs_file), p) for p in ig.paths):
            continue
        if ig.envs and env not in ig.envs:
            continue
        if ig.resources and not _resource_match(resource, ig.resources):
            continue
        return True
    return False


def _resource_match(resource: str, patterns: list[str]) -> bool:
    if not resource:
        return False
    parts = resource.split("/")
    short = f"{parts[0]}/{parts[-1]}"  # Kind/name, whatever the namespace
    return any(fnmatch.fnmatchcase(resource, p) or fnmatch.fnmatchcase(short, p)
               for p in patterns)


def apply_overrides(problems: list, cfg: Config) -> None:
    """Set each problem's severity from the first ``overrides:`` entry of its rule that
    matches the problem's file (the line to edit) or its target's folder: a severity, or
    ``off`` (the problem is dropped, like a config ignore). A rule enabled only by
    overrides is ``off`` elsewhere."""
    for rule, p in problems:
        if not rule.overrides and not rule.off_elsewhere:
            continue
        rels = []
        if p.origin is not None:
            rels.append(cfg.rel(p.origin[0]))
        if p.target is not None and p.target.target.dir is not None:
            rels.append(cfg.rel(p.target.target.dir))
        s = next((s for ov, s in rule.overrides if any(ov.matches(r) for r in rels)
                  and (s.enabled is not None or s.severity)), None)
        enabled = s.enabled if s is not None and s.enabled is not None \
            else not rule.off_elsewhere
        if not enabled:
            p.severity = "off"
        elif s is not None and s.severity:
            p.severity = s.severity


UNUSED_RULE = "unused-suppression"


def audit(rendered: list, rules: list, ran: set[str], cfg: Config, report_unused: bool,
          unchecked: set[str], root: str) -> tuple[list, list]:
    """Suppression hygiene after a run: ``(warnings, findings)``.

    Warnings: a suppression comment, ``overlay-lint.io/disable`` annotation or config
    ``ignore:`` entry naming no rule. Findings (``report_unused``, like ruff's RUF100): a
    comment or annotation that suppressed nothing, for rules that ran, in files whose
    every target was checked (``unchecked``: files targets outside this run also read).
    Only files inside the lint ``root`` are read."""
    from ..core.errors import display_path
    from ..core.paths import is_inside
    from .findings import Finding, LintError
    known = {r.id for r in rules} | {"all"}
    unused_rule = next((r for r in rules if r.id == UNUSED_RULE), None)
    report_unused = report_unused and unused_rule is not None and unused_rule.enabled
    warnings: list = []
    findings: list = []
    seen: set[tuple] = set()

    def check(path: str, line: int, col: int, names: tuple, what: str, settled: bool) -> None:
        for name in names:
            if (path, line, name) in seen:
                continue
            seen.add((path, line, name))
            if name not in known:
                warnings.append(LintError(f"unknown rule '{name}' in {what}; `overlay-lint "
                                          "rules` lists the rules", display_path(path), line,
                                          col))
            elif report_unused and settled and (name == "all" or name in ran) and \
                    (path, line, name) not in _USED:
                shown = "all rules" if name == "all" else f"'{name}'"
                findings.append(Finding(
                    UNUSED_RULE, unused_rule.severity,
                    f"{what} of {shown} suppresses nothing here; remove it",
                    display_path(path), line, col, field_path=what, value=name))

    # file -> usage is known (its targets all rendered). A folder's reach also names
    # folders and files outside the root: those are no files of its, told apart only for
    # the few paths looked at below (a stat each)
    files: dict[str, bool] = {}
    loose: set[str] = set()         # a standalone target's files: files as they are
    for t in rendered:
        if t.skipped:
            continue
        own = t.target.files if t.target.dir is None else t.target.reach
        if t.target.dir is None:
            loose.update(own)
        for p in own:
            files[p] = files.get(p, True) and not t.failed and p not in unchecked
    regular: dict[str, bool] = {}

    def is_file(p: str) -> bool:
        ok = regular.get(p)
        if ok is None:
            ok = regular[p] = p in loose or (is_inside(root, p) and os.path.isfile(p))
        return ok

    for path in sorted(files):
        if not _may_hold_mark(path) or not is_file(path):
            continue
        lines, marked = _read(path)
        if not marked:
            continue
        for i, text in enumerate(lines, 1):
            d = parse_directive(text) if _MARK in text else None
            if d is not None:
                check(path, i, d.col, d.rules, "suppression comment", files[path])
    for t in rendered:
        for res in ([] if t.failed else t.resources):
            value = res.annotations.get(ANNOTATION)
            o = _annotation_origin(res) if value else None
            if o is not None:
                names = tuple(n.strip() for n in value.split(",") if n.strip())
                check(o[0], o[1], o[2] or 1, names, f"annotation {ANNOTATION}",
                      o[0] in files and files[o[0]] and is_file(o[0]))
    for ig in cfg.ignores:
        for name in ig.rules:
            if name not in known and ig.origin is not None:
                warnings.append(LintError(f"unknown rule '{name}' in an ignore entry; "
                                          "`overlay-lint rules` lists the rules",
                                          display_path(ig.origin[0]), ig.origin[1]))
    reset_usage()
    return warnings, findings
