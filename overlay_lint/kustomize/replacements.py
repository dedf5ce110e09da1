"""``replacements:``: copy a value from one object into fields of others.

As Kustomize (api/filters/replacement, kyaml PathMatcher/PathGetter):

- the source is the one object whose current or earlier id the selector names (exact
  group/version/kind/name/namespace); its ``fieldPath`` (default ``metadata.name``) must
  exist; ``options.delimiter``/``index`` pick one piece of a scalar;
- each target ``select``s objects (ids, label and annotation selectors) minus ``reject``;
  ``fieldPaths`` accept field names, sequence indexes, ``*`` and ``[key=regex]`` (an
  unanchored regular expression, as in kyaml); ``options.create`` makes missing fields;
- a scalar target keeps its own type (``replicas: 1`` stays an int), a created scalar
  is read as plain YAML, a non-scalar target is replaced whole.

Replaced values carry the source value's origin.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import re
from dataclasses import dataclass, field

from ..core.errors import at
from ..core.node import Node, Origin, Path
from ..core.yaml_reader import LIMITS
from .budget import Budget, check_depth, count_nodes
from .regex import go_regex
from .resource import ResId, match_label_selector, parse_label_selector
from .touched import EMPTY_FILE, Touched

if TYPE_CHECKING:  # import cycle otherwise: build imports the stages
    from .build import Accumulator, BuildContext
    from .kustomization import Kustomization

DEFAULT_FIELD_PATH = "metadata.name"
_ID_KEYS = ("group", "version", "kind", "name", "namespace")
_SEL_KEYS = _ID_KEYS + ("labelSelector", "annotationSelector")
_OPT_KEYS = ("delimiter", "index", "encoding", "create")
_CREATED = object()  # a scalar made by ``create``: no type until a value lands in it


@dataclass
class Sel:
    """A selector: exact id fields plus label/annotation selectors."""

    group: str = ""
    version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = ""
    labels: list | None = None
    annotations: list | None = None
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

    def selects_meta(self, res) -> bool:
        if self.labels is not None and not match_label_selector(self.labels, res.labels):
            return False
        if self.annotations is not None and \
                not match_label_selector(self.annotations, res.annotations):
            return False
        return True


@dataclass
class Options:
    delimiter: str = ""
    index: int = 0
    create: bool = False


@dataclass
class Target:
    select: Sel
    reject: list
    field_paths: list  # list[Node] (str values)
    options: Options
    origin: Origin | None


@dataclass
class Replacement:
    source: Sel
    field_path: str
    field_path_o: Origin | None
    options: Options
    targets: list = field(default_factory=list)
    origin: Origin | None = None
    file: str | None = None   # the ``path:`` file holding it (None: the kustomization)


# --- the stage ------------------------------------------------------------------------------

def apply_replacements(acc: Accumulator, kust: Kustomization, ctx: BuildContext) -> None:
    """Run this kustomization's replacements in order over the accumulated objects."""
    for repl in load_replacements(kust, ctx):
        if repl.source is None:  # an empty ``path:`` file
            rec = ctx.record("ReplacementTransformer", "replacements", repl.origin, kust)
            rec.notes.append(EMPTY_FILE)
            continue
        rec = ctx.record("ReplacementTransformer", "replacements", repl.origin, kust,
                         file=repl.file)
        value = _source_value(acc.resmap, repl)
        for target in repl.targets:
            _apply_target(acc.resmap, value, target, rec, ctx.loader.budget)


def load_replacements(kust, ctx) -> list[Replacement]:
    out = []
    for item in kust.items("replacements"):
        if not item.is_map:
            raise at(item.o, "each entry of 'replacements' must be a mapping")
        path_n = item.get("path")
        if path_n is not None and path_n.v:
            if item.get("source") is not None or item.get("targets") is not None:
                raise at(item.o, "a replacement has either 'path' or an inline source and "
                                 "targets, not both")
            if type(path_n.v) is not str:
                raise at(path_n.o, "replacements path must be a string")
            path = ctx.loader.file(kust.dir, path_n.v, path_n.o, "replacements file")
            docs = [d for d in ctx.loader.documents(path) if d is not None]
            if not docs:
                out.append(Replacement(None, "", None, Options(), origin=item.o,  # type: ignore
                                       file=path))
                continue
            doc = docs[0]
            if doc.is_seq:
                out.extend(_parse(r, strict=False, file=path) for r in doc.v)
            elif doc.is_map:
                out.append(_parse(doc, strict=False, file=path))
            else:
                raise at(doc.o, "a replacements file holds a replacement or a list of them")
        else:
            out.append(_parse(item, strict=True))
    return out


# --- parsing --------------------------------------------------------------------------------

