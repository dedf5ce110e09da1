"""Accumulating one kustomization directory, as Kustomize's KustTarget does
(api/internal/target/kusttarget.go): resources, then ``configurations``/``crds``, then
generators, components, transformers, and vars.

Generators and transformers are configured from the kustomization (``configure.py``),
then run; ``transformers:``/``generators:`` documents are read here (inline, from files
or built from kustomization directories) and configured the same way.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Iterator

from ..core.errors import OverlayLintError, at
from ..core.node import Node, Origin
from ..core.paths import real as real_path
from ..core.record import dataclass, field
from ..core.yaml_reader import parse_embedded
from . import configure
from . import types as T
from .builtins import Helpers, run_transformers
from .printable import top_level_keys
from .configurations import merge_configurations
from .kustomization import Kustomization
from .loader import Loader
from .metadata import join_path, origin_text, rewrite_annotations
from .resmap import ResMap, absorb
from .resource import Resource
from .touched import DuplicateKey, Ignored, Recorder, Touched
from .transformer_config import TransformerConfig, merge_configs
from .vars import Var, declare_vars, merge_var_lists


@dataclass
class Accumulator:
    """Resources plus the transformer configuration and vars gathered so far."""

    resmap: ResMap = field(default_factory=ResMap)
    # starts empty, as Kustomize's accumulator: each kustomization merges in the defaults
    # plus its configurations (configurations.py); the merge order matters
    config: TransformerConfig = field(default_factory=TransformerConfig)
    vars: list[Var] = field(default_factory=list)

    def merge(self, other: "Accumulator", origin: Origin | None, seen: set | None = None) -> None:
        """Take ``other``'s resources, config and vars (``seen``: see ResMap.append_all)."""
        self.resmap.append_all(other.resmap, origin, seen)
        try:
            self.config = merge_configs(self.config, other.config)
        except OverlayLintError as exc:  # conflicting configurations: locate at the entry
            raise at(origin, exc.message) from None
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
        # directories the build loaded, in order, each with the entry naming it and the
        # depth it was loaded at: what a reused build checks again at its new place
        self.loaded: list[tuple[str, T.Str, int]] = []
        self.ignored: list[Ignored] = []  # what Kustomize reads past (besides files' own)
        self.duplicates: list[DuplicateKey] = []  # repeated keys in patches
        self.memo = BuildMemo()


def accumulate_target(kust: Kustomization, ctx: BuildContext, acc: Accumulator) -> Accumulator:
    """Kustomize's accumulateTarget: everything one kustomization contributes."""
    # resolved once per command (core/paths.py): os.path.realpath lstats every component
    real = real_path(kust.dir) or os.path.realpath(kust.dir)
    if real in ctx.stack:
        chain = " -> ".join(os.path.relpath(p) for p in ctx.stack[ctx.stack.index(real):])
        raise OverlayLintError(f"cycle detected: {chain} -> {os.path.relpath(real)}", kust.path)
    ctx.loader.budget.spend("builds", 1, kust.node.o)
    ctx.stack.append(real)
    try:
        k = kust.config
        _accumulate_resources(kust, ctx, acc)
        acc.config = merge_configurations(acc.config, kust.dir, kust.node.o, k.configurations,
                                          k.crds, ctx.loader)
        h = Helpers(ctx.loader, kust.dir, bool(ctx.meta), ctx.ignored, ctx.duplicates)
        _run_generators(acc, kust, ctx, h)
        _accumulate_components(kust, ctx, acc)
        builtins = configure.transformers(kust, acc.config, h)
        builtins += configure.plugin_transformers(
            _plugin_configs(kust, ctx, "transformers"), kust.dir, h)
        ctx.touched.records += run_transformers(
            acc.resmap, builtins, rewrite_annotations if ctx.meta else None)
        declared = declare_vars(k.vars, acc.resmap, kust.dir, kust.path, ctx.touched,
                                ctx.var_records)
        acc.vars = merge_var_lists(acc.vars, declared, kust.location("vars"))
        for res in acc.resmap:
            res.chain.append(kust.dir)
    finally:
        ctx.stack.pop()
    return acc


