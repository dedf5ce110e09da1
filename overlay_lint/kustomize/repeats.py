"""Keys written twice in one mapping of a resource, as Kustomize v5.5.0 renders them.

Kustomize (kyaml) reads a resource into yaml.v3 nodes, which keep every occurrence of a
repeated key; a lookup or a write finds the first one. The output is printed through a
JSON conversion that refuses a repeated key anywhere, so most such resources fail
(``mapping key "x" already defined``), and so do they here, at the repeat.

``metadata.annotations`` is the exception: at the end of a build Kustomize reads the
annotations as a map (GetAnnotations: the first ``annotations`` mapping, a repeated key
read as its last value) and writes them back (SetAnnotations: that mapping removed, every
key set into the next ``annotations`` mapping, or into a new one). It does that at least
twice (dropping its build, origin and transformer annotations), so a repeated key inside
``annotations``, and ``annotations`` written twice in ``metadata``, render as one mapping:

- a key written twice in one ``annotations`` mapping: its last value;
- two ``annotations`` mappings: merged; a key in both takes the first mapping's value,
  unless the second writes it twice itself (then the second's last value stays).

That result is computed here when the file is read, and the resource is rendered from it,
with the kept value's provenance. Until the merge, Kustomize writes a key into the first
mapping's first copy of it (or appends it there) and removes only that copy; in a build
this renderer replays nothing merges earlier (a JSON6902 patch, a generator merging into
the resource or buildMetadata would: refused). So :func:`settle`, at the end of the
build, turns what the build did to the merged mapping into what Kustomize prints: a key
written twice in the second mapping keeps that mapping's last value, one written twice
in the first keeps its last value whatever wrote to it, a key removed that the second
mapping also holds shows the second's value; a single mapping replaced as a whole
(``$patch: replace``) is a plain mapping. Refused, each at the repeat: a removal of a key
written twice (how many copies went decides), the first mapping removed or replaced as a
whole while there is a second (later writes then reach the second's copies; and after a
base's ``namePrefix`` kubectl was seen dropping the second mapping on a replace),
``annotations`` written three times or more, a repeated ``annotations`` that is not a
mapping, an internal Kustomize annotation in the second mapping (Kustomize reads only the
first until the merge), the metadata replaced as a whole, and the three cases above.
"""
from __future__ import annotations

from ..core.errors import OverlayLintError
from ..core.node import Node, Origin
from .touched import DuplicateKey

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any

    from .resource import Resource


class Repeats:
    """What a resource read with repeated annotation keys needs settled at the end of the
    build: ``at``/``key``/``first`` (the first repeat, where a refusal points), ``second``
    (the second ``annotations`` mapping's entries, or None) and ``keys``: for each key
    whose value depends on which copy a write reaches, (copies in the first mapping,
    copies in the second, the value kept when read, the second's last value or None,
    its last repeat, its first occurrence)."""

    __slots__ = ("at", "key", "first", "second", "keys")

    def __init__(self, at: Origin, key: str, first: Origin | None,
                 second: list[tuple[str, Node, Origin]] | None,
                 keys: dict[str, tuple[Any, ...]]) -> None:
        self.at = at
        self.key = key
        self.first = first
        self.second = second
        self.keys = keys


MARK = "repeats"  # parts key on the metadata and annotations mappings this module made


def _line(o: Origin | None) -> str:
    return str(o[1]) if o is not None else "?"


def _refuse(o: Origin, key: str, first: Origin | None, why: str) -> OverlayLintError:
    return OverlayLintError(f'duplicate key "{key}" (first at line {_line(first)}); {why}', *o)


GENERIC = "Kustomize refuses it too, unless a patch or generator replaces the part holding it"
_RESERVED = ("config.kubernetes.io/", "kustomize.config.k8s.io/", "config.k8s.io/")


def _reserved(key: str) -> bool:
    return any(r in key for r in _RESERVED)


def _shadows(node: Node) -> list[tuple[str, Node, Origin]]:
    parts = node.parts
    return parts.get("dups", []) if parts else []


def _repeats_in(node: Node, out: list[tuple[Node, str, Node, Origin]]) -> None:
    """Every repeat in the tree (its mapping, key, value, origin), set-aside values too."""
    for _, n in node.walk():
        for key, value, o in _shadows(n):
            out.append((n, key, value, o))
            _repeats_in(value, out)


