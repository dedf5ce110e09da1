"""Patches: reading their documents (inline or from files, as Kustomize decides what a
text is) and applying one to a resource (Kustomize's Resource.ApplySmPatch and the
JSON6902 patch of its PatchJson6902Transformer), recording what each one sets.

Strategic merge itself is ``smp.py``, JSON6902 operations ``json6902.py``.
"""
from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a render)
if TYPE_CHECKING:
    from typing import Callable

from ...core.errors import OverlayLintError, at
from ...core.node import Node, Origin, unshare
from ...core.yaml_reader import canonical_text, parse_embedded
from ..budget import Budget, check_depth, count_nodes
from ..loader import Loader
from ..printable import check_plain_keys, mark_plain_keys, top_level_keys
from ..resmap import ResMap, id_key
from ..resource import ResId, Resource
from ..touched import DuplicateKey, Touched
from ..types import Patch, Str
from .json6902 import Op, apply_ops, as_float64, as_json, node_at, pointer_value
from .smp import PATCH_REPEATS, REPEATED, find, patch_values, strategic_merge


# --- reading patches ---------------------------------------------------------------------

Repeats = list[tuple[str, Origin, Origin]]


def _read_repeating(parse: Callable[[Repeats | None, bool], list[Node | None]], file: str,
                    dups: list[DuplicateKey] | None) -> list[Node | None]:
    """A patch's documents, read as Kustomize reads a key written twice in one mapping:
    a strategic merge patch keeps the first value (kyaml finds the first field of that
    name) and the later ones aside (``shadow``: kyaml's nodes keep every copy, which the
    merge copies wherever it adopts a part of the patch whole, see smp.py), JSON6902
    operations the last (decoded as JSON). Each repeat goes to ``dups`` (the duplicate-key
    rule); without ``dups`` a repeat is an error."""
    try:
        return parse(None, False)
    except OverlayLintError as exc:
        if dups is None or not exc.message.startswith("duplicate key"):
            raise
    found: Repeats = []
    docs = parse(found, True)
    first = next((d for d in docs if d is not None), None)
    keep_first = first is None or not first.is_seq
    if not keep_first:
        found = []
        docs = parse(found, False)
    else:
        for d in docs:
            _mark_repeated(d)
    dups.extend(DuplicateKey(file, key, again, earlier, earlier if keep_first else again)
                for key, again, earlier in found)
    return docs


def _mark_repeated(doc: Node | None) -> None:
    """Tell the merge (smp.py) that this patch document holds repeats set aside (a List's
    items each become a patch)."""
    if doc is None or not doc.is_map:
        return
    doc.parts = {**(doc.parts or {}), REPEATED: True}
    items = doc.v.get("items")
    if items is not None and items.is_seq:
        for item in items.v:
            _mark_repeated(item)


def embedded(text: Str, dups: list[DuplicateKey] | None = None) -> list[Node | None]:
    """The YAML documents held in a string field, located inside its file."""
    holder = Node(text.v, text.o, {"block": text.block} if text.block else None)
    file = text.o[0] if text.o is not None else ""
    return _read_repeating(lambda found, first: parse_embedded(text.v, holder, found, first,
                                                               first),
                           file, dups)


def patch_documents(p: Patch, field: str, loader: Loader, kdir: str,
                    dups: list[DuplicateKey] | None = None
                    ) -> tuple[list[Node | None], Str, str | None]:
    """The parsed documents of an entry's ``path`` or inline ``patch``, the value that
    locates the patch as a whole (for errors) and the file read (None: inline); repeated
    keys as Kustomize reads them, into ``dups``."""
    path_n, patch_n = p.path, p.patch
    has_path = path_n is not None and path_n.v != ""
    has_patch = patch_n is not None and patch_n.v.strip() != ""
    if has_path and has_patch:
        raise at(p.o, f"a {field} entry may have 'path' or 'patch', not both")
    if has_patch:
        assert patch_n is not None
        # ``patches`` trims an inline patch, ``patchesJson6902`` does not
        _json_if_bracket(patch_n.v.strip() if field == "patches" else patch_n.v, patch_n)
        docs = embedded(patch_n, dups)
        if field == "patches" and p.target is not None and not any(d is not None for d in docs):
            raise at(patch_n.o, f"inline patch {_NO_PATCH}")
        return docs, patch_n, None
    if not has_path or path_n is None:
        raise at(p.o, f"a {field} entry needs 'path' (a file) or 'patch' (inline text)")
    path = loader.file(kdir, path_n.v, path_n.o, "patch")
    text = loader.read_text(path, path_n.o)
    _json_if_bracket(text, path_n)
    docs = file_documents(path, loader, path_n.o, dups)
    if not any(d is not None for d in docs):
        if field != "patches" or p.target is None:
            raise at(path_n.o, f"patch file '{path_n.v}' is empty")
        if text:  # only a file of no bytes at all is an empty list of operations
            raise at(path_n.o, f"patch file '{path_n.v}' {_NO_PATCH}")
    return docs, path_n, path


