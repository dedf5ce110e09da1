"""The value tree the renderer works on: JSON-like data where each value knows its source.

A ``Node`` holds ``v`` (a ``dict[str, Node]``, a ``list[Node]`` or a scalar: str, int, float,
bool or None) and ``o``, its :class:`Origin` ``(file, line, col)`` with 1-based line and
column (a named tuple: ``o.file``/``o.line`` or ``o[0]``/``o[1]``; line 0 means "the file").
For a mapping value the origin is the line of its *key* (so a missing field is reported at
the ``spec:`` that should hold it); for a sequence item it is the item's first line.

Origins are immutable tuples shared between copies, so cloning a tree for another
environment costs one small object per node and never copies provenance.
``parts`` optionally records the origins of the pieces of a composite value, e.g. an image
reference assembled by an ``images:`` entry: ``{"name": origin, "tag": origin}``. The
loader also uses it for facts about a scalar's source text: ``block`` (where a literal
block's content starts), ``empty`` (``key:`` with no value), ``yaml11`` (the boolean a
YAML 1.1 reader sees in ``yes``/``on``...), ``text`` (the source text of a non-string
that prints differently); renames add ``ref`` and var substitution ``vars`` (origins). A
mapping read with its repeated keys set aside holds them in ``dups``; the annotations a
resource's repeated keys were rendered into carry ``repeats`` (kustomize/repeats.py).
"""
from __future__ import annotations

from .named_tuple import NamedTuple  # typing's, without its compiles at import

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any, Dict, Iterator, List, Optional, Tuple, Union


class Origin(NamedTuple):
    """Where a value came from: a file and a 1-based line and column (0: the whole file)."""

    file: str
    line: int
    col: int


if TYPE_CHECKING:
    Scalar = Union[str, int, float, bool, None]
    # Plain JSON-like data (what ``Node.data()`` returns).
    Data = Union[Scalar, Dict[str, Any], List[Any]]
    # A step in a path through a tree: a mapping key or a sequence index.
    PathKey = Union[str, int]
    Path = Tuple[PathKey, ...]
else:  # names other modules import for their annotations, which are never evaluated
    Scalar = Data = PathKey = Path = object