def resolve(doc: Node, resources: list[Resource], file: str,
            dups: list[DuplicateKey]) -> None:
    """Render the repeated keys of ``doc`` (read with ``shadow``) as Kustomize does, into
    its ``resources`` (made from ``doc``), or refuse; each repeat goes to ``dups``."""
    found: list[tuple[Node, str, Node, Origin]] = []
    _repeats_in(doc, found)
    handled: set[int] = set()  # id() of the repeats' values this module renders
    for res in resources:
        handled.update(_resolve_one(res, file, dups))
    rest = [(o, key, m) for m, key, v, o in found if id(v) not in handled]
    if rest:
        o, key, m = min(rest, key=lambda r: (r[0][1], r[0][2]))
        first = m.v[key].o if key in m.v else None
        raise _refuse(o, key, first, GENERIC)


def _resolve_one(res: Resource, file: str, dups: list[DuplicateKey]) -> list[int]:
    """The annotations of one resource with repeats in them, rendered; the id() of the
    repeats' values dealt with (any other repeat in the resource is refused)."""
    md = res.node.v.get("metadata")
    if md is None or not md.is_map:
        return []
    a1 = md.v.get("annotations")
    more = [s for s in _shadows(md) if s[0] == "annotations"]
    if a1 is None or (not more and not _shadows(a1)):
        return []
    first_at = a1.o
    if more:
        if len(more) > 1:
            raise _refuse(more[1][2], "annotations", first_at,
                          "metadata.annotations written three times or more: what Kustomize "
                          "renders then depends on the build; refused")
        if not a1.is_map or not more[0][1].is_map:
            raise _refuse(more[0][2], "annotations", first_at,
                          "a repeated metadata.annotations that is not a mapping; refused")
    a2 = more[0][1] if more else None
    p1 = _pairs(a1)
    p2 = _pairs(a2) if a2 is not None else []
    for k, _, o in p2:
        if _reserved(k):
            raise _refuse(o, "annotations", first_at,
                          f"'{k}' is a Kustomize annotation in a repeated metadata.annotations:"
                          " Kustomize reads only the first mapping until it merges them; "
                          "refused")
    kept = _merged(p1, p2)
    seen: dict[str, list[Origin]] = {}
    for k, _, o in p1 + p2:
        seen.setdefault(k, []).append(o)
    in_p2: dict[str, int] = {}
    last2: dict[str, Node] = {}
    for k, v, _ in p2:
        in_p2[k] = in_p2.get(k, 0) + 1
        last2[k] = v
    keys: dict[str, tuple[Any, ...]] = {}
    for k, node in kept.items():
        where, c2 = seen[k], in_p2.get(k, 0)
        c1 = len(where) - c2
        if c2 or c1 > 1:  # copies: a later write goes into the resource's node in place
            l2 = last2.get(k)
            keys[k] = (c1, c2, node.clone(), None if l2 is None else l2.clone(), where[-1],
                       where[0])
    if more:
        rep = Repeats(more[0][2], "annotations", first_at, p2, keys)
    else:
        k, _, o = min(_shadows(a1), key=lambda s: (s[2][1], s[2][2]))
        rep = Repeats(o, k, a1.v[k].o, None, keys)
    md.v["annotations"] = Node(kept, first_at, {MARK: True})
    md.parts = {MARK: True}
    res.state.repeats = rep
    # the findings: each repeat, naming the occurrence whose value Kustomize keeps
    for m in (a1, a2):
        if m is None:
            continue
        for k, v, o in _shadows(m):
            dups.append(DuplicateKey(file, k, o, m.v[k].o, kept[k].o))
    if more:
        dups.append(DuplicateKey(file, "annotations", more[0][2], first_at, None))
    return [id(v) for m in (a1, a2) if m is not None for _, v, _ in _shadows(m)] + \
        [id(v) for _, v, _ in more]


def _pairs(m: Node) -> list[tuple[str, Node, Origin]]:
    """A mapping's entries in the order written, repeats included."""
    out = [(k, v, v.o) for k, v in m.v.items()]
    out += _shadows(m)
    out.sort(key=lambda e: (e[2][1], e[2][2]) if e[2] is not None else (0, 0))
    return out


