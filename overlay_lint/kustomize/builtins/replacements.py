"""ReplacementTransformer: ``replacements:`` (Kustomize's builtin of the same name).

- the source is the one object whose current or earlier id the selector names (exact
  group/version/kind/name/namespace); its ``fieldPath`` (default ``metadata.name``) must
  exist; ``options.delimiter``/``index`` pick one piece of a scalar;
- each target ``select``s objects (ids, label and annotation selectors) minus ``reject``,
  and receives the value at each of its ``fieldPaths`` (``filters/replacement.py``).

One transformer per replacement here (one record each), also for each replacement of a
``path:`` file; a file holding ``[]`` is a transformer with nothing to do (a visible no-op);
one holding no document, or null first, is refused as Kustomize refuses it.
Replaced values carry the source value's origin.
"""
from __future__ import annotations

from ...core.errors import at
from ...core.node import Node, Origin
from ...core.record import frozen_dataclass
from ...core.yaml_reader import LIMITS
from ..budget import Budget, check_depth, count_nodes
from ..decode import decode
from ..filters.replacement import (CREATED, clean, lookup, match_paths, scalar_text,
                                   set_value, split_field_path)
from ..resmap import ResMap
from ..resource import ResId, Resource
from ..selector import Requirement, match_label_selector, parse_label_selector
from ..touched import EMPTY_FILE, Touched
from ..types import FieldOptions, ReplacementConfig, ReplacementField, Selector, Str
from . import Entry, Helpers, Transformer, Where

DEFAULT_FIELD_PATH = "metadata.name"


@frozen_dataclass(frozen=True)
class Sel:
    """A selector: exact id fields plus label/annotation selectors."""

    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    labels: list[Requirement] | None = None
    annotations: list[Requirement] | None = None
    origin: Origin | None = None

    def id_empty(self) -> bool:
        return not (self.group or self.version or self.kind or self.name or self.namespace)

    def selects_id(self, rid: ResId) -> bool:
        if self.name and self.name != rid.name:
            return False
        if self.namespace:
            me = ResId(self.group, self.version, self.kind, self.name, self.namespace)
            if me.effective_ns != rid.effective_ns:
                return False
        return ((not self.group or self.group == rid.group)
                and (not self.version or self.version == rid.version)
                and (not self.kind or self.kind == rid.kind))

    def selects_meta(self, res: Resource) -> bool:
        if self.labels is not None and not match_label_selector(self.labels, res.labels):
            return False
        if self.annotations is not None and \
                not match_label_selector(self.annotations, res.annotations):
            return False
        return True


@frozen_dataclass(frozen=True)
class Target:
    """A replacement target: what it selects and rejects, its field paths and options."""

    select: Sel
    reject: tuple[Sel, ...]
    field_paths: tuple[Str, ...]
    options: FieldOptions


@frozen_dataclass(frozen=True)
class Replacement:
    """A replacement ready to run."""

    source: Sel
    field_path: str
    field_path_o: Origin | None
    options: FieldOptions
    targets: tuple[Target, ...]


@frozen_dataclass(frozen=True)
class ReplacementTransformer(Transformer):
    """One replacement (None: a ``path:`` file holding ``[]``)."""

    replacement: Replacement | None
    entry: Entry
    h: Helpers

    @classmethod
    def configure(cls, config: ReplacementConfig, where: Where,
                  h: Helpers) -> list["ReplacementTransformer"]:
        out: list[ReplacementTransformer] = []
        for item in config.replacements:
            if item.path is None or not item.path.v:
                out.append(cls(compile_replacement(item), where.entry(item.o), h))
                continue
            if item.source is not None or item.targets is not None:
                raise at(item.o, "a replacement has either 'path' or an inline source and "
                                 "targets, not both")
            path = h.loader.file(h.directory, item.path.v, item.path.o, "replacements file")
            # Kustomize reads the file's first document only, and refuses one that is
            # missing or null ("unsupported replacement type encountered within
            # replacement path: invalid"); ``[]`` is a file of no replacements
            docs = h.loader.documents(path)
            doc = docs[0] if docs else None
            if doc is None or doc.v is None:
                raise at(item.path.o, f"replacements file '{item.path.v}' {_NO_REPLACEMENT}")
            if doc.is_seq and not doc.v:
                out.append(cls(None, where.entry(item.o), h))
                continue
            if doc.is_seq:
                found = list(doc.v)
            elif doc.is_map:
                found = [doc]
            else:
                raise at(doc.o, "a replacements file holds a replacement or a list of them")
            for i, r in enumerate(found):
                if not r.is_map:
                    raise at(r.o, "a replacement must be a mapping")
                # Kustomize decodes the file's bytes leniently (YAML 1.1, unknown fields ignored)
                field = decode(r, ReplacementField, strict=False, where=f"replacements[{i}]",
                               yaml11=True)
                out.append(cls(compile_replacement(field), where.entry(r.o, file=path), h))
        return out

    def transform(self, resmap: ResMap) -> Touched:
        rec = self.entry.record()
        repl = self.replacement
        if repl is None:
            rec.notes.append(EMPTY_FILE)
            return rec
        value = _source_value(resmap, repl)
        for target in repl.targets:
            _apply_target(resmap, value, target, rec, self.h.loader.budget)
        return rec


