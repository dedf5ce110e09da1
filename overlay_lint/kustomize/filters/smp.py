"""Strategic merge of a patch ``Node`` into a resource ``Node``, as Kustomize v5 does it.

Kustomize does not use the Kubernetes apiserver's strategic merge; it walks both trees with
kyaml (``yaml/walk`` + ``yaml/merge2``, list direction "prepend"). This module follows that
walk step by step, because its quirks show in the output:

- maps merge recursively; a ``null`` in the patch deletes; a field that is empty (``key:``)
  in the resource is dropped while an explicit ``null`` is kept;
- a list whose schema says ``x-kubernetes-patch-strategy: merge`` is merged by its merge
  keys (``x-kubernetes-list-map-keys``, else ``x-kubernetes-patch-merge-key``); elements
  named in the patch come first, in patch order, then the resource's other elements;
  resource elements sharing a key collapse to the last one; every other list (and every
  list of a type without schema, e.g. a custom resource) is replaced;
- ``$patch: delete|replace|merge`` work on maps, on lists (as a lone ``{$patch: ...}``
  element) and on list elements (only ``delete`` has an effect there: a replaced element is
  restored from the resource when the list is reassembled, as in Kustomize);
- ``$retainKeys``, ``$setElementOrder/...`` and ``$deleteFromPrimitiveList/...`` are not
  directives to kyaml: they are copied into the result like any field.

The whole resource is walked, not only the patched part, so list normalisations happen
wherever the schema defines merge keys. The patch is consumed: pass a clone.
Provenance: kept values keep the resource's origins; values taken from the patch carry
the patch's origins; merged containers keep the resource container's origin.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Any

from ...core.errors import OverlayLintError, at
from ...core.node import Node, PathKey
from ...core.yaml_reader import FLOW
from ..printable import PLAIN_KEYS, mark_plain_keys
from ..schema import Schema, schema_for

_KEEP = object()  # the walk keeps the resource's explicit null as it is
_DELETE, _REPLACE, _MERGE = "delete", "replace", "merge"
_DIRECTIVE = "$patch"


REPEATED = "repeated"  # parts key on a patch document holding repeats (patch.py)
# whether the patch being merged holds keys written twice, set aside in its mappings'
# parts["dups"] (the reader's ``shadow``): only then are adopted parts checked for them
_repeats = False


def strategic_merge(patch: Node, target: Node) -> Node | None:
    """Merge ``patch`` into ``target`` (both mutated); None when the patch deletes it."""
    global _repeats
    if type(patch.v) is dict and _sval(patch.v.get(_DIRECTIVE)) == _REPLACE:
        # kyaml returns the patch as the new root, which Kustomize's ApplySmPatch drops
        # (it keeps only changes made in place): a no-op, checked against kubectl
        return target
    _repeats = bool(patch.parts and patch.parts.get(REPEATED))
    try:
        out = _walk([target, patch], None, ())
    finally:
        _repeats = False
    if out is _KEEP:
        return target
    return out


# --- node predicates, mirroring kyaml's ------------------------------------------------

def _null(n: Node | None) -> bool:
    """kyaml IsMissingOrNull: absent, or an explicit null."""
    return n is None or n.v is None


def _empty_map(n: Node | None) -> bool:
    return n is None or n.v is None or (type(n.v) is dict and not n.v)


def _sval(n: Node | None) -> str:
    """The scalar text kyaml compares (``YNode().Value``): empty for containers."""
    if n is None:
        return ""
    v = n.v
    t = type(v)
    if t is str:
        return v
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return str(v)
    if t is float:
        return repr(v) if not v.is_integer() else str(int(v))
    if v is None:
        return "" if n.parts and n.parts.get("empty") else "null"
    return ""


def _kind(n: Node) -> str:
    t = type(n.v)
    return "map" if t is dict else "seq" if t is list else "scalar"


_KIND_NAMES = {"map": "a mapping", "seq": "a list", "scalar": "a scalar"}


def _fmt(path: tuple) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


# --- the walk -------------------------------------------------------------------------

def _walk(srcs: list, schema: Schema | None, path: tuple) -> Any:
    schema = schema if schema is not None else _schema_from_meta(srcs)
    first = next((s for s in srcs if not _null(s)), None)
    if first is None:
        return _walk_map(srcs, schema, path)
    kind = _kind(first)
    for s in srcs:
        if not _null(s) and _kind(s) != kind:
            bad = srcs[1] if srcs[1] is not None and not _null(srcs[1]) else s
            raise at(bad.o, f"strategic merge patch: {_fmt(path)} is {_KIND_NAMES[_kind(s)]} "
                            f"here but {_KIND_NAMES[kind]} in the resource; fix the patch")
    if kind == "map":
        return _walk_map(srcs, schema, path)
    if kind == "seq":
        if schema is not None and schema.merges:
            return _styled(_walk_assoc(srcs, schema, path), srcs)
        if _repeats and srcs[1] is not None:
            _no_repeats(srcs[1], "replaces a list with")  # copied as it is, every copy
        if srcs[1] is None:
            return srcs[0]
        return _styled(srcs[1], srcs)
    return srcs[1] if srcs[1] is not None else srcs[0]


def _styled(out: Node | None, srcs: list) -> Node | None:
    """``out``, a merged collection, in the flow or block style kyaml leaves it: the
    resource's collection's (a list the patch replaces included), or the patch's where the
    resource's was empty or missing (merge2's SetStyle). The style decides how a time
    holding ':' prints (core/yaml_writer.py), which kubectl showed case by case."""
    dest, origin = srcs[0], srcs[1]
    if out is None or type(out.v) not in (dict, list):
        return out
    style = origin if _null(dest) or not dest.v else dest
    if style is None:
        return out
    flow = style.parts is not None and FLOW in style.parts
    if flow != (out.parts is not None and FLOW in out.parts):
        parts = {k: v for k, v in (out.parts or {}).items() if k != FLOW}
        if flow:
            parts[FLOW] = True
        out.parts = parts or None
    return out


def _schema_from_meta(srcs: list) -> Schema | None:
    """kyaml GetSchema: a mapping carrying apiVersion and kind selects its type's schema."""
    for s in srcs:
        if _null(s) or type(s.v) is not dict:
            continue
        av, k = s.v.get("apiVersion"), s.v.get("kind")
        if av is None or k is None:
            continue
        av_s, k_s = _sval(av), _sval(k)
        if av_s and k_s and av_s != "null" and k_s != "null":
            found = schema_for(av_s, k_s)
            if found is not None:
                return found
    return None


