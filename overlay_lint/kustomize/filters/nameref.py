"""Name references: after renames, point every reference at the new name.

Kustomize's name reference transformer, run once after the whole tree is built (names
have their prefixes, suffixes, hashes and namespaces by then). For each back reference
of the configuration (a referral kind and the fields naming such objects), every field
in a referrer is looked up among the resources that once had that name:

1. candidates: resources with a *previous* id of that name and of the referral kind
   (for ``roleRef/name`` the roleRef's apiGroup/kind too), in a namespace the referrer
   can see (same namespace, cluster-scoped, a ServiceAccount, or a RoleBinding subject's);
2. one candidate wins; several are narrowed by equal prefixes/suffixes (first allowing
   an empty list to match anything, then exactly); several identical names are fine;
   otherwise the reference is ambiguous (an error).

A mapping reference (RoleBinding subject, webhook service) also gets the referral's
namespace. A value rewritten after a plain rename (prefix, suffix) keeps the origin of
the reference field: that is the line a user edits to change what it refers to. A
reference to a generated object points at the generator entry that made the hashed name
(the reference's own line stays in ``parts["ref"]``).
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Callable

from ...core.errors import at
from ...core.node import Node
from ..gvk import gvk_selected
from ..resource import NOT_A_NS, ResId, Resource, split_api_version
from ..transformer_config import NameBackRef
from ..types import FieldSpec
from .affix import name_text as _text, org_gvk
from .fieldspec import apply_fieldspec


def fix_back_references(resources: list[Resource], backrefs: tuple[NameBackRef, ...]) -> None:
    """Rewrite references to renamed resources (``backrefs``: the build's nameReference
    configuration)."""
    if not resources or not backrefs:
        return
    index = _PrevNameIndex(resources)
    org = [org_gvk(r) for r in resources]
    # (resource position) -> [(field spec, referral gvk)] in configuration order
    todo: dict[int, list[tuple[FieldSpec, tuple[str, str, str]]]] = {}
    by_kind: dict[str, list[int]] = {}
    for i, g in enumerate(org):
        by_kind.setdefault(g[2], []).append(i)
    every = range(len(resources))
    for nbr in backrefs:
        target = nbr.gvk()
        for fs in nbr.referrers:
            for i in (by_kind.get(fs.kind, ()) if fs.kind else every):
                if gvk_selected(*org[i], fs.group, fs.version, fs.kind):
                    todo.setdefault(i, []).append((fs, target))
    for i in sorted(todo):
        referrer = resources[i]
        view = _Referrer(referrer, resources, index)
        if referrer.kind == "RoleBinding" and not view.cluster_scoped:
            view.binding_namespaces()  # Kustomize validates the subjects of every referrer
        if not index.names:
            continue  # nothing was ever renamed: no reference can need fixing
        gvk = referrer.gvk()
        for fs, target in todo[i]:
            fix = _Fix(view, fs, target)
            apply_fieldspec(referrer.node, FieldSpec(fs.path, *gvk), fix.set, None, None, gvk)


class _PrevNameIndex:
    """Resources by the names of their previous ids (resmap order, each once per name)."""

    def __init__(self, resources: list[Resource]) -> None:
        self.names: dict[str, list[Resource]] = {}
        for r in resources:
            for name in dict.fromkeys(p.name for p in r.state.prev_ids):
                self.names.setdefault(name, []).append(r)


def _cur_ns(res: Resource) -> str:
    return res.cur_id().effective_ns


def _org_ns(res: Resource) -> str:
    rid = res.org_id()
    g, v = split_api_version(res.api_version)
    # the original namespace, judged with the current group/version as Kustomize does
    return ResId(g, v, rid.kind, rid.name, rid.namespace).effective_ns


class _Referrer:
    """A referring resource and which resources it may refer to."""

    def __init__(self, res: Resource, resources: list[Resource], index: _PrevNameIndex) -> None:
        self.res = res
        self.resources = resources
        self.index = index
        cid = res.cur_id()
        self.cid = cid
        self.cluster_scoped = cid.cluster_scoped
        self.ns = cid.effective_ns
        self._binding_ns: set[str] | None = None
        self._org_ns: set[str] | None = None

    def binding_namespaces(self) -> set[str]:
        """Namespaces of a RoleBinding's ServiceAccount subjects."""
        if self._binding_ns is None:
            out: set[str] = set()
            if self.res.kind == "RoleBinding":
                subjects = self.res.node.get("subjects")
                for s in (subjects.v if subjects is not None and subjects.is_seq else ()):
                    if not s.is_map:
                        continue
                    ns, kind = s.get("namespace"), s.get("kind")
                    if ns is None or kind is None or kind.v != "ServiceAccount":
                        continue
                    if type(ns.v) is not str:
                        raise at(ns.o, f"namespace of ServiceAccount subject '{s.str_at('name')}'"
                                       f" is blank in {self.cid}; set it or remove the key")
                    out.add(ns.v)
            self._binding_ns = out
        return self._binding_ns

    def can_see(self, target: Resource) -> bool:
        """Kustomize's SubsetThatCouldBeReferencedByResource, for one target."""
        if self.cluster_scoped:
            return True
        tid = target.cur_id()
        if tid.cluster_scoped or tid.effective_ns == self.ns:
            return True
        return target.namespace in self.binding_namespaces()

    def original_namespaces(self) -> set[str]:
        """Original (effective) namespaces of every resource this referrer can see."""
        if self._org_ns is None:
            self._org_ns = {_org_ns(r) for r in self.resources if self.can_see(r)}
        return self._org_ns

    def named(self, name: str) -> list[Resource]:
        return [r for r in self.index.names.get(name, ()) if self.can_see(r)]


