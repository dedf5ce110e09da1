"""A resource of a render, its id, and the bookkeeping the renderer keeps on it.

Rules read :class:`Resource`: its value tree (``node``, every value with its origin), its
kind, name and namespace, the kustomization directories it passed through (``chain``),
the file it was read from (``source``) and its id as written there (``org_id()``).
Kustomize keeps its build bookkeeping (previous ids, generator behavior, hash requests,
affixes received) in build annotations on the objects; here it is a separate
:class:`BuildState` that the build drops when it is done, so rendered data never
carries it.
"""
from __future__ import annotations

import itertools

from ..core.errors import at
from ..core.node import Node, Origin, PathKey, ensure_map
from ..core.record import dataclass
from .scope import is_cluster_scoped

TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    from .repeats import Repeats

_UIDS = itertools.count(1)
DEFAULT_NS = "default"
NOT_A_NS = "_non_namespaceable_"


@dataclass(frozen=True)
class ResId:
    """Group, version, kind, name and namespace of a resource (Kustomize's ResId)."""

    group: str
    version: str
    kind: str
    name: str
    namespace: str = ""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def cluster_scoped(self) -> bool:
        return is_cluster_scoped(self.api_version, self.kind)

    @property
    def effective_ns(self) -> str:
        if self.cluster_scoped:
            return NOT_A_NS
        if self.namespace in ("", DEFAULT_NS):
            return DEFAULT_NS
        return self.namespace

    def gvkn_equals(self, o: "ResId") -> bool:
        return (self.name == o.name and self.kind == o.kind and self.group == o.group
                and self.version == o.version)

    def equals(self, o: "ResId") -> bool:
        return self.gvkn_equals(o) and self.effective_ns == o.effective_ns

    def __str__(self) -> str:
        gvk = "/".join(p for p in (self.group, self.version, self.kind) if p)
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{gvk} {ns}{self.name}"


def split_api_version(api_version: str) -> tuple[str, str]:
    if "/" in api_version:
        g, v = api_version.split("/", 1)
        return g, v
    return "", api_version


class BuildState:
    """What the renderer remembers about a resource while building (Kustomize's build
    annotations): earlier ids (oldest first; references by an original name are found
    through them), generator behavior and hash request, the prefixes and suffixes it
    received (to pick among equally named referral candidates), the generator entry that
    made it, the deprecated vars that read it, its buildMetadata origin annotation."""

    __slots__ = ("prev_ids", "behavior", "needs_hash", "prefixes", "suffixes",
                 "generated_by", "ref_vars", "meta_origin", "repeats")

    def __init__(self) -> None:
        self.prev_ids: list[ResId] = []
        self.behavior = ""          # generator behavior: create / merge / replace
        self.needs_hash = False
        self.prefixes: list[str] = []
        self.suffixes: list[str] = []
        self.generated_by: Origin | None = None  # generator entry that made it
        self.ref_vars: list[str] = []  # names of the deprecated vars that read this object
        self.meta_origin: str | None = None  # buildMetadata: the origin annotation's text
        self.repeats: Repeats | None = None  # repeated annotation keys still to check (repeats.py)

    def copy(self) -> "BuildState":
        new = BuildState()
        new.prev_ids = list(self.prev_ids)
        new.behavior = self.behavior
        new.needs_hash = self.needs_hash
        new.prefixes = list(self.prefixes)
        new.suffixes = list(self.suffixes)
        new.generated_by = self.generated_by
        new.ref_vars = list(self.ref_vars)
        new.meta_origin = self.meta_origin
        new.repeats = self.repeats
        return new

    def taken_over(self, other: "BuildState") -> None:
        """Take ``other``'s earlier ids, affixes, behavior and vars (a generated object
        merged into, or replacing, the one it names); the hash request, the generator
        entry and the origin annotation stay this object's."""
        self.prev_ids = list(other.prev_ids)
        self.behavior = other.behavior
        self.prefixes = list(other.prefixes)
        self.suffixes = list(other.suffixes)
        self.ref_vars = list(other.ref_vars)


