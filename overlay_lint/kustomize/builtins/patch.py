"""PatchTransformer: ``patches:`` entries (Kustomize's builtin of the same name).

A patch is a file (``path``) or inline text (``patch``); it is a JSON6902 patch when its
document is a list, a strategic merge patch when it is resources (as Kustomize decides).
Without ``target`` a strategic merge patch applies to the resource with its own id; with
one, to every selected resource (the patch's own name is then ignored).
``options.allowNameChange``/``allowKindChange`` let a strategic merge patch rename a
resource or change its kind; otherwise name, namespace and kind are restored after the
merge, as in Kustomize.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Sequence

from ...core.errors import at
from ...core.record import frozen_dataclass
from ..filters.json6902 import Op, decode_ops, unrooted
from ..filters.patch import (IdIndex, apply_json, apply_smp, classify, patch_documents,
                             smp_documents, unique_target)
from ..resmap import ResMap
from ..resource import Resource
from ..selector import ResourceSelector
from ..touched import EMPTY_PATCH, Touched
from ..types import Patch, Str
from . import Entry, Helpers, Transformer, Where


class IndexedPatches(Transformer):
    """Patch builtins: consecutive entries share one index of the resources' ids."""

    def transform(self, resmap: ResMap) -> Touched:
        return self._run(resmap, IdIndex(resmap))

    @classmethod
    def transform_all(cls, resmap: ResMap, group: Sequence[Transformer]) -> list[Touched]:
        ids = IdIndex(resmap)  # found once; reset after whatever may change ids
        return [t._run(resmap, ids) for t in group]  # type: ignore[attr-defined]

    def _run(self, resmap: ResMap, ids: IdIndex) -> Touched:
        raise NotImplementedError


@frozen_dataclass(frozen=True)
class PatchTransformer(IndexedPatches):
    """One patch and what it applies: JSON6902 ``ops``, or strategic merge ``patches``
    (none: an empty patch file with a target, a visible no-op)."""

    config: Patch
    entry: Entry
    h: Helpers
    selector: ResourceSelector | None
    ops: tuple[Op, ...] | None = None
    patches: tuple[Resource, ...] = ()
    fails: Str | None = None  # fails on the first resource it selects (holds the message)

    @classmethod
    def configure(cls, config: Patch, where: Where, h: Helpers) -> list["PatchTransformer"]:
        selector = ResourceSelector(config.target) if config.target is not None else None
        docs, holder, path = patch_documents(config, "patches", h.loader, h.directory,
                                             h.duplicates)
        entry = where.entry(config.o, path)
        if selector is not None and not any(d is not None for d in docs):
            # an empty patch file with a target: Kustomize applies no operations
            return [cls(config, entry, h, selector)]
        if classify(docs, holder) == "json":
            if selector is None:
                raise at(holder.o, "a JSON6902 patch needs a 'target' to say which resources "
                                   "it applies to")
            first = next(d for d in docs if d is not None)
            ops = decode_ops(first, holder.o)
            h.ignored.extend(unrooted(ops))
            return [cls(config, entry, h, selector, tuple(ops))]
        if selector is not None and not smp_documents(docs, holder, empty_ok=True):
            # only empty mappings: no strategic merge patch, so Kustomize reads the text as
            # JSON6902 operations, and fails when it applies them to a selected resource
            return [cls(config, entry, h, selector, fails=Str(
                "the patch holds only empty mappings, which Kustomize reads as JSON6902 "
                "operations and fails on ('json: cannot unmarshal object into Go value of "
                "type jsonpatch.Patch'); delete the entry or write the patch", holder.o))]
        patches = smp_documents(docs, holder)
        if selector is not None and len(patches) > 1:
            assert config.target is not None
            raise at(config.target.o, "a 'patches' entry with a 'target' may hold only one "
                                      "strategic merge patch; split the documents into "
                                      "separate entries")
        return [cls(config, entry, h, selector, None, tuple(patches))]

    def _run(self, resmap: ResMap, ids: IdIndex) -> Touched:
        rec = self.entry.record()
        budget = self.h.loader.budget
        if self.fails is not None:
            assert self.selector is not None
            if resmap.select(self.selector):
                raise at(self.fails.o, self.fails.v)
            rec.notes.append(EMPTY_PATCH)
            return rec
        if self.ops is not None:
            assert self.selector is not None
            for res in resmap.select(self.selector):
                res.store_previous_id()
                apply_json(res, list(self.ops), rec, budget, self.h.annotated)
            ids.reset()  # the operations may have renamed something
            return rec
        if not self.patches:
            rec.notes.append(EMPTY_PATCH)
            return rec
        options = self.config.options or {}
        name_ok = options.get("allowNameChange", False)
        kind_ok = options.get("allowKindChange", False)
        if self.selector is not None:
            for res in resmap.select(self.selector):
                if apply_smp(resmap, res, self.patches[0], name_ok, kind_ok, True, rec, budget):
                    ids.reset()
            return rec
        for patch in self.patches:
            res = unique_target(ids, patch)
            if apply_smp(resmap, res, patch, name_ok, kind_ok, False, rec, budget):
                ids.reset()
        return rec
