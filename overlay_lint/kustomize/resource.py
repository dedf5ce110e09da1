"""Resources and the ordered resource map a kustomization build works on.

Kustomize keeps its bookkeeping (previous names, generator behavior, hash requests) in
build annotations on the objects; here it lives in plain attributes so the rendered
data never carries it.
"""
from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Iterable, Iterator

from ..core.errors import OverlayLintError, at
from ..core.node import Node, Origin, PathKey, ensure_map
from .regex import anchored
from .scope import is_cluster_scoped

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


class Resource:
    """One object in a build: its ``Node`` tree plus Kustomize's build bookkeeping.

    ``chain`` lists the kustomization directories the resource passed through, innermost
    first. ``prev_ids`` are the ids it had before renames (oldest first), used to find
    references by original name. ``behavior``/``needs_hash`` come from generators.
    """

    __slots__ = ("node", "uid", "chain", "prev_ids", "behavior", "needs_hash", "ref_by",
                 "name_change_ok", "kind_change_ok", "prefixes", "suffixes", "source",
                 "generated_by", "ref_vars", "meta_origin")

    def __init__(self, node: Node, source: str | None = None) -> None:
        if type(node.v) is not dict:
            raise at(node.o, "a resource must be a YAML mapping")
        self.node = node
        self.uid = next(_UIDS)      # stable identity in a build (touched records use it)
        self.chain: list[str] = []
        self.prev_ids: list[ResId] = []
        self.behavior = ""          # generator behavior: create / merge / replace
        self.needs_hash = False
        self.ref_by: list[ResId] = []
        self.name_change_ok = False
        self.kind_change_ok = False
        self.prefixes: list[str] = []
        self.suffixes: list[str] = []
        self.source = source        # file it was read from (None: generated)
        self.generated_by: Origin | None = None  # generator entry that made it
        self.ref_vars: list[str] = []  # names of the deprecated vars that read this object
        self.meta_origin: str | None = None  # buildMetadata: the origin annotation's text

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
        return self.prev_ids[0] if self.prev_ids else self.cur_id()

    def store_previous_id(self) -> None:
        cur = self.cur_id()
        ns = cur.effective_ns
        self.prev_ids.append(ResId(cur.group, cur.version, cur.kind, cur.name,
                                   "" if ns == NOT_A_NS else ns))

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

    def set_namespace(self, ns: str, origin: Origin | None = None) -> None:
        md = self.metadata()
        old = md.v.get("namespace")
        md.v["namespace"] = Node(ns, origin or (old.o if old is not None else md.o))

    def take_build_state(self, other: "Resource") -> None:
        """Copy ``other``'s build bookkeeping (earlier ids, affixes, chain, behavior, vars)
        onto this resource; ``needs_hash`` and ``generated_by`` are left to the caller."""
        self.uid = other.uid
        self.chain = list(other.chain)
        self.prev_ids = list(other.prev_ids)
        self.behavior = other.behavior
        self.ref_by = list(other.ref_by)
        self.name_change_ok = other.name_change_ok
        self.kind_change_ok = other.kind_change_ok
        self.prefixes = list(other.prefixes)
        self.suffixes = list(other.suffixes)
        self.source = other.source
        self.ref_vars = list(other.ref_vars)

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


class ResMap:
    """Resources in build order; ids must be unique (Kustomize's resWrangler)."""

    def __init__(self, resources: Iterable[Resource] = ()) -> None:
        self.items: list[Resource] = list(resources)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def append(self, res: Resource, origin: Origin | None = None) -> None:
        cid = res.cur_id()
        for other in self.items:
            if other.cur_id().equals(cid):
                raise at(origin or res.node.o,
                         f"may not add resource with an already registered id: {cid}")
        self.items.append(res)

    def id_keys(self) -> set:
        """Keys of the ids held now (for ``append_all``'s ``seen``)."""
        return {_id_key(r.cur_id()) for r in self.items}

    def append_all(self, other: Iterable[Resource], origin: Origin | None = None,
                   seen: set | None = None) -> None:
        """Append ``other``, refusing ids already held.

        ``seen`` is ``id_keys()`` kept (and updated here) by a caller that appends many
        times in a row without changing any resource in between: a base listing N
        service folders then stays linear instead of re-indexing N times.
        """
        if seen is None:
            seen = self.id_keys()
        for res in other:
            key = _id_key(res.cur_id())
            if key in seen:
                raise at(origin or res.node.o,
                         f"may not add resource with an already registered id: {res.cur_id()}")
            seen.add(key)
            self.items.append(res)

    def remove(self, res: Resource) -> None:
        self.items = [r for r in self.items if r is not res]

    def replace(self, old: Resource, new: Resource) -> None:
        self.items[self.items.index(old)] = new

    def by_any_id(self, rid: ResId) -> list[Resource]:
        """Resources whose current or any previous id equals ``rid``."""
        out = []
        for r in self.items:
            if r.cur_id().equals(rid) or any(p.equals(rid) for p in r.prev_ids):
                out.append(r)
        return out

    def select(self, selector: "Selector") -> list[Resource]:
        return [r for r in self.items if selector.matches(r)]


def _id_key(rid: ResId) -> tuple:
    return (rid.group, rid.version, rid.kind, rid.name, rid.effective_ns)


# --- selectors (patch targets; replacements match ids exactly, see replacements.Sel) ---

@dataclass
class Selector:
    """A ``target:`` selector; fields are anchored regular expressions, as in Kustomize."""

    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    label_selector: str = ""
    annotation_selector: str = ""
    origin: Origin | None = None

    @classmethod
    def from_node(cls, node: Node | None) -> "Selector":
        if node is None or node.v is None:
            return cls()
        if not node.is_map:
            raise at(node.o, "target must be a mapping")
        def s(key: str) -> str:
            c = node.get(key)
            if c is None or c.v is None:
                return ""
            if not isinstance(c.v, (str, int, float)) or isinstance(c.v, bool):
                raise at(c.o, f"target.{key} must be a string")
            return str(c.v)
        return cls(s("group"), s("version"), s("kind"), s("name"), s("namespace"),
                   s("labelSelector"), s("annotationSelector"), node.o)

    def __post_init__(self) -> None:
        self._re = {}
        for f in ("group", "version", "kind", "name", "namespace"):
            pat = getattr(self, f)
            if pat:  # anchored as Kustomize anchors it, evaluated with Go's RE2
                self._re[f] = anchored(pat, self.origin, f"target {f}")
        self._labels = parse_label_selector(self.label_selector, self.origin) \
            if self.label_selector else None
        self._annos = parse_label_selector(self.annotation_selector, self.origin) \
            if self.annotation_selector else None

    def _m(self, field: str, value: str) -> bool:
        r = self._re.get(field)
        return r is None or bool(r.search(value))

    def matches(self, res: Resource) -> bool:
        cur, org = res.cur_id(), res.org_id()
        if "namespace" in self._re:
            if not (self._m("namespace", org.effective_ns) or self._m("namespace", cur.effective_ns)):
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