def _run_generators(acc: Accumulator, kust: Kustomization, ctx: BuildContext,
                    h: Helpers) -> None:
    """The kustomization's generators, then its ``generators:`` documents; each object
    absorbed (created, merged or replacing) as it is made, with its record."""
    def meta_origin(builtin: str) -> str | None:
        if not ctx.meta:
            return None
        where = join_path(ctx.meta_prefix, os.path.basename(kust.path))
        return origin_text([("configuredIn", where)], builtin)

    gens = configure.generators(kust, h, meta_origin)
    for gen in gens:
        res = gen.generate()
        rec = gen.entry.record()
        ctx.touched.records.append(rec)
        absorb(acc.resmap, res, gen.entry.origin, rec)
    plugins = configure.plugin_generators(_plugin_configs(kust, ctx, "generators"),
                                          kust.dir, h, "originAnnotations" in ctx.meta)
    for gen in plugins:
        res = gen.generate()
        rec = gen.entry.record()
        ctx.touched.records.append(rec)
        absorb(acc.resmap, res, gen.entry.origin, rec)


def _accumulate_resources(kust: Kustomization, ctx: BuildContext, acc: Accumulator) -> None:
    entries = kust.config.resources + kust.config.bases
    # Nothing renames acc's resources inside this loop, so one id index serves every
    # append (re-indexing per entry made a base of N services quadratic).
    seen = acc.resmap.id_keys()
    for entry in entries:
        path = ctx.loader.resolve(kust.dir, entry.v, entry.o, "resource")
        if os.path.isdir(path):
            path = ctx.loader.directory(kust.dir, entry.v, entry.o, "resource")
            with _meta_below(ctx, entry.v):
                sub_acc = _build_dir(path, entry, ctx)
            acc.merge(sub_acc, entry.o, seen)
        elif os.path.exists(path):
            path = ctx.loader.file(kust.dir, entry.v, entry.o, "resource")
            loaded = load_resources(path, ctx.loader, entry.o, ctx.duplicates)
            if ctx.meta:
                text = origin_text([("path", join_path(ctx.meta_prefix, entry.v))])
                for r in loaded:
                    r.state.meta_origin = text
            acc.resmap.append_all(loaded, entry.o, seen)
        else:
            raise at(entry.o, f"resource '{entry.v}' not found (no such file or directory)")


def _accumulate_components(kust: Kustomization, ctx: BuildContext, acc: Accumulator) -> None:
    for entry in kust.config.components:
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


def _check_cycle(path: str, entry: T.Str, ctx: BuildContext,
                 stack: list[str] | None = None) -> None:
    """Kustomize refuses a directory equal to, or above, any directory being built."""
    real = real_path(path) or os.path.realpath(path)
    for seen in ctx.stack if stack is None else stack:
        if seen == real or real == os.sep or seen.startswith(real + os.sep):
            how = "is" if seen == real else "contains"
            raise at(entry.o, f"cycle detected: '{entry.v}' {how} "
                              f"'{os.path.relpath(seen)}', which is being built")


MAX_KUSTOMIZATION_DEPTH = 150  # real trees nest < 10 deep; bounds Python's recursion


def _check_depth(depth: int, entry: T.Str) -> None:
    if depth >= MAX_KUSTOMIZATION_DEPTH:
        raise at(entry.o, f"kustomizations nested more than {MAX_KUSTOMIZATION_DEPTH} levels "
                          "deep (bases of bases of ...); refused")


def _load_sub(path: str, entry: T.Str, ctx: BuildContext, component: bool) -> Kustomization:
    _check_cycle(path, entry, ctx)
    _check_depth(len(ctx.stack), entry)
    ctx.loaded.append((path, entry, len(ctx.stack)))
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


