"""AnnotationsTransformer: ``commonAnnotations:`` (Kustomize's builtin of the same name)."""
from __future__ import annotations

from ...core.record import frozen_dataclass
from ..filters.labels import check_pairs, set_map_entries
from ..resmap import ResMap
from ..touched import Touched
from ..types import AnnotationsConfig
from . import Entry, Helpers, Transformer, Where


@frozen_dataclass(frozen=True)
class AnnotationsTransformer(Transformer):
    """Sets its annotations in the mappings its field specs select (metadata and pod
    template annotations by default)."""

    config: AnnotationsConfig
    entry: Entry

    @classmethod
    def configure(cls, config: AnnotationsConfig, where: Where, h: Helpers,
                  what: str = "annotations") -> list["AnnotationsTransformer"]:
        check_pairs(config.annotations, what)
        return [cls(config, where.entry(config.o))]

    def transform(self, resmap: ResMap) -> Touched:
        rec = self.entry.record()
        ann = self.config.annotations
        set_map_entries(resmap, ann.pairs if ann is not None else {}, self.config.field_specs,
                        ann.o if ann is not None else self.config.o, "annotation", rec)
        return rec