# Kustomize reads patch text both as resources and as JSON6902 operations; text that is
# not empty but holds no document (comments, blank lines, ``---``, ``null``) passes both
# reads, and Kustomize refuses that
_NO_PATCH = ("holds no patch, only comments, blank lines, '---' or null; Kustomize refuses "
             "it ('illegally qualifies as both an SM and JSON patch'): delete the entry")


def _json_if_bracket(text: str, holder: Str) -> None:
    """Kustomize decodes patch text starting with ``[`` as JSON, not YAML: a flow-style
    YAML list such as ``[{op: add, ...}]`` is refused there, so it is refused here."""
    if not text.startswith("["):
        return
    import json  # here: few patches are JSON text
    try:
        json.loads(text, parse_constant=_no_constant, parse_float=_float64,
                   parse_int=_float64)
    except _OutOfRange as exc:
        number = exc.args[0] if len(exc.args[0]) <= 40 else exc.args[0][:37] + "..."
        raise at(holder.o, f"the number {number} in this JSON patch is past the "
                           "range of a float64, which Kustomize's JSON decoder fails on "
                           "('json: cannot unmarshal number ... into Go value of type "
                           "float64'); quote it or fix the number") from None
    except ValueError as exc:
        raise at(holder.o, "patch text starting with '[' is read as JSON by Kustomize, and "
                           f"this is not valid JSON ({exc}); quote the keys and strings, or "
                           "write the operations as a YAML block list") from None


class _OutOfRange(Exception):
    pass


def _float64(text: str) -> float:
    """A JSON number as Go's decoder reads it into an interface: a float64 (any int
    too; Python's int() would refuse a long one), past whose range it fails."""
    f = float(text)
    if f - f != 0:
        raise _OutOfRange(text)
    return f


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def file_documents(path: str, loader: Loader, origin: Origin | None = None,
                   dups: list[DuplicateKey] | None = None) -> list[Node | None]:
    """A patch file's documents, copied (the loader's are shared; a merge consumes them);
    repeated keys as Kustomize reads them, into ``dups``."""
    def parse(found: Repeats | None, first: bool) -> list[Node | None]:
        if found is None:
            return [d.clone() if d is not None else None
                    for d in loader.documents(path, origin)]
        return loader.documents_repeating(path, origin, found, first, first)
    return _read_repeating(parse, path, dups)


def inline_resources(entry: Str, dups: list[DuplicateKey] | None = None
                     ) -> list[Node | None] | None:
    """Documents of a ``patchesStrategicMerge`` string when it is inline YAML, else None."""
    text = entry.v
    if "\n" not in text.strip() and ":" not in text:
        return None
    try:
        docs = embedded(entry, dups)
    except OverlayLintError:  # not YAML: Kustomize then reads it as a file path
        return None
    real = [d for d in docs if d is not None]
    if not real or not all(d.is_map for d in real):
        return None
    return docs


def classify(docs: list[Node | None], holder: Str) -> str:
    """"json" for a JSON6902 patch (a list), "smp" for resources, as PatchTransformer decides."""
    first = next((d for d in docs if d is not None), None)
    if first is None:
        raise at(holder.o, "patch is empty (no strategic merge patch, no JSON6902 operations)")
    if first.is_seq:
        return "json"
    if first.is_map:
        return "smp"
    raise at(first.o, "unable to parse the patch: expected a resource (strategic merge) "
                      "or a list of JSON6902 operations")


def smp_documents(docs: list[Node | None], holder: Str, empty_ok: bool = False
                  ) -> list[Resource]:
    """Patch documents as resources: each needs ``kind`` and ``metadata.name``
    (``empty_ok``: none at all is no error here, the caller judges)."""
    out: list[Resource] = []
    for d in docs:
        if d is None or (d.is_map and not d.v):
            continue
        if not d.is_map:
            raise at(d.o, "a strategic merge patch document must be a mapping (a resource)")
        kind = d.get("kind")
        if kind is None or not isinstance(kind.v, str) or not kind.v:
            raise at(d.o, "strategic merge patch is missing 'kind'")
        items = d.get("items")
        if kind.v.endswith("List") and items is not None:
            if items.v is None:
                continue
            if not items.is_seq:
                raise at(items.o, "'items' of a List must be a list")
            out.extend(smp_documents(list(items.v), holder))
            continue
        md = d.get("metadata")
        name = md.get("name") if md is not None and md.is_map else None
        if name is None or name.v in (None, ""):
            raise at((md or d).o, "strategic merge patch is missing 'metadata.name'")
        if d.parts is not None:
            top_level_keys(d, patch=True)
        out.append(Resource(d, d.o[0] if d.o else None))
    if not out and not empty_ok:
        raise at(holder.o, "patch appears to be empty")
    return out


