"""Transformer configuration: which fields each builtin transformer touches (field specs).

Starts from Kustomize's defaults (``defaults.py``) and grows with ``configurations:`` files
and ``crds:``. Configs are immutable (tuples) so the shared default can be handed to every
kustomization of a big tree without copying; ``merge`` returns a new config.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Iterable

from ..core.errors import OverlayLintError, at
from ..core.node import Node
from .fieldspec import FieldSpec

# Kinds Kustomize sorts first / last (its Gvk.IsLessThan): for field specs here, and as
# the default of the legacy output sort (order.py).
ORDER_FIRST = (
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
    "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
    "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
    "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
    "StatefulSet", "CronJob", "PodDisruptionBudget",
)
ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def type_orders(first: tuple, last: tuple) -> dict[str, int]:
    """Rank of each listed kind: ``first`` kinds below 0, ``last`` kinds above (others 0)."""
    m = {k: -len(first) + i for i, k in enumerate(first)}
    m.update({k: 1 + i for i, k in enumerate(last)})
    return m


def gvk_sort_string(group: str, version: str, kind: str) -> str:
    return "_".join((group or "~G", version or "~V", kind or "~K"))


_TYPE_ORDER = type_orders(ORDER_FIRST, ORDER_LAST)


def gvk_sort_key(group: str, version: str, kind: str) -> tuple[int, str]:
    """Kustomize's ordering of GVKs: well-known kinds first, then by group/version/kind."""
    return (_TYPE_ORDER.get(kind, 0), gvk_sort_string(group, version, kind))


def gvk_selected(group: str, version: str, kind: str, sel_group: str, sel_version: str,
                 sel_kind: str) -> bool:
    """True when the selector (empty fields are wildcards) selects the GVK."""
    return ((not sel_group or sel_group == group) and (not sel_version or sel_version == version)
            and (not sel_kind or sel_kind == kind))


@dataclass(frozen=True)
class NameBackRef:
    """A referral kind and the fields (in other kinds) that hold names of such objects."""

    group: str
    version: str
    kind: str
    referrers: tuple[FieldSpec, ...]

    def gvk(self) -> tuple[str, str, str]:
        return (self.group, self.version, self.kind)


class ConfigConflict(OverlayLintError):
    """Two configurations disagree on ``create`` for the same field spec."""


FsTuple = tuple  # tuple[FieldSpec, ...]


@dataclass(frozen=True)
class TransformerConfig:
    name_prefix: FsTuple = ()
    name_suffix: FsTuple = ()
    namespace: FsTuple = ()
    common_labels: FsTuple = ()
    labels: FsTuple = ()
    template_labels: FsTuple = ()
    common_annotations: FsTuple = ()
    images: FsTuple = ()
    replicas: FsTuple = ()
    var_reference: FsTuple = ()
    name_reference: tuple = ()  # tuple[NameBackRef, ...]

    @classmethod
    def default(cls) -> "TransformerConfig":
        from .defaults import default_config
        return default_config()

    def merge(self, other: "TransformerConfig") -> "TransformerConfig":
        """Union of two configs (Kustomize's TransformerConfig.Merge)."""
        from .defaults import merge_configs
        return merge_configs(self, other)


FS_FIELDS = tuple(f.name for f in fields(TransformerConfig) if f.name != "name_reference")

# YAML keys of a configuration file -> our field names
YAML_KEYS = {
    "namePrefix": "name_prefix", "nameSuffix": "name_suffix", "namespace": "namespace",
    "commonLabels": "common_labels", "labels": "labels", "templateLabels": "template_labels",
    "commonAnnotations": "common_annotations", "images": "images", "replicas": "replicas",
    "varReference": "var_reference", "nameReference": "name_reference",
}

_FS_KEYS = ("path", "group", "version", "kind", "create")


def sort_specs(specs: Iterable) -> tuple:
    """Field specs (or back references) in Kustomize's order (stable for equal GVKs)."""
    if isinstance(specs, tuple) and len(specs) < 2:
        return specs
    return tuple(sorted(specs, key=lambda s: gvk_sort_key(s.group, s.version, s.kind)))


def effectively_equal(existing: FieldSpec, incoming: FieldSpec) -> bool:
    """Kustomize's FieldSpec.effectivelyEquals: same path, existing selected by incoming."""
    return existing.path == incoming.path and gvk_selected(
        existing.group, existing.version, existing.kind,
        incoming.group, incoming.version, incoming.kind)


# id(incoming) -> (incoming, merge_fs((), incoming)) for incoming tuples seen before
_INTO_EMPTY: dict[int, tuple[tuple, tuple]] = {}


