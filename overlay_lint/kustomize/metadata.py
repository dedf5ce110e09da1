"""``buildMetadata``: the origin annotation and managed-by label Kustomize can add."""
from __future__ import annotations

import posixpath

from ..core.errors import unsupported
from ..core.node import Node
from ..core.yaml_reader import canonical_text
from ..core.yaml_writer import scalar_text
from .kustomization import Kustomization
from .resmap import ResMap
from .resource import Resource

ORIGIN_ANNOTATION = "config.kubernetes.io/origin"
MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGED_BY_VALUE = "kustomize-(devel)"  # what kubectl's embedded Kustomize v5.5.0 writes
_META_OPTIONS = ("originAnnotations", "transformerAnnotations", "managedByLabel")


def build_metadata(top: Kustomization) -> set[str]:
    """The top kustomization's ``buildMetadata`` options (Kustomize applies the top's to
    every kustomization of the build). ``transformerAnnotations`` lists every transformer
    that ran over each resource, in an order this renderer does not reproduce: refused,
    rather than rendered differently."""
    out: set[str] = set()
    for item in top.config.build_metadata:
        if item.v == "transformerAnnotations":
            raise unsupported(item.o, "buildMetadata 'transformerAnnotations' is not "
                                      "supported: overlay-lint cannot reproduce Kustomize's "
                                      "transformation annotations exactly; remove it to lint "
                                      "this tree", "openapi")
        if item.v in _META_OPTIONS:
            out.add(item.v)
    return out


def add_build_metadata(resources: list[Resource], meta: set[str], top: Kustomization) -> None:
    """The ``config.kubernetes.io/origin`` annotation and the managed-by label, as Kustomize
    writes them; both point at the ``buildMetadata`` field."""
    field_node = top.node.get("buildMetadata")
    where = field_node.o if field_node is not None else top.node.o
    for r in resources:
        md = r.metadata()
        if "originAnnotations" in meta and r.state.meta_origin:
            ann = md.v.get("annotations")
            if ann is None or type(ann.v) is not dict:
                ann = md.v["annotations"] = Node({}, where)
            ann.v[ORIGIN_ANNOTATION] = Node(r.state.meta_origin, where)
        if "managedByLabel" in meta:
            labels = md.v.get("labels")
            if labels is None or type(labels.v) is not dict:
                labels = md.v["labels"] = Node({}, where)
            labels.v[MANAGED_BY] = Node(MANAGED_BY_VALUE, where)


def rewrite_annotations(resmap: ResMap) -> None:
    """What Kustomize does to every object after each transformer when the top kustomization
    has ``buildMetadata``: it records the transformation (or the origin) in an annotation
    with SetAnnotations, which writes ``metadata.annotations`` anew from its string map: new
    value nodes (a value commonAnnotations shared with the pod template no longer is; the
    template's and other places' still are), each its text (a number's, a time's as
    written), and no empty mapping left."""
    for r in resmap.items:
        md = r.node.get("metadata")
        ann = md.v.get("annotations") if md is not None and type(md.v) is dict else None
        if ann is None:
            continue
        if type(ann.v) is not dict or not ann.v:
            if ann.v is None or type(ann.v) is dict:
                del md.v["annotations"]  # type: ignore[union-attr]
            continue
        for k, value in ann.v.items():
            v, parts = value.v, value.parts
            if type(v) is str:
                if parts is not None and "text" in parts:  # a time: its text
                    ann.v[k] = Node(parts["text"], value.o)
                else:
                    ann.v[k] = Node(v, value.o, parts)
            elif type(v) in (dict, list):
                ann.v[k] = Node("", value.o)
            else:
                text = "" if parts and parts.get("empty") else \
                    (parts or {}).get("text", canonical_text(v))
                ann.v[k] = Node(text, value.o)


def origin_text(fields: list[tuple[str, str]], by: str | None = None) -> str:
    """Kustomize's origin annotation value: its Origin struct as YAML, fields in order."""
    lines = [f"{k}: {scalar_text(v)}" for k, v in fields if v]
    if by:
        lines += ["configuredBy:", "  apiVersion: builtin", f"  kind: {by}"]
    return "\n".join(lines) + "\n"


def join_path(prefix: str, rel: str) -> str:
    """Go's filepath.Join: joined and cleaned, "" when both are empty."""
    joined = posixpath.join(prefix, rel) if prefix else rel
    return posixpath.normpath(joined) if joined else ""