# --- applying ----------------------------------------------------------------------------

class IdIndex:
    """Resources by current and previous ids, built once for consecutive patches instead
    of scanning the resource map for every patch; reset after anything that may change
    ids."""

    def __init__(self, resmap: ResMap) -> None:
        self.resmap = resmap
        self.map: dict[tuple, list[Resource]] | None = None

    def reset(self) -> None:
        self.map = None

    def find(self, rid: ResId) -> list[Resource]:
        if self.map is None:
            self.map = {}
            for r in self.resmap:
                for k in dict.fromkeys(id_key(i) for i in (*r.state.prev_ids, r.cur_id())):
                    self.map.setdefault(k, []).append(r)
        return list(self.map.get(id_key(rid), ()))


def unique_target(ids: IdIndex, patch: Resource) -> Resource:
    pid = patch.cur_id()
    found = ids.find(pid)
    where = patch.node.path("metadata", "name") or patch.node
    if not found:
        raise at(where.o, f"no resource matches strategic merge patch {_describe(pid)}; "
                          "check its apiVersion, kind, metadata.name and metadata.namespace "
                          "against the resources")
    if len(found) > 1:
        raise at(where.o, f"strategic merge patch {_describe(pid)} matches "
                          f"{len(found)} resources; add metadata.namespace to pick one")
    return found[0]


def _describe(rid: ResId) -> str:
    av = rid.api_version or "(no apiVersion)"
    return f"{rid.kind} '{rid.name}' (apiVersion {av}, namespace {rid.effective_ns})"


_SIZES: dict[int, tuple[Resource, int]] = {}


def _size(patch: Resource) -> int:
    """Nodes of a patch document (counted once; each application copies it)."""
    hit = _SIZES.get(id(patch))
    if hit is None or hit[0] is not patch:
        if len(_SIZES) > 4096:
            _SIZES.clear()
        hit = _SIZES[id(patch)] = (patch, count_nodes(patch.node, 1 << 40))
    return hit[1]


def apply_smp(resmap: ResMap, res: Resource, patch: Resource, name_ok: bool, kind_ok: bool,
              set_gvk: bool, rec: Touched, budget: Budget | None = None) -> bool:
    """Kustomize's Resource.ApplySmPatch (with ResMap.ApplySmPatch's gvk copy when
    ``set_gvk``): merge, then restore name/namespace/kind unless allowed to change.
    True when resource ids may have changed (a rename, a deletion, earlier ids lost)."""
    if budget is not None:  # the copy, and the merge walking it
        budget.spend("nodes", 2 * _size(patch), patch.node.o)
    p = patch.node.clone()
    if set_gvk:  # the patch takes the target's apiVersion, keeps its own kind
        av = res.node.get("apiVersion")
        if av is not None:
            p.v["apiVersion"] = av.clone()
        _stringify_metadata_maps(p)
    md = res.node.get("metadata")
    # copies: the merge writes scalars in place (as kyaml), these are put back after it
    old_name = _copy(md.get("name")) if md is not None and md.is_map else None
    old_ns = _copy(md.get("namespace")) if md is not None and md.is_map else None
    old_kind = _copy(res.node.get("kind"))
    if name_ok or kind_ok:
        res.store_previous_id()
    rec.select(res)
    sets = patch_values(p, res.api_version, res.kind, skip_ids=not (name_ok or kind_ok))
    before = []
    for steps, _n in sets:
        b, bpath = find(res.node, steps)
        before.append((b is not None, None if b is None else b.data(), bpath))
    wipes = _wipes_annotations(p)  # before the merge consumes the `$patch` directives
    merged = strategic_merge(p, res.node)
    if merged is None or (merged.is_map and not merged.v):
        rec.set(res, (), str(res.cur_id()), None, p.o, changed=True)
        resmap.remove(res)
        return True
    if not merged.is_map:
        raise at(p.o, "strategic merge patch turned the resource into a non-mapping")
    res.node = merged
    _annotations_repeated(res)
    if wipes:
        _forget_build_annotations(res)
    if not kind_ok and old_kind is not None:
        merged.v["kind"] = old_kind
    if not name_ok and old_name is not None:
        _metadata(merged).v["name"] = old_name
    nmd = merged.get("metadata")
    if old_ns is not None and old_ns.v not in (None, ""):
        _metadata(merged).v["namespace"] = old_ns
    elif nmd is not None and nmd.is_map:
        nmd.v.pop("namespace", None)
    for (steps, n), (existed, old, bpath) in zip(sets, before):
        a, path = find(merged, steps)
        new = None if a is None else a.data()
        # a merged list element that moved changed the list's order (Kustomize puts the
        # patch's elements first): not "the value it already had"
        moved = existed and a is not None and bpath != path
        rec.set(res, path, old, new, n.o, changed=(existed != (a is not None)) or moved or None)
    return name_ok or kind_ok or wipes