def merge_fs(base: tuple, incoming: Iterable[FieldSpec], what: str = "") -> tuple:
    """Add the incoming field specs not already effectively present (FsSlice.MergeAll)."""
    if incoming is base:
        return base
    if not base and isinstance(incoming, tuple):
        # into an empty list: the result is ``incoming`` unless it swallows its own items
        # (keeping the very tuple lets later merges of the same config short-cut). Every
        # kustomization merges the same default tuples into an empty config: remember them.
        hit = _INTO_EMPTY.get(id(incoming))
        if hit is not None and hit[0] is incoming:
            return hit[1]
        deduped = merge_fs((), list(incoming), what)
        result = incoming if len(deduped) == len(incoming) else deduped
        if len(_INTO_EMPTY) >= 512:
            _INTO_EMPTY.clear()
        _INTO_EMPTY[id(incoming)] = (incoming, result)  # holding ``incoming`` pins its id
        return result
    out = list(base)
    by_path: dict[str, list[FieldSpec]] = {}
    for fs in out:
        by_path.setdefault(fs.path, []).append(fs)
    added = False
    for fs in incoming:
        found = next((x for x in by_path.get(fs.path, ()) if effectively_equal(x, fs)), None)
        if found is not None:
            if found.create != fs.create:
                raise ConfigConflict(f"conflicting fieldspecs{' for ' + what if what else ''}: "
                                     f"'{fs.path}' (kind '{fs.kind or '*'}') is configured "
                                     "with and without 'create'")
            continue
        out.append(fs)
        by_path.setdefault(fs.path, []).append(fs)
        added = True
    return tuple(out) if added else base


# --- reading configuration YAML ----------------------------------------------------------

def fieldspec_from_node(item: Node, what: str, strict: bool = True) -> FieldSpec:
    """One field spec mapping; unknown keys are errors as in Kustomize's strict parsing."""
    if not item.is_map:
        raise at(item.o, f"{what}: each field spec must be a mapping")
    vals: dict = {}
    for k, c in item.items():
        if k not in _FS_KEYS:
            if strict:
                raise at(c.o, f"{what}: unknown field '{k}' in field spec "
                              f"(expected one of {', '.join(_FS_KEYS)})")
            continue
        if k == "create":
            if c.v is not None and type(c.v) is not bool:
                raise at(c.o, f"{what}: 'create' must be true or false")
            vals[k] = bool(c.v)
        else:
            if c.v is not None and type(c.v) is not str:
                raise at(c.o, f"{what}: '{k}' must be a string")
            vals[k] = c.v or ""
    return FieldSpec(path=vals.get("path", ""), group=vals.get("group", ""),
                     version=vals.get("version", ""), kind=vals.get("kind", ""),
                     create=vals.get("create", False))


def fieldspecs_from_node(node: Node | None, what: str, strict: bool = True) -> list[FieldSpec]:
    if node is None or node.v is None:
        return []
    if not node.is_seq:
        raise at(node.o, f"{what} must be a list of field specs")
    return [fieldspec_from_node(item, what, strict) for item in node.v]


def _backref_from_node(item: Node) -> NameBackRef:
    if not item.is_map:
        raise at(item.o, "nameReference: each entry must be a mapping")
    vals = {"group": "", "version": "", "kind": ""}
    refs: list[FieldSpec] = []
    for k, c in item.items():
        if k in vals:
            if c.v is not None and type(c.v) is not str:
                raise at(c.o, f"nameReference: '{k}' must be a string")
            vals[k] = c.v or ""
        elif k == "fieldSpecs":
            refs = fieldspecs_from_node(c, "nameReference fieldSpecs")
        else:
            raise at(c.o, f"nameReference: unknown field '{k}' "
                          "(expected group, version, kind, fieldSpecs)")
    return NameBackRef(vals["group"], vals["version"], vals["kind"], tuple(refs))


def config_from_node(doc: Node | None) -> TransformerConfig:
    """A transformer configuration document (a ``configurations:`` file), sorted."""
    if doc is None or doc.v is None:
        return TransformerConfig()
    if not doc.is_map:
        raise at(doc.o, "a transformer configuration must be a YAML mapping")
    values: dict = {}
    for key, child in doc.items():
        name = YAML_KEYS.get(key)
        if name is None:
            raise at(child.o, f"unknown transformer configuration field '{key}' "
                              f"(expected one of {', '.join(YAML_KEYS)})")
        if name == "name_reference":
            if child.v is None:
                continue
            if not child.is_seq:
                raise at(child.o, "nameReference must be a list")
            values[name] = sort_specs([_backref_from_node(i) for i in child.v])
        else:
            values[name] = sort_specs(fieldspecs_from_node(child, key))
    return TransformerConfig(**values)
