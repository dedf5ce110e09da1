"""ImageTagTransformer: ``images:`` (and ``imageTags:``) entries (Kustomize's builtin of the
same name).

An entry matches an image whose name equals ``name`` (a regular expression, anchored, as
in Kustomize) optionally followed by ``:tag`` and/or ``@sha256:digest``, in every
``containers``/``initContainers`` list (the legacy walk) and in the fields its field specs
name; it sets ``newName``, ``newTag``, ``digest`` or appends ``tagSuffix``. The new value
points at the line of what changed; ``node.parts`` keeps the origin of each piece.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Sequence

from ...core.errors import at
from ...core.record import frozen_dataclass
from ..filters.imagetag import ImageEntry, apply_images, compile_entry
from ..resmap import ResMap
from ..touched import Touched
from ..types import ImageTagConfig
from . import Entry, Helpers, Transformer, Where


@frozen_dataclass(frozen=True)
class ImageTagTransformer(Transformer):
    """One ``images`` (or ``imageTags``) entry, or a builtin ImageTagTransformer."""

    config: ImageTagConfig
    entry: Entry
    image: ImageEntry

    @classmethod
    def configure(cls, config: ImageTagConfig, where: Where,
                  h: Helpers) -> list["ImageTagTransformer"]:
        image = config.image_tag
        if image is None:
            raise at(config.o, "transformer configuration needs 'imageTag'")
        return [cls(config, where.entry(image.o), compile_entry(image))]

    def transform(self, resmap: ResMap) -> Touched:
        return self.transform_all(resmap, [self])[0]

    @classmethod
    def transform_all(cls, resmap: ResMap, group: Sequence[Transformer]) -> list[Touched]:
        """The image fields are found once per run of entries with the same field specs
        (all ``images:`` entries of a kustomization), not once per entry."""
        out: list[Touched] = []
        i = 0
        while i < len(group):
            specs = group[i].config.field_specs  # type: ignore[attr-defined]
            j = i + 1
            while j < len(group) and group[j].config.field_specs == specs:  # type: ignore
                j += 1
            run = [(t.image, t.entry.record()) for t in group[i:j]]  # type: ignore
            apply_images(resmap, run, specs)
            out.extend(rec for _image, rec in run)
            i = j
        return out
