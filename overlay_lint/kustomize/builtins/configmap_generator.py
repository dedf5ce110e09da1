"""ConfigMapGenerator: ``configMapGenerator:`` entries and builtin ConfigMapGenerator
documents under ``generators:`` (Kustomize's builtin of the same name).

Follows Kustomize v5 (api/kv, api/internal/generators): data pairs come from env files,
then literals, then files (``kv.py``); a file that is not UTF-8 goes under ``binaryData``.
The generated object is absorbed by the caller with the entry's behavior (create, merge,
replace: ``resmap.absorb``); the content-hash suffix is added once the whole tree is
built (``hasher.py``). ``generatorOptions`` merge into each entry's options.

Provenance: a literal's value points at its literal line, file content at the ``files:``
or ``envs:`` entry line; the object itself (name, kind, apiVersion) at the entry's
``name:`` line.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import ClassVar, Mapping

from ...core.errors import at
from ...core.node import Node, Origin
from ...core.record import frozen_dataclass
from ..kv import encode_base64, load_pairs
from ..printable import mark_plain_keys
from ..resource import Resource
from ..touched import Ignored
from ..types import Bool, ConfigMapArgs, GeneratorOptions, Str
from . import Entry, Generator, Helpers, Where

_BEHAVIORS = ("", "create", "merge", "replace")


@frozen_dataclass(frozen=True)
class Options:
    """An entry's generator options with ``generatorOptions`` merged in (Kustomize's
    MergeGlobalOptionsIntoLocal: the entry's labels win, the flags are or-ed)."""

    labels: Mapping[str, Str]
    annotations: Mapping[str, Str]
    disable_hash: bool
    immutable: Bool | None   # the ``immutable: true`` that asked for it

    @classmethod
    def merged(cls, local: GeneratorOptions | None,
               glob: GeneratorOptions | None) -> "Options | None":
        if local is None and glob is None:
            return None
        labels: dict[str, Str] = dict(local.labels or {}) if local is not None else {}
        annotations: dict[str, Str] = dict(local.annotations or {}) if local else {}
        disable = bool(local is not None and local.disable_name_suffix_hash)
        immutable = local.immutable if local is not None and local.immutable \
            and local.immutable.v else None
        if glob is not None:
            for k, v in (glob.labels or {}).items():
                labels.setdefault(k, v)
            for k, v in (glob.annotations or {}).items():
                annotations.setdefault(k, v)
            disable = disable or glob.disable_name_suffix_hash
            if immutable is None and glob.immutable is not None and glob.immutable.v:
                immutable = glob.immutable
        return cls(labels, annotations, disable, immutable)


@frozen_dataclass(frozen=True)
class ConfigMapGenerator(Generator):
    """A ``configMapGenerator`` entry or builtin document, ready to generate."""

    KIND: ClassVar[str] = "ConfigMap"

    args: ConfigMapArgs
    entry: Entry
    h: Helpers
    options: Options | None
    field: str                     # names the entry in messages
    meta_origin: str | None = None  # buildMetadata: the origin annotation of what it makes

    @classmethod
    def configure(cls, args: ConfigMapArgs, where: Where, h: Helpers,
                  glob: GeneratorOptions | None = None,
                  meta_origin: str | None = None) -> list["ConfigMapGenerator"]:
        field = where.field
        if args.name is None or args.name.v == "":
            raise at(args.o, f"a {field} entry must have a name")
        behavior = args.behavior
        if behavior is not None and behavior.v not in _BEHAVIORS:
            # Kustomize's NewGenerationBehavior: anything else (case matters) is "unknown",
            # which its resource map treats as create
            h.ignored.append(Ignored(behavior.o, f"behavior '{behavior.v}' is not create, "
                                                 "merge or replace: Kustomize ignores it and "
                                                 f"creates the {cls.KIND}"))
        return [cls(args, where.entry(args.o), h, Options.merged(args.options, glob), field,
                    meta_origin)]

    def generate(self) -> Resource:
        args = self.args
        assert args.name is not None
        o = args.name.o
        pairs = load_pairs(args, f"{self.field} '{args.name.v}'", self.h.loader,
                           self.h.directory)
        root = Node({}, o)
        root.v["apiVersion"] = Node("v1", o)
        root.v["kind"] = Node(self.KIND, o)
        md = Node({"name": Node(args.name.v, o)}, o)
        ns = args.namespace
        if ns is not None and ns.v:
            md.v["namespace"] = Node(ns.v, ns.o)
        root.v["metadata"] = md
        self._body(root, pairs, o)
        opts = self.options
        if opts is not None:
            for which, src in (("labels", opts.labels), ("annotations", opts.annotations)):
                for k in sorted(src):
                    _ensure(md, which, src[k].o).v[k] = Node(src[k].v, src[k].o)
                if src:
                    mark_plain_keys(md.v[which], src)
            if opts.immutable is not None:
                root.v["immutable"] = Node(True, opts.immutable.o)
        res = Resource(root, None)
        res.state.generated_by = o
        res.state.behavior = args.behavior.v if args.behavior is not None else ""
        res.state.needs_hash = not (opts is not None and opts.disable_hash)
        res.state.meta_origin = self.meta_origin
        return res

    def _body(self, root: Node, pairs: dict[str, tuple[str | bytes, Origin | None]],
              o: Origin | None) -> None:
        for key, (value, vo) in sorted(pairs.items()):
            if type(value) is bytes:
                _ensure(root, "binaryData", o).v[key] = Node(encode_base64(value), vo)
            else:
                _ensure(root, "data", o).v[key] = Node(value, vo)
        for field in ("data", "binaryData"):
            if field in root.v:
                mark_plain_keys(root.v[field], root.v[field].v)


def _ensure(parent: Node, key: str, origin: Origin | None) -> Node:
    child = parent.v.get(key)
    if child is None:
        child = Node({}, origin)
        parent.v[key] = child
    return child
