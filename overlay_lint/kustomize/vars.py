"""The deprecated ``vars:``: ``$(NAME)`` references filled from fields of other objects.

As Kustomize (api/internal/accumulator: MergeVars, ResolveVars; api/filters/refvar):

- each kustomization marks the object a var reads (matched by group/version/kind/name, and
  namespace when the objref gives one, against current and earlier ids); a var name may
  be declared once in the whole tree;
- after name references are fixed, every var's value is read from its object
  (``fieldref.fieldPath``, default ``metadata.name``) and ``$(NAME)`` is replaced in the
  ``varReference`` fields; ``$$`` escapes a ``$``; an unknown ``$(X)`` stays as it is;
  a string that is exactly ``$(NAME)`` takes the value's type.

A replaced value points at the var's source field when the whole string was the
reference; a partly substituted string keeps its own line and lists the sources in
``parts``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import re
from dataclasses import dataclass

from ..core.errors import at
from ..core.node import Node, Origin, Path, PathKey
from .fieldspec import apply_fieldspecs
from .resource import ResId, Resource
from .touched import Touched

if TYPE_CHECKING:  # import cycle otherwise: build imports the stages
    from .build import Accumulator, BuildContext
    from .kustomization import Kustomization

DEFAULT_FIELD_PATH = "metadata.name"
_VAR_KEYS = ("name", "objref", "fieldref")
_OBJREF_KEYS = ("apiVersion", "group", "version", "kind", "name", "namespace")


@dataclass(frozen=True)
class Var:
    name: str
    target: ResId
    field_path: str
    origin: Origin | None          # the var's ``name:`` line
    field_origin: Origin | None    # its ``fieldPath:`` line (or the var's)


# --- merging --------------------------------------------------------------------------------

def merge_var_lists(a: list, b: list, origin: Origin | None) -> list:
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


def merge_vars(acc: Accumulator, kust: Kustomization, ctx: BuildContext) -> None:
    """Declare this kustomization's vars and mark the objects they read."""
    incoming = [parse_var(n) for n in kust.items("vars")]
    for v in incoming:
        rec = ctx.record("Var", "vars", v.origin, kust)
        ctx.var_records[v.name] = rec
        t = v.target
        use_ns = bool(t.namespace) or t.cluster_scoped
        matched = []
        for res in acc.resmap:
            for rid in [*res.prev_ids, res.cur_id()]:
                if (rid.equals(t) if use_ns else rid.gvkn_equals(t)):
                    matched.append(res)
                    break
        if len(matched) > 1:
            raise at(v.origin, f"var '{v.name}' matches {len(matched)} objects "
                               f"({', '.join(str(r.cur_id()) for r in matched)}); "
                               "give objref a namespace to pick one")
        if matched:
            matched[0].ref_vars.append(v.name)
            rec.select(matched[0])
    acc.vars = merge_var_lists(acc.vars, incoming, kust.location("vars"))


def parse_var(node: Node) -> Var:
    if not node.is_map:
        raise at(node.o, "each entry of 'vars' must be a mapping")
    for key, child in node.items():
        if key not in _VAR_KEYS:
            raise at(child.o, f"unknown field '{key}' in var (known: {', '.join(_VAR_KEYS)})")
    name_n = node.get("name")
    if name_n is None or type(name_n.v) is not str or not name_n.v:
        raise at(node.o, "a var must have a name")
    ref = node.get("objref")
    if ref is None or not ref.is_map:
        raise at(node.o, f"var '{name_n.v}' must have an objref mapping")
    vals = {}
    for key, child in ref.items():
        if key not in _OBJREF_KEYS:
            raise at(child.o, f"unknown field '{key}' in objref "
                              f"(known: {', '.join(_OBJREF_KEYS)})")
        if child.v is not None and type(child.v) is not str:
            raise at(child.o, f"objref {key} must be a string")
        vals[key] = child.v or ""
    group, version = vals.get("group", ""), vals.get("version", "")
    av = vals.get("apiVersion", "")
    if av:
        pieces = av.split("/")
        if len(pieces) == 2:
            group, version = pieces
        elif len(pieces) == 1:
            version = pieces[0]
    fp, fo = DEFAULT_FIELD_PATH, name_n.o
    fr = node.get("fieldref")
    if fr is not None and fr.v is not None:
        if not fr.is_map:
            raise at(fr.o, "fieldref must be a mapping")
        for key, child in fr.items():
            if key != "fieldPath":
                raise at(child.o, f"unknown field '{key}' in fieldref (known: fieldPath)")
        fpn = fr.get("fieldPath")
        if fpn is not None and fpn.v:
            if type(fpn.v) is not str:
                raise at(fpn.o, "fieldPath must be a string")
            fp, fo = fpn.v, fpn.o
    target = ResId(group, version, vals.get("kind", ""), vals.get("name", ""),
                   vals.get("namespace", ""))
    return Var(name_n.v, target, fp, name_n.o, fo)


