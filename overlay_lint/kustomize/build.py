"""``kustomize build`` in Python: accumulate a kustomization directory into resources.

The stages and their order follow Kustomize v5 (api/internal/target/kusttarget.go):
resources -> configurations/crds -> generators -> components -> transformers (patches,
namespace, prefix/suffix, labels, annotations, JSON6902 patches, replicas, images,
replacements, builtin ``transformers:``) -> vars; then, once at the top: name hashes,
name references, var substitution, local-config removal and the output sort.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from ..core.errors import OverlayLintError, at
from ..core.node import Node, Origin
from ..core.yaml_reader import canonical_text
from . import config as tconfig
from .kustomization import Kustomization
from .loader import Loader
from .resource import ResMap, Resource
from .metadata import add_build_metadata, build_metadata, join_path, origin_text
from .touched import DuplicateKey, Recorder, Touched

LOCAL_CONFIG = "config.kubernetes.io/local-config"


@dataclass
class Accumulator:
    """Resources plus the transformer configuration and vars gathered so far."""

    resmap: ResMap = field(default_factory=ResMap)
    # starts empty, as Kustomize's accumulator: each kustomization merges in the defaults
    # plus its configurations (crds.merge_configurations); the merge order matters
    config: "tconfig.TransformerConfig" = field(default_factory=tconfig.TransformerConfig)
    vars: list = field(default_factory=list)

    def merge(self, other: "Accumulator", origin: Origin | None, seen: set | None = None) -> None:
        """Take ``other``'s resources, config and vars (``seen``: see ResMap.append_all)."""
        self.resmap.append_all(other.resmap, origin, seen)
        try:
            self.config = self.config.merge(other.config)
        except OverlayLintError as exc:  # conflicting configurations: locate at the entry
            raise at(origin, exc.message) from None
        from .vars import merge_var_lists
        self.vars = merge_var_lists(self.vars, other.vars, origin)


class BuildContext:
    """What a build shares across its kustomization directories."""

    def __init__(self, loader: Loader | None = None) -> None:
        self.loader = loader or Loader()
        self.stack: list[str] = []          # directories being built, for cycle errors
        self.kustomizations: list[Kustomization] = []  # every kustomization the build read
        self.touched = Recorder()           # what each builtin entry did (touched.py)
        self.var_records: dict[str, Touched] = {}  # var name -> its record
        # buildMetadata of the top kustomization (Kustomize applies it to the whole tree)
        # and the path of the kustomization being built, relative to the top one
        self.meta: set[str] = set()
        self.meta_prefix = ""
        # set while a ``transformers:`` configuration runs through a stage:
        # (builtin kind, origin, file) of the configuration, for its records
        self.via: tuple[str, Origin | None, str] | None = None

    def record(self, builtin: str, field: str, origin: Origin | None, kust: Kustomization,
               patch_file: str | None = None, file: str | None = None) -> Touched:
        """A new record for an entry of ``kust`` (or of the configuration running);
        ``file``: the file holding the entry when it is not the kustomization."""
        if self.via is not None:  # the entry's own line in the configuration
            kind, v_origin, v_file = self.via
            where = origin or v_origin
            return self.touched.new(kind, "transformers", where,
                                    where[0] if where else v_file, kust.dir, patch_file)
        return self.touched.new(builtin, field, origin, file or kust.path, kust.dir,
                                patch_file)


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
    from .order import apply_sort_options
    resources = apply_sort_options(acc.resmap.items, top.field("sortOptions"))
    ctx.loader.files_read.add(top.path)
    return BuildResult(directory, resources, ctx.kustomizations, set(ctx.loader.files_read),
                       ctx.touched.records,
                       [d for k in ctx.kustomizations for d in k.duplicates])


def finish(acc: Accumulator, ctx: BuildContext) -> None:
    """The steps Kustomize runs once, after the whole tree is accumulated."""
    from .generators import add_hashes
    from .namereference import fix_back_references
    from .vars import resolve_vars
    add_hashes(acc, ctx)
    fix_back_references(acc, ctx)
    resolve_vars(acc, ctx)
    acc.resmap.items = [r for r in acc.resmap.items
                        if r.annotations.get(LOCAL_CONFIG) != "true"]
    for r in acc.resmap.items:
        _drop_empty_annotations(r)
        _annotations_as_strings(r)
    if ctx.meta:
        add_build_metadata(acc.resmap.items, ctx.meta, ctx.kustomizations[0])



