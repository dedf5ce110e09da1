"""No key is repeated in a kustomization file.

Why: Kustomize reads kustomization files leniently: a key written twice in one mapping is
no error, the last one wins and the first is silently dead. Two ``patches:`` blocks (one
added by a merge, one by hand), or a ``newTag:`` repeated in an ``images:`` entry, look
like both apply; only one does. Field names of the kustomization format also match
regardless of case (``nameprefix`` is ``namePrefix``), and there the spelling that sorts
last (``nameprefix``), not the last line, wins.

Checked: every mapping of every kustomization and Component file the linted envs (and bases
checked alone) read, keys compared as Kustomize compares them: exactly in maps of your own
(``commonLabels``, ``pairs``, ...), ignoring case for the format's field names. Other YAML
files (resources, patches) are not this rule's: Kustomize's handling of duplicates there
differs (a resource with a repeated key is an error). The finding points at the second
occurrence (each later one when there are more) and names the line that is ignored.

Failing::

    images:
      - name: ghcr.io/acme/api
        newTag: 1.4.0
        newTag: 1.5.0       # Kustomize uses this one; line 3 is dead

Passing::

    images:
      - name: ghcr.io/acme/api
        newTag: 1.5.0

Fix: keep one occurrence, with the value you mean, and delete the other (merge the two
lists when the key holds a list, such as ``resources:`` or ``patches:``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from ...core.node import Origin
from ..model import Problem, RuleContext

ID = "duplicate-key"
SEVERITY = "error"
PARAMETERS: dict = {}


def check(ctx: RuleContext) -> Iterator[Problem]:
    from ..noops import generated
    from ..reach import regular_inside
    root = ctx.index.root or ctx.repo_root
    found: dict[str, list[tuple[Origin, str, str]]] = {}
    for t in ctx.targets:
        if t.kind not in ("env", "base"):
            continue
        for d in t.target.kdirs:
            info = ctx.index.get(d)
            if info is None:
                continue
            dups = found.get(info.file)
            if dups is None:
                # never read a file outside the lint root (a symlink, ../..)
                dups = duplicates(info.file) if regular_inside(info.file, root) else []
                found[info.file] = dups = [] if dups and generated(info.file) else dups
            for origin, message, key in dups:
                yield Problem(origin, message, t, value=key)


@dataclass
class _Frame:
    is_map: bool
    shape: Any                                   # kustomization schema of this container
    keys: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    key: str | None = None                       # the key whose value comes next
    expect_key: bool = True


def duplicates(path: str) -> list[tuple[Origin, str, str]]:
    """(origin of the repeated key, message, key) for each key repeated in a mapping of the
    kustomization file at ``path`` (none when the file cannot be parsed: the render
    reports that)."""
    from ...core.errors import OverlayLintError
    from ...core.yaml_reader import read_text
    try:
        text = read_text(path)
        return _scan(text, path) if _maybe_repeats(text) else []
    except (OverlayLintError, ValueError):
        return []
    except Exception:  # a YAML error: the renderer reports it at its line
        return []


_KEY = re.compile(r"""^( *)((?:- +)*)(["']?)([^"'#{}\[\]]+?)\3 *:(?: |$)""")
_ANY_KEY = re.compile(r"""^ *(?:- +)*["']?([^"'#{}\[\]\n]+?)["']? *:(?: |$)""", re.M)
_UNUSUAL = re.compile(r"[{&*!?%]|<<")


def _maybe_repeats(text: str) -> bool:
    """False only when no mapping of ``text`` can repeat a key: a line scan of block keys
    by indentation (the keys of one block mapping share one indentation; a ``- `` starts
    a new mapping). Anything it does not follow (flow mappings, anchors, tags, complex keys,
    directives) answers True, and the YAML parser decides; block scalar text only adds
    keys of deeper mappings, never hides one."""
    if _UNUSUAL.search(text) is None:
        names = [k.lower() for k in _ANY_KEY.findall(text)]
        if len(names) == len(set(names)):
            return False      # no key name appears twice anywhere
    open_maps: dict[int, set[str]] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith(("---", "...")):
            open_maps.clear()
            continue
        if _UNUSUAL.search(line.split(" #", 1)[0]):
            return True
        m = _KEY.match(line)
        indent = len(line) - len(line.lstrip(" "))
        if m is None:
            dash = re.match(r"^( *)((?:- *)+)", line)
            depth = indent + (len(dash.group(2)) if dash else 0)
            for k in [k for k in open_maps if k >= depth]:
                del open_maps[k]
            continue
        col = len(m.group(1)) + len(m.group(2))
        for k in [k for k in open_maps if k > col or (m.group(2) and k >= col)]:
            del open_maps[k]
        keys = open_maps.setdefault(col, set())
        key = m.group(4).strip().lower()
        if key in keys:
            return True
        keys.add(key)
    return False


def _events(text: str) -> Iterator[Any]:
    """YAML parse events (no node is built, no alias expanded): libyaml's parser when
    ruamel.yaml has it, else the pure-Python one."""
    try:
        from ruamel.yaml.cyaml import CSafeLoader  # type: ignore[attr-defined]
    except ImportError:
        from ruamel.yaml import YAML
        yield from YAML(typ="safe", pure=True).parse(text)
        return
    loader = CSafeLoader(text)
    try:
        while True:
            ev = loader.get_event()
            if ev is None:
                return
            yield ev
    finally:
        loader.dispose()


def _scan(text: str, path: str) -> list[tuple[Origin, str, str]]:
    from ...kustomize.kustomization import SCHEMA
    out: list[tuple[Origin, str, str]] = []
    stack: list[_Frame] = []
    docs = 0
    for ev in _events(text):
        name = type(ev).__name__
        if name == "DocumentStartEvent":
            docs += 1
            if docs > 1:      # a second document is a render error; nothing to add
                break
            continue
        if name in ("MappingStartEvent", "SequenceStartEvent"):
            shape = _child_shape(stack, SCHEMA)
            _consume_value(stack)
            stack.append(_Frame(name == "MappingStartEvent", shape))
            continue
        if name in ("MappingEndEvent", "SequenceEndEvent"):
            frame = stack.pop()
            if frame.is_map:
                out += _report(frame, path)
            continue
        if name in ("ScalarEvent", "AliasEvent"):
            top = stack[-1] if stack else None
            if top is not None and top.is_map and top.expect_key:
                key = ev.value if name == "ScalarEvent" else None
                top.key = key
                top.expect_key = False
                if key is not None and key != "<<":
                    top.keys.setdefault(_fold(key, top.shape), []).append(
                        (key, ev.start_mark.line + 1, ev.start_mark.column + 1))
            else:
                _consume_value(stack)
    return out


def _consume_value(stack: list[_Frame]) -> None:
    if stack and stack[-1].is_map:
        stack[-1].expect_key = True


def _child_shape(stack: list[_Frame], schema: dict) -> Any:
    if not stack:
        return schema
    top = stack[-1]
    shape = top.shape
    if top.is_map:
        if isinstance(shape, dict) and top.key is not None:
            return shape.get(_canonical(top.key, shape))
        if isinstance(shape, tuple) and shape[0] == "dict":
            return shape[1]
        return None
    if isinstance(shape, tuple) and shape[0] == "list":
        return shape[1]
    return None


def _canonical(key: str, shape: dict) -> str:
    if key in shape:
        return key
    low = key.lower()
    return next((k for k in shape if k.lower() == low), key)


def _fold(key: str, shape: Any) -> str:
    """Keys Kustomize treats as the same: struct fields ignore case, map keys do not."""
    return _canonical(key, shape) if isinstance(shape, dict) else key


def _report(frame: _Frame, path: str) -> list[tuple[Origin, str, str]]:
    out = []
    for occurrences in frame.keys.values():
        if len(occurrences) < 2:
            continue
        # Kustomize (YAML -> JSON -> Go struct): an exact repeat keeps the last value; of
        # spellings differing in case, the one sorting last in byte order wins
        winner = max(range(len(occurrences)), key=lambda i: (occurrences[i][0], i))
        first_key, first_line, _ = occurrences[0]
        for key, line, col in occurrences[1:]:
            if key == first_key:
                what = f"'{key}' is set twice in this mapping (first at line {first_line})"
            else:
                what = (f"'{key}' repeats '{first_key}' (line {first_line}): Kustomize "
                        "matches field names ignoring case")
            kept = occurrences[winner][1]
            message = (f"{what}; Kustomize keeps only the value at line {kept} and "
                       f"ignores the other{'s' if len(occurrences) > 2 else ''}: keep one")
            out.append((Origin(path, line, col), message, key))
    return out