def _walk_map(srcs: list, schema: Schema | None, path: tuple) -> Any:
    dest, origin = srcs[0], srcs[1]
    if _null(dest):
        try:
            ps = _map_directive(origin)
        except OverlayLintError:  # kyaml ignores a bad directive when adding
            ps = _MERGE
        if ps == _DELETE:
            return None
        if origin is None and dest is not None and not (dest.parts and dest.parts.get("empty")):
            return _KEEP
        dest = origin
    elif origin is not None and origin.v is None:
        return None
    else:
        ps = _map_directive(origin)
        if ps == _DELETE:
            return None
        if ps == _REPLACE:  # the patch's mapping, in the resource's style
            dest = _styled(origin, [dest, origin])
    if dest is None:
        return None
    if type(dest.v) is not dict:
        return dest  # an explicit null that the caller clears
    if dest is not origin and origin is not None:
        _styled(dest, [dest, origin])
    # the patch's own mapping (new here, replaced, or inside such a part): kyaml adopts
    # the node with every copy of a repeated key, and walks only the first copy
    adopted = _repeats and dest is origin and bool(dest.parts and dest.parts.get("dups"))
    # plain keys of the patch read as no string (printable.PLAIN_KEYS): kyaml adds a new
    # key with the patch's key node, so the mark follows the keys the resource lacks
    marks = origin.parts.get(PLAIN_KEYS) if origin is not None and origin is not dest \
        and origin.parts else None
    fresh = [k for k in marks if k not in dest.v] if marks else None
    srcs = [dest, origin]
    names: set[str] = set()
    for s in srcs:
        if s is not None and type(s.v) is dict:
            names.update(s.v)
    for key in sorted(names):
        sub = schema.field(key) if schema is not None else None
        fv = [s.v.get(key) if s is not None and type(s.v) is dict else None for s in srcs]
        val = _walk(fv, sub, path + (key,))
        if val is _KEEP:
            continue
        if val is None or val.v is None:
            dest.v.pop(key, None)
            if dest.parts is not None and dest.parts.get("repeats"):
                # kyaml removes the first copy of a repeated annotation: counted (repeats.py)
                dest.parts = {**dest.parts, "deleted": dest.parts.get("deleted", ()) + (key,)}
        else:
            had = dest.v.get(key)
            if had is None or had is val or type(had.v) in (dict, list):
                dest.v[key] = val
            else:  # kyaml writes a scalar into the node in place: places sharing it follow
                had.v, had.o, had.parts = val.v, val.o, val.parts
    if adopted:
        _adopt_repeats(dest, path)
    if fresh:
        mark_plain_keys(dest, [k for k in fresh if k in dest.v])
    return dest