def _copy(n: Node | None) -> Node | None:
    return None if n is None else n.clone()


def _stringify_metadata_maps(patch: Node) -> None:
    """ResMap.ApplySmPatch rewrites the patch's labels and annotations as string maps
    before merging: ``b: null`` becomes the string "null" and an empty or null map
    disappears (so it cannot clear the resource's labels)."""
    md = patch.v.get("metadata")
    if md is None or not md.is_map:
        return
    if md.parts and md.parts.get("dups"):
        _fold_repeated_maps(md)
    for field in ("labels", "annotations"):
        m = md.v.get(field)
        if m is None:
            continue
        if not m.is_map or not m.v:
            del md.v[field]
            continue
        values = dict(m.v)
        if m.parts and m.parts.get("dups"):  # read as a map: a key written twice, its last
            for k, c, _o in m.parts["dups"]:
                values[k] = c
            m.parts = {k: v for k, v in m.parts.items() if k != "dups"} or None
        m.v = {k: Node(_text(c), c.o) for k, c in values.items()}
        mark_plain_keys(m, values)  # Kustomize writes the map anew: its keys plain


def _wipes_annotations(patch: Node) -> bool:
    """Whether the patch removes or replaces metadata.annotations as a whole (``null``,
    ``$patch: replace|delete`` there or on metadata): Kustomize keeps its build
    annotations in that mapping, so they go too."""
    md = patch.v.get("metadata")
    if md is None:
        return False
    if md.v is None or _directive(md) in ("replace", "delete"):
        return True
    ann = md.v.get("annotations") if md.is_map else None
    return ann is not None and (ann.v is None or _directive(ann) in ("replace", "delete"))


def _directive(n: Node) -> str | None:
    d = n.v.get("$patch") if n.is_map else None
    return d.v if d is not None and type(d.v) is str else None


def _forget_build_annotations(res: Resource) -> None:
    """What Kustomize loses with its build annotations (checked against kubectl, a patch
    wiping `annotations` of a base's resource): its earlier ids (a later patch or
    reference by an earlier name no longer finds it), the prefixes and suffixes it
    received, a generator's hash request and behavior."""
    s = res.state
    s.prev_ids = []
    s.prefixes = []
    s.suffixes = []
    s.needs_hash = False
    s.behavior = ""


def _fold_repeated_maps(md: Node) -> None:
    """``labels`` or ``annotations`` written twice in the patch's metadata: Kustomize
    reads them and writes them back, which folds the first mapping into the second (as
    for a resource's annotations, repeats.py; checked against kubectl)."""
    from ..repeats import GENERIC, _merged, _pairs, _refuse
    rest = []
    for field in ("labels", "annotations"):
        more = [d for d in md.parts["dups"] if d[0] == field]  # type: ignore[index]
        if not more:
            continue
        m = md.v[field]
        if len(more) > 1 or not m.is_map or not more[0][1].is_map:
            raise _refuse(more[-1][2], field, m.o,
                          f"metadata.{field} of a patch written three times or more, or "
                          "that is not a mapping: refused")
        second = more[0][1]
        if field == "labels" and second.parts and second.parts.get("dups"):
            key, _v, o = second.parts["dups"][0]  # the second mapping is kept as written
            raise _refuse(o, key, second.v[key].o, GENERIC)
        md.v[field] = Node(_merged(_pairs(m), _pairs(second)), m.o)
    parts = md.parts or {}
    rest = [d for d in parts["dups"] if d[0] not in ("labels", "annotations")]
    md.parts = {**parts, "dups": rest} if rest else \
        {k: v for k, v in parts.items() if k != "dups"} or None


