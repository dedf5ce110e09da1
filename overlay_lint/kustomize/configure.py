"""Configure, then transform: a kustomization's fields, and its ``transformers:`` and
``generators:`` documents, as builtin objects (Kustomize's kusttarget_configplugin.go).

The kustomization's transformer fields map to builtins in Kustomize's fixed order:
patchesStrategicMerge, patches, namespace, namePrefix, nameSuffix, labels and
commonLabels, commonAnnotations, patchesJson6902, replicas, images (and imageTags),
replacements. Each gets the field specs of the transformer configuration in effect, as
Kustomize's configurators give them. A document with ``apiVersion: builtin`` becomes the
same class, its configuration decoded leniently as Kustomize decodes plugin
configurations; any other document (exec or container KRM functions, Go plugins) is
refused at its entry's ``file:line`` and never run.
"""
from __future__ import annotations

import os
from importlib import import_module

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any, Callable

from ..core.errors import at, unsupported
from ..core.record import replace
from . import types as T
from .builtins import Generator, Helpers, Transformer, Where
from .decode import decode
from .kustomization import Kustomization
from .resource import Resource
from .transformer_config import ConfigConflict, TransformerConfig, merge_fs

if TYPE_CHECKING:
    from .builtins.configmap_generator import ConfigMapGenerator

BUILTIN = "builtin"
_META_LABELS = T.FieldSpec("metadata/labels", create=True)


# --- the builtins, each imported on first use ------------------------------------------------
# (importing all of them, and the filters only they use, cost every render start-up a few
# tens of milliseconds; a render needs only a few)

def _builtin(module: str, name: str) -> Any:
    """The class ``name`` of ``builtins/<module>.py``, the module imported now."""
    return getattr(import_module(f"{__package__}.builtins.{module}"), name)


def _configure(module: str, name: str) -> Callable[..., list[Any]]:
    """``configure`` of a builtin's class, its module imported on the first call."""
    def configure(*args: Any) -> list[Any]:
        return _builtin(module, name).configure(*args)
    return configure


_namespace = _configure("namespace", "NamespaceTransformer")
_prefix = _configure("prefix", "PrefixTransformer")
_suffix = _configure("suffix", "SuffixTransformer")
_labels = _configure("labels", "LabelTransformer")
_annotations = _configure("annotations", "AnnotationsTransformer")
_patch = _configure("patch", "PatchTransformer")
_patch_sm = _configure("patch_strategic_merge", "PatchStrategicMergeTransformer")
_patch_json6902 = _configure("patch_json6902", "PatchJson6902Transformer")
_images = _configure("images", "ImageTagTransformer")
_replicas = _configure("replicas", "ReplicaCountTransformer")
_replacements = _configure("replacements", "ReplacementTransformer")


def _config_map_generator() -> type[ConfigMapGenerator]:
    return _builtin("configmap_generator", "ConfigMapGenerator")


def _secret_generator() -> type[ConfigMapGenerator]:
    return _builtin("secret_generator", "SecretGenerator")


# --- a kustomization's own fields ----------------------------------------------------------

def generators(kust: Kustomization, h: Helpers,
               meta_origin: Callable[[str], str | None]) -> list[Generator]:
    """``configMapGenerator`` then ``secretGenerator`` entries, ``generatorOptions``
    merged into each (``meta_origin``: the origin annotation of a builtin's objects)."""
    k = kust.config
    out: list[Generator] = []
    for builtin_class, field, entries in ((_config_map_generator, "configMapGenerator",
                                           k.config_map_generator),
                                          (_secret_generator, "secretGenerator",
                                           k.secret_generator)):
        if not entries:
            continue
        cls = builtin_class()
        builtin = f"{cls.KIND}Generator"
        where = Where(builtin, field, kust.path, kust.dir)
        for args in entries:
            out += cls.configure(args, where, h, k.generator_options, meta_origin(builtin))
    return out


