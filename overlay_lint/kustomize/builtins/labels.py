"""LabelTransformer: ``labels:`` entries and ``commonLabels:`` (Kustomize's builtin of the
same name)."""
from __future__ import annotations

from ...core.node import Origin
from ...core.record import frozen_dataclass
from ..filters.labels import check_pairs, set_map_entries
from ..resmap import ResMap
from ..touched import Touched
from ..types import LabelConfig
from . import Entry, Helpers, Transformer, Where


@frozen_dataclass(frozen=True)
class LabelTransformer(Transformer):
    """Sets its label pairs in the mappings its field specs select (metadata labels,
    and selectors or templates as the entry asks); ``create_origin``: the origin of the
    mappings it creates."""

    config: LabelConfig
    entry: Entry
    create_origin: Origin | None

    @classmethod
    def configure(cls, config: LabelConfig, where: Where, h: Helpers,
                  what: str = "labels", create_origin: Origin | None = None
                  ) -> list["LabelTransformer"]:
        check_pairs(config.labels, what)
        if create_origin is None:
            create_origin = config.labels.o if config.labels is not None else config.o
        return [cls(config, where.entry(config.o), create_origin)]

    def transform(self, resmap: ResMap) -> Touched:
        rec = self.entry.record()
        labels = self.config.labels
        set_map_entries(resmap, labels.pairs if labels is not None else {},
                        self.config.field_specs, self.create_origin, "label", rec)
        return rec