# --- resolving -------------------------------------------------------------------------------

def resolve_vars(acc: Accumulator, ctx: BuildContext) -> None:
    """Replace ``$(NAME)`` in the varReference fields of every object."""
    if not acc.vars:
        return
    values: dict[str, Node] = {}
    for v in sorted(acc.vars, key=lambda x: x.name):
        values[v.name] = _var_value(acc.resmap, v)
    specs = acc.config.var_reference
    if not specs:
        return
    recs = getattr(ctx, "var_records", {})
    for res in acc.resmap:
        def sub(node: Node, path: list[PathKey] | None, res: Resource = res) -> None:
            _substitute(node, values, _Where(res, tuple(path or ()), recs))
        apply_fieldspecs(res.node, specs, sub, res.gvk(), paths=True)


class _Where:
    """The resource and field a substitution happens in, and the vars' records."""

    __slots__ = ("res", "path", "recs")

    def __init__(self, res: Resource, path: Path, recs: dict[str, Touched]) -> None:
        self.res, self.path, self.recs = res, path, recs

    def record(self, names: list[str], path: Path, before: object, after: object) -> None:
        for name in dict.fromkeys(names):
            rec = self.recs.get(name)
            if rec is not None:
                rec.set(self.res, path, before, after, rec.origin)  # type: ignore[arg-type]


def _var_value(resmap, v: Var) -> Node:
    for res in resmap:
        if v.name in res.ref_vars:
            node = _get_field(res.node, v.field_path)
            if node is None:
                raise at(v.field_origin, f"var '{v.name}': field '{v.field_path}' not found "
                                         f"in {res.cur_id()}")
            return node
    raise at(v.origin, f"var '{v.name}' cannot be mapped to a field in the set of known "
                       f"resources: no object {v.target}")


_SLICE_RE = re.compile(r"^(.*)\[(\d+)\]$")


def _get_field(root: Node, path: str) -> Node | None:
    """kyaml GetFieldValue: dotted path, ``name[0]`` indexes, ``[k=v]`` elements."""
    from .replacements import lookup, split_field_path
    parts = []
    for s in split_field_path(path):
        m = _SLICE_RE.match(s) if s.endswith("]") else None
        if m:
            if m.group(1):
                parts.append(m.group(1))
            parts.append(m.group(2))
        else:
            parts.append(s)
    return lookup(root, parts, None)


def _substitute(node: Node, values: dict[str, Node], where: _Where) -> None:
    v = node.v
    if v is None:
        return
    if type(v) is str:
        _replace_in(node, values, where, where.path)
    elif type(v) is dict:
        for k, child in v.items():
            if type(child.v) is str:
                _replace_in(child, values, where, where.path + (k,))
    elif type(v) is list:
        for i, item in enumerate(v):
            if type(item.v) is not str:
                raise at(item.o, "a list holding $(VAR) references must hold only strings")
            _replace_in(item, values, where, where.path + (i,))


def _primitive(n: Node | None):
    """The value a var substitutes, or None when it cannot (unknown, or not a scalar)."""
    if n is None or not n.is_scalar:
        return None
    return n.v if n.v is not None else ""


def _replace_in(node: Node, values: dict[str, Node], where: _Where, path: Path) -> None:
    text = node.v
    if "$" not in text:
        return
    out: list[str] = []
    used: list[Node] = []
    names: list[str] = []
    i, checkpoint, n = 0, 0, len(text)
    while i < n:
        if text[i] == "$" and i + 1 < n:
            out.append(text[checkpoint:i])
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                i += 1
            elif nxt == "(":
                close = text.find(")", i + 2)
                if close < 0:
                    out.append("$(")
                    i += 1
                else:
                    name = text[i + 2:close]
                    src = values.get(name)
                    val = _primitive(src)
                    if val is None:
                        out.append(f"$({name})")
                    else:
                        if text == f"$({name})":
                            node.v = val
                            node.o = src.o
                            node.parts = None
                            where.record([name], path, text, val)
                            return
                        used.append(src)
                        names.append(name)
                        out.append(_go_text(val))
                    i = close
            else:
                out.append("$" + nxt)
                i += 1
            checkpoint = i + 1
        i += 1
    new = "".join(out) + text[checkpoint:]
    if names:
        where.record(names, path, text, new)
    if new != text:
        node.v = new
        if used:
            parts = dict(node.parts or {})
            parts["vars"] = [*parts.get("vars", ()), *(src.o for src in used)]
            node.parts = parts


def _go_text(v) -> str:
    """fmt's %v of a var value."""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is float:
        r = repr(v)
        return r[:-2] if r.endswith(".0") else r
    return str(v)
