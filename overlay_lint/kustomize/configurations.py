"""``configurations:`` and ``crds:``: growing the transformer configuration of a build.

A ``configurations`` file is a transformer configuration in YAML (the format of
Kustomize's builtin tables). A ``crds`` file is a map of OpenAPI definitions
(``{typeName: {Schema: ..., Dependencies: ...}}``, JSON or YAML); Kustomize reads the
``x-kubernetes-*`` extensions of the properties of every type that looks like a
Kubernetes object (has ``kind``, ``apiVersion`` and ``metadata``), following ``$ref`` into
other definitions of the same file:

- ``x-kubernetes-object-ref-api-version`` + ``-kind`` (+ ``-name-key``, default ``name``):
  the property holds a reference to such an object (a name reference);
- ``x-kubernetes-annotation``, ``x-kubernetes-label-selector``, ``x-kubernetes-identity``:
  the property receives common annotations, common labels, name prefixes.
"""
from __future__ import annotations

from ..core.errors import at
from ..core.node import Node, Origin
from . import types as T
from .decode import decode
from .default_config import default_config
from .loader import Loader
from .transformer_config import (ConfigConflict, NameBackRef, TransformerConfig,
                                 config_from_file, merge_configs)
from .types import FieldSpec

_X_ANNOTATION = "x-kubernetes-annotation"
_X_LABEL_SELECTOR = "x-kubernetes-label-selector"
_X_IDENTITY = "x-kubernetes-identity"
_X_VERSION = "x-kubernetes-object-ref-api-version"
_X_KIND = "x-kubernetes-object-ref-kind"
_X_NAME_KEY = "x-kubernetes-object-ref-name-key"


def merge_configurations(config: TransformerConfig, kdir: str, origin: Origin | None,
                         configurations: tuple[T.Str, ...], crd_files: tuple[T.Str, ...],
                         loader: Loader) -> TransformerConfig:
    """``config`` grown by Kustomize's defaults, the kustomization's ``configurations``
    and its ``crds``, merged in Kustomize's order.

    The order is observable: merging sorts field specs, and a spec for one kind swallows a
    later kind-less spec of the same path (so a ``configurations`` file listing
    ``namePrefix: [{path: metadata/name, kind: X}]`` restricts prefixes to kind X).
    """
    files: list[tuple[T.Str, TransformerConfig]] = []
    extra = TransformerConfig()
    for entry in configurations:
        path = loader.file(kdir, entry.v, entry.o, "configuration")
        docs = [d for d in loader.documents(path) if d is not None]
        if len(docs) > 1:
            raise at(docs[1].o, "a transformer configuration file holds one YAML document")
        cfg = _config_file(docs[0] if docs else None)
        files.append((entry, cfg))
        extra = _merge_at(extra, cfg, entry)
    own = default_config()
    if files:
        try:
            own = merge_configs(own, extra)
        except ConfigConflict:
            for entry, cfg in files:
                _merge_at(own, cfg, entry)
            raise
    where = files[0][0] if files else T.Str("configurations", origin)
    config = _merge_at(config, own, where)
    crds = TransformerConfig()
    for entry in crd_files:
        path = loader.file(kdir, entry.v, entry.o, "crd")
        crds = _merge_at(crds, config_from_openapi(_read_definitions(path, entry, loader)),
                         entry)
    return _merge_at(config, crds, crd_files[0]) if crd_files else config


def _config_file(doc: Node | None) -> TransformerConfig:
    """A ``configurations:`` file: decoded strictly, as Kustomize's UnmarshalStrict."""
    if doc is None:
        return TransformerConfig()
    if not doc.is_map:
        raise at(doc.o, "a transformer configuration must be a YAML mapping")
    return config_from_file(decode(doc.clone(), T.TransformerConfigFile, strict=True,
                                   doc="transformer configuration"))


def _merge_at(config: TransformerConfig, extra: TransformerConfig,
              entry: T.Str) -> TransformerConfig:
    try:
        return merge_configs(config, extra)
    except ConfigConflict as exc:
        raise at(entry.o, f"'{entry.v}': {exc.message}; make 'create' agree with the "
                          "configuration already in effect") from None