def _check_keys(node: Node, allowed, what: str, strict: bool) -> None:
    if not strict:
        return
    for key, child in node.items():
        if key not in allowed:
            raise at(child.o, f"unknown field '{key}' in {what} (known: {', '.join(allowed)})")


def _s(node: Node, key: str, what: str) -> str:
    c = node.get(key)
    if c is None or c.v is None:
        return ""
    if type(c.v) is not str:
        raise at(c.o, f"{what} {key} must be a string")
    return c.v


def _parse_sel(node: Node | None, what: str, strict: bool, with_meta: bool) -> Sel:
    if node is None or node.v is None:
        return Sel()
    if not node.is_map:
        raise at(node.o, f"{what} must be a mapping")
    keys = _SEL_KEYS if with_meta else _ID_KEYS + ("fieldPath", "options")
    _check_keys(node, keys, what, strict)
    sel = Sel(*(_s(node, k, what) for k in _ID_KEYS), origin=node.o)
    if with_meta:
        ls, an = _s(node, "labelSelector", what), _s(node, "annotationSelector", what)
        sel.labels = parse_label_selector(ls, node.o) if ls else None
        sel.annotations = parse_label_selector(an, node.o) if an else None
    return sel


def _parse_options(node: Node | None, what: str, strict: bool) -> Options:
    if node is None or node.v is None:
        return Options()
    if not node.is_map:
        raise at(node.o, f"{what} options must be a mapping")
    _check_keys(node, _OPT_KEYS, f"{what} options", strict)
    opts = Options(delimiter=_s(node, "delimiter", f"{what} options"))
    idx = node.get("index")
    if idx is not None and idx.v is not None:
        if type(idx.v) is not int or type(idx.v) is bool:
            raise at(idx.o, f"{what} options index must be an integer")
        opts.index = idx.v
    cr = node.get("create")
    if cr is not None and cr.v is not None:
        if type(cr.v) is not bool:
            raise at(cr.o, f"{what} options create must be true or false")
        opts.create = cr.v
    return opts


def _parse(node: Node, strict: bool, file: str | None = None) -> Replacement:
    if not node.is_map:
        raise at(node.o, "a replacement must be a mapping")
    _check_keys(node, ("source", "targets", "path"), "replacement", strict)
    src = node.get("source")
    targets = node.get("targets")
    if src is None or src.v is None or targets is None or targets.v is None:
        raise at(node.o, "a replacement must have a source and at least one target")
    sel = _parse_sel(src, "replacement source", strict, with_meta=False)
    fp = src.get("fieldPath")
    fp_v = _s(src, "fieldPath", "replacement source") or DEFAULT_FIELD_PATH
    repl = Replacement(sel, fp_v, fp.o if fp is not None else src.o,
                       _parse_options(src.get("options"), "replacement source", strict),
                       origin=node.o, file=file)
    if not targets.is_seq:
        raise at(targets.o, "replacement targets must be a list")
    for t in targets.v:
        if not t.is_map:
            raise at(t.o, "each replacement target must be a mapping")
        _check_keys(t, ("select", "reject", "fieldPaths", "options"), "replacement target",
                    strict)
        select = t.get("select")
        if select is None or select.v is None:
            raise at(t.o, "a replacement target must say which objects to 'select'")
        rejects = []
        rj = t.get("reject")
        if rj is not None and rj.v is not None:
            if not rj.is_seq:
                raise at(rj.o, "replacement target reject must be a list")
            rejects = [_parse_sel(r, "replacement reject", strict, True) for r in rj.v]
        fps_n = t.get("fieldPaths")
        fps = []
        if fps_n is not None and fps_n.v is not None:
            if not fps_n.is_seq:
                raise at(fps_n.o, "replacement target fieldPaths must be a list of strings")
            for p in fps_n.v:
                if type(p.v) is not str:
                    raise at(p.o, "each replacement fieldPath must be a string")
                fps.append(p)
        if not fps:
            fps = [Node(DEFAULT_FIELD_PATH, t.o)]
        repl.targets.append(Target(_parse_sel(select, "replacement select", strict, True),
                                   rejects, fps,
                                   _parse_options(t.get("options"), "replacement target",
                                                  strict), t.o))
    return repl


# --- paths ------------------------------------------------------------------------------------

def split_field_path(path: str) -> list[str]:
    """kyaml's SmarterPathSplitter on '.': ``\\.`` escapes, ``[a.b=c]`` stays whole."""
    ps = path.split(".")
    if len(ps) > 1 and ps[0] == "":
        ps = ps[1:]
    parts = [ps[0]]
    for p in ps[1:]:
        if parts[-1].endswith("\\"):
            parts[-1] = parts[-1][:-1] + "." + p
        else:
            parts.append(p)
    out, i = [], 0
    while i < len(parts):
        elem = parts[i]
        if elem.startswith("[") and not elem.endswith("]"):
            group = [elem]
            while i < len(parts) - 1:
                i += 1
                group.append(parts[i])
                if parts[i].endswith("]"):
                    break
            joined = ".".join(group)
            out.append(joined if "=" in joined else joined.strip("[]"))
        else:
            out.append(elem)
        i += 1
    return out


