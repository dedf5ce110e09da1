"""PatchJson6902Transformer: ``patchesJson6902:`` entries (Kustomize's builtin of the same
name): JSON6902 operations applied to the resources ``target`` selects."""
from __future__ import annotations

from ...core.errors import at
from ...core.record import frozen_dataclass
from ..filters.json6902 import Op, decode_ops, unrooted
from ..filters.patch import apply_json, patch_documents
from ..resmap import ResMap
from ..selector import ResourceSelector
from ..touched import Touched
from ..types import Patch
from . import Entry, Helpers, Transformer, Where


@frozen_dataclass(frozen=True)
class PatchJson6902Transformer(Transformer):
    """The operations of one entry (``config.patch`` holds the inline ``jsonOp``)."""

    config: Patch
    entry: Entry
    h: Helpers
    selector: ResourceSelector
    ops: tuple[Op, ...]

    @classmethod
    def configure(cls, config: Patch, where: Where,
                  h: Helpers) -> list["PatchJson6902Transformer"]:
        target = config.target
        if target is None or target.name is None or not target.name.v:
            raise at((target or config).o, "a patchesJson6902 entry needs 'target' with a "
                                           "'name'")
        selector = ResourceSelector(target)
        docs, holder, path = patch_documents(config, "patchesJson6902", h.loader,
                                             h.directory, h.duplicates)
        first = next((d for d in docs if d is not None), None)
        ops = decode_ops(first, holder.o)
        h.ignored.extend(unrooted(ops))
        return [cls(config, where.entry(config.o, path), h, selector, tuple(ops))]

    def transform(self, resmap: ResMap) -> Touched:
        rec = self.entry.record()
        for res in resmap.select(self.selector):
            apply_json(res, list(self.ops), rec, self.h.loader.budget, self.h.annotated)
        return rec
