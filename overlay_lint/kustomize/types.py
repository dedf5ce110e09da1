"""The typed format of kustomization files and builtin plugin configurations.

One frozen dataclass per Go struct of Kustomize's ``api/types`` (and of the builtin
plugins' configuration structs): the single source of truth for field names and types.
``decode.py`` reads YAML into them, strictly for kustomization and ``configurations:``
files, leniently for builtin plugin configurations, as Kustomize does.

Conventions the decoder reads from the annotations:

- a field's YAML name is its name in camelCase (``name_prefix`` -> ``namePrefix``);
- ``str``/``int``/``bool`` hold the value (Go's zero value when absent or null);
  :class:`Str`/:class:`Int`/:class:`Bool` also keep the line that wrote it (None when
  absent or null);
- ``tuple[X, ...]`` is a list, ``Mapping[str, X]`` a mapping, :class:`StrMap` a mapping of
  located strings that also knows where it is, a dataclass a nested struct (None when
  absent or null), :class:`~overlay_lint.core.node.Node` any YAML kept as it is;
- a field named ``o`` receives the origin of the mapping itself.
"""
from __future__ import annotations

from collections.abc import Mapping  # not typing's (~2.5 ms of a render): decode reads it

from ..core.named_tuple import NamedTuple  # typing's, without its compiles at import
from ..core.node import Node, Origin
from ..core.record import frozen_dataclass


class Str(NamedTuple):
    """A string and the line that wrote it; ``block``: where a literal block's text
    starts (line, column), so YAML embedded in it can be located line by line."""

    v: str
    o: Origin | None
    block: tuple[int, int] | None = None


class Int(NamedTuple):
    v: int
    o: Origin | None


class Bool(NamedTuple):
    v: bool
    o: Origin | None


@frozen_dataclass(frozen=True)
class StrMap:
    """A mapping of strings (labels, annotations) that knows its own line."""

    pairs: Mapping[str, Str]
    o: Origin | None


# --- shared ----------------------------------------------------------------------------

@frozen_dataclass(frozen=True)
class ObjectMeta:
    """A resource's ``metadata`` as plugin configurations carry it."""

    name: Str | None = None
    namespace: Str | None = None
    labels: Mapping[str, str] | None = None
    annotations: Mapping[str, str] | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class FieldSpec:
    """In objects of this group/version/kind (empty: any), the field at ``path``
    (``/``-separated; ``create``: make it when missing). Kustomize's types.FieldSpec."""

    path: str = ""
    group: str = ""
    version: str = ""
    kind: str = ""
    create: bool = False

    def matches_gvk(self, group: str, version: str, kind: str) -> bool:
        return ((not self.kind or self.kind == kind) and (not self.group or self.group == group)
                and (not self.version or self.version == version))


@frozen_dataclass(frozen=True)
class Selector:
    """A patch ``target`` or a replacement ``select``/``reject``: id fields plus label
    and annotation selectors."""

    group: Str | None = None
    version: Str | None = None
    kind: Str | None = None
    name: Str | None = None
    namespace: Str | None = None
    label_selector: Str | None = None
    annotation_selector: Str | None = None
    o: Origin | None = None

    def text(self, name: str) -> str:
        value = getattr(self, name)
        return value.v if value is not None else ""


# --- entries of a kustomization -----------------------------------------------------------

@frozen_dataclass(frozen=True)
class Patch:
    """A ``patches``/``patchesJson6902`` entry (and a PatchTransformer's configuration)."""

    path: Str | None = None
    patch: Str | None = None
    target: Selector | None = None
    options: Mapping[str, bool] | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class Image:
    """An ``images`` entry (Kustomize's types.Image)."""

    name: Str | None = None
    new_name: Str | None = None
    tag_suffix: Str | None = None
    new_tag: Str | None = None
    digest: Str | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class Replica:
    """A ``replicas`` entry (types.Replica)."""

    name: Str | None = None
    count: Int | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class Label:
    """A ``labels:`` entry."""

    pairs: StrMap | None = None
    include_selectors: bool = False
    include_templates: bool = False
    fields: tuple[FieldSpec, ...] = ()
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class FieldOptions:
    """How a replacement reads or writes a field: delimiter, index, create."""

    delimiter: str = ""
    index: int = 0
    encoding: str = ""
    create: bool = False