def _clean(parts: list[str]) -> list[str]:
    return [p.strip() for p in parts if p.strip()]


def _is_index(p: str) -> bool:
    return re.fullmatch(r"[+]?\d+", p) is not None


def _split_index(p: str, origin: Origin | None) -> tuple[str, str]:
    body = p[1:-1]
    if "=" not in body:
        raise at(origin, f"path element '{p}' must read [field=value]")
    k, v = body.split("=", 1)
    return k, v


def scalar_text(v) -> str:
    """The YAML text of a scalar value (what Kustomize's yaml Value holds)."""
    if type(v) is str:
        return v
    if v is None:
        return ""
    from ..core.yaml_writer import scalar_text as emit_text
    return emit_text(v)


def lookup(node: Node, parts: list[str], origin: Origin | None) -> Node | None:
    """kyaml PathGetter (no create): fields, indexes, ``-`` (last), ``[k=v]`` (exact)."""
    cur: Node | None = node
    for p in _clean(parts):
        if cur is None:
            return None
        v = cur.v
        if re.fullmatch(r"[+-]?\d+", p):
            idx = int(p)
            if idx < 0:
                raise at(origin, f"array index {idx} cannot be negative")
            cur = v[idx] if type(v) is list and idx < len(v) else None
        elif p == "-":
            cur = v[-1] if type(v) is list and v else None
        elif p == "*":
            raise at(origin, "wildcard '*' is not supported in a replacement source fieldPath")
        elif p.startswith("[") and p.endswith("]"):
            k, want = _split_index(p, origin)
            found = None
            if type(v) is list:
                for item in v:
                    if k == "":
                        ok = item.is_scalar and scalar_text(item.v) == want
                    else:
                        f = item.get(k)
                        ok = f is not None and f.is_scalar and scalar_text(f.v) == want
                    if ok:
                        found = item
                        break
            cur = found
        else:
            cur = v.get(p) if type(v) is dict else None
    return cur


def _kind_for(next_part: str, default: str) -> str:
    if next_part.startswith("[") and next_part.endswith("]"):
        return "seq"
    if _is_index(next_part):
        return "seq"
    if next_part == "":
        return default
    return "map"


def _new(kind: str, origin: Origin | None) -> Node:
    if kind == "map":
        return Node({}, origin)
    if kind == "seq":
        return Node([], origin)
    return Node(_CREATED, origin)


def match_paths(node: Node, parts: list[str], create: str | None, origin: Origin | None,
                _retry: bool = False, path: Path = ()) -> list[tuple[Node, Path]]:
    """kyaml PathMatcher: every node the path reaches (with its path), creating what is
    missing if asked."""
    if not parts:
        return [(node, path)]
    p, rest = parts[0], parts[1:]
    nxt = rest[0] if rest else ""
    v = node.v
    if _is_index(p):
        idx = int(p)
        if type(v) is not list:
            raise at(origin, f"path element '{p}' needs a sequence")
        if len(v) == idx and create:
            v.append(_new(_kind_for(nxt, create), origin))
        if len(v) < idx + 1:
            raise at(origin, f"index {idx} specified but only {len(v)} elements found")
        return match_paths(v[idx], rest, create, origin, path=path + (idx,))
    if p.startswith("[") and p.endswith("]"):
        k, pattern = _split_index(p, origin)
        rx = go_regex(pattern, origin, f"the value pattern of '{p}'")  # unanchored, as kyaml
        if v is None and create:
            node.v = v = []
        if type(v) is not list:
            raise at(origin, f"path element '{p}' needs a sequence")
        out: list[tuple[Node, Path]] = []
        for i, item in enumerate(list(v)):
            if k == "":
                if item.is_scalar and rx.search(scalar_text(item.v).strip()):
                    out.extend(match_paths(item, rest, create, origin, path=path + (i,)))
            else:
                f = item.get(k)
                if f is not None and f.v is not None and f.is_scalar \
                        and rx.search(scalar_text(f.v).strip()):
                    out.extend(match_paths(item, rest, create, origin, path=path + (i,)))
        if out or not create:
            return out
        if _retry:
            # the element just made does not match its own pattern (Kustomize loops forever)
            raise at(origin, f"cannot create an element matching '{p}': the value does not "
                             "match its own pattern")
        val = Node(_plain(pattern), origin)
        v.append(val if k == "" else Node({k: val}, origin))
        return match_paths(node, parts, create, origin, _retry=True, path=path)
    if p == "*":
        if type(v) is not list:
            raise at(origin, "wildcard '*' needs a sequence")
        out = []
        for i, item in enumerate(v):
            out.extend(match_paths(item, rest, create, origin, path=path + (i,)))
        return out
    child = v.get(p) if type(v) is dict else None
    if child is None:
        if not create:
            return []
        if v is None or v is _CREATED:
            node.v = v = {}
        if type(v) is not dict:
            raise at(origin, f"cannot create field '{p}' inside a non-mapping value")
        child = _new(_kind_for(nxt, create), origin)
        v[p] = child
    elif child.v is None and create and rest:
        child.v = {} if _kind_for(nxt, create) == "map" else []
    return match_paths(child, rest, create, origin, path=path + (p,))


