"""Kustomize's builtin transformers and generators: one module each, one interface.

A builtin is a frozen object made from a typed configuration (``types.py``) by
``configure.py``, from a kustomization field or from a ``transformers:``/``generators:``
document with ``apiVersion: builtin`` (the same class either way), with what its
configuration needed read already (patch files, as Kustomize's ``Config()`` reads them):

- a :class:`Transformer` has ``transform(resmap) -> Touched``: it changes the resources in
  place and returns the record of what it matched and set (``touched.py``);
- a :class:`Generator` has ``generate() -> Resource``: the object it makes, absorbed into
  the resources by the caller (``resmap.absorb``) with its record.

``entry`` (an :class:`Entry`) says where the builtin was configured: the kustomization
field or ``transformers:`` document and the line its record points at.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Callable, Sequence

from ...core.node import Origin
from ...core.record import field, frozen_dataclass
from ..loader import Loader
from ..resmap import ResMap
from ..resource import Resource
from ..touched import DuplicateKey, Ignored, Touched


@frozen_dataclass(frozen=True)
class Entry:
    """Where a builtin was configured: the header of its touched record."""

    builtin: str            # Kustomize's builtin kind, e.g. "PatchTransformer"
    field: str              # the kustomization field, or "transformers"/"generators"
    origin: Origin | None   # the line a finding about the entry points at
    file: str               # the file holding the entry
    directory: str          # the kustomization directory that runs it
    patch_file: str | None = None   # the file a ``path:`` entry read

    def record(self) -> Touched:
        return Touched(self.builtin, self.field, self.origin, self.file, self.directory,
                       patch_file=self.patch_file)


@frozen_dataclass(frozen=True)
class Where:
    """Where a configuration was read: makes the :class:`Entry` of each builtin it
    configures (``file`` None: the file of the entry's own line)."""

    builtin: str
    field: str
    file: str | None
    directory: str

    def entry(self, origin: Origin | None, patch_file: str | None = None,
              file: str | None = None) -> Entry:
        where = file or self.file or (origin[0] if origin is not None else "")
        return Entry(self.builtin, self.field, origin, where, self.directory, patch_file)


@frozen_dataclass(frozen=True)
class Helpers:
    """What configuring and running builtins needs besides their configuration
    (Kustomize's PluginHelpers): the loader (files relative to ``directory``, the run's
    budget), whether objects carry build annotations while transformed
    (``buildMetadata``), and where to note what Kustomize ignores or reads once."""

    loader: Loader
    directory: str
    annotated: bool = False
    # what Kustomize reads past without using, found while configuring (findings)
    ignored: list[Ignored] = field(default_factory=list)
    # keys written twice in patches, read as Kustomize reads them (findings)
    duplicates: list[DuplicateKey] = field(default_factory=list)


class Transformer:
    """A builtin transformer (see the module docstring)."""

    entry: Entry

    def transform(self, resmap: ResMap) -> Touched:
        raise NotImplementedError

    @classmethod
    def transform_all(cls, resmap: ResMap, group: Sequence["Transformer"]) -> list[Touched]:
        """Run consecutive transformers of this class, in order. Classes whose entries
        are usually many (images, replicas, patches) override it to find what they work
        on once for the group instead of once per entry; the result is the same."""
        return [t.transform(resmap) for t in group]


class Generator:
    """A builtin generator (see the module docstring)."""

    entry: Entry

    def generate(self) -> Resource:
        raise NotImplementedError


def run_transformers(resmap: ResMap, transformers: Sequence[Transformer],
                     after_each: Callable[[ResMap], None] | None = None) -> list[Touched]:
    """Run ``transformers`` in order over ``resmap``; their records, in the same order.
    ``after_each``: run after every transformer (one at a time then, not in batches of
    one class)."""
    out: list[Touched] = []
    i = 0
    while i < len(transformers):
        cls = type(transformers[i])
        j = i + 1
        while after_each is None and j < len(transformers) and type(transformers[j]) is cls:
            j += 1
        out.extend(cls.transform_all(resmap, transformers[i:j]))
        if after_each is not None:
            after_each(resmap)
        i = j
    return out