def _read_definitions(path: str, entry: T.Str, loader: Loader) -> dict:
    text = loader.read_text(path)
    if text.lstrip().startswith("{"):
        try:
            import json  # here: a crds: file in JSON is rare
            data = json.loads(text)
        except ValueError as exc:
            raise at(entry.o, f"crd file '{entry.v}' is not valid JSON: {exc}") from None
    else:
        docs = [d for d in loader.documents(path) if d is not None]
        data = docs[0].data() if docs else {}
    if not text:  # Kustomize fails on a file of no bytes only (it reads its first byte)
        raise at(entry.o, f"crd file '{entry.v}' is empty; it must map type names to "
                          "OpenAPI definitions")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise at(entry.o, f"crd file '{entry.v}' must map type names to OpenAPI definitions")
    _check_definitions(data, entry)
    return data


def _check_definitions(data: dict, entry: T.Str) -> None:
    """Refuse what Kustomize cannot decode (e.g. a CustomResourceDefinition manifest: crds
    takes OpenAPI definitions keyed by type name, not CRD objects)."""
    for name, definition in data.items():
        if not isinstance(definition, dict):
            raise at(entry.o, f"crd file '{entry.v}': '{name}' is not an OpenAPI definition "
                              "(a mapping with 'Schema'); 'crds' takes OpenAPI definitions "
                              "keyed by type name, not CustomResourceDefinition manifests")
        for k, schema in definition.items():
            if k.lower() != "schema" or schema is None:
                continue
            props = schema.get("properties") if isinstance(schema, dict) else None
            if not isinstance(schema, dict) or not isinstance(props, (dict, type(None))) or \
                    any(not isinstance(p, dict) for p in (props or {}).values()):
                raise at(entry.o, f"crd file '{entry.v}': the schema of '{name}' must be a "
                                  "mapping whose 'properties' map names to schemas")


def _schema(definition: object) -> dict:
    # Go's JSON decoding matches the struct field "Schema" case-insensitively
    if not isinstance(definition, dict):
        return {}
    for k, v in definition.items():
        if k.lower() == "schema" and isinstance(v, dict):
            return v
    return {}


def _ext(prop: dict, key: str) -> str | None:
    # OpenAPI extensions: keys compared case-insensitively, only string values count
    for k, v in prop.items():
        if k.lower() == key and isinstance(v, str):
            return v
    return None


def config_from_openapi(defs: dict) -> TransformerConfig:
    """The transformer configuration a CRD definitions map implies."""
    prefix: list[FieldSpec] = []
    labels: list[FieldSpec] = []
    annos: list[FieldSpec] = []
    refs: list[NameBackRef] = []
    for type_name, definition in defs.items():
        props = _schema(definition).get("properties")
        if not isinstance(props, dict) or not all(k in props for k in
                                                  ("kind", "apiVersion", "metadata")):
            continue
        kind = str(type_name).split(".")[-1]
        _walk_type(defs, str(type_name), kind, [], prefix, labels, annos, refs, set())
    out = TransformerConfig()
    for name, specs in (("name_prefix", prefix), ("common_labels", labels),
                        ("common_annotations", annos)):
        if specs:
            out = merge_configs(out, TransformerConfig(**{name: tuple(specs)}))
    if refs:
        out = merge_configs(out, TransformerConfig(name_reference=tuple(refs)))
    return out


def _walk_type(defs: dict, type_name: str, kind: str, path: list[str], prefix: list,
               labels: list, annos: list, refs: list, seen: set) -> None:
    if type_name not in defs or type_name in seen:
        return  # unknown types add nothing; a cycle would never end
    seen = seen | {type_name}
    props = _schema(defs[type_name]).get("properties")
    if not isinstance(props, dict):
        return
    for prop_name, prop in props.items():
        if not isinstance(prop, dict):
            continue
        here = path + [str(prop_name)]
        fs = FieldSpec("/".join(here), kind=kind)
        if _ext(prop, _X_ANNOTATION) is not None:
            annos.append(fs)
        if _ext(prop, _X_LABEL_SELECTOR) is not None:
            labels.append(fs)
        if _ext(prop, _X_IDENTITY) is not None:
            prefix.append(fs)
        version, ref_kind = _ext(prop, _X_VERSION), _ext(prop, _X_KIND)
        if version is not None and ref_kind is not None:
            name_key = _ext(prop, _X_NAME_KEY) or "name"
            refs.append(NameBackRef("", version, ref_kind,
                                    (FieldSpec("/".join(here + [name_key]), kind=kind),)))
        ref = prop.get("$ref")
        if isinstance(ref, str) and ref:
            _walk_type(defs, ref, kind, here, prefix, labels, annos, refs, seen)

