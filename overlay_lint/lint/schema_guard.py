"""What a rule's JSON Schema may do: declarative rules come from the repository being linted.

A pull request can edit a rule file (a ``rule-dirs`` folder) or the parameters a schema is
built from, so a schema is untrusted input. Before one runs:

- ``$ref`` must point into the same schema (``#``, ``#/json/pointer``, ``#anchor``): a URL
  or ``file:`` reference would make the validator fetch from the network or read a file
  and quote it in a finding. The validator has no retrieval at all either way.
  ``$id``, ``$dynamicRef`` and ``$recursiveRef`` (which change what a reference means)
  are refused below the top.
- a ``$ref`` loop that never descends into the document (``a -> b -> a`` through
  ``$ref``/``allOf``/``not``...) would recurse forever: a located error.
- references can make a small schema expand exponentially (each of 30 definitions using
  the next one twice is 2^30 subschemas): the expanded size is capped.
- ``pattern`` and ``patternProperties`` run with RE2 (linear time; jsonschema would use
  Python's backtracking ``re``): each must compile there.

Checks return ``(path, message)`` pairs, ``path`` being the keys from the schema's top to
the offending keyword, so that callers can locate them in the rule file.
"""
from __future__ import annotations

from collections.abc import Iterator

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

MAX_EXPANSION = 100_000     # subschemas one pass over a resource may evaluate

# Keywords whose value is a subschema (or a list/map of them), by how they apply: "here"
# to the same instance, "down" to a part of it, "defs" only through a $ref.
_HERE_ONE = ("not", "if", "then", "else")
_HERE_LIST = ("allOf", "anyOf", "oneOf")
_HERE_MAP = ("dependentSchemas",)
_DOWN_ONE = ("items", "additionalItems", "contains", "additionalProperties", "propertyNames",
             "unevaluatedItems", "unevaluatedProperties", "contentSchema")
_DOWN_LIST = ("prefixItems", "items")
_DOWN_MAP = ("properties", "patternProperties")
_DEFS_MAP = ("$defs", "definitions")
_REFUSED = ("$id", "$dynamicRef", "$recursiveRef", "$dynamicAnchor", "$recursiveAnchor")

Path = tuple


def _children(schema: Any) -> Iterator[tuple[Path, Any, bool]]:
    """(relative path, subschema, applies here) for each subschema of ``schema``."""
    if not isinstance(schema, dict):
        return
    for k in _HERE_ONE:
        if k in schema:
            yield (k,), schema[k], True
    for k in _HERE_LIST:
        if isinstance(schema.get(k), list):
            for i, s in enumerate(schema[k]):
                yield (k, i), s, True
    for k in _HERE_MAP:
        if isinstance(schema.get(k), dict):
            for n, s in schema[k].items():
                yield (k, n), s, True
    deps = schema.get("dependencies")          # draft 7: a schema, or a list of names
    if isinstance(deps, dict):
        for n, s in deps.items():
            if isinstance(s, dict):
                yield ("dependencies", n), s, True
    for k in _DOWN_ONE:
        if isinstance(schema.get(k), (dict, bool)):
            yield (k,), schema[k], False
    for k in _DOWN_LIST:
        if isinstance(schema.get(k), list):
            for i, s in enumerate(schema[k]):
                yield (k, i), s, False
    for k in _DOWN_MAP + _DEFS_MAP:
        if isinstance(schema.get(k), dict):
            for n, s in schema[k].items():
                yield (k, n), s, False