@frozen_dataclass(frozen=True)
class SourceSelector:
    """A replacement's ``source``: the object and the field it reads."""

    group: Str | None = None
    version: Str | None = None
    kind: Str | None = None
    name: Str | None = None
    namespace: Str | None = None
    field_path: Str | None = None
    options: FieldOptions | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class TargetSelector:
    """A replacement's ``targets`` item: the objects and fields it writes."""

    select: Selector | None = None
    reject: tuple[Selector, ...] = ()
    field_paths: tuple[Str, ...] = ()
    options: FieldOptions | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class ReplacementField:
    """A ``replacements`` entry: a replacement, or the ``path`` of a file holding some."""

    path: Str | None = None
    source: SourceSelector | None = None
    targets: tuple[TargetSelector, ...] | None = None   # None: absent (an error), () empty
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class VarTarget:
    """A var's ``objref``: the object it reads."""

    api_version: str = ""
    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class FieldSelector:
    """A var's ``fieldref``: the field it reads."""

    field_path: Str | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class Var:
    """A ``vars`` entry (types.Var)."""

    name: Str | None = None
    objref: VarTarget | None = None
    fieldref: FieldSelector | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class GeneratorOptions:
    """``generatorOptions``, or a generator entry's ``options``."""

    labels: Mapping[str, Str] | None = None
    annotations: Mapping[str, Str] | None = None
    disable_name_suffix_hash: bool = False
    immutable: Bool | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class ConfigMapArgs:
    """A ``configMapGenerator`` entry (GeneratorArgs and its KvPairSources inlined)."""

    namespace: Str | None = None
    name: Str | None = None
    behavior: Str | None = None
    literals: tuple[Str, ...] = ()
    files: tuple[Str, ...] = ()
    envs: tuple[Str, ...] = ()
    env: Str | None = None
    options: GeneratorOptions | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class SecretArgs(ConfigMapArgs):
    """A ``secretGenerator`` entry."""

    type: Str | None = None


@frozen_dataclass(frozen=True)
class LegacySortOptions:
    """``sortOptions.legacySortOptions``: the kinds output first and last."""

    order_first: tuple[str, ...] = ()
    order_last: tuple[str, ...] = ()
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class SortOptions:
    """``sortOptions``: the output order, legacy or as listed."""

    order: Str | None = None
    legacy_sort_options: LegacySortOptions | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class Kustomization:
    """A kustomization file (Kustomize's types.Kustomization)."""

    api_version: Str | None = None
    kind: Str | None = None
    metadata: ObjectMeta | None = None
    openapi: Mapping[str, str] | None = None
    name_prefix: Str | None = None
    name_suffix: Str | None = None
    namespace: Str | None = None
    common_labels: StrMap | None = None
    labels: tuple[Label, ...] = ()
    common_annotations: StrMap | None = None
    patches_strategic_merge: tuple[Str, ...] = ()
    patches_json6902: tuple[Patch, ...] = ()
    patches: tuple[Patch, ...] = ()
    images: tuple[Image, ...] = ()
    image_tags: tuple[Image, ...] = ()
    replacements: tuple[ReplacementField, ...] = ()
    replicas: tuple[Replica, ...] = ()
    vars: tuple[Var, ...] = ()
    sort_options: SortOptions | None = None
    resources: tuple[Str, ...] = ()
    components: tuple[Str, ...] = ()
    crds: tuple[Str, ...] = ()
    bases: tuple[Str, ...] = ()
    config_map_generator: tuple[ConfigMapArgs, ...] = ()
    secret_generator: tuple[SecretArgs, ...] = ()
    generator_options: GeneratorOptions | None = None
    configurations: tuple[Str, ...] = ()
    transformers: tuple[Str, ...] = ()
    generators: tuple[Str, ...] = ()
    build_metadata: tuple[Str, ...] = ()
    # refused when set (kustomization.py), whatever they hold
    validators: Node | None = None
    helm_globals: Node | None = None
    helm_charts: Node | None = None
    helm_chart_inflation_generator: Node | None = None
    o: Origin | None = None


