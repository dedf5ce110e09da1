"""The ``transformers:`` field, for Kustomize's builtin transformers only.

Entries are inline YAML (a transformer configuration written in the kustomization) or
paths to files or kustomization directories holding such configurations. As in Kustomize,
inline configurations run first, then those read from paths, each in listed order, after
all the kustomization's own transformer fields.

Only ``apiVersion: builtin`` configurations are run, each through the stage module doing
the same job (namespace, prefix/suffix, labels, annotations, patches, images, replicas,
replacements). Anything else — exec or container KRM functions, Go plugins — is refused
at the entry's ``file:line`` and never executed.
"""
from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from ..core.errors import OverlayLintError, at, unsupported
from ..core.node import Node
from ..core.yaml_reader import parse_embedded
from .config import fieldspecs_from_node
from .generators import absorb, generate
from .kustomization import SCHEMA, Kustomization, lenient
from .prefixsuffix import add_prefix, add_suffix
from .resource import Resource

if TYPE_CHECKING:
    from .build import Accumulator, BuildContext

BUILTIN = "builtin"


def run_builtin_transformers(acc: "Accumulator", kust: Kustomization,
                             ctx: "BuildContext") -> None:
    """Run the kustomization's ``transformers:`` (builtin ones; refuse the rest)."""
    configured = [(entry, res, _configure(res, entry))
                  for entry, res in _configs(kust, ctx, "transformers")]
    for entry, res, run in configured:
        run(acc, kust, ctx)


def _configs(kust: Kustomization, ctx: "BuildContext", field: str
             ) -> list[tuple[Node, Resource]]:
    """The plugin configurations of ``transformers:`` or ``generators:``: inline ones
    first, then those read from paths, each in listed order (as Kustomize)."""
    inline: list[tuple[Node, Resource]] = []
    from_paths: list[tuple[Node, Resource]] = []
    for entry in kust.strings(field):
        docs = _inline_documents(entry)
        if docs is not None:
            inline.extend((entry, _resource(d, entry)) for d in docs)
        else:
            from_paths.extend((entry, r) for r in _load_path(entry, kust, ctx, field[:-1]))
    return inline + from_paths


# Fields of a builtin ConfigMapGenerator/SecretGenerator configuration (lenient: others
# are ignored, as Kustomize's plugin decoding ignores them).
_GENERATOR_FIELDS = ("name", "namespace", "behavior", "literals", "files", "envs", "env",
                     "options")


def run_generator_plugins(acc: "Accumulator", kust: Kustomization,
                          ctx: "BuildContext") -> None:
    """The kustomization's ``generators:``: builtin ConfigMapGenerator and SecretGenerator
    configurations generate as their kustomization fields do (after them, as in
    Kustomize; ``generatorOptions`` do not apply, names default to ``metadata.name``);
    Helm is refused as Helm, anything else as a plugin. Nothing is executed."""
    for entry, res in _configs(kust, ctx, "generators"):
        api, kind = res.api_version, res.kind
        if "originAnnotations" in ctx.meta:
            raise unsupported(entry.o, "buildMetadata 'originAnnotations' with 'generators:' "
                                       "is not supported: overlay-lint cannot reproduce the "
                                       "origin Kustomize gives plugin-generated objects",
                                       "openapi")
        where = f" (from {os.path.relpath(res.source)})" if res.source else ""
        if api == BUILTIN and kind == "HelmChartInflationGenerator":
            raise unsupported(entry.o, f"generators: '{kind}'{where} is not supported: Helm "
                                       "chart inflation runs helm; overlay-lint never runs "
                                       "it", "helm")
        if api != BUILTIN:
            raise unsupported(entry.o, f"generators: '{kind}' with apiVersion '{api}'{where} "
                                       "is not supported: generator plugins and KRM "
                                       "functions are executables; overlay-lint never runs "
                                       "them", "plugin")
        if kind not in ("ConfigMapGenerator", "SecretGenerator"):
            raise at(entry.o, f"builtin generator '{kind}' is not supported by overlay-lint "
                              "(supported: ConfigMapGenerator, SecretGenerator)")
        cfg = res.node
        args = {k: c for k, c in cfg.items() if k in _GENERATOR_FIELDS
                or (k == "type" and kind == "SecretGenerator")}
        for key in ("name", "namespace"):  # default to the configuration's metadata
            own = args.get(key)
            if own is None or own.v in (None, ""):
                meta = cfg.path("metadata", key)
                if meta is not None:
                    args[key] = meta
        generated = generate(kind[:-len("Generator")], "generators", Node(args, cfg.o),
                             kust, ctx, None)
        rec = ctx.touched.new(kind, "generators", cfg.o or entry.o,
                              (cfg.o[0] if cfg.o else kust.path), kust.dir)
        absorb(acc.resmap, generated, cfg.o or entry.o, rec)


