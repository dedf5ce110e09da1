"""SecretGenerator: ``secretGenerator:`` entries and builtin SecretGenerator documents under
``generators:`` (Kustomize's builtin of the same name): a ConfigMapGenerator whose values
are base64-encoded under ``data`` (always present) with a ``type`` (default Opaque)."""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import ClassVar

from ...core.node import Node, Origin
from ...core.record import frozen_dataclass
from ..kv import encode_base64
from ..printable import mark_plain_keys
from ..types import SecretArgs
from .configmap_generator import ConfigMapGenerator


@frozen_dataclass(frozen=True)
class SecretGenerator(ConfigMapGenerator):
    """A ``secretGenerator`` entry or builtin document, ready to generate."""

    KIND: ClassVar[str] = "Secret"

    def _body(self, root: Node, pairs: dict[str, tuple[str | bytes, Origin | None]],
              o: Origin | None) -> None:
        assert isinstance(self.args, SecretArgs)
        kind = self.args.type
        root.v["type"] = Node(kind.v, kind.o) if kind is not None and kind.v \
            else Node("Opaque", o)
        data = Node({}, o)  # Kustomize always creates a Secret's data map
        for key, (value, vo) in sorted(pairs.items()):
            data.v[key] = Node(encode_base64(value), vo)
        mark_plain_keys(data, data.v)
        root.v["data"] = data