def _annotations_repeated(res: Resource) -> None:
    """metadata.annotations the merge adopted from the patch with keys written twice (the
    last copy kept, see smp.py): settled at the end of the build as the repeated
    annotations of a resource file are (repeats.py)."""
    md = res.node.v.get("metadata")
    ann = md.v.get("annotations") if md is not None and md.is_map else None
    if ann is None or not ann.parts or PATCH_REPEATS not in ann.parts:
        return
    from ..repeats import MARK, Repeats
    kept = ann.parts[PATCH_REPEATS]
    key = min(kept, key=lambda k: (kept[k][2][1], kept[k][2][2]))
    if res.state.repeats is not None and res.state.repeats.second is not None:
        # one mapping of the resource's own repeated ones replaced (a lone repeated
        # mapping replaced is gone with its repeats: the patch's are settled instead)
        raise at(kept[key][2], f'duplicate key "{key}" (first at line {kept[key][3][1]}); '
                               "the build replaces the first metadata.annotations mapping as "
                               "a whole (a patch's, with a key written twice, in a resource "
                               "whose own annotations repeat keys); what Kustomize renders "
                               "then depends on the build; refused")
    res.state.repeats = Repeats(kept[key][2], key, kept[key][3], None,
                                {k: (n, 0, last, None, where, first)
                                 for k, (n, last, where, first) in kept.items()})
    ann.parts = {k: v for k, v in ann.parts.items() if k != PATCH_REPEATS}
    ann.parts[MARK] = True
    md.parts = {**(md.parts or {}), MARK: True}


def _text(n: Node) -> str:
    v = n.v
    if type(v) is str:
        return v
    if type(v) is bool:
        return "true" if v else "false"
    if v is None:
        return "" if n.parts and n.parts.get("empty") else "null"
    if type(v) in (dict, list):
        return ""
    return n.parts["text"] if n.parts and "text" in n.parts else canonical_text(v)


def _metadata(node: Node) -> Node:
    md = node.v.get("metadata")
    if md is None or not md.is_map:
        md = Node({}, node.o)
        node.v["metadata"] = md
    return md


def apply_json(res: Resource, ops: list[Op], rec: Touched, budget: Budget | None = None,
               annotated: bool = False) -> None:
    """``annotated``: the build tracks origins (buildMetadata), so every object carries
    build annotations while it is patched."""
    what = f"{res.kind} '{res.name}'"
    # Kustomize encodes the object as JSON to patch it: a key it wrote plain that reads
    # back as no string fails there, even if this patch removes it
    check_plain_keys(res.node, f"a JSON6902 patch of {what} fails on it")
    if res.state.repeats is not None:
        from ..repeats import refuse_json
        refuse_json(res, "a JSON6902 patch")
    rec.select(res)
    if res.shared:  # Kustomize patches the object as JSON and reads it back: no node shared
        unshare(res.node)
        res.shared = False
    # Kustomize patches the object with its build annotations still in metadata, so
    # `add /metadata/annotations/x` works on a resource without annotations once it has
    # any (e.g. a previous id, stored by every `patches` JSON6902 patch); empty
    # annotations are dropped again afterwards.
    md = res.node.get("metadata")
    if (annotated or _has_build_annotations(res)) and md is not None and md.is_map:
        ann = md.v.get("annotations")
        if ann is None or ann.v is None:
            md.v["annotations"] = Node({}, md.o)
    out = res.node
    as_json(out)
    for op in ops:  # one at a time: each op's before value is the previous op's result
        existed, old, _path = pointer_value(out, op)
        out = apply_ops(out, [op], what, budget)
        if op.op == "test":
            continue
        if op.op in ("add", "replace", "copy", "move"):  # the only ops that deepen a tree
            placed, above = node_at(out, op)
            if placed is not None:
                check_depth(placed, above, (op.value or op.path).o,
                            f"JSON6902 {op.op} of {op.path.v}")
        now, new, path = pointer_value(out, op)
        where = op.value.o if op.value is not None else op.path.o
        rec.set(res, path, old, new, where,
                changed=True if existed is None or existed != now else None)
    if not out.is_map:
        raise at(ops[-1].path.o, f"JSON6902 patch turned {what} into a non-mapping")
    as_float64(out)
    res.node = out
    # ... and written back as a string map (Get/SetAnnotations): `5` becomes "5"
    md = out.get("metadata")
    if md is not None and md.is_map:
        ann = md.v.get("annotations")
        if ann is not None and (ann.v is None or (ann.is_map and not ann.v)):
            del md.v["annotations"]
        elif ann is not None and ann.is_map:
            for k, c in ann.v.items():
                if type(c.v) is not str:
                    ann.v[k] = Node(_text(c), c.o)


def _has_build_annotations(res: Resource) -> bool:
    s = res.state
    return bool(s.prev_ids or s.needs_hash or s.behavior or s.generated_by)