# --- keys written twice in a patch --------------------------------------------------------
# kyaml's nodes keep every copy of a key a patch writes twice, and a merge reads the first.
# Where the merge adds a part of the patch that the resource lacks (a new mapping key or
# list element, a `$patch: replace`, a list it replaces), kyaml adopts the patch's node,
# every copy included, and walks only the first copy of each key: a null there removes it.
# Kustomize's output step then refuses a key left twice ("mapping key already defined").
# metadata.annotations is read as a map and written back at the end of every build: there
# the last copy wins (checked against kubectl, tests/test_kubectl_refusals.py).

PATCH_REPEATS = "patch_repeats"  # parts key on adopted annotations with keys written twice


def _refuse_repeat(key: str, at_: Any, first: Any, what: str) -> OverlayLintError:
    line = first[1] if first is not None else "?"
    return OverlayLintError(
        f'duplicate key "{key}" (first at line {line}); the strategic merge patch {what} '
        "the mapping holding it, which copies the key twice into the resource: Kustomize "
        "refuses it too, unless a patch or generator replaces the part holding it", *at_)


def _no_repeats(node: Node, what: str) -> None:
    """A part of the patch copied into the resource without a walk: any key written twice
    in it stays twice."""
    for _, n in node.walk():
        if n.parts and n.parts.get("dups"):
            key, _v, o = min(n.parts["dups"], key=lambda d: (d[2][1], d[2][2]))
            first = n.v.get(key)
            raise _refuse_repeat(key, o, first.o if first is not None else None, what)


def _adopt_repeats(m: Node, path: tuple) -> None:
    """The keys written twice in an adopted mapping ``m``, after the walk of its first
    copies: a key left once keeps that copy as written (not walked); a key left twice or
    more is refused, but in metadata.annotations (the last copy; repeats.py settles it at
    the end of the build, as every later write reaches the first copy)."""
    parts = m.parts or {}
    by_key: dict[str, list[Node]] = {}
    for key, value, _o in parts["dups"]:
        by_key.setdefault(key, []).append(value)
    m.parts = {k: v for k, v in parts.items() if k != "dups"} or None
    annotations = path == ("metadata", "annotations")
    kept: dict[str, tuple[int, Node, Any, Any]] = {}
    for key, later in by_key.items():
        first = m.v.get(key)
        copies = later if first is None else [first, *later]
        if len(copies) == 1:
            _no_repeats(copies[0], "adds")
            m.v[key] = copies[0]
            continue
        last = copies[-1]
        if not annotations or last.v is None or type(last.v) in (dict, list):
            raise _refuse_repeat(key, copies[1].o, copies[0].o, "adds")
        m.v[key] = last
        # a copy: a later write goes into the resource's node in place (node sharing)
        kept[key] = (len(copies), last.clone(), last.o, copies[0].o)
    if kept:
        m.parts = {**(m.parts or {}), PATCH_REPEATS: kept}


def _map_directive(patch: Node | None) -> str:
    if patch is None or type(patch.v) is not dict:
        return _MERGE
    node = patch.v.get(_DIRECTIVE)
    if node is None:
        return _MERGE
    v = _sval(node)
    if v in (_DELETE, _REPLACE, _MERGE):
        del patch.v[_DIRECTIVE]
        return v
    raise at(node.o, f"unknown patch strategy '{v}' (use delete, replace or merge)")