_NO_REPLACEMENT = ("holds no replacement, only comments, blank lines, '---' or null; "
                   "Kustomize refuses it ('unsupported replacement type encountered within "
                   "replacement path: invalid'): write [] for none, or delete the entry")


# --- compiling ---------------------------------------------------------------------------

def compile_replacement(r: ReplacementField) -> Replacement:
    src = r.source
    if src is None or r.targets is None:
        raise at(r.o, "a replacement must have a source and at least one target")
    sel = Sel(_text(src.group), _text(src.version), _text(src.kind), _text(src.name),
              _text(src.namespace), origin=src.o)
    fp = src.field_path
    targets = []
    for t in r.targets:
        if t.select is None:
            raise at(t.o, "a replacement target must say which objects to 'select'")
        paths = t.field_paths or (Str(DEFAULT_FIELD_PATH, t.o),)
        targets.append(Target(_sel(t.select), tuple(_sel(x) for x in t.reject), paths,
                              t.options or FieldOptions()))
    return Replacement(sel, fp.v if fp is not None and fp.v else DEFAULT_FIELD_PATH,
                       fp.o if fp is not None else src.o, src.options or FieldOptions(),
                       tuple(targets))


def _text(s: Str | None) -> str:
    return s.v if s is not None else ""


def _sel(s: Selector) -> Sel:
    ls, an = s.text("label_selector"), s.text("annotation_selector")
    return Sel(s.text("group"), s.text("version"), s.text("kind"), s.text("name"),
               s.text("namespace"),
               parse_label_selector(ls, s.o) if ls else None,
               parse_label_selector(an, s.o) if an else None, s.o)


# --- running -------------------------------------------------------------------------------

def _ids(res: Resource) -> list[ResId]:
    return [res.cur_id(), *res.state.prev_ids]


def _source_value(resmap: ResMap, repl: Replacement) -> Node:
    matches = [r for r in resmap if any(repl.source.selects_id(i) for i in _ids(r))]
    if len(matches) > 1:
        raise at(repl.source.origin, f"replacement source selects {len(matches)} objects "
                                     f"({', '.join(str(r.cur_id()) for r in matches)}); "
                                     "it must select exactly one")
    if not matches:
        raise at(repl.source.origin, "replacement source selects nothing: no object has "
                                     "this kind/name/namespace")
    node = lookup(matches[0].node, split_field_path(repl.field_path), repl.field_path_o)
    if node is None or node.v is None or (not node.is_scalar and not node.v):
        raise at(repl.field_path_o, f"fieldPath '{repl.field_path}' is missing in the "
                                    f"replacement source {matches[0].cur_id()}")
    opts = repl.options
    if opts.delimiter:
        if not node.is_scalar:
            raise at(repl.field_path_o, "delimiter option can only be used with scalar values")
        pieces = scalar_text(node.v).split(opts.delimiter)
        if not 0 <= opts.index < len(pieces):
            raise at(repl.field_path_o, f"options.index {opts.index} is out of bounds for "
                                        f"value {scalar_text(node.v)}")
        return Node(pieces[opts.index], node.o)
    return node


def _apply_target(resmap: ResMap, value: Node, target: Target, rec: Touched,
                  budget: Budget) -> None:
    for res in resmap:
        if not target.select.selects_meta(res):
            continue
        if any((r.labels is not None or r.annotations is not None) and r.selects_meta(res)
               for r in target.reject):
            continue
        ids = _ids(res)
        if not any(target.select.selects_id(i) for i in ids):
            continue
        if any(not r.id_empty() and any(r.selects_id(i) for i in ids) for r in target.reject):
            continue
        rec.select(res)
        _copy_to(res, value, target, rec, budget)


def _copy_to(res: Resource, value: Node, target: Target, rec: Touched, budget: Budget) -> None:
    create = None
    if target.options.create:
        create = "scalar" if value.is_scalar else "map" if value.is_map else "seq"
    for fp in target.field_paths:
        parts = clean(split_field_path(fp.v))
        if create and len(parts) > LIMITS.max_depth:
            raise at(fp.o, f"fieldPath '{fp.v[:60]}' has more than {LIMITS.max_depth} steps; "
                           "creating it would nest the resource past the depth limit")
        found = match_paths(res.node, parts, create, fp.o)
        if not found:
            raise at(fp.o, f"unable to {'find or create' if create else 'find'} field "
                           f"'{fp.v}' in replacement target {res.cur_id()}")
        for t, path in found:
            created = t.v is CREATED
            before = None if created else t.data()
            if not value.is_scalar:
                budget.spend("nodes", count_nodes(value, 1 << 40), fp.o)
            set_value(t, value, target.options.delimiter, target.options.index, fp.o)
            check_depth(t, len(path), fp.o, f"replacement into '{fp.v[:60]}'")
            rec.set(res, path, before, t.data(), fp.o, changed=True if created else None)