def _annotations_as_strings(res: Resource) -> None:
    """Kustomize rewrites annotations as a string map when it drops its build annotations:
    ``port: 8080`` comes out as ``"8080"``, ``1e3`` as ``"1e3"`` (the source text), a
    mapping or list as ``""`` (found by the long fuzzer)."""
    ann = res.node.path("metadata", "annotations")
    if ann is None or type(ann.v) is not dict:
        return
    for value in ann.v.values():
        if type(value.v) is str:
            continue
        if type(value.v) in (dict, list):  # a YAML node's scalar text: empty
            value.v = ""
            value.parts = None
            continue
        parts = value.parts or {}
        if parts.get("empty"):
            value.v = ""
        else:
            value.v = parts.get("text", canonical_text(value.v))


def _drop_empty_annotations(res: Resource) -> None:
    """Kustomize adds build annotations to every object and removes them at the end, which
    clears ``metadata.annotations`` when nothing else is left: a null or empty mapping
    there never reaches the output (``labels`` stay as they are)."""
    md = res.node.get("metadata")
    ann = md.get("annotations") if md is not None else None
    if md is not None and ann is not None and (ann.v is None or (type(ann.v) is dict
                                                                 and not ann.v)):
        del md.v["annotations"]


def accumulate_target(kust: Kustomization, ctx: BuildContext, acc: Accumulator) -> Accumulator:
    """Kustomize's accumulateTarget: everything one kustomization contributes."""
    real = os.path.realpath(kust.dir)
    if real in ctx.stack:
        chain = " -> ".join(os.path.relpath(p) for p in ctx.stack[ctx.stack.index(real):])
        raise OverlayLintError(f"cycle detected: {chain} -> {os.path.relpath(real)}", kust.path)
    ctx.loader.budget.spend("builds", 1, kust.node.o)
    ctx.stack.append(real)
    try:
        _accumulate_resources(kust, ctx, acc)
        from .crds import merge_configurations
        acc.config = merge_configurations(acc.config, kust, ctx)
        from .builtin_transformers import run_generator_plugins
        from .generators import run_generators
        run_generators(acc, kust, ctx)
        run_generator_plugins(acc, kust, ctx)
        _accumulate_components(kust, ctx, acc)
        _run_transformers(acc, kust, ctx)
        from .vars import merge_vars
        merge_vars(acc, kust, ctx)
        for res in acc.resmap:
            res.chain.append(kust.dir)
    finally:
        ctx.stack.pop()
    return acc


def _accumulate_resources(kust: Kustomization, ctx: BuildContext, acc: Accumulator) -> None:
    entries = kust.strings("resources") + kust.strings("bases")
    # Nothing renames acc's resources inside this loop, so one id index serves every
    # append (re-indexing per entry made a base of N services quadratic).
    seen = acc.resmap.id_keys()
    for entry in entries:
        path = ctx.loader.resolve(kust.dir, entry.v, entry.o, "resource")
        if os.path.isdir(path):
            path = ctx.loader.directory(kust.dir, entry.v, entry.o, "resource")
            sub = _load_sub(path, entry, ctx, component=False)
            with _meta_below(ctx, entry.v):
                sub_acc = accumulate_target(sub, ctx, Accumulator())
            acc.merge(sub_acc, entry.o, seen)
        elif os.path.exists(path):
            path = ctx.loader.file(kust.dir, entry.v, entry.o, "resource")
            loaded = load_resources(path, ctx.loader, entry.o)
            if ctx.meta:
                text = origin_text([("path", join_path(ctx.meta_prefix, entry.v))])
                for r in loaded:
                    r.meta_origin = text
            acc.resmap.append_all(loaded, entry.o, seen)
        else:
            raise at(entry.o, f"resource '{entry.v}' not found (no such file or directory)")


def _accumulate_components(kust: Kustomization, ctx: BuildContext, acc: Accumulator) -> None:
    for entry in kust.strings("components"):
        path = ctx.loader.directory(kust.dir, entry.v, entry.o, "component")
        sub = _load_sub(path, entry, ctx, component=True)
        # a component works on the resources accumulated so far, in place
        with _meta_below(ctx, entry.v):
            accumulate_target(sub, ctx, acc)


@contextmanager
def _meta_below(ctx: BuildContext, rel: str) -> Iterator[None]:
    """Origin paths of a sub-kustomization are relative to the top one."""
    if not ctx.meta:  # no buildMetadata: nothing to track
        yield
        return
    saved = ctx.meta_prefix
    ctx.meta_prefix = join_path(saved, rel)
    try:
        yield
    finally:
        ctx.meta_prefix = saved


