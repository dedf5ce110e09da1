"""The field spec walk: every node a field spec selects in a resource (Kustomize's
filters/fsslice and filters/fieldspec).

Kustomize's transformers (namespace, prefixes, labels, images, name references ...) find
the fields they touch through field specs (``types.FieldSpec``: in resources of this
group/version/kind, the field at this path). A path is ``/``-separated; a segment ending
in ``[]`` names a sequence; sequences met on the way are walked element by element;
``create`` makes missing mappings (and the last field) on the way.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any, Callable, Iterable, List, Optional

from ...core.errors import at
from ...core.node import Node, Origin, PathKey
from ..types import FieldSpec

_SEGMENTS: dict[str, tuple[str, ...]] = {}


def _segments(path: str) -> tuple[str, ...]:
    """``split_path`` memoised: transformers apply the same few specs to every resource."""
    segs = _SEGMENTS.get(path)
    if segs is None:
        segs = _SEGMENTS[path] = tuple(split_path(path))
    return segs


def split_path(path: str) -> list[str]:
    """Split on ``/`` except inside ``[...]`` and where escaped as ``\\/``."""
    out, cur, depth, i = [], "", 0, 0
    while i < len(path):
        ch = path[i]
        if ch == "\\" and i + 1 < len(path) and path[i + 1] == "/":
            cur += "/"
            i += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "/" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
        i += 1
    out.append(cur)
    return [s for s in out if s != ""] if path else []


# A setter receives the node found at the path (mutate it in place: ``node.v``/``node.o``)
# and its path in the resource (mapping keys and sequence indexes) as a list that is only
# valid during the call: ``tuple(path)`` keeps it.
if TYPE_CHECKING:
    SetFn = Callable[[Node, Optional[List[PathKey]]], None]
else:  # a name for imports elsewhere: annotations are never evaluated
    SetFn = object


def apply_fieldspec(root: Node, fs: FieldSpec, setter: SetFn, create_kind: str | None = None,
                    create_origin: Origin | None = None, gvk: tuple[str, str, str] | None = None,
                    paths: bool = False) -> None:
    """Call ``setter`` on every node ``fs`` selects in the resource ``root``.

    ``create_kind`` ("map", "seq" or "scalar") is what a missing last field becomes when
    ``fs.create`` is set; intermediate fields are created as mappings. Created nodes carry
    ``create_origin`` (the kustomization entry that asked for them). With ``paths`` the
    setter gets each node's path (a list), else None (the common case costs nothing).
    """
    if gvk is not None and not fs.matches_gvk(*gvk):
        return
    _walk(root, _segments(fs.path), fs, setter, create_kind, create_origin,
          [] if paths else None)


def _walk(node: Node, segs: "tuple[str, ...]", fs: FieldSpec, setter: SetFn,
          create_kind: str | None, create_origin: Origin | None,
          path: list[PathKey] | None) -> None:
    if not segs:
        setter(node, path)
        return
    v = node.v
    if v is None:
        return
    if type(v) is list:
        if path is None:
            for item in v:
                _walk(item, segs, fs, setter, create_kind, create_origin, None)
            return
        for i, item in enumerate(v):
            path.append(i)
            _walk(item, segs, fs, setter, create_kind, create_origin, path)
            path.pop()
        return
    if type(v) is not dict:
        raise at(node.o, f"expected sequence or mapping node at field '{fs.path}'")
    seg = segs[0]
    name = seg[:-2] if seg.endswith("[]") else seg
    is_seq = name != seg
    if not name:
        raise at(node.o, "cannot set or create an empty field name")
    child = v.get(name)
    creating = fs.create and create_kind is not None and not is_seq
    if child is None:
        if not creating:
            return
        kind = (create_kind or "map") if len(segs) == 1 else "map"
        child = Node(_empty(kind), create_origin or node.o)
        v[name] = child
    elif child.v is None and creating:
        kind = (create_kind or "map") if len(segs) == 1 else "map"
        if kind != "scalar":
            child.v = _empty(kind)
    elif child.v is None and is_seq:
        # Kustomize turns a null that the path says is a sequence into an empty one (with
        # or without ``create``): ``containers:`` null plus an images entry renders `[]`
        child.v = []
    if path is None:
        _walk(child, segs[1:], fs, setter, create_kind, create_origin, None)
        return
    path.append(name)
    _walk(child, segs[1:], fs, setter, create_kind, create_origin, path)
    path.pop()


def _empty(kind: str) -> Any:
    return {} if kind == "map" else [] if kind == "seq" else None


def apply_fieldspecs(root: Node, specs: Iterable[FieldSpec], setter: SetFn,
                     gvk: tuple[str, str, str], create_kind: str | None = None,
                     create_origin: Origin | None = None, paths: bool = False) -> None:
    for fs in specs:
        if fs.matches_gvk(*gvk):
            _walk(root, _segments(fs.path), fs, setter, create_kind, create_origin,
                  [] if paths else None)