# --- values ------------------------------------------------------------------------------------

_INT_RE = re.compile(r"^[-+]?(?:[0-9][0-9_]*|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)$")
_FLOAT_RE = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?$")


def _plain(text: str):
    """What an untagged scalar holding ``text`` reads back as (go-yaml v3 resolution)."""
    from ..core.yaml_reader import resolve_scalar
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT_RE.match(text):
        return resolve_scalar("tag:yaml.org,2002:int", text, None)
    if _FLOAT_RE.match(text) or text.lower() in (".inf", "-.inf", "+.inf", ".nan"):
        return resolve_scalar("tag:yaml.org,2002:float", text, None)
    return text


def _typed(text: str, target_v, origin: Origin | None):
    """``text`` written into a scalar of ``target_v``'s type (Kustomize keeps the tag)."""
    t = type(target_v)
    if target_v is _CREATED:
        return _plain(text)
    if t is str:
        return text
    got = _plain(text)
    if t is bool:
        ok = type(got) is bool
    elif t is int:
        ok = type(got) is int
    elif t is float:
        ok = type(got) in (int, float)
    elif target_v is None:
        ok = got is None
    else:
        ok = True
    if not ok:
        what = {bool: "a boolean", int: "an integer", float: "a number"}.get(t, "null")
        raise at(origin, f"replacement value '{text}' cannot go into a field holding "
                         f"{what}: Kustomize keeps the target's type; quote the target "
                         "value or change the source")
    return got


def _source_value(resmap, repl: Replacement) -> Node:
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


def _ids(res) -> list[ResId]:
    return [res.cur_id(), *res.prev_ids]


def _apply_target(resmap, value: Node, target: Target, rec: Touched, budget: Budget) -> None:
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


def _copy_to(res, value: Node, target: Target, rec: Touched, budget: Budget) -> None:
    create = None
    if target.options.create:
        create = "scalar" if value.is_scalar else "map" if value.is_map else "seq"
    for fp in target.field_paths:
        parts = _clean(split_field_path(fp.v))
        if create and len(parts) > LIMITS.max_depth:
            raise at(fp.o, f"fieldPath '{fp.v[:60]}' has more than {LIMITS.max_depth} steps; "
                           "creating it would nest the resource past the depth limit")
        found = match_paths(res.node, parts, create, fp.o)
        if not found:
            raise at(fp.o, f"unable to {'find or create' if create else 'find'} field "
                           f"'{fp.v}' in replacement target {res.cur_id()}")
        for t, path in found:
            before = None if t.v is _CREATED else t.data()
            created = t.v is _CREATED
            if not value.is_scalar:
                budget.spend("nodes", count_nodes(value, 1 << 40), fp.o)
            _set(t, value, target.options, fp.o)
            check_depth(t, len(path), fp.o, f"replacement into '{fp.v[:60]}'")
            rec.set(res, path, before, t.data(), fp.o, changed=True if created else None)


def _set(target: Node, value: Node, opts: Options, origin: Origin | None) -> None:
    if opts.delimiter:
        if not target.is_scalar:
            raise at(origin, "delimiter option can only be used with scalar fields")
        cur = "" if target.v is _CREATED else scalar_text(target.v)
        pieces = cur.split(opts.delimiter)
        v = scalar_text(value.v) if value.is_scalar else ""
        if opts.index < 0:
            pieces.insert(0, v)
        elif opts.index >= len(pieces):
            pieces.append(v)
        else:
            pieces[opts.index] = v
        target.v = _typed(opts.delimiter.join(pieces), target.v, origin)
        target.o = value.o
        target.parts = None
        return
    if target.is_scalar:
        text = scalar_text(value.v) if value.is_scalar else ""
        target.v = _typed(text, target.v, origin)
        target.o = value.o
        target.parts = value.parts if value.is_scalar else None
        return
    copy = value.clone()
    target.v = copy.v
    target.o = copy.o
    target.parts = copy.parts