def _check_cycle(path: str, entry: Node, ctx: BuildContext) -> None:
    """Kustomize refuses a directory equal to, or above, any directory being built."""
    real = os.path.realpath(path)
    for seen in ctx.stack:
        if seen == real or real == os.sep or seen.startswith(real + os.sep):
            how = "is" if seen == real else "contains"
            raise at(entry.o, f"cycle detected: '{entry.v}' {how} "
                              f"'{os.path.relpath(seen)}', which is being built")


MAX_KUSTOMIZATION_DEPTH = 150  # real trees nest < 10 deep; bounds Python's recursion


def _load_sub(path: str, entry: Node, ctx: BuildContext, component: bool) -> Kustomization:
    _check_cycle(path, entry, ctx)
    if len(ctx.stack) >= MAX_KUSTOMIZATION_DEPTH:
        raise at(entry.o, f"kustomizations nested more than {MAX_KUSTOMIZATION_DEPTH} levels "
                          "deep (bases of bases of ...); refused")
    try:
        sub = Kustomization.load(path, ctx.loader)
    except OverlayLintError as exc:
        if exc.file == path and "no kustomization" in exc.message:
            raise at(entry.o, f"'{entry.v}' is a directory without a kustomization file") from None
        raise
    if component and not sub.is_component:
        raise at(entry.o, f"'{entry.v}' is listed under components but its kind is "
                          f"'{sub.kind}', expected 'Component'")
    if not component and sub.is_component:
        raise at(entry.o, f"'{entry.v}' is a Component; list it under 'components', "
                          "not 'resources'")
    ctx.kustomizations.append(sub)
    return sub


def load_resources(path: str, loader: Loader, origin: Origin | None = None) -> list[Resource]:
    """The resources of one manifest file: every non-empty document, ``List`` items expanded
    (``origin``: the entry naming the file, where a budget error points)."""
    out: list[Resource] = []
    for doc in loader.documents(path, origin):
        if doc is None:
            continue
        out.extend(resources_from_node(doc.clone(), path))
    return out


def resources_from_node(doc: Node, source: str | None) -> list[Resource]:
    if not doc.is_map:
        raise at(doc.o, "a resource document must be a YAML mapping")
    if not doc.v:
        return []
    kind = doc.get("kind")
    items = doc.get("items")
    if kind is not None and type(kind.v) is str and kind.v.endswith("List") \
            and items is not None:
        if items.v is None:
            return []
        if not items.is_seq:
            raise at(items.o, "'items' of a List must be a list")
        out: list[Resource] = []
        for item in items.v:
            out.extend(resources_from_node(item, source))
        return out
    # Kustomize needs a kind and a metadata.name (apiVersion may be absent); they must be
    # strings here, as every id lookup works on strings.
    av = doc.get("apiVersion")
    if av is not None and av.v is not None and type(av.v) is not str:
        raise at(av.o, "apiVersion must be a string")
    if kind is None or kind.v in (None, ""):
        raise at(doc.o, "resource is missing 'kind'")
    if type(kind.v) is not str:
        raise at(kind.o, "kind must be a string")
    md = doc.get("metadata")
    if md is None or md.v is None:
        raise at(doc.o, "resource is missing 'metadata.name'")
    if not md.is_map:
        raise at(md.o, "metadata must be a mapping")
    for key in ("name", "namespace"):
        n = md.get(key)
        if n is not None and n.v is not None and type(n.v) is not str:
            raise at(n.o, f"metadata.{key} must be a string")
    if not md.str_at("name"):
        raise at(md.o, "resource is missing 'metadata.name'")
    for key in ("labels", "annotations"):
        n = md.get(key)
        if n is not None and n.v is not None and not n.is_map:
            raise at(n.o, f"metadata.{key} must be a mapping")
    return [Resource(doc, source)]


def _run_transformers(acc: Accumulator, kust: Kustomization, ctx: BuildContext) -> None:
    from . import images, labels, namespace, patches, prefixsuffix, replacements, replicas
    from .builtin_transformers import run_builtin_transformers
    patches.apply_patches_strategic_merge(acc, kust, ctx)
    patches.apply_patches(acc, kust, ctx)
    namespace.apply_namespace(acc, kust, ctx)
    prefixsuffix.apply_prefix_suffix(acc, kust, ctx)
    labels.apply_labels(acc, kust, ctx)
    labels.apply_annotations(acc, kust, ctx)
    patches.apply_patches_json6902(acc, kust, ctx)
    replicas.apply_replicas(acc, kust, ctx)
    images.apply_images(acc, kust, ctx)
    replacements.apply_replacements(acc, kust, ctx)
    run_builtin_transformers(acc, kust, ctx)
