"""What a diff produces: changes, each on one resource at one field path, with both sides'
values and the source lines (origins) that produced them."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from ..core.node import Node, Origin
from ..core.record import dataclass, field, replace
from .paths import Path, format_path

# How an origin is shown ("file:line" relative to the current directory, or None).
Where = Callable[[Origin | None], "str | None"]

# Why a value differs although nothing but names moved (see ``Change.rename``).
HASH = "hash"            # a generated ConfigMap/Secret's own name: only its content hash
IDENTITY = "identity"    # a resource's own name or namespace: the env's namespace/prefix/suffix
REFERENCE = "reference"  # a value naming a renamed resource or namespace (follows the rename)


@dataclass(frozen=True, order=True)
class ResourceKey:
    """A resource as the user wrote it: kind, namespace (None when the source sets none)
    and name, before any namespace, name prefix/suffix or content hash was applied."""

    kind: str
    namespace: str | None
    name: str

    def label(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {ns}{self.name}"

    def to_json(self) -> dict:
        return {"kind": self.kind, "namespace": self.namespace, "name": self.name}


@dataclass
class Change:
    """One difference. ``path`` is empty when the whole resource was added or removed
    (``before`` or ``after`` is then None and the other side holds the whole resource).

    ``rename`` is set when the values differ only by names the build gave (``HASH``,
    ``IDENTITY``, ``REFERENCE``); see :func:`overlay_lint.diff.compare.diff_resources`.
    """

    resource: ResourceKey
    path: Path
    before: Any
    after: Any
    before_origin: Origin | None
    after_origin: Origin | None
    envs: list[str] = field(default_factory=list)
    rename: str | None = None
    # the value trees themselves, for output that shows each line's origin
    before_node: Node | None = field(default=None, compare=False, repr=False)
    after_node: Node | None = field(default=None, compare=False, repr=False)

    @property
    def path_text(self) -> str:
        return format_path(self.path)

    @property
    def added(self) -> bool:
        return not self.path and self.before is None

    @property
    def removed(self) -> bool:
        return not self.path and self.after is None

    def identity(self, where: Where) -> tuple:
        """What makes two envs' changes "the same change": everything but the env, with
        origins as shown (``where``) so that two snapshots of one file compare equal."""
        return (self.resource, self.path, _frozen(self.before), _frozen(self.after),
                where(self.before_origin), where(self.after_origin), self.rename)


def _frozen(v: Any) -> Any:
    """A hashable, type-exact stand-in for plain data (``1``, ``1.0`` and ``True`` differ)."""
    t = type(v)
    if t is dict:
        return ("{", tuple((k, _frozen(c)) for k, c in v.items()))
    if t is list:
        return ("[", tuple(_frozen(c) for c in v))
    return (t.__name__, v)


def group_changes(per_env: Iterable[tuple[str, list[Change]]], where: Where) -> list[Change]:
    """Merge identical changes of several envs into one listing every env, in env order;
    ordered by resource, then by field (each as first seen), then by env."""
    merged: dict[tuple, Change] = {}
    for env, changes in per_env:
        for c in changes:
            key = c.identity(where)
            hit = merged.get(key)
            if hit is None:
                merged[key] = replace(c, envs=[*c.envs, env] if env not in c.envs else
                                      list(c.envs))
            elif env not in hit.envs:
                hit.envs.append(env)
    order: dict[ResourceKey, int] = {}
    fields: dict[tuple, int] = {}
    for c in merged.values():
        order.setdefault(c.resource, len(order))
        fields.setdefault((c.resource, c.path), len(fields))
    return sorted(merged.values(), key=lambda c: (order[c.resource], fields[(c.resource,
                                                                              c.path)]))
