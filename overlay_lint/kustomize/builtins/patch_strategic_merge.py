"""PatchStrategicMergeTransformer: ``patchesStrategicMerge:`` (Kustomize's builtin of the
same name).

Each item is inline YAML when it parses as resources, else a file path; each patch
document patches the one resource with its id. One transformer per item here (one record
each); Kustomize's single transformer refuses only when no item holds a patch.
"""
from __future__ import annotations

from ...core.errors import at
from ...core.record import frozen_dataclass
from ..filters.patch import (IdIndex, apply_smp, file_documents, inline_resources,
                             smp_documents, unique_target)
from ..resmap import ResMap
from ..resource import Resource
from ..touched import EMPTY_PATCH, Touched
from ..types import PatchStrategicMergeConfig, Str
from . import Entry, Helpers, Where
from .patch import IndexedPatches


@frozen_dataclass(frozen=True)
class PatchStrategicMergeTransformer(IndexedPatches):
    """The patches of one item (none: an empty file, a visible no-op)."""

    item: Str
    entry: Entry
    h: Helpers
    patches: tuple[Resource, ...]

    @classmethod
    def configure(cls, config: PatchStrategicMergeConfig, where: Where,
                  h: Helpers) -> list["PatchStrategicMergeTransformer"]:
        items = list(config.paths)
        if config.patches is not None and config.patches.v:
            items.append(config.patches)
        if not items:
            raise at(config.o, "PatchStrategicMergeTransformer: empty file path and empty "
                               "patch content")
        out = []
        for item in items:
            docs = inline_resources(item, h.duplicates)
            path = None
            if docs is None:
                path = h.loader.file(h.directory, item.v, item.o, "patch")
                docs = file_documents(path, h.loader, item.o, h.duplicates)
            patches = smp_documents(docs, item, empty_ok=True)
            out.append(cls(item, where.entry(item.o, path), h, tuple(patches)))
        if not any(t.patches for t in out):
            raise at(items[0].o, "patch appears to be empty")
        return out

    def _run(self, resmap: ResMap, ids: IdIndex) -> Touched:
        rec = self.entry.record()
        if not self.patches:
            rec.notes.append(EMPTY_PATCH)
        for patch in self.patches:
            target = unique_target(ids, patch)
            if apply_smp(resmap, target, patch, False, False, True, rec, self.h.loader.budget):
                ids.reset()
        return rec
