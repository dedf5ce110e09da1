"""The deprecated ``vars:``: ``$(NAME)`` references filled from fields of other objects.

As Kustomize (api/internal/accumulator: MergeVars, ResolveVars):

- each kustomization marks the object a var reads (matched by group/version/kind/name, and
  namespace when the objref gives one, against current and earlier ids); a var name may
  be declared once in the whole tree;
- after name references are fixed, every var's value is read from its object
  (``fieldref.fieldPath``, default ``metadata.name``) and ``$(NAME)`` is replaced in the
  ``varReference`` fields (``filters/refvar.py``).

Each var has a touched record (builtin "Var"): the object it reads, and every
substitution, recorded at the end of the build.
"""
from __future__ import annotations

from ..core.errors import at
from ..core.node import Node, Origin, PathKey
from ..core.record import frozen_dataclass
from .filters.fieldspec import apply_fieldspecs
from .resmap import ResMap
from .resource import ResId, Resource
from .touched import Recorder, Touched
from .types import FieldSpec
from .types import Var as VarConfig

DEFAULT_FIELD_PATH = "metadata.name"


@frozen_dataclass(frozen=True)
class Var:
    """A declared var: its name, the object it reads and the field."""

    name: str
    target: ResId
    field_path: str
    origin: Origin | None          # the var's ``name:`` line
    field_origin: Origin | None    # its ``fieldPath:`` line (or the var's)


# --- merging --------------------------------------------------------------------------------

def merge_var_lists(a: list[Var], b: list[Var], origin: Origin | None) -> list[Var]:
    """Vars of a base merged into the accumulated ones: a name may appear only once."""
    seen = {v.name: v for v in a}
    out = list(a)
    for v in b:
        if v.name in seen:
            first = seen[v.name]
            where = f" (first declared at {first.origin[0]}:{first.origin[1]})" \
                if first.origin else ""
            raise at(v.origin or origin, f"var '{v.name}' already encountered{where}; "
                                         "var names must be unique in the whole build")
        seen[v.name] = v
        out.append(v)
    return out


def declare_vars(configs: tuple[VarConfig, ...], resmap: ResMap, directory: str, file: str,
                 touched: Recorder, records: dict[str, Touched]) -> list[Var]:
    """A kustomization's vars, each marking the object it reads (``records``: var name ->
    its record, filled here)."""
    incoming = [parse_var(c) for c in configs]
    for v in incoming:
        rec = touched.new("Var", "vars", v.origin, file, directory)
        records[v.name] = rec
        t = v.target
        use_ns = bool(t.namespace) or t.cluster_scoped
        matched = []
        for res in resmap:
            for rid in [*res.state.prev_ids, res.cur_id()]:
                if (rid.equals(t) if use_ns else rid.gvkn_equals(t)):
                    matched.append(res)
                    break
        if len(matched) > 1:
            raise at(v.origin, f"var '{v.name}' matches {len(matched)} objects "
                               f"({', '.join(str(r.cur_id()) for r in matched)}); "
                               "give objref a namespace to pick one")
        if matched:
            matched[0].state.ref_vars.append(v.name)
            rec.select(matched[0])
    return incoming


def parse_var(c: VarConfig) -> Var:
    if c.name is None or not c.name.v:
        raise at(c.o, "a var must have a name")
    ref = c.objref
    if ref is None:
        raise at(c.o, f"var '{c.name.v}' must have an objref mapping")
    group, version = ref.group, ref.version
    if ref.api_version:
        pieces = ref.api_version.split("/")
        if len(pieces) == 2:
            group, version = pieces
        elif len(pieces) == 1:
            version = pieces[0]
    fp, fo = DEFAULT_FIELD_PATH, c.name.o
    fpn = c.fieldref.field_path if c.fieldref is not None else None
    if fpn is not None and fpn.v:
        fp, fo = fpn.v, fpn.o
    target = ResId(group, version, ref.kind, ref.name, ref.namespace)
    return Var(c.name.v, target, fp, c.name.o, fo)


# --- resolving -------------------------------------------------------------------------------

def resolve_vars(resmap: ResMap, declared: list[Var], specs: tuple[FieldSpec, ...],
                 records: dict[str, Touched]) -> None:
    """Replace ``$(NAME)`` in the varReference fields (``specs``) of every object."""
    if not declared:
        return
    # here, as in _var_value: refvar (with replacement and the regex module) is ~0.5 ms of
    # imports that builds without vars (nearly all) never use
    from .filters.refvar import Where, substitute
    values: dict[str, Node] = {}
    for v in sorted(declared, key=lambda x: x.name):
        values[v.name] = _var_value(resmap, v)
    if not specs:
        return
    for res in resmap:
        def sub(node: Node, path: list[PathKey] | None, res: Resource = res) -> None:
            substitute(node, values, Where(res, tuple(path or ()), records))
        apply_fieldspecs(res.node, specs, sub, res.gvk(), paths=True)


def _var_value(resmap: ResMap, v: Var) -> Node:
    from .filters.refvar import get_field, var_scalar
    for res in resmap:
        if v.name in res.state.ref_vars:
            node = get_field(res.node, v.field_path)
            if node is None:
                raise at(v.field_origin, f"var '{v.name}': field '{v.field_path}' not found "
                                         f"in {res.cur_id()}")
            if not node.is_scalar:
                return node

            def fail(text: str, res: Resource = res) -> None:
                raise at(v.field_origin, f"var '{v.name}': the value {text} of field "
                                         f"'{v.field_path}' in {res.cur_id()} does not convert "
                                         "as Kustomize converts it (Go's strconv.Atoi for an "
                                         "int, ParseFloat for a float), and kubectl fails "
                                         "('field specified in var ... not found'); quote it")
            return var_scalar(node, fail)
    raise at(v.origin, f"var '{v.name}' cannot be mapped to a field in the set of known "
                       f"resources: no object {v.target}")