class Resource:
    """One object of a render: its ``Node`` tree, where it came from, and (while it is
    built) the renderer's :class:`BuildState`.

    ``uid`` identifies it within a build (touched records name it); ``chain`` lists the
    kustomization directories it passed through, innermost first; ``source`` is the file
    it was read from (None: generated).
    """

    __slots__ = ("node", "uid", "chain", "source", "state", "written", "shared")

    def __init__(self, node: Node, source: str | None = None) -> None:
        if type(node.v) is not dict:
            raise at(node.o, "a resource must be a YAML mapping")
        self.node = node
        self.uid = next(_UIDS)
        self.chain: list[str] = []
        self.source = source
        self.state = BuildState()
        self.written: ResId | None = None  # set when the build is done (see org_id)
        # True once a value node sits in several places of the tree (filters/labels.py):
        # copies keep it shared, a JSON6902 patch ends it
        self.shared = False

    def copy(self) -> "Resource":
        """An independent copy with its own uid (a reused build's resource)."""
        new = Resource(self.node.clone_shared() if self.shared else self.node.clone(),
                       self.source)
        new.shared = self.shared
        new.chain = list(self.chain)
        new.state = self.state.copy()
        new.written = self.written
        return new

    # --- identity -----------------------------------------------------------------------
    @property
    def api_version(self) -> str:
        return self.node.str_at("apiVersion") or ""

    @property
    def kind(self) -> str:
        return self.node.str_at("kind") or ""

    @property
    def name(self) -> str:
        return self.node.str_at("metadata", "name") or ""

    @property
    def namespace(self) -> str:
        return self.node.str_at("metadata", "namespace") or ""

    def gvk(self) -> tuple[str, str, str]:
        g, v = split_api_version(self.api_version)
        return g, v, self.kind

    def cur_id(self) -> ResId:
        # Hot path (every append, selector match and reference lookup): read the dicts
        # directly instead of four str_at() walks; same result as the properties above.
        v = self.node.v
        if type(v) is not dict:
            g, ver = split_api_version(self.api_version)
            return ResId(g, ver, self.kind, self.name, self.namespace)
        n = v.get("apiVersion")
        av = n.v if n is not None and type(n.v) is str else ""
        if "/" in av:
            g, ver = av.split("/", 1)
        else:
            g, ver = "", av
        n = v.get("kind")
        kind = n.v if n is not None and type(n.v) is str else ""
        name = ns = ""
        md = v.get("metadata")
        if md is not None and type(md.v) is dict:
            n = md.v.get("name")
            if n is not None and type(n.v) is str:
                name = n.v
            n = md.v.get("namespace")
            if n is not None and type(n.v) is str:
                ns = n.v
        return ResId(g, ver, kind, name, ns)

    def org_id(self) -> ResId:
        """The id as written in the source, before prefixes, namespaces and hashes."""
        if self.written is not None:
            return self.written
        prev = self.state.prev_ids
        return prev[0] if prev else self.cur_id()

    def store_previous_id(self) -> None:
        cur = self.cur_id()
        ns = cur.effective_ns
        self.state.prev_ids.append(ResId(cur.group, cur.version, cur.kind, cur.name,
                                         "" if ns == NOT_A_NS else ns))

    def done(self) -> None:
        """The build is over: keep the written id, drop the bookkeeping."""
        self.written = self.org_id()
        self.state = BuildState()

    @property
    def labels(self) -> dict[str, str]:
        n = self.node.path("metadata", "labels")
        return {k: str(c.v) for k, c in n.v.items()} if n is not None and n.is_map else {}

    @property
    def annotations(self) -> dict[str, str]:
        n = self.node.path("metadata", "annotations")
        return {k: str(c.v) for k, c in n.v.items()} if n is not None and n.is_map else {}

    # --- mutation helpers ---------------------------------------------------------------
    def metadata(self) -> Node:
        return ensure_map(self.node, "metadata")

    def set_name(self, name: str, origin: Origin | None = None) -> None:
        md = self.metadata()
        old = md.v.get("name")
        md.v["name"] = Node(name, origin or (old.o if old is not None else md.o))

    def take_place_of(self, other: "Resource") -> None:
        """Become ``other`` for the build (a generated object merged into, or replacing,
        the one it names): its identity, chain, source and build bookkeeping."""
        self.uid = other.uid
        self.chain = list(other.chain)
        self.source = other.source
        self.state.taken_over(other.state)

    def origin_of(self, *path: PathKey) -> Origin | None:
        """Where the value at ``path`` came from; for an absent value, its nearest parent."""
        n: Node | None = self.node
        best = self.node.o
        for k in path:
            n = n.path(k) if n is not None else None
            if n is None:
                break
            best = n.o
        return best

    def __repr__(self) -> str:
        return f"Resource({self.cur_id()})"
