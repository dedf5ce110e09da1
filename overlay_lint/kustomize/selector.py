"""Selecting resources: patch targets (regular expressions on id fields, as Kustomize)
and Kubernetes label selectors (parsed in one pass, linear time)."""
from __future__ import annotations

import re

from ..core.errors import OverlayLintError, at
from ..core.node import Origin
from . import types as T
from .regex import anchored
from .resource import Resource


class ResourceSelector:
    """A patch ``target`` compiled: id fields are anchored regular expressions evaluated
    with Go's RE2, as in Kustomize; a name or namespace matches the original or the
    current id."""

    __slots__ = ("_re", "_labels", "_annos")

    def __init__(self, sel: T.Selector) -> None:
        origin = sel.o
        self._re: dict[str, object] = {}
        for f in ("group", "version", "kind", "name", "namespace"):
            pat = sel.text(f)
            if pat:
                self._re[f] = anchored(pat, origin, f"target {f}")
        labels, annos = sel.text("label_selector"), sel.text("annotation_selector")
        self._labels = parse_label_selector(labels, origin) if labels else None
        self._annos = parse_label_selector(annos, origin) if annos else None

    def _m(self, field: str, value: str) -> bool:
        r = self._re.get(field)
        return r is None or bool(r.search(value))  # type: ignore[attr-defined]

    def matches(self, res: Resource) -> bool:
        cur, org = res.cur_id(), res.org_id()
        if "namespace" in self._re:
            if not (self._m("namespace", org.effective_ns)
                    or self._m("namespace", cur.effective_ns)):
                return False
        if "name" in self._re:
            if not (self._m("name", org.name) or self._m("name", cur.name)):
                return False
        g, v, k = res.gvk()
        if not (self._m("group", g) and self._m("version", v) and self._m("kind", k)):
            return False
        if self._labels is not None and not match_label_selector(self._labels, res.labels):
            return False
        if self._annos is not None and not match_label_selector(self._annos, res.annotations):
            return False
        return True


Requirement = tuple[str, str, tuple[str, ...]]  # (op, key, values)
_KEY_RE = re.compile(r"[A-Za-z0-9._/-]+")
_VALUE_RE = re.compile(r"[A-Za-z0-9._-]*")
_OPS = ("==", "!=", "=", "!", "(", ")", ",")


def _selector_tokens(text: str) -> list[str]:
    """The tokens of a label selector, in one pass: operators, parentheses, commas and
    words (anything else up to a space or one of those)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        op = next((o for o in _OPS if text.startswith(o, i)), None)
        if op is not None:
            out.append(op)
            i += len(op)
            continue
        j = i
        while j < n and not text[j].isspace() and text[j] not in "=!(),":
            j += 1
        out.append(text[i:j])
        i = j
    return out


def parse_label_selector(text: str, origin: Origin | None = None) -> list[Requirement]:
    """Parse a Kubernetes label selector string into (op, key, values) requirements, in
    linear time (a hostile selector cannot make it backtrack)."""
    toks = _selector_tokens(text)
    reqs: list[Requirement] = []
    pos = 0

    def fail(why: str) -> OverlayLintError:
        shown = text if len(text) <= 80 else text[:77] + "..."
        return at(origin, f"invalid label selector {shown!r}: {why}")

    def word(kind: str) -> str:
        nonlocal pos
        if pos >= len(toks) or toks[pos] in _OPS:
            raise fail(f"expected a {kind}")
        pos += 1
        return toks[pos - 1]

    def key() -> str:
        k = word("label key")
        if not _KEY_RE.fullmatch(k):
            raise fail(f"bad label key {k[:60]!r}")
        return k

    def value() -> str:
        nonlocal pos
        if pos < len(toks) and toks[pos] not in _OPS:
            pos += 1
            v = toks[pos - 1]
            if not _VALUE_RE.fullmatch(v):
                raise fail(f"bad label value {v[:60]!r}")
            return v
        return ""  # `a=` selects an empty value

    while pos < len(toks):
        if toks[pos] == "!":
            pos += 1
            reqs.append(("!", key(), ()))
        else:
            k = key()
            op = toks[pos] if pos < len(toks) else ","
            if op in ("=", "=="):
                pos += 1
                reqs.append(("=", k, (value(),)))
            elif op == "!=":
                pos += 1
                reqs.append(("!=", k, (value(),)))
            elif op in ("in", "notin"):
                pos += 1
                if pos >= len(toks) or toks[pos] != "(":
                    raise fail(f"expected '(' after {op}")
                pos += 1
                vals: list[str] = []
                while True:
                    v = value()
                    if v:
                        vals.append(v)
                    if pos < len(toks) and toks[pos] == ",":
                        pos += 1
                        continue
                    if pos < len(toks) and toks[pos] == ")":
                        pos += 1
                        break
                    raise fail("expected ',' or ')' in a value list")
                reqs.append((op, k, tuple(vals)))
            elif op == ",":
                reqs.append(("exists", k, ()))
            else:
                raise fail(f"unexpected {op[:60]!r} after {k[:60]!r}")
        if pos < len(toks):
            if toks[pos] != ",":
                raise fail(f"expected ',' before {toks[pos][:60]!r}")
            pos += 1
    return reqs


def match_label_selector(reqs: list[Requirement], labels: dict[str, str]) -> bool:
    for op, key, vals in reqs:
        present = key in labels
        if op == "exists" and not present:
            return False
        if op == "!" and present:
            return False
        if op in ("=", "in") and (not present or labels[key] not in vals):
            return False
        if op in ("!=", "notin") and present and labels[key] in vals:
            return False
    return True