def load_resources(path: str, loader: Loader, origin: Origin | None = None,
                   dups: list[DuplicateKey] | None = None) -> list[Resource]:
    """The resources of one manifest file: every document but an empty one (null, ``{}``,
    ``[]``), ``List`` items expanded (``origin``: the entry naming the file, where a budget
    error points). With ``dups``, keys written twice render as Kustomize renders them
    (repeats.py), each one recorded there; without, a repeated key is an error."""
    try:
        docs = loader.own_documents(path, origin)
    except OverlayLintError as exc:
        if dups is None or not exc.message.startswith("duplicate key"):
            raise
        return _load_repeating(path, loader, origin, dups)
    out: list[Resource] = []
    for doc in docs:
        if doc is None:
            continue
        out.extend(resources_from_node(doc, path))
    return out


def _load_repeating(path: str, loader: Loader, origin: Origin | None,
                    dups: list[DuplicateKey]) -> list[Resource]:
    """A manifest with a repeated key, read as Kustomize's nodes hold it (the first value
    where a lookup finds it, the later ones aside)."""
    from . import repeats
    out: list[Resource] = []
    for doc in loader.documents_repeating(path, origin, [], True, shadow=True):
        if doc is None:
            continue
        found = resources_from_node(doc, path)
        repeats.resolve(doc, found, path, dups)
        out.extend(found)
    return out


def resources_from_node(doc: Node, source: str | None) -> list[Resource]:
    v = doc.v
    if not v and (v is None or type(v) in (dict, list)):
        return []  # Kustomize drops an empty mapping or list, or null (a List item), unread
    if not doc.is_map:
        raise at(doc.o, "a resource document must be a YAML mapping")
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
    if doc.parts is not None:
        top_level_keys(doc)
    return [Resource(doc, source)]


# --- reusing a directory's build ----------------------------------------------------------

@dataclass
class _Built:
    """What building one directory (a base, or a ``transformers:`` directory) produced and
    cost: a private copy of its accumulator; the records, vars, kustomizations and loaded
    directories it added to the build; the depth it started at; what it spent."""

    acc: Accumulator
    records: list[Touched]
    var_records: dict[str, int]     # var name -> index of its record in ``records``
    kustomizations: list[Kustomization]
    loaded: list[tuple[str, T.Str, int]]
    ignored: list[Ignored]
    duplicates: list[DuplicateKey]
    depth: int
    spent: dict[str, int]


class BuildMemo:
    """Directory builds of one build, for reuse (issue 8: a base reached by many paths, or
    a diamond of bases, is otherwise built once per path).

    A directory's build depends only on the directory (and, with buildMetadata, its path
    from the top), so a repeated one is cloned instead of rebuilt: new resources with new
    uids, its records re-pointed at them. The first use is built as always; the second is
    built again and kept (the first one's resources are in the caller's hands and change),
    every later use is a clone. A reuse is charged to the run's budget what the build
    cost, and the directories it loaded are checked again at the new place (cycles with
    the kustomizations around it, nesting depth): it fails where a rebuild would."""

    def __init__(self) -> None:
        self.uses: dict[tuple[str, str], int] = {}
        self.built: dict[tuple[str, str], _Built] = {}


def _build_dir(path: str, entry: T.Str, ctx: BuildContext) -> Accumulator:
    """The accumulated build of the kustomization directory ``path`` (not a Component)."""
    key = (path, ctx.meta_prefix)  # the normalized path: another spelling is rebuilt
    memo = ctx.memo
    kept = memo.built.get(key)
    if kept is not None:
        return _reuse(kept, entry, ctx)
    uses = memo.uses[key] = memo.uses.get(key, 0) + 1
    records, kusts, loaded = len(ctx.touched.records), len(ctx.kustomizations), len(ctx.loaded)
    ignored, dups = len(ctx.ignored), len(ctx.duplicates)
    used, names, depth = dict(ctx.loader.budget.used), set(ctx.var_records), len(ctx.stack)
    sub = _load_sub(path, entry, ctx, component=False)
    acc = accumulate_target(sub, ctx, Accumulator())
    if uses >= 2:
        spent = {k: v - used[k] for k, v in ctx.loader.budget.used.items()}
        new_records = ctx.touched.records[records:]
        position = {id(r): i for i, r in enumerate(new_records)}
        copy, uids = _clone_acc(acc)
        memo.built[key] = _Built(
            copy, [r.remapped(uids) for r in new_records],
            {n: position[id(r)] for n, r in ctx.var_records.items() if n not in names},
            # each directory once: checking a repeat again at the same depth cannot fail
            ctx.kustomizations[kusts:], list(dict.fromkeys(ctx.loaded[loaded:])),
            ctx.ignored[ignored:],
            ctx.duplicates[dups:], depth, spent)
    return acc