def _seq_directive(patch: Node | None) -> str:
    if patch is None or type(patch.v) is not list:
        return _MERGE
    holder = None
    for e in patch.v:
        if type(e.v) is dict and _DIRECTIVE in e.v:
            holder = e
            break
    if holder is None or len(holder.v) > 1:
        return _MERGE
    node = holder.v[_DIRECTIVE]
    v = _sval(node)
    if v in (_DELETE, _REPLACE, _MERGE):
        _element_setter(patch, None, [_DIRECTIVE], [v])
        return v
    raise at(node.o, f"unknown patch strategy '{v}' (use delete, replace or merge)")


# --- associative lists ------------------------------------------------------------------

def _walk_assoc(srcs: list, schema: Schema, path: tuple) -> Node | None:
    dest, origin = srcs[0], srcs[1]
    if _null(dest):
        dest = origin
    elif origin is not None and origin.v is None:
        return None
    else:
        ps = _seq_directive(origin)
        if ps == _DELETE:
            return None
        if ps == _REPLACE:
            dest = origin
    if dest is None:
        return None
    srcs = [dest, origin]
    _strategy, keys = schema.strategy_and_keys()
    if len(keys) == 1:
        fast = _set_elements_unique(keys[0], dest, srcs, schema, path)
        if fast is not None:
            return fast
    values = _element_values(srcs, keys)
    if values or keys:
        return _set_elements(values, keys, dest, srcs, schema, path)
    return _set_elements(_primitive_values(srcs), [""], dest, srcs, schema, path)


def _ordered(srcs: list) -> list:
    # "prepend": the patch's elements are listed first, then the resource's
    return [s for s in (srcs[1], srcs[0]) if s is not None]