class _Fix:
    """The setter for one referrer field: scalars, mappings with ``name``, or lists."""

    def __init__(self, ref: _Referrer, fs: FieldSpec, target: tuple[str, str, str]) -> None:
        self.ref = ref
        self.fs = fs
        self.target = target

    def set(self, node: Node, path: object = None) -> None:
        v = node.v
        if v is None:
            return
        if type(v) is list:
            for item in v:
                if item.v is None:
                    continue
                if item.is_map:
                    self._mapping(item)
                elif item.is_seq:
                    raise at(item.o, f"name reference field '{self.fs.path}' of "
                                     f"{self.ref.cid} must hold names or mappings, "
                                     "found a nested list")
                else:
                    self._scalar(item)
        elif type(v) is dict:
            self._mapping(node)
        else:
            self._scalar(node)

    # -- scalars ------------------------------------------------------------------------
    def _scalar(self, node: Node) -> None:
        old = _text(node.v)
        cands = self.ref.named(old)
        referral = self._select(node, old, cands, same_names)
        if referral is None:
            return
        if referral.name != old:
            _rewrite(node, referral)

    # -- mappings (subjects, webhook services) ------------------------------------------
    def _mapping(self, node: Node) -> None:
        name = node.get("name")
        if name is None:
            raise at(node.o, f"no 'name' field in '{self.fs.path}' of {self.ref.cid}: a "
                             "name reference must name its target")
        old = _text(name.v)
        cands = self.ref.named(old)
        ns_node = node.get("namespace")
        if ns_node is not None:
            cands = self._by_namespace(_text(ns_node.v), cands)
        referral = self._select(node, old, cands, same_names_and_namespaces)
        if referral is None:
            return
        if referral.name == old and referral.namespace == "":
            return
        if referral.name != old:
            _rewrite(name, referral)
        if referral.namespace == "":
            return
        if ns_node is None:
            src = referral.node.path("metadata", "namespace")
            node.v["namespace"] = Node(referral.namespace, src.o if src is not None else node.o)
        else:
            ns_node.v = referral.namespace

    def _by_namespace(self, ns: str, named: list[Resource]) -> list[Resource]:
        # Candidates in the namespace as originally written, else as it is now; the choice
        # depends on every visible resource, not just the equally named ones.
        if ns != NOT_A_NS and ns in self.ref.original_namespaces():
            return [r for r in named if _org_ns(r) == ns]
        return [r for r in named if _cur_ns(r) == ns]

    # -- choosing -----------------------------------------------------------------------
    def _select(self, node: Node, old: str, cands: list[Resource],
                identical: Callable[[list[Resource]], bool]) -> Resource | None:
        tg, tv, tk = self.target
        cands = [r for r in cands if _prev_selected(r, tg, tv, tk)]
        if cands and self.fs.path.endswith("roleRef/name"):
            role = _role_ref_gvk(self.ref.res)
            if role is not None:
                cands = [r for r in cands if _prev_selected(r, role[0], "", role[1])]
        if cands and not self.ref.cluster_scoped:
            cands = [r for r in cands if r.cur_id().cluster_scoped
                     or r.kind == "ServiceAccount" or _cur_ns(r) == self.ref.ns]
        if len(cands) == 1:
            return cands[0]
        cands = [r for r in cands if affixes_equal(r, self.ref.res, True)]
        if len(cands) > 1:
            cands = [r for r in cands if affixes_equal(r, self.ref.res, False)]
        if len(cands) == 1:
            return cands[0]
        if not cands:
            return None
        if identical(cands):
            return cands[0]
        ids = ", ".join(str(r.cur_id()) for r in cands)
        raise at(node.o, f"found multiple possible referrals for '{old}' in "
                         f"'{self.fs.path}' of {self.ref.cid}: {ids}; give them distinct "
                         "names or prefixes/suffixes")


def _prev_selected(res: Resource, group: str, version: str, kind: str) -> bool:
    g, v = split_api_version(res.api_version)
    return any(gvk_selected(g, v, p.kind, group, version, kind) for p in res.state.prev_ids)


def _role_ref_gvk(res: Resource) -> tuple[str, str] | None:
    role = res.node.get("roleRef")
    if role is None or not role.is_map:
        return None
    group, kind = role.get("apiGroup"), role.get("kind")
    if group is None or kind is None:
        return None
    return _text(group.v), _text(kind.v)


def same_names(rs: list[Resource]) -> bool:
    return all(r.name == rs[0].name for r in rs)


def same_names_and_namespaces(rs: list[Resource]) -> bool:
    return all(r.name == rs[0].name and r.namespace == rs[0].namespace for r in rs)


def _same_ending(a: list[str], b: list[str]) -> bool:
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if not short:
        return not long_
    return long_[len(long_) - len(short):] == short


def affixes_equal(r: Resource, other: Resource, allow_empty: bool) -> bool:
    """Kustomize's PrefixesSuffixesEquals."""
    a, b = r.state, other.state
    if allow_empty:
        return ((not a.prefixes or not b.prefixes or _same_ending(a.prefixes, b.prefixes))
                and (not a.suffixes or not b.suffixes or _same_ending(a.suffixes, b.suffixes)))
    return _same_ending(a.prefixes, b.prefixes) and _same_ending(a.suffixes, b.suffixes)


def _rewrite(node: Node, referral: Resource) -> None:
    """Point a reference at the referral's new name.

    A generated object's name (with its content hash) is made by its generator entry, so
    the reference then points there; the reference's own line stays in ``parts["ref"]``.
    A plain rename (prefix/suffix) keeps the reference line: that is what users edit.
    """
    node.v = referral.name
    if referral.state.generated_by is not None:
        src = referral.node.path("metadata", "name")
        if src is not None and src.o is not None:
            node.parts = {**(node.parts or {}), "ref": node.o}
            node.o = src.o