def _reuse(kept: _Built, entry: T.Str, ctx: BuildContext) -> Accumulator:
    outer = list(ctx.stack)
    shift = len(outer) - kept.depth
    for i, (path, inner_entry, depth) in enumerate(kept.loaded):
        # the first is this use's own directory, named by this use's entry
        _check_cycle(path, entry if i == 0 else inner_entry, ctx, outer)
        _check_depth(depth + shift, entry if i == 0 else inner_entry)
    for name, amount in kept.spent.items():
        if amount:
            ctx.loader.budget.spend(name, amount, entry.o)
    acc, uids = _clone_acc(kept.acc)
    records = [r.remapped(uids) for r in kept.records]
    ctx.touched.records += records
    for name, i in kept.var_records.items():
        ctx.var_records[name] = records[i]
    ctx.kustomizations += kept.kustomizations
    ctx.ignored += kept.ignored
    ctx.duplicates += kept.duplicates
    ctx.loaded += [(p, e, d + shift) for p, e, d in kept.loaded]
    return acc


def _clone_acc(acc: Accumulator) -> tuple[Accumulator, dict[int, int]]:
    """A copy of ``acc`` whose resources are new objects (new uids: old uid -> new)."""
    uids: dict[int, int] = {}
    items = []
    for res in acc.resmap.items:
        copy = res.copy()
        uids[res.uid] = copy.uid
        items.append(copy)
    return Accumulator(ResMap(items), acc.config, list(acc.vars)), uids


# --- ``transformers:`` and ``generators:`` documents --------------------------------------

def _plugin_configs(kust: Kustomization, ctx: BuildContext, field: str
                    ) -> list[tuple[T.Str, Resource]]:
    """The plugin configurations of ``transformers:`` or ``generators:``: inline ones
    first, then those read from paths, each in listed order (as Kustomize)."""
    inline: list[tuple[T.Str, Resource]] = []
    from_paths: list[tuple[T.Str, Resource]] = []
    for entry in getattr(kust.config, field):
        docs = _inline_documents(entry)
        if docs is not None:
            inline.extend((entry, _config_resource(d, entry)) for d in docs)
        else:
            from_paths.extend((entry, r) for r in _load_path(entry, kust, ctx, field[:-1]))
    return inline + from_paths


def _inline_documents(entry: T.Str) -> list[Node] | None:
    """The entry's documents when it is inline YAML (mappings), else None (a path)."""
    text = entry.v
    if "\n" not in text and ":" not in text:
        return None
    holder = Node(text, entry.o, {"block": entry.block} if entry.block else None)
    try:
        docs = [d for d in parse_embedded(text, holder) if d is not None]
    except OverlayLintError:
        return None
    if not docs or not all(d.is_map for d in docs):
        return None
    return docs


def _config_resource(doc: Node, entry: T.Str) -> Resource:
    found = resources_from_node(doc, None)
    if len(found) != 1:
        raise at(entry.o, "a transformer configuration must be one object")
    return found[0]


def _load_path(entry: T.Str, kust: Kustomization, ctx: BuildContext,
               what: str) -> list[Resource]:
    path = ctx.loader.resolve(kust.dir, entry.v, entry.o, what)
    if os.path.isdir(path):
        return list(_build_dir(path, entry, ctx).resmap)
    if not os.path.exists(path):
        raise at(entry.o, f"{what} '{entry.v}' not found (no such file or directory)")
    path = ctx.loader.file(kust.dir, entry.v, entry.o, what)
    return load_resources(path, ctx.loader, entry.o)