def _pointer(doc: Any, fragment: str) -> tuple[Path, Any] | None:
    """Resolve ``/a/b`` (JSON pointer) in ``doc``: (path, value), None if it is not there."""
    from urllib.parse import unquote
    path: list = []
    node = doc
    for raw in unquote(fragment).split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
            path.append(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
            path.append(int(token))
        else:
            return None
    return tuple(path), node


def check_schema_safety(schema: Any) -> list[tuple[Path, str]]:
    """Problems that make ``schema`` unsafe to run; [] when it may run."""
    problems: list[tuple[Path, str]] = []
    anchors: dict[str, Path] = {}
    positions: dict[Path, Any] = {}
    refs: dict[Path, Path] = {}         # position holding $ref -> position it points at
    edges: dict[Path, list[tuple[Path, bool]]] = {}
    # every subschema reachable from the top, then through $ref targets
    root_positions = _collect(schema, (), positions, anchors, problems)
    stack = list(root_positions)
    while stack:
        pos = stack.pop()
        node = positions[pos]
        if not isinstance(node, dict):
            continue
        kids = [(pos + rel, here) for rel, _, here in _children(node)]
        ref = node.get("$ref")
        if ref is not None:
            hit = _resolve_ref(schema, ref, anchors, positions)
            if isinstance(hit, str):
                problems.append((pos + ("$ref",), hit))
            else:
                target, value = hit
                refs[pos] = target
                kids.append((target, True))
                if target not in positions:
                    stack.extend(_collect(value, target, positions, anchors, problems))
        edges[pos] = kids
    if problems:
        return problems
    problems += _loops(edges, refs)
    if problems:
        return problems
    size = _expanded_size(edges)
    if size > MAX_EXPANSION:
        problems.append(((), f"the schema expands through $ref to more than {MAX_EXPANSION:,} "
                             "subschemas; simplify it"))
    return problems


def _collect(node: Any, path: Path, positions: dict, anchors: dict,
             problems: list) -> list[Path]:
    """Record ``node`` and its subschemas (no $ref followed); return their positions."""
    found = []
    stack = [(path, node)]
    while stack:
        p, n = stack.pop()
        if p in positions:
            continue
        positions[p] = n
        found.append(p)
        if not isinstance(n, dict):
            continue
        for k in _REFUSED:
            if k in n and not (k == "$id" and p == () and isinstance(n[k], str)):
                problems.append((p + (k,), f"'{k}' is not supported in a rule schema (only "
                                           "'$ref' to '#...' inside the same schema)"))
        anchor = n.get("$anchor")
        if isinstance(anchor, str):
            anchors.setdefault(anchor, p)
        problems += _regex_problems(n, p)
        if "$ref" in n and not isinstance(n["$ref"], str):
            problems.append((p + ("$ref",), "'$ref' must be a string"))
        for rel, sub, _ in _children(n):
            stack.append((p + rel, sub))
    return found


def _regex_problems(n: dict, p: Path) -> list[tuple[Path, str]]:
    """``pattern`` and ``patternProperties`` run with RE2 (linear time): each must compile
    there (no lookaround, no backreferences); ``unevaluatedProperties`` beside
    ``patternProperties`` would run Python's backtracking ``re`` inside jsonschema."""
    from ..core.errors import OverlayLintError
    from ..kustomize.regex import go_regex
    out = []
    pats = [(("pattern",), n["pattern"])] if isinstance(n.get("pattern"), str) else []
    if isinstance(n.get("patternProperties"), dict):
        pats += [(("patternProperties", k), k) for k in n["patternProperties"]]
        if "unevaluatedProperties" in n:
            out.append((p + ("unevaluatedProperties",), "'unevaluatedProperties' beside "
                        "'patternProperties' is not supported in a rule schema"))
    for rel, pat in pats:
        try:
            go_regex(pat, None, "pattern")
        except OverlayLintError as exc:
            out.append((p + rel, f"{exc.message} (patterns run with RE2: no lookaround, "
                                 "no backreferences)"))
    return out


def _resolve_ref(schema: Any, ref: Any, anchors: dict,
                 positions: dict) -> tuple[Path, Any] | str:
    """(position, subschema) ``ref`` points at, or why it may not be followed."""
    if not isinstance(ref, str):
        return "'$ref' must be a string"
    if not ref.startswith("#"):
        return (f"'$ref: {ref[:200]}' points outside the rule; only references inside the "
                "same schema ('#/$defs/name') are allowed: overlay-lint never fetches or "
                "reads a schema")
    frag = ref[1:]
    if frag == "":
        return (), schema
    if frag.startswith("/"):
        hit = _pointer(schema, frag)
        if hit is None:
            return f"'$ref: {ref[:200]}' points at nothing in this schema"
        return hit
    if frag in anchors:
        return anchors[frag], positions[anchors[frag]]
    return f"'$ref: {ref[:200]}' names no '$anchor' of this schema"


def _loops(edges: dict[Path, list[tuple[Path, bool]]], refs: dict[Path, Path]
           ) -> list[tuple[Path, str]]:
    """A cycle of "here" edges through a $ref: validation would never end."""
    WHITE, GREY, BLACK = 0, 1, 2
    color: dict[Path, int] = {}
    for start in edges:
        if color.get(start, WHITE) != WHITE:
            continue
        stack = [(start, iter([t for t, here in edges.get(start, ()) if here]))]
        color[start] = GREY
        while stack:
            pos, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[pos] = BLACK
                stack.pop()
                continue
            c = color.get(nxt, WHITE)
            if c == GREY:       # back edge: report the $ref on the cycle
                cycle = [p for p, _ in stack[[p for p, _ in stack].index(nxt):]]
                at = next((p for p in cycle if p in refs), cycle[-1])
                return [(at + ("$ref",), "'$ref' loop: the schema refers back to itself "
                                         "without descending into the document, so it "
                                         "would never finish")]
            if c == WHITE:
                color[nxt] = GREY
                stack.append((nxt, iter([t for t, here in edges.get(nxt, ()) if here])))
    return []


def _expanded_size(edges: dict[Path, list[tuple[Path, bool]]]) -> int:
    """Subschemas one pass evaluates with every $ref expanded (a descent back into a
    schema on the current path counts once: its repeats are bounded by the document)."""
    size: dict[Path, int] = {}
    on_path: set[Path] = set()
    for start in edges:
        if start in size:
            continue
        stack = [(start, iter(edges.get(start, ())), 1)]
        on_path.add(start)
        while stack:
            pos, it, acc = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                on_path.discard(pos)
                size[pos] = min(acc, MAX_EXPANSION + 1)
                if stack:
                    p, i, a = stack[-1]
                    stack[-1] = (p, i, min(a + size[pos], MAX_EXPANSION + 1))
                continue
            child = nxt[0]
            if child in size:
                stack[-1] = (pos, it, min(acc + size[child], MAX_EXPANSION + 1))
            elif child in on_path:
                stack[-1] = (pos, it, acc + 1)
            else:
                on_path.add(child)
                stack.append((child, iter(edges.get(child, ())), 1))
    return max(size.values(), default=0) if () not in size else size[()]