class Node:
    __slots__ = ("v", "o", "parts")

    v: Any  # dict[str, Node] | list[Node] | Scalar (Any: callers narrow it with type())
    o: Optional[Origin]
    parts: Optional[Dict[str, Any]]

    def __init__(self, v: Any, o: Origin | None = None,
                 parts: dict[str, Any] | None = None) -> None:
        self.v = v
        self.o = o
        self.parts = parts

    # --- kind tests -------------------------------------------------------------------
    @property
    def is_map(self) -> bool:
        return type(self.v) is dict

    @property
    def is_seq(self) -> bool:
        return type(self.v) is list

    @property
    def is_scalar(self) -> bool:
        return type(self.v) not in (dict, list)

    # --- access -------------------------------------------------------------------------
    def get(self, key: str) -> "Node | None":
        """The child at ``key`` of a mapping, or None (also when this is not a mapping)."""
        v = self.v
        if type(v) is dict:
            return v.get(key)
        return None

    def path(self, *keys: PathKey) -> "Node | None":
        """Follow mapping keys (str) and sequence indexes (int); None when absent."""
        n: Node | None = self
        for k in keys:
            if n is None:
                return None
            v = n.v
            if type(k) is int:
                if type(v) is not list or not -len(v) <= k < len(v):
                    return None
                n = v[k]
            else:
                n = v.get(k) if type(v) is dict else None
        return n

    def value(self, *keys: PathKey, default: Any = None) -> Any:
        """The plain value at a path (scalars as they are, containers as plain data)."""
        n = self.path(*keys)
        return default if n is None else n.data()

    def str_at(self, *keys: PathKey) -> str | None:
        n = self.path(*keys)
        if n is None or type(n.v) is not str:
            return None
        return n.v

    def set(self, key: str, node: "Node") -> None:
        self.v[key] = node

    def items(self) -> Iterator[tuple[str, "Node"]]:
        return iter(self.v.items()) if type(self.v) is dict else iter(())

    def data(self) -> Data:
        """The plain JSON-like data of this subtree (fresh containers)."""
        v = self.v
        t = type(v)
        if t is dict:
            return {k: c.data() for k, c in v.items()}
        if t is list:
            return [c.data() for c in v]
        return v

    def clone(self) -> "Node":
        """A structural copy sharing origins (cheap: no provenance is copied)."""
        v = self.v
        t = type(v)
        if t is dict:
            return Node({k: c.clone() for k, c in v.items()}, self.o, self.parts)
        if t is list:
            return Node([c.clone() for c in v], self.o, self.parts)
        return Node(v, self.o, self.parts)

    def clone_shared(self) -> "Node":
        """:meth:`clone` keeping nodes that appear in several places of the tree one node
        in the copy (Kustomize's shared value nodes, see :func:`unshare`)."""
        memo: dict[int, Node] = {}

        def copy(n: Node) -> Node:
            got = memo.get(id(n))
            if got is not None:
                return got
            v = n.v
            t = type(v)
            if t is dict:
                new = Node({k: copy(c) for k, c in v.items()}, n.o, n.parts)
            elif t is list:
                new = Node([copy(c) for c in v], n.o, n.parts)
            else:
                new = Node(v, n.o, n.parts)
            memo[id(n)] = new
            return new
        return copy(self)

    def walk(self, path: Path = ()) -> Iterator[tuple[Path, "Node"]]:
        """Every node of the subtree with its path (keys and indexes), parents first."""
        yield path, self
        # a stack of the open containers' children, not nested generators (each node
        # would pass through one generator per ancestor: deep CRD schemas)
        v = self.v
        stack: list[tuple[Path, Iterator[tuple[PathKey, Node]]]] = []
        if type(v) is dict:
            stack.append((path, iter(v.items())))
        elif type(v) is list:
            stack.append((path, enumerate(v)))
        while stack:
            top, children = stack[-1]
            for k, c in children:
                here = top + (k,)
                yield here, c
                v = c.v
                if type(v) is dict:
                    stack.append((here, iter(v.items())))
                    break
                if type(v) is list:
                    stack.append((here, enumerate(v)))
                    break
            else:
                stack.pop()

    def __repr__(self) -> str:  # for debugging and test failure messages
        loc = f"@{self.o[0]}:{self.o[1]}" if self.o else ""
        if type(self.v) in (dict, list):
            return f"Node({self.data()!r}){loc}"
        return f"Node({self.v!r}){loc}"

    def __eq__(self, other: object) -> bool:
        # Equality is data equality; provenance is not part of a value's identity.
        if isinstance(other, Node):
            return self.data() == other.data()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


def from_data(data: Any, origin: Origin | None) -> Node:
    """Wrap plain data in Nodes that all carry ``origin`` (for generated values)."""
    t = type(data)
    if t is dict:
        return Node({str(k): from_data(c, origin) for k, c in data.items()}, origin)
    if t in (list, tuple):
        return Node([from_data(c, origin) for c in data], origin)
    if isinstance(data, Node):
        return data
    return Node(data, origin)


def unshare(root: Node) -> None:
    """Give every place of the tree its own node: a node met again (Kustomize shares one
    value node between the places a label or annotation is added to, so that a later write
    into one shows in all) is replaced there by a copy. Kustomize's JSON6902 patches
    re-read the whole object from JSON, which ends all sharing in it."""
    seen: set[int] = set()

    def visit(n: Node) -> None:
        v = n.v
        if type(v) is dict:
            for k, c in v.items():
                if id(c) in seen:
                    v[k] = c.clone()
                else:
                    seen.add(id(c))
                    visit(c)
        elif type(v) is list:
            for i, c in enumerate(v):
                if id(c) in seen:
                    v[i] = c.clone()
                else:
                    seen.add(id(c))
                    visit(c)
    seen.add(id(root))
    visit(root)


def ensure_map(parent: Node, key: str, origin: Origin | None = None) -> Node:
    """The mapping at ``parent[key]``, created (with ``origin``) when absent or null."""
    child = parent.v.get(key)
    if child is None or child.v is None:
        child = Node({}, origin if origin is not None else parent.o)
        parent.v[key] = child
    return child