# --- reading configurations ----------------------------------------------------------------

def _inline_documents(entry: Node) -> list[Node] | None:
    """The entry's documents when it is inline YAML (mappings), else None (a path)."""
    text = entry.v
    if "\n" not in text and ":" not in text:
        return None
    try:
        docs = [d for d in parse_embedded(text, entry) if d is not None]
    except OverlayLintError:
        return None
    if not docs or not all(d.is_map for d in docs):
        return None
    return docs


def _resource(doc: Node, entry: Node) -> Resource:
    from .build import resources_from_node
    found = resources_from_node(doc, None)
    if len(found) != 1:
        raise at(entry.o, "a transformer configuration must be one object")
    return found[0]


def _load_path(entry: Node, kust: Kustomization, ctx: "BuildContext",
               what: str = "transformer") -> list[Resource]:
    from .build import Accumulator, _load_sub, accumulate_target, load_resources
    path = ctx.loader.resolve(kust.dir, entry.v, entry.o, what)
    if os.path.isdir(path):
        sub = _load_sub(path, entry, ctx, component=False)
        return list(accumulate_target(sub, ctx, Accumulator()).resmap)
    if not os.path.exists(path):
        raise at(entry.o, f"{what} '{entry.v}' not found (no such file or directory)")
    path = ctx.loader.file(kust.dir, entry.v, entry.o, what)
    return load_resources(path, ctx.loader, entry.o)


# --- dispatch ------------------------------------------------------------------------------

Runner = Callable[["Accumulator", Kustomization, "BuildContext"], None]


def _configure(res: Resource, entry: Node) -> Runner:
    """Check one configuration and return what runs it."""
    api, kind = res.api_version, res.kind
    if api != BUILTIN:
        where = f" (from {os.path.relpath(res.source)})" if res.source else ""
        raise unsupported(entry.o, f"transformer '{kind}' with apiVersion '{api}'{where} is "
                                   "not supported: overlay-lint runs only 'apiVersion: builtin' "
                                   "transformers; exec/container KRM functions and Go plugins "
                                   "are never executed", "plugin")
    make = _BUILDERS.get(kind)
    if make is None:
        raise at(entry.o, f"builtin transformer '{kind}' is not supported by overlay-lint "
                          f"(supported: {', '.join(sorted(_BUILDERS))})")
    run = make(res.node, entry)

    def recorded(acc: "Accumulator", kust: Kustomization, ctx: "BuildContext") -> None:
        # the stage records what the configuration does, as this builtin's entries
        ctx.via = (kind, res.node.o or entry.o, res.source or kust.path)
        try:
            run(acc, kust, ctx)
        finally:
            ctx.via = None
    return recorded


def _str(cfg: Node, key: str, required: bool = False) -> Node | None:
    n = cfg.get(key)
    if n is None or n.v is None:
        if required:
            raise at(cfg.o, f"transformer configuration needs '{key}'")
        return None
    if type(n.v) is not str:
        raise at(n.o, f"'{key}' must be a string")
    return n


def _specs(cfg: Node, required_for: str | None = None):
    n = cfg.get("fieldSpecs")
    if (n is None or n.v is None) and required_for:
        raise at(cfg.o, f"{required_for}: 'fieldSpecs' is required (it is not expected to "
                        "be empty)")
    return tuple(fieldspecs_from_node(n, "fieldSpecs", strict=False))


def _namespace(cfg: Node, entry: Node) -> Runner:
    from .namespace import DEFAULT_ONLY, set_namespace
    ns = cfg.path("metadata", "namespace")
    unset = cfg.get("unsetOnly")
    if unset is not None and unset.v is not None and type(unset.v) is not bool:
        raise at(unset.o, "'unsetOnly' must be true or false")
    mode = _str(cfg, "setRoleBindingSubjects")
    specs = _specs(cfg)

    def run(acc, kust, ctx):
        if ns is None or not ns.v:
            return
        set_namespace(acc.resmap, str(ns.v), ns.o, specs,
                      unset_only=bool(unset.v) if unset is not None else False,
                      subjects=mode.v if mode is not None and mode.v else DEFAULT_ONLY,
                      rec=ctx.record("", "", cfg.o, kust))
    return run


def _affix(key: str, add) -> Callable[[Node, Node], Runner]:
    def make(cfg: Node, entry: Node) -> Runner:
        text = _str(cfg, key)
        specs = _specs(cfg, f"{key.capitalize()}Transformer")

        def run(acc, kust, ctx):
            add(acc.resmap, text.v if text is not None else "",
                text.o if text is not None else cfg.o, specs, ctx.record("", "", cfg.o, kust))
        return run
    return make


