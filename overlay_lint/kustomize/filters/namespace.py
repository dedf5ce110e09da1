"""Moving every namespaced resource into one namespace (Kustomize's filters/namespace).

Kustomize's special cases, kept here:
- cluster-scoped kinds (``ResId.cluster_scoped``) get no ``metadata.namespace``;
- the field specs of the configuration apply too: a ``v1`` Namespace object is renamed to
  the namespace, an APIService's ``spec.service.namespace`` and a CRD conversion webhook's
  service namespace follow it;
- RoleBinding/ClusterRoleBinding subjects: by default only subjects named ``default`` are
  moved (ServiceAccounts of the build are fixed later by the name references); the
  builtin NamespaceTransformer can ask for ``allServiceAccounts`` or ``none``;
- ``unsetOnly`` (builtin transformer only) keeps namespaces already set.
Every value set carries the origin of the ``namespace`` entry that set it.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Callable, Iterable, List, Union

from ...core.errors import at
from ...core.node import Node, Origin, Path, PathKey
from ..resmap import ResMap
from ..resource import Resource
from ..touched import Touched
from ..types import FieldSpec
from .fieldspec import apply_fieldspec

DEFAULT_ONLY = "defaultOnly"
ALL_SERVICE_ACCOUNTS = "allServiceAccounts"
NO_SUBJECTS = "none"
SUBJECT_MODES = (DEFAULT_ONLY, ALL_SERVICE_ACCOUNTS, NO_SUBJECTS)

_BINDINGS = ("RoleBinding", "ClusterRoleBinding")
_META_NS = FieldSpec("metadata/namespace", create=True)


def set_namespace(resmap: ResMap, namespace: str, origin: Origin | None,
                  fieldspecs: Iterable[FieldSpec], unset_only: bool = False,
                  subjects: str = DEFAULT_ONLY, rec: Touched | None = None) -> None:
    """Kustomize's NamespaceTransformer over ``resmap``; values located at ``origin``."""
    if not namespace:
        return
    if subjects not in SUBJECT_MODES:
        raise at(origin, f"invalid value {subjects!r} for setRoleBindingSubjects: must be "
                         f"one of {', '.join(repr(m) for m in SUBJECT_MODES)}")
    specs = tuple(fs for fs in fieldspecs if fs.path != "metadata/namespace")
    for res in resmap:
        if not res.node.v:
            continue
        res.store_previous_id()
        _transform(res, specs, _setter(namespace, origin, unset_only, res, rec), origin,
                   subjects)
    seen: dict[tuple, Resource] = {}
    for res in resmap:
        cid = res.cur_id()
        key = (cid.group, cid.version, cid.kind, cid.name, cid.effective_ns)
        if key in seen:
            raise at(origin, f"namespace transformation produces ID conflict: {cid} is "
                             f"both {_where(seen[key])} and {_where(res)}")
        seen[key] = res


def _where(res: Resource) -> str:
    o = res.node.o
    return f"{o[0]}:{o[1]}" if o else "a generated resource"


if TYPE_CHECKING:
    Setter = Callable[[Node, Union[List[PathKey], Path, None]], None]


def _setter(namespace: str, origin: Origin | None, unset_only: bool, res: Resource,
            rec: Touched | None) -> Setter:
    def set_value(node: Node, path: list[PathKey] | Path | None) -> None:
        if not node.is_scalar:
            raise at(node.o, "namespace field specs must target scalar nodes, found a "
                             f"{'mapping' if node.is_map else 'list'}")
        if unset_only and node.v not in (None, ""):
            return
        if rec is not None:
            rec.select(res)
            rec.set(res, tuple(path or ()), node.v, namespace, origin)
        node.v = namespace
        node.o = origin
        node.parts = None
    return set_value


def _transform(res: Resource, specs: tuple[FieldSpec, ...], setter: Setter,
               origin: Origin | None, subjects: str) -> None:
    gvk = res.gvk()
    if not res.cur_id().cluster_scoped:
        apply_fieldspec(res.node, _META_NS, setter, "scalar", origin, paths=True)
    # metadata/name specs only rename core v1 objects (the Namespace itself)
    use = [fs for fs in specs if fs.path != "metadata/name" or res.api_version == "v1"]
    if gvk[2] in _BINDINGS:
        use = [fs for fs in use if not (fs.kind in _BINDINGS and fs.path == "subjects/namespace")]
        _subjects(res, setter, origin, subjects)
    for fs in use:
        apply_fieldspec(res.node, fs, setter, "scalar", origin, gvk, paths=True)


def _subjects(res: Resource, setter: Setter, origin: Origin | None, mode: str) -> None:
    if mode == NO_SUBJECTS:
        return
    subjects = res.node.get("subjects")
    if subjects is None or subjects.v is None:
        return
    if not subjects.is_seq:
        raise at(subjects.o, "subjects of a (Cluster)RoleBinding must be a list")
    for subject in subjects.v:
        if not subject.is_map:
            continue
        if mode == DEFAULT_ONLY:
            picked = subject.get("name")
            wanted = "default"
        else:
            picked = subject.get("kind")
            wanted = "ServiceAccount"
        if picked is None or picked.v != wanted:
            continue
        ns = subject.v.get("namespace")
        if ns is None:
            ns = Node(None, origin)
            subject.v["namespace"] = ns
        setter(ns, ("subjects", subjects.v.index(subject), "namespace"))
