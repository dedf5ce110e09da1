"""NamespaceTransformer: ``namespace:`` (Kustomize's builtin of the same name)."""
from __future__ import annotations

from ...core.record import frozen_dataclass
from ..filters.namespace import DEFAULT_ONLY, set_namespace
from ..resmap import ResMap
from ..touched import Touched
from ..types import NamespaceConfig, Str
from . import Entry, Helpers, Transformer, Where


@frozen_dataclass(frozen=True)
class NamespaceTransformer(Transformer):
    """Sets ``metadata.namespace`` of every namespaced object (and the fields its field
    specs name); ``unsetOnly`` keeps namespaces already set; RoleBinding subjects as
    ``setRoleBindingSubjects`` says (default: those named ``default``)."""

    config: NamespaceConfig
    namespace: Str
    entry: Entry

    @classmethod
    def configure(cls, config: NamespaceConfig, where: Where,
                  h: Helpers) -> list["NamespaceTransformer"]:
        ns = config.metadata.namespace if config.metadata is not None else None
        if ns is None or not ns.v:
            return []  # nothing to set: Kustomize's transformer does nothing
        return [cls(config, ns, where.entry(config.o))]

    def transform(self, resmap: ResMap) -> Touched:
        rec = self.entry.record()
        mode = self.config.set_role_binding_subjects
        set_namespace(resmap, self.namespace.v, self.namespace.o, self.config.field_specs,
                      unset_only=self.config.unset_only,
                      subjects=mode.v if mode is not None and mode.v else DEFAULT_ONLY,
                      rec=rec)
        return rec
