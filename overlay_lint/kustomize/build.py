"""``kustomize build`` in Python: the public entry, :func:`build`.

A build loads the top kustomization, accumulates it (``target.py``: resources,
configurations, generators, components, transformers, vars; each kustomization it
includes the same way), then runs the steps Kustomize runs once at the end: name hashes,
name references, var substitution, local-config removal, build metadata and the output
sort (Kustomize v5: api/krusty/kustomizer.go, api/internal/target/kusttarget.go).
"""
from __future__ import annotations

import os

from ..core.errors import OverlayLintError
from ..core.node import Node
from ..core.record import dataclass, field
from ..core.yaml_reader import canonical_text
from .filters.nameref import fix_back_references
from .hasher import add_hashes
from .kustomization import Kustomization
from .loader import Loader
from .metadata import add_build_metadata, build_metadata
from .order import apply_sort_options
from .printable import check_printable
from .resource import Resource
from .target import Accumulator, BuildContext, accumulate_target
from .touched import DuplicateKey, Ignored, Touched
from .vars import resolve_vars

LOCAL_CONFIG = "config.kubernetes.io/local-config"


@dataclass
class BuildResult:
    """A rendered kustomization: resources in output order, what the build read, and what
    each builtin entry matched and changed (``touched``, in build order: touched.py)."""

    directory: str
    resources: list[Resource]
    kustomizations: list[Kustomization]
    files: set[str]
    touched: list[Touched] = field(default_factory=list)
    # repeated keys in the kustomization files read (Kustomize keeps one value)
    duplicates: list[DuplicateKey] = field(default_factory=list)
    # what Kustomize reads past without using (a second document, an unknown behavior)
    ignored: list[Ignored] = field(default_factory=list)

    def rendered(self, uid: int) -> Resource | None:
        """The rendered resource with ``uid`` (see ``touched.Selected``), None if it was
        dropped (a ``$patch: delete``, a local-config object)."""
        by_uid = self.__dict__.get("_by_uid")
        if by_uid is None:
            by_uid = self.__dict__["_by_uid"] = {r.uid: r for r in self.resources}
        return by_uid.get(uid)


def build(directory: str, loader: Loader | None = None) -> BuildResult:
    """Render the kustomization at ``directory`` as ``kustomize build`` would."""
    ctx = BuildContext(loader)
    directory = os.path.normpath(directory)
    if not os.path.isdir(directory):
        raise OverlayLintError("not a directory", directory)
    ctx.loader.check_inside(directory)
    top = Kustomization.load(directory, ctx.loader)
    ctx.kustomizations.append(top)
    ctx.meta = build_metadata(top)
    acc = accumulate_target(top, ctx, Accumulator())
    finish(acc, ctx)
    resources = apply_sort_options(acc.resmap.items, top.config.sort_options)
    check_printable(resources)
    for res in resources:
        res.done()
    ctx.loader.files_read.add(top.path)
    return BuildResult(directory, resources, ctx.kustomizations, set(ctx.loader.files_read),
                       ctx.touched.records,
                       [d for k in ctx.kustomizations for d in k.duplicates] + ctx.duplicates,
                       [i for k in ctx.kustomizations for i in k.ignored] + ctx.ignored)


def finish(acc: Accumulator, ctx: BuildContext) -> None:
    """The steps Kustomize runs once, after the whole tree is accumulated."""
    add_hashes(acc.resmap)
    fix_back_references(acc.resmap.items, acc.config.name_reference)
    resolve_vars(acc.resmap, acc.vars, acc.config.var_reference, ctx.var_records)
    for r in acc.resmap.items:
        if r.state.repeats is not None:  # repeated annotation keys (repeats.py)
            from .repeats import settle
            settle(r, ctx.meta)
    acc.resmap.items = [r for r in acc.resmap.items
                        if r.annotations.get(LOCAL_CONFIG) != "true"]
    for r in acc.resmap.items:
        _drop_empty_annotations(r)
        _annotations_as_strings(r)
    if ctx.meta:
        add_build_metadata(acc.resmap.items, ctx.meta, ctx.kustomizations[0])



def _annotations_as_strings(res: Resource) -> None:
    """Kustomize rewrites annotations as a string map when it drops its build annotations:
    ``port: 8080`` comes out as ``"8080"``, ``1e3`` as ``"1e3"`` and a time as
    ``"2020-1-1"`` (the source text), a mapping or list as ``""`` (found by the long
    fuzzer)."""
    ann = res.node.path("metadata", "annotations")
    if ann is None or type(ann.v) is not dict:
        return
    # new nodes, as Kustomize's SetAnnotations makes: a value node shared with the pod
    # template's annotations (filters/labels.py) keeps its type there
    for k, value in ann.v.items():
        if type(value.v) is str:
            if value.parts is not None and "text" in value.parts:
                ann.v[k] = Node(value.parts["text"], value.o)  # a time, as written
            continue
        if type(value.v) in (dict, list):  # a YAML node's scalar text: empty
            ann.v[k] = Node("", value.o)
            continue
        parts = value.parts or {}
        text = "" if parts.get("empty") else parts.get("text", canonical_text(value.v))
        ann.v[k] = Node(text, value.o, value.parts)


def _drop_empty_annotations(res: Resource) -> None:
    """Kustomize adds build annotations to every object and removes them at the end, which
    clears ``metadata.annotations`` when nothing else is left: a null or empty mapping
    there never reaches the output (``labels`` stay as they are)."""
    md = res.node.get("metadata")
    ann = md.get("annotations") if md is not None else None
    if md is not None and ann is not None and (ann.v is None or (type(ann.v) is dict
                                                                 and not ann.v)):
        del md.v["annotations"]
