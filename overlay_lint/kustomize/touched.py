"""What each builtin did during a build: one :class:`Touched` record per entry that ran.

Kustomize runs every kustomization entry as a builtin plugin (``patches:`` entries as
PatchTransformers, ``images:`` entries as ImageTagTransformers, ...) and says nothing
about what an entry matched: a patch whose target selects nothing, an ``images:`` entry
that names no image, a patch that sets the values a resource already has, all render
with exit code 0. These records say it. ``BuildResult.touched`` lists them in build order
(bases before the overlays that include them; within a kustomization in Kustomize's
order: generators, then patchesStrategicMerge, patches, namespace, namePrefix,
nameSuffix, labels, commonLabels, commonAnnotations, patchesJson6902, replicas, images,
replacements, ``transformers:``; ``vars`` last, their substitutions at the end of the
build). Silent no-op rules, env diffs and autofix read them; nothing in the render
depends on them.

A record per:

- ``patches`` / ``patchesJson6902`` entry, ``patchesStrategicMerge`` item, and each
  Patch*Transformer configuration (``builtin``: PatchTransformer,
  PatchJson6902Transformer, PatchStrategicMergeTransformer);
- ``images`` / ``imageTags`` entry (ImageTagTransformer), ``replicas`` entry
  (ReplicaCountTransformer), ``replacements`` entry — one per replacement, also each one
  of a ``path:`` file (ReplacementTransformer) — and ``vars`` entry (``builtin`` "Var");
- ``namespace``, ``namePrefix``, ``nameSuffix``, ``commonLabels``, each ``labels`` entry,
  ``commonAnnotations`` (NamespaceTransformer, PrefixTransformer, SuffixTransformer,
  LabelTransformer, AnnotationsTransformer), and their ``transformers:`` configurations;
- ``configMapGenerator`` / ``secretGenerator`` entry (ConfigMapGenerator,
  SecretGenerator).

``origin`` is the line a finding about the entry points at: the first line of a
``patches``/``patchesJson6902`` entry (``- path:`` or ``- target:``), the item's line of
a ``patchesStrategicMerge`` entry, the ``- name:`` line of an ``images``, ``replicas``,
``vars`` or generator entry, the ``- source:`` line of a replacement, the field's key
line for ``namespace``/``namePrefix``/``commonLabels``/..., the first line of a
``labels`` entry; for a ``transformers:``/``generators:`` configuration, its first line
(in its file, or inside the inline block), or the line of the part that is the entry:
``imageTag:``, ``replica:``, each replacement, each ``paths`` item.

``selected`` are the resources the entry matched, with their ids as written in their
source file and as they were when the entry ran. ``changes`` are the values it set, each
with the field path at that moment, the value before and after (plain data, ``None``
when absent) and the origin of the line that set it: the scalar's line in a
strategic-merge patch (file or inline block), a JSON6902 operation's ``value:`` line (its
``path:`` line for ``remove``/``move``), an image entry's ``newTag:``/``newName:``/
``digest:`` line, a replica entry's ``count:`` line, a replacement target's field path
line, a label pair's line. ``notes`` flag entries that did nothing for a reason the
other fields do not show (:data:`EMPTY_PATCH`, :data:`EMPTY_FILE`). (A replacement or var
whose source field is missing is an error in Kustomize v5.5.0, checked with kubectl, so
it never reaches a record.)

Records are cheap: small tuples, values read only where a builtin writes anyway.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)

from ..core.named_tuple import NamedTuple  # typing's, without its compiles at import
from ..core.node import Data, Node, Origin, Path
from ..core.record import dataclass
from ..core.record import field as _field

if TYPE_CHECKING:
    from .resource import ResId, Resource

_new = tuple.__new__  # NamedTuple construction without the keyword wrapper (hot path)

# notes
EMPTY_PATCH = "empty-patch"        # a patch file with a target holds no operations: no-op
EMPTY_FILE = "empty-file"          # a replacements ``path:`` file holds ``[]``


class DuplicateKey(NamedTuple):
    """A key written twice in one mapping of a kustomization file (also two spellings of
    one field, ``namespace`` and ``Namespace``): Kustomize reads it once and renders."""

    file: str
    key: str                # as written at the occurrence Kustomize ignores
    origin: Origin | None   # the later occurrence (where a finding points)
    first: Origin | None    # the earlier occurrence
    kept: Origin | None     # the occurrence whose value Kustomize uses


class Ignored(NamedTuple):
    """Something Kustomize reads past without using, rendering as if it were not written
    (a second YAML document in a kustomization file, an unknown generator ``behavior``):
    a lint finding at ``origin``, not an error."""

    origin: Origin | None
    message: str


class Selected(NamedTuple):
    """A resource an entry matched."""

    written: ResId   # its id as written in its file (before prefixes, namespaces, hashes)
    current: ResId   # its id when the entry ran
    uid: int         # stable identity in this build: ``BuildResult.rendered(uid)``


class Change(NamedTuple):
    """One value an entry set (or removed)."""

    uid: int                 # the resource (see :class:`Selected`)
    resource: ResId          # its id when the entry selected it
    path: Path               # field path at that moment: mapping keys and list indexes
    before: Data             # the value before (None: absent)
    after: Data              # the value after (None: removed)
    changed: bool            # False when the entry set what was already there
    origin: Origin | None    # the line that set the value


@dataclass
class Touched:
    """What one builtin entry matched and changed."""

    builtin: str             # Kustomize's builtin kind, e.g. "PatchTransformer"
    field: str               # the kustomization field holding the entry, e.g. "patches"
    origin: Origin | None    # the entry's line (see the module docstring)
    file: str                # the kustomization or transformer configuration holding it
    directory: str           # the kustomization directory that ran it
    selected: list[Selected] = _field(default_factory=list)
    changes: list[Change] = _field(default_factory=list)
    notes: list[str] = _field(default_factory=list)
    patch_file: str | None = None   # the file a ``path:`` entry read
    _cur: dict[int, ResId] = _field(default_factory=dict, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        """True when the entry changed at least one value."""
        return any(c.changed for c in self.changes)

    def remapped(self, uids: dict[int, int]) -> "Touched":
        """A copy naming the resources by the uids ``uids`` maps theirs to (a reused
        build's record, for the copies of its resources)."""
        return Touched(self.builtin, self.field, self.origin, self.file, self.directory,
                       [s._replace(uid=uids.get(s.uid, s.uid)) for s in self.selected],
                       [c._replace(uid=uids.get(c.uid, c.uid)) for c in self.changes],
                       list(self.notes), self.patch_file,
                       {uids.get(u, u): rid for u, rid in self._cur.items()})

    def select(self, res: Resource) -> None:
        """Record that the entry matched ``res`` (once per resource)."""
        uid = res.uid
        if uid in self._cur:
            return
        cur = self._cur[uid] = res.cur_id()
        prev = res.state.prev_ids
        self.selected.append(_new(Selected, (prev[0] if prev else cur, cur, uid)))

    def set(self, res: Resource, path: Path, before: Data, after: Data,
            origin: Origin | None, changed: bool | None = None) -> None:
        """Record one value set in ``res``; ``changed`` defaults to "before != after"."""
        if changed is None:
            changed = not (before == after if type(before) is str and type(after) is str
                           else same(before, after))
        uid = res.uid
        rid = self._cur.get(uid)
        if rid is None:
            rid = self._cur[uid] = res.cur_id()
        self.changes.append(_new(Change, (uid, rid, path, before, after, changed, origin)))


def same(a: Data, b: Data) -> bool:
    """JSON equality: ``1 == 1.0`` but ``True`` is not ``1``."""
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if type(a) is dict and type(b) is dict:
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if type(a) is list and type(b) is list:
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(a == b)


def value(node: Node | None) -> Data:
    """The plain value of ``node`` (None when absent)."""
    return None if node is None else node.data()


class Recorder:
    """Collects a build's records (one per build, shared by its kustomizations)."""

    def __init__(self) -> None:
        self.records: list[Touched] = []

    def new(self, builtin: str, field_name: str, origin: Origin | None, file: str,
            directory: str, patch_file: str | None = None) -> Touched:
        rec = Touched(builtin, field_name, origin, file, directory, patch_file=patch_file)
        self.records.append(rec)
        return rec