def _prefix_suffix(cfg: Node, entry: Node) -> Runner:
    """The legacy PrefixSuffixTransformer: a PrefixTransformer then a SuffixTransformer
    configured from the same document."""
    first = _affix("prefix", add_prefix)(cfg, entry)
    second = _affix("suffix", add_suffix)(cfg, entry)

    def run(acc, kust, ctx):
        first(acc, kust, ctx)
        second(acc, kust, ctx)
    return run


def _map_setter(key: str, what: str) -> Callable[[Node, Node], Runner]:
    def make(cfg: Node, entry: Node) -> Runner:
        from .labels import pairs_from_node, set_map_entries
        node = cfg.get(key)
        pairs = pairs_from_node(node, key)
        specs = _specs(cfg)

        def run(acc, kust, ctx):
            set_map_entries(acc.resmap, pairs, specs, node.o if node is not None else cfg.o,
                            what, ctx.record("", "", cfg.o, kust))
        return run
    return make


def _delegate(field: str, module: str, func: str, build_entries, config_field: str | None = None
              ) -> Callable[[Node, Node], Runner]:
    """Run a builtin transformer through the stage module handling the same kustomization
    field: a one-field kustomization holding this configuration's values."""
    shape = SCHEMA[field]
    inner = shape[1] if isinstance(shape, tuple) else shape

    def make(cfg: Node, entry: Node) -> Runner:
        # decoded as Kustomize decodes plugin configurations: unknown fields ignored
        items = [lenient(i, inner) for i in build_entries(cfg)]
        specs = _specs(cfg) if config_field else None

        def run(acc, kust, ctx):
            import importlib
            from .build import Accumulator
            fn = getattr(importlib.import_module(f".{module}", __package__), func)
            fake = Kustomization(kust.dir, kust.path,
                                 Node({field: Node(items, cfg.o)}, kust.node.o))
            config = acc.config
            if config_field:
                config = replace(config, **{config_field: specs})
            sub = Accumulator(acc.resmap, config, acc.vars)
            fn(sub, fake, ctx)
            acc.resmap = sub.resmap
        return run
    return make


def _one(key: str):
    def entries(cfg: Node) -> list[Node]:
        n = cfg.get(key)
        if n is None or n.v is None:
            raise at(cfg.o, f"transformer configuration needs '{key}'")
        return [n]
    return entries


def _renamed(mapping: dict[str, str]):
    """One entry made of the configuration's fields under their kustomization names."""
    def entries(cfg: Node) -> list[Node]:
        out = {new: cfg.get(old) for old, new in mapping.items() if cfg.get(old) is not None}
        return [Node(out, cfg.o)]
    return entries


def _psm_entries(cfg: Node) -> list[Node]:
    out: list[Node] = []
    paths = cfg.get("paths")
    if paths is not None and paths.v is not None:
        if not paths.is_seq:
            raise at(paths.o, "'paths' must be a list")
        out.extend(paths.v)
    patches = cfg.get("patches")
    if patches is not None and patches.v:
        out.append(patches)
    return out


def _list(key: str):
    def entries(cfg: Node) -> list[Node]:
        n = cfg.get(key)
        if n is None or n.v is None:
            return []
        if not n.is_seq:
            raise at(n.o, f"'{key}' must be a list")
        return list(n.v)
    return entries


def _builders() -> dict[str, Callable[[Node, Node], Runner]]:
    return {
        "NamespaceTransformer": _namespace,
        "PrefixTransformer": _affix("prefix", add_prefix),
        "SuffixTransformer": _affix("suffix", add_suffix),
        "PrefixSuffixTransformer": _prefix_suffix,
        "LabelTransformer": _map_setter("labels", "label"),
        "AnnotationsTransformer": _map_setter("annotations", "annotation"),
        "PatchTransformer": _delegate("patches", "patches", "apply_patches", _renamed(
            {"path": "path", "patch": "patch", "target": "target", "options": "options"})),
        "PatchStrategicMergeTransformer": _delegate(
            "patchesStrategicMerge", "patches", "apply_patches_strategic_merge", _psm_entries),
        "PatchJson6902Transformer": _delegate(
            "patchesJson6902", "patches", "apply_patches_json6902",
            _renamed({"target": "target", "path": "path", "jsonOp": "patch"})),
        "ImageTagTransformer": _delegate("images", "images", "apply_images",
                                         _one("imageTag"), "images"),
        "ReplicaCountTransformer": _delegate("replicas", "replicas", "apply_replicas",
                                             _one("replica"), "replicas"),
        "ReplacementTransformer": _delegate("replacements", "replacements",
                                            "apply_replacements", _list("replacements")),
    }


_BUILDERS = _builders()