def _element_values(srcs: list, keys: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for src in _ordered(srcs):
        for elem in src.v:
            vals = []
            for k in keys:
                f = elem.v.get(k) if type(elem.v) is dict else None
                vals.append("" if _nil_or_empty(f) else _sval(f))
            if vals and vals not in out:
                out.append(vals)
    return out


def _nil_or_empty(n: Node | None) -> bool:
    return n is None or n.v is None or (type(n.v) in (dict, list) and not n.v)


def _primitive_values(srcs: list) -> list[list[str]]:
    out: list[list[str]] = []
    seen: set[str] = set()
    for src in _ordered(srcs):
        for elem in src.v:
            s = _sval(elem)
            if s not in seen:
                seen.add(s)
                out.append([s])
    return out


def _validate_keys(values_list: list, values: list, keys: list) -> tuple[list, list]:
    valid = {keys[i] for vals in values_list for i, v in enumerate(vals) if v != ""}
    if not valid:
        return keys, values
    return ([k for k in keys if k in valid],
            [v for i, v in enumerate(values) if v != "" or keys[i] in valid])


def _match(a: list, b: list) -> tuple[bool, list]:
    if len(a) != len(b):
        return False, []
    common, res = False, []
    for x, y in zip(a, b):
        if x == y:
            common = True
            res.append(x)
        elif x and y:
            return False, []
        else:
            res.append(x or y)
    return common, res


def _merge_values(values_list: list) -> list:
    # fills the blanks of multi-key values from entries sharing a key value (kyaml's way)
    for i in range(len(values_list)):
        v1 = values_list[i]
        for j in range(len(values_list)):
            ok, merged = _match(v1, values_list[j])
            if ok:
                values_list[i] = merged
                values_list[j] = merged
    return values_list


def _element_list(src: Node, keys: list, values: list) -> Node | None:
    """kyaml ElementList/MatchElementList: the first element matching all key values."""
    if type(src.v) is not list:
        return None
    keys = keys or [""]
    values = values or [""]
    if not keys[0]:
        for e in src.v:
            if _sval(e) == values[0]:
                return e
        return None
    for e in src.v:
        if type(e.v) is not dict:
            continue
        if all(k in e.v and _sval(e.v[k]) == v for k, v in zip(keys, values)):
            return e
    return None


def _set_elements(values_list: list, keys: list, dest: Node, srcs: list,
                  schema: Schema, path: tuple) -> Node:
    items = Node([], dest.o)  # kyaml's itemsToBeAdded
    el_schema = schema.elements()
    if len(keys) > 1:
        values_list = _merge_values(values_list)
    valid_keys: list = []
    for values in values_list:
        if not values:
            continue
        valid_keys, valid_values = _validate_keys(values_list, values, keys)
        vk, vv = _validate_keys([valid_values], valid_values, valid_keys)
        el_srcs = [_element_list(s, vk, vv) if s is not None else None for s in srcs]
        val = _walk(el_srcs, el_schema, path + ("[]",))
        if val is _KEEP:
            val = el_srcs[0]
        if _empty_map(val):
            _element_setter(dest, None, valid_keys, valid_values)
            continue
        for i, key in enumerate(valid_keys):
            if key and type(val.v) is dict and key not in val.v and valid_values[i] != "":
                src_elem = el_srcs[1] if el_srcs[1] is not None else el_srcs[0]
                kn = src_elem.v.get(key) if src_elem is not None and type(src_elem.v) is dict \
                    else None
                val.v[key] = kn if kn is not None else Node(valid_values[i], val.o)
        _element_setter(items, val, valid_keys, valid_values)
    if values_list:
        dest = _append_list_node(items, dest, valid_keys, path)
    return dest


def _keyed(lst: Node | None, key: str) -> dict[str, Node] | None:
    """Elements by merge-key value, or None unless every element is a mapping with a
    distinct, non-empty scalar value for ``key``."""
    if lst is None:
        return {}
    idx: dict[str, Node] = {}
    for e in lst.v:
        if type(e.v) is not dict:
            return None
        f = e.v.get(key)
        if f is None or type(f.v) in (dict, list, type(None)):
            return None
        s = _sval(f)
        if s == "" or s in idx:
            return None
        idx[s] = e
    return idx


def _set_elements_unique(key: str, dest: Node, srcs: list, schema: Schema,
                         path: tuple) -> Node | None:
    """The common case of ``_set_elements`` in linear time: one merge key whose values are
    present and distinct in both lists. Gives the same result as the general walk (patch
    elements first in patch order, then the resource's; a resource element stays in
    place of its merged value). None when the case does not apply."""
    d_idx = _keyed(dest, key)
    if d_idx is None:
        return None
    o_idx = _keyed(srcs[1], key) if srcs[1] is not dest else d_idx
    if o_idx is None:
        return None
    el_schema = schema.elements()
    order = list(o_idx) + [s for s in d_idx if s not in o_idx]
    items: dict[str, Node] = {}
    for s in order:
        el_srcs = [d_idx.get(s), o_idx.get(s)]
        val = _walk(el_srcs, el_schema, path + ("[]",))
        if val is _KEEP:
            val = el_srcs[0]
        if _empty_map(val):
            d_idx.pop(s, None)  # deleted from the resource's list
            continue
        if type(val.v) is dict and key not in val.v:
            src_elem = el_srcs[1] if el_srcs[1] is not None else el_srcs[0]
            val.v[key] = src_elem.v[key]  # type: ignore[union-attr]  # one side has it
        items[s] = val
    for s, elem in d_idx.items():  # kyaml puts the resource's element objects back
        if s in items:
            items[s] = elem
    return Node(list(items.values()), dest.o)


def _field_matcher(elem: Node, name: str, value: str) -> Node | None:
    """kyaml FieldMatcher{Name, StringValue}: an empty value matches any value."""
    if _null(elem):
        return None
    if not name:
        if type(elem.v) in (dict, list):
            raise at(elem.o, "strategic merge: a list of values holds a mapping or list item")
        return elem if _sval(elem) == value else None
    if type(elem.v) is not dict:
        raise at(elem.o, f"strategic merge: list item is not a mapping (merge key '{name}')")
    f = elem.v.get(name)
    if f is None:
        return None
    if value == "" or _sval(f) == value:
        return f
    return None


def _element_setter(lst: Node, element: Node | None, keys: list, values: list) -> None:
    """kyaml ElementSetter: replace the items matching ``keys=values`` by ``element``
    (remove them when it is None), append it when none matches; drops null/empty items."""
    keys = keys or [""]
    mapping_setter = bool(keys[0]) and bool(values) and values[0] != ""
    new: list[Node] = []
    found_any = False
    for elem in lst.v:
        if _empty_map(elem):
            continue
        if type(elem.v) is not dict and mapping_setter:
            new.append(elem)
            continue
        found, val = True, None
        for j, key in enumerate(keys):
            if j < len(values):
                val = _field_matcher(elem, key, values[j])
            if val is None:
                found = False
                break
        if not found:
            if values:
                new.append(elem)
            continue
        found_any = True
        if element is not None:
            new.append(element)
    lst.v = new
    if _null(element):
        return
    if not found_any:
        lst.v.append(element)


def _append_list_node(dst: Node, src: Node, keys: list, path: tuple) -> Node:
    """Put the resource's elements back: each replaces its match in ``dst`` or is appended."""
    for elem in src.v:
        if keys[0] == "":
            _element_setter(dst, elem, [""], [_sval(elem)])
            continue
        v = []
        for key in keys:
            if _null(elem):
                f = None
            elif type(elem.v) is not dict:
                raise at(elem.o, f"strategic merge: list item at {_fmt(path)} is not a mapping")
            else:
                f = elem.v.get(key)
            if f is None:
                dst.v.append(elem)
                continue
            v.append(_sval(f))
        if len(keys) > 1:
            _element_setter(dst, None, keys, v)
        _element_setter(dst, elem, keys, v)
    return dst


# --- what a patch sets (for touched records) ---------------------------------------------

# A step through a tree: a mapping key, or a list element chosen by its merge key values.
if TYPE_CHECKING:
    Step = Any  # str | tuple[tuple[str, str], ...]
_ID_PATHS = (("apiVersion",), ("kind",), ("metadata", "name"), ("metadata", "namespace"))


def patch_values(patch: Node, api_version: str, kind: str,
                 skip_ids: bool = True) -> list[tuple[tuple[Step, ...], Node]]:
    """Every value a strategic-merge patch sets, as (steps, patch node): scalars, lists it
    replaces whole, elements and mappings it deletes or replaces (``$patch``), empty
    mappings. Merge-key list elements are steps ``((key, value), ...)``. The patch's own
    identity (apiVersion, kind, metadata.name/namespace) is left out when ``skip_ids``."""
    out: list[tuple[tuple, Node]] = []
    _values(patch, schema_for(api_version, kind), (), out)
    if skip_ids:
        out = [(steps, n) for steps, n in out if steps not in _ID_PATHS]
    return out


def _values(node: Node, schema: Schema | None, steps: tuple, out: list) -> None:
    v = node.v
    if type(v) is dict:
        directive = v.get(_DIRECTIVE)
        if directive is not None and _sval(directive) in (_DELETE, _REPLACE) or not v:
            out.append((steps, node))
            return
        for key, child in v.items():
            if key.startswith("$"):
                continue
            _values(child, schema.field(key) if schema is not None else None,
                    steps + (key,), out)
        return
    if type(v) is list and schema is not None and schema.merges:
        _strategy, keys = schema.strategy_and_keys()
        el_schema = schema.elements()
        whole = not keys or any(type(e.v) is not dict for e in v) or any(
            _DIRECTIVE in e.v and len(e.v) == 1 for e in v)
        if not whole:
            for e in v:
                sel = tuple((k, _sval(e.v.get(k))) for k in keys if e.v.get(k) is not None)
                if not sel:
                    whole = True
                    break
            else:
                for e in v:
                    sel = tuple((k, _sval(e.v.get(k))) for k in keys if e.v.get(k) is not None)
                    if len(e.v) == len(sel):
                        out.append((steps + (sel,), e))  # an element that only names itself
                        continue
                    # the merge keys name the element; the other fields are what it sets
                    ident = {k for k, _v in sel}
                    for key, child in e.v.items():
                        if key.startswith("$") or key in ident:
                            continue
                        _values(child, el_schema.field(key) if el_schema is not None else None,
                                steps + (sel, key), out)
                    if _DIRECTIVE in e.v:
                        out.append((steps + (sel,), e))
                return
    out.append((steps, node))


def find(root: Node | None, steps: tuple[Step, ...]) -> tuple[Node | None, tuple]:
    """The node at ``steps`` (see :func:`patch_values`) and its concrete path."""
    node: Node | None = root
    path: tuple[PathKey, ...] = ()
    for step in steps:
        if node is None:
            return None, path
        if type(step) is str:
            node = node.v.get(step) if type(node.v) is dict else None
            path += (step,)
            continue
        found = None
        if type(node.v) is list:
            for i, e in enumerate(node.v):
                if type(e.v) is dict and all(k in e.v and _sval(e.v[k]) == want
                                             for k, want in step):
                    found = e
                    path += (i,)
                    break
        node = found
    return node, path