def _merged(p1: list, p2: list) -> dict[str, Node]:
    """SetAnnotations folding the first mapping into the second, then reading the result:
    a key of the first mapping (its last value) overwrites the first occurrence in the
    second; a key the second writes twice keeps the second's last value."""
    m1: dict[str, Node] = {}
    for k, v, _ in p1:
        m1[k] = v
    if not p2:
        return m1
    target: list[list[Any]] = [[k, v] for k, v, _ in p2]
    for k in sorted(m1):
        for entry in target:
            if entry[0] == k:
                entry[1] = m1[k]
                break
        else:
            target.append([k, m1[k]])
    out: dict[str, Node] = {}
    for k, v in target:
        out[k] = v
    return out


def settle(res: Resource, meta: set[str]) -> None:
    """At the end of the build, the annotations Kustomize prints, from what the build did
    to the ones computed when the resource was read (writes and removals reach the first
    mapping's first copy of a key; see the module's docstring), or a refusal where that
    cannot be told from the result."""
    rep = res.state.repeats
    if rep is None:
        return
    res.state.repeats = None
    if meta & {"originAnnotations", "transformerAnnotations"}:
        raise _refuse(rep.at, rep.key, rep.first,
                      "with buildMetadata origin or transformer annotations, Kustomize merges "
                      "the repeated annotations at other points of the build; refused")
    md = res.node.get("metadata")
    if md is None or not md.is_map or not (md.parts and md.parts.get(MARK)):
        if not rep.keys and rep.second is None:
            return  # a plain mapping after all: what is left renders as it is
        raise _refuse(rep.at, rep.key, rep.first,
                      "the build replaces this resource's metadata, which Kustomize does "
                      "with every copy; refused")
    if rep.second is not None and "annotations" in md.parts.get("deleted", ()):
        # the first mapping removed: later writes and removals reach the second's copies
        raise _refuse(rep.at, rep.key, rep.first,
                      "the build removes metadata.annotations, which Kustomize does with the "
                      "first of the two mappings only; refused")
    ann = md.v.get("annotations")
    if ann is None or not ann.is_map or not (ann.parts and ann.parts.get(MARK)):
        # the first mapping replaced as a whole ($patch: replace): alone, what is left is
        # a plain mapping; with a second one, Kustomize's result was not always that of
        # merging the two (kubectl drops the second after a base's namePrefix)
        if rep.second is not None:
            raise _refuse(rep.at, rep.key, rep.first,
                          "the build replaces the first metadata.annotations mapping as a "
                          "whole; what Kustomize renders then depends on the build; refused")
        return
    deleted = ann.parts.get("deleted", ())
    for k, (c1, c2, kept, last2, where, first) in rep.keys.items():
        d = deleted.count(k)
        if c2 > 1:  # the second mapping's last copy: no write reaches it, ...
            if d >= c2:  # ... a removal may (once the first mapping is gone, see below)
                raise _refuse(where, k, first, _REMOVED.format(k))
            ann.v[k] = last2.clone()
        elif c1 > 1:  # a write reaches the first copy; the last one is kept
            if d:
                raise _refuse(where, k, first, _REMOVED.format(k))
            ann.v[k] = kept.clone()
        else:
            # once in the second mapping, at most once in the first: a removal takes the
            # first mapping's copy, or, where the first mapping is empty and gone (kyaml's
            # SetAnnotation drops an empty annotations mapping), the second's
            if d > c1:
                if c1:
                    raise _refuse(where, k, first, _REMOVED.format(k))
                raise _refuse(rep.at, rep.key, rep.first,
                              f"the build removes annotation '{k}', which only the repeated "
                              "mapping holds: whether Kustomize removes it depends on the "
                              "build; refused")
            if ann.v.get(k) is None:
                ann.v[k] = last2.clone()


_REMOVED = ("the build removes annotation '{}', written more than once: which copies "
            "Kustomize removes decides what it renders; refused")


def refuse_json(res: Resource, what: str) -> None:
    """Kustomize converts the resource to JSON here (a JSON6902 patch), which refuses a
    repeated key: so does the render."""
    rep = res.state.repeats
    if rep is not None:
        raise _refuse(rep.at, rep.key, rep.first,
                      f"{what} converts the resource to JSON, which refuses the repeat "
                      "(as Kustomize does)")


def refuse_generator(res: Resource, behavior: str) -> None:
    """A generator merging into (or replacing) the resource: Kustomize reads only the
    first annotations mapping there (CopyMergeMetaDataFieldsFrom): refused."""
    rep = res.state.repeats
    if rep is not None:
        raise _refuse(rep.at, rep.key, rep.first,
                      f"a generator with behavior {behavior} takes this resource's "
                      "annotations as Kustomize reads them before it merges the repeats; "
                      "refused")
