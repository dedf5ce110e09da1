"""Transformer configuration: which fields each builtin transformer touches (field specs),
and how configurations merge (Kustomize's builtinconfig.TransformerConfig).

A build starts from Kustomize's defaults (``default_config.py``) and grows with
``configurations:`` files and ``crds:`` (``configurations.py``). Configs are immutable
(tuples) so the shared default can be handed to every kustomization of a big tree without
copying; merging returns a new config and shares what did not change.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Iterable

from ..core.errors import OverlayLintError
from ..core.record import fields, frozen_dataclass
from . import types as T
from .gvk import gvk_selected, gvk_sort_key
from .types import FieldSpec


@frozen_dataclass(frozen=True)
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


@frozen_dataclass(frozen=True)
class TransformerConfig:
    """The field specs each transformer uses, and the name references."""

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



FS_FIELDS = tuple(f.name for f in fields(TransformerConfig) if f.name != "name_reference")


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


def merge_backrefs(base: tuple, incoming: tuple) -> tuple:
    """Kustomize's nbrSlice.mergeAll: same referral GVK -> union of referrers."""
    if incoming is base or not incoming:
        return base
    if not base and len({n.gvk() for n in incoming}) == len(incoming):
        return incoming  # nothing to combine: keep the very tuple (cheap later merges)
    out = list(base)
    changed = False
    for nbr in incoming:
        for i, cur in enumerate(out):
            if cur.gvk() == nbr.gvk():
                merged = merge_fs(cur.referrers, nbr.referrers, f"nameReference {nbr.kind}")
                if merged is not cur.referrers:
                    out[i] = NameBackRef(cur.group, cur.version, cur.kind, merged)
                    changed = True
                break
        else:
            out.append(nbr)
            changed = True
    return sort_specs(out) if changed else base


def merge_configs(a: TransformerConfig, b: TransformerConfig | None) -> TransformerConfig:
    """Union of two configs, ordered as Kustomize orders them; shares unchanged parts.

    Raises ``ConfigConflict`` (no location; callers add it) when the two disagree on
    ``create`` for the same field.
    """
    if b is None or b is a:
        return a
    values = {}
    changed = False
    for name in FS_FIELDS:
        cur, inc = getattr(a, name), getattr(b, name)
        merged = merge_fs(cur, inc, name)
        if merged is not cur:
            if merged is not inc:  # ``inc`` is sorted already
                merged = sort_specs(merged)
            changed = True
        values[name] = merged
    nr = merge_backrefs(a.name_reference, b.name_reference)
    changed = changed or nr is not a.name_reference
    values["name_reference"] = nr
    return TransformerConfig(**values) if changed else a


def config_from_file(doc: T.TransformerConfigFile) -> TransformerConfig:
    """The configuration a ``configurations:`` file holds, sorted as Kustomize sorts it."""
    values: dict = {name: sort_specs(getattr(doc, name)) for name in FS_FIELDS}
    values["name_reference"] = sort_specs(
        NameBackRef(n.group, n.version, n.kind, n.field_specs) for n in doc.name_reference)
    return TransformerConfig(**values)
