"""SuffixTransformer: ``nameSuffix:`` (Kustomize's builtin of the same name)."""
from __future__ import annotations

from ...core.errors import at
from ...core.record import frozen_dataclass
from ..filters.affix import add_affix
from ..resmap import ResMap
from ..touched import Touched
from ..types import SuffixConfig
from . import Entry, Helpers, Transformer, Where


@frozen_dataclass(frozen=True)
class SuffixTransformer(Transformer):
    """Suffixes the names its field specs select (by default every ``metadata.name``
    but those of CRDs, APIServices and Namespaces)."""

    config: SuffixConfig
    entry: Entry

    @classmethod
    def configure(cls, config: SuffixConfig, where: Where,
                  h: Helpers) -> list["SuffixTransformer"]:
        if config.field_specs is None:
            raise at(config.o, "SuffixTransformer: 'fieldSpecs' is required (it is not "
                               "expected to be empty)")
        return [cls(config, where.entry(config.o))]

    def transform(self, resmap: ResMap) -> Touched:
        rec = self.entry.record()
        p = self.config.suffix
        add_affix(resmap, p.v if p is not None else "", p.o if p is not None else self.config.o,
                  self.config.field_specs or (), False, rec)
        return rec