def transformers(kust: Kustomization, tc: TransformerConfig, h: Helpers) -> list[Transformer]:
    """The builtins of the kustomization's transformer fields, in Kustomize's order."""
    k = kust.config
    out: list[Transformer] = []

    def where(builtin: str, field: str) -> Where:
        return Where(builtin, field, kust.path, kust.dir)

    if k.patches_strategic_merge:
        out += _patch_sm(
            T.PatchStrategicMergeConfig(paths=k.patches_strategic_merge,
                                        o=kust.location("patchesStrategicMerge")),
            where("PatchStrategicMergeTransformer", "patchesStrategicMerge"), h)
    for patch in k.patches:
        out += _patch(patch, where("PatchTransformer", "patches"), h)
    if k.namespace is not None and k.namespace.v:
        out += _namespace(
            T.NamespaceConfig(T.ObjectMeta(namespace=k.namespace), tc.namespace,
                              o=k.namespace.o),
            where("NamespaceTransformer", "namespace"), h)
    if k.name_prefix is not None and k.name_prefix.v:
        out += _prefix(
            T.PrefixConfig(k.name_prefix, tc.name_prefix, k.name_prefix.o),
            where("PrefixTransformer", "namePrefix"), h)
    if k.name_suffix is not None and k.name_suffix.v:
        out += _suffix(
            T.SuffixConfig(k.name_suffix, tc.name_suffix, k.name_suffix.o),
            where("SuffixTransformer", "nameSuffix"), h)
    for label in k.labels:
        out += _labels(
            T.LabelConfig(label.pairs, _label_specs(label, tc), label.o),
            where("LabelTransformer", "labels"), h, "pairs", label.o)
    if k.common_labels is not None and k.common_labels.pairs:
        out += _labels(
            T.LabelConfig(k.common_labels, tc.common_labels, k.common_labels.o),
            where("LabelTransformer", "commonLabels"), h, "commonLabels")
    if k.common_annotations is not None and k.common_annotations.pairs:
        out += _annotations(
            T.AnnotationsConfig(k.common_annotations, tc.common_annotations,
                                k.common_annotations.o),
            where("AnnotationsTransformer", "commonAnnotations"), h, "commonAnnotations")
    for patch in k.patches_json6902:
        out += _patch_json6902(
            patch, where("PatchJson6902Transformer", "patchesJson6902"), h)
    for replica in k.replicas:
        out += _replicas(
            T.ReplicaCountConfig(replica, tc.replicas, replica.o),
            where("ReplicaCountTransformer", "replicas"), h)
    for field, images in (("images", k.images), ("imageTags", k.image_tags)):
        for image in images:
            out += _images(
                T.ImageTagConfig(image, tc.images, image.o),
                where("ImageTagTransformer", field), h)
    if k.replacements:
        out += _replacements(
            T.ReplacementConfig(k.replacements, kust.location("replacements")),
            where("ReplacementTransformer", "replacements"), h)
    return out


def _label_specs(label: T.Label, tc: TransformerConfig) -> tuple[T.FieldSpec, ...]:
    """A ``labels:`` entry's field specs, combined as Kustomize's configurator combines
    them: its ``fields``, the configuration's ``labels`` specs, then every commonLabels
    spec (``includeSelectors``) or the metadata labels plus, with ``includeTemplates``,
    the pod-template labels."""
    try:
        specs = merge_fs(label.fields, tc.labels)
        if label.include_selectors:
            return merge_fs(specs, tc.common_labels)
        if label.include_templates:
            specs = merge_fs(specs, tc.template_labels)
        return merge_fs(specs, (_META_LABELS,))
    except ConfigConflict as exc:
        raise at(label.o, f"{exc.message}; make 'create' of the entry's fields agree with "
                          "Kustomize's label field specs") from None


# --- ``transformers:`` and ``generators:`` documents -----------------------------------------

def _prefix_suffix(config: T.PrefixSuffixConfig, where: Where,
                   h: Helpers) -> list[Transformer]:
    """The legacy PrefixSuffixTransformer: a PrefixTransformer then a SuffixTransformer
    configured from the same document."""
    return [*_prefix(T.PrefixConfig(config.prefix, config.field_specs, config.o), where, h),
            *_suffix(T.SuffixConfig(config.suffix, config.field_specs, config.o), where, h)]


def _json6902(config: T.PatchJson6902Config, where: Where, h: Helpers) -> list[Transformer]:
    patch = T.Patch(path=config.path, patch=config.json_op, target=config.target, o=config.o)
    return list(_patch_json6902(patch, where, h))