# --- a ``configurations:`` file (Kustomize's builtinconfig.TransformerConfig) --------------

@frozen_dataclass(frozen=True)
class NameBackRefs:
    """A referral kind and the fields of other kinds that hold names of such objects."""

    group: str = ""
    version: str = ""
    kind: str = ""
    field_specs: tuple[FieldSpec, ...] = ()


@frozen_dataclass(frozen=True)
class TransformerConfigFile:
    """A ``configurations:`` file: field specs per transformer, name references."""

    name_prefix: tuple[FieldSpec, ...] = ()
    name_suffix: tuple[FieldSpec, ...] = ()
    namespace: tuple[FieldSpec, ...] = ()
    common_labels: tuple[FieldSpec, ...] = ()
    labels: tuple[FieldSpec, ...] = ()
    template_labels: tuple[FieldSpec, ...] = ()
    common_annotations: tuple[FieldSpec, ...] = ()
    images: tuple[FieldSpec, ...] = ()
    replicas: tuple[FieldSpec, ...] = ()
    var_reference: tuple[FieldSpec, ...] = ()
    name_reference: tuple[NameBackRefs, ...] = ()


# --- builtin plugin configurations (``transformers:``/``generators:`` documents) ----------

@frozen_dataclass(frozen=True)
class NamespaceConfig:
    """The NamespaceTransformer's configuration."""

    metadata: ObjectMeta | None = None
    field_specs: tuple[FieldSpec, ...] = ()
    unset_only: bool = False
    set_role_binding_subjects: Str | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class PrefixConfig:
    """The PrefixTransformer's configuration."""

    prefix: Str | None = None
    field_specs: tuple[FieldSpec, ...] | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class SuffixConfig:
    """The SuffixTransformer's configuration."""

    suffix: Str | None = None
    field_specs: tuple[FieldSpec, ...] | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class PrefixSuffixConfig:
    """The legacy PrefixSuffixTransformer's configuration."""

    prefix: Str | None = None
    suffix: Str | None = None
    field_specs: tuple[FieldSpec, ...] | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class LabelConfig:
    """The LabelTransformer's configuration."""

    labels: StrMap | None = None
    field_specs: tuple[FieldSpec, ...] = ()
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class AnnotationsConfig:
    """The AnnotationsTransformer's configuration."""

    annotations: StrMap | None = None
    field_specs: tuple[FieldSpec, ...] = ()
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class PatchStrategicMergeConfig:
    """The PatchStrategicMergeTransformer's configuration."""

    paths: tuple[Str, ...] = ()
    patches: Str | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class PatchJson6902Config:
    """The PatchJson6902Transformer's configuration."""

    target: Selector | None = None
    path: Str | None = None
    json_op: Str | None = None
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class ImageTagConfig:
    """The ImageTagTransformer's configuration."""

    image_tag: Image | None = None
    field_specs: tuple[FieldSpec, ...] = ()
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class ReplicaCountConfig:
    """The ReplicaCountTransformer's configuration."""

    replica: Replica | None = None
    field_specs: tuple[FieldSpec, ...] = ()
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class ReplacementConfig:
    """The ReplacementTransformer's configuration."""

    replacements: tuple[ReplacementField, ...] = ()
    o: Origin | None = None


@frozen_dataclass(frozen=True)
class ConfigMapGeneratorConfig(ConfigMapArgs):
    """A builtin ConfigMapGenerator document (under ``generators:``)."""

    metadata: ObjectMeta | None = None


@frozen_dataclass(frozen=True)
class SecretGeneratorConfig(SecretArgs):
    """A builtin SecretGenerator document (under ``generators:``)."""

    metadata: ObjectMeta | None = None
