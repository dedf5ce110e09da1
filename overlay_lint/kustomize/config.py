"""Transformer configuration: which fields each builtin transformer touches (field specs).

Starts from Kustomize's defaults and grows with ``configurations:`` files and ``crds:``.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from .fieldspec import FieldSpec


@dataclass
class TransformerConfig:
    name_prefix: list[FieldSpec] = field(default_factory=list)
    name_suffix: list[FieldSpec] = field(default_factory=list)
    namespace: list[FieldSpec] = field(default_factory=list)
    common_labels: list[FieldSpec] = field(default_factory=list)
    template_labels: list[FieldSpec] = field(default_factory=list)
    common_annotations: list[FieldSpec] = field(default_factory=list)
    images: list[FieldSpec] = field(default_factory=list)
    replicas: list[FieldSpec] = field(default_factory=list)
    var_reference: list[FieldSpec] = field(default_factory=list)
    name_reference: list = field(default_factory=list)  # list[NameBackReferences]

    @classmethod
    def default(cls) -> "TransformerConfig":
        from .defaults import default_config
        return default_config()

    def merge(self, other: "TransformerConfig") -> "TransformerConfig":
        """Union of two configs (Kustomize's TransformerConfig.Merge)."""
        from .defaults import merge_configs
        return merge_configs(self, other)