# kind -> (its configuration type, what makes builtins of it)
_TRANSFORMER_KINDS: dict[str, tuple[type, Callable[[Any, Where, Helpers], list[Any]]]] = {
    "NamespaceTransformer": (T.NamespaceConfig, _namespace),
    "PrefixTransformer": (T.PrefixConfig, _prefix),
    "SuffixTransformer": (T.SuffixConfig, _suffix),
    "PrefixSuffixTransformer": (T.PrefixSuffixConfig, _prefix_suffix),
    "LabelTransformer": (T.LabelConfig, _labels),
    "AnnotationsTransformer": (T.AnnotationsConfig, _annotations),
    "PatchTransformer": (T.Patch, _patch),
    "PatchStrategicMergeTransformer": (T.PatchStrategicMergeConfig, _patch_sm),
    "PatchJson6902Transformer": (T.PatchJson6902Config, _json6902),
    "ImageTagTransformer": (T.ImageTagConfig, _images),
    "ReplicaCountTransformer": (T.ReplicaCountConfig, _replicas),
    "ReplacementTransformer": (T.ReplacementConfig, _replacements),
}


def plugin_transformers(configs: list[tuple[T.Str, Resource]], directory: str,
                        h: Helpers) -> list[Transformer]:
    """The builtins of ``transformers:`` documents (``configs``: each with the entry
    naming it); anything but a builtin is refused."""
    out: list[Transformer] = []
    for entry, res in configs:
        api, kind = res.api_version, res.kind
        if api != BUILTIN:
            raise unsupported(entry.o, f"transformer '{kind}' with apiVersion '{api}'"
                                       f"{_from(res)} is not supported: overlay-lint runs only "
                                       "'apiVersion: builtin' transformers; exec/container "
                                       "KRM functions and Go plugins are never executed",
                                       "plugin")
        known = _TRANSFORMER_KINDS.get(kind)
        if known is None:
            raise at(entry.o, f"builtin transformer '{kind}' is not supported by overlay-lint "
                              f"(supported: {', '.join(sorted(_TRANSFORMER_KINDS))})")
        cls, make = known
        config: Any = decode(res.node, cls, strict=False, where=kind)
        out += make(config, Where(kind, "transformers", None, directory), h)
    return out


def plugin_generators(configs: list[tuple[T.Str, Resource]], directory: str, h: Helpers,
                      origin_annotations: bool) -> list[Generator]:
    """The builtins of ``generators:`` documents: ConfigMapGenerator and SecretGenerator
    (names default to ``metadata.name``, ``generatorOptions`` do not apply); Helm is
    refused as Helm, anything else as a plugin. Nothing is executed."""
    out: list[Generator] = []
    for entry, res in configs:
        api, kind = res.api_version, res.kind
        if origin_annotations:
            raise unsupported(entry.o, "buildMetadata 'originAnnotations' with 'generators:' "
                                       "is not supported: overlay-lint cannot reproduce the "
                                       "origin Kustomize gives plugin-generated objects",
                                       "openapi")
        if api == BUILTIN and kind == "HelmChartInflationGenerator":
            raise unsupported(entry.o, f"generators: '{kind}'{_from(res)} is not supported: "
                                       "Helm chart inflation runs helm; overlay-lint never "
                                       "runs it", "helm")
        if api != BUILTIN:
            raise unsupported(entry.o, f"generators: '{kind}' with apiVersion '{api}'"
                                       f"{_from(res)} is not supported: generator plugins and "
                                       "KRM functions are executables; overlay-lint never runs "
                                       "them", "plugin")
        gen: type[ConfigMapGenerator]
        cls: type[T.ConfigMapGeneratorConfig | T.SecretGeneratorConfig]
        if kind == "ConfigMapGenerator":
            gen, cls = _config_map_generator(), T.ConfigMapGeneratorConfig
        elif kind == "SecretGenerator":
            gen, cls = _secret_generator(), T.SecretGeneratorConfig
        else:
            raise at(entry.o, f"builtin generator '{kind}' is not supported by overlay-lint "
                              "(supported: ConfigMapGenerator, SecretGenerator)")
        config: Any = decode(res.node, cls, strict=False, where=kind)
        meta = config.metadata
        if meta is not None:  # name and namespace default to the document's metadata
            if config.name is None or not config.name.v:
                config = replace(config, name=meta.name)
            if config.namespace is None or not config.namespace.v:
                config = replace(config, namespace=meta.namespace)
        out += gen.configure(config, Where(kind, "generators", None, directory), h)
    return out


def _from(res: Resource) -> str:
    return f" (from {os.path.relpath(res.source)})" if res.source else ""
