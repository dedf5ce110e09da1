"""The patch stages of a kustomization: ``patchesStrategicMerge``, ``patches`` and
``patchesJson6902`` (Kustomize's PatchStrategicMergeTransformer, PatchTransformer and
PatchJson6902Transformer).

- ``patchesStrategicMerge`` entries are inline YAML when the string parses as resources,
  else file paths; each patch document is applied to the one resource with its id.
- ``patches`` entries hold a ``path`` or an inline ``patch``; the text is a JSON6902 patch
  when it is a list, a strategic merge patch when it is resources. Without ``target`` an SMP
  patch applies to the resource with its own id; with one, to every selected resource (the
  patch's own name is then ignored). ``options.allowNameChange``/``allowKindChange`` let an
  SMP patch rename a resource or change its kind; otherwise name, namespace and kind
  are restored after the merge, as in Kustomize.
- ``patchesJson6902`` entries need a ``target`` with a name and a ``path`` or ``patch``.
"""
from __future__ import annotations

from ..core.errors import OverlayLintError, at
from ..core.node import Node, Origin
from ..core.yaml_reader import parse_embedded
from .budget import Budget, check_depth, count_nodes
from .json6902 import Op, apply_ops, decode_ops, node_at, pointer_value
from .resource import Resource, ResId, Selector
from .smp import find, patch_values, strategic_merge
from .touched import EMPTY_PATCH, Touched

_PATCH_KEYS = {"path", "patch", "target", "options"}
_TARGET_KEYS = {"group", "version", "kind", "name", "namespace", "labelSelector",
                "annotationSelector"}


# --- stages -----------------------------------------------------------------------------

def apply_patches_strategic_merge(acc, kust, ctx) -> None:
    """``patchesStrategicMerge``: each patch document patches the resource with its id."""
    patches: list[tuple[Resource, Touched]] = []
    for entry in kust.items("patchesStrategicMerge"):
        if type(entry.v) is not str:
            raise at(entry.o, "each entry of 'patchesStrategicMerge' must be a string "
                              "(a file path or an inline patch)")
        docs = _inline_resources(entry)
        path = None
        if docs is None:
            path = ctx.loader.file(kust.dir, entry.v, entry.o, "patch")
            docs = _file_docs(path, ctx, entry.o)
        found = _smp_docs(docs, entry)
        rec = ctx.record("PatchStrategicMergeTransformer", "patchesStrategicMerge", entry.o,
                         kust, path)
        patches.extend((p, rec) for p in found)
    if kust.field("patchesStrategicMerge") is not None and not patches:
        raise at(kust.location("patchesStrategicMerge"), "patchesStrategicMerge is empty")
    ids = _IdIndex(acc.resmap)
    for patch, rec in patches:
        target = _unique_target(ids, patch)
        if _apply_smp(acc, target, patch, name_ok=False, kind_ok=False, set_gvk=True,
                      rec=rec, budget=ctx.loader.budget):
            ids.reset()


def apply_patches(acc, kust, ctx) -> None:
    """``patches``: strategic merge or JSON6902 patches, with optional target selectors."""
    ids = _IdIndex(acc.resmap)
    for entry in kust.items("patches"):
        if not entry.is_map:
            raise at(entry.o, "each entry of 'patches' must be a mapping with 'path' or 'patch'")
        _check_keys(entry, _PATCH_KEYS, "patches entry")
        target = _target(entry)
        options = _options(entry)
        doc_nodes, holder, path = _patch_text(entry, kust, ctx, "patches")
        rec = ctx.record("PatchTransformer", "patches", entry.o, kust, path)
        if target is not None and not any(d is not None for d in doc_nodes):
            rec.notes.append(EMPTY_PATCH)
            continue  # an empty patch file with a target: Kustomize applies no operations
        kind = _classify(doc_nodes, holder)
        if kind == "json":
            if target is None:
                raise at(holder.o, "a JSON6902 patch needs a 'target' to say which resources "
                                   "it applies to")
            first = next(d for d in doc_nodes if d is not None)
            ops = decode_ops(first, holder.o)
            for res in acc.resmap.select(target):
                res.store_previous_id()
                _apply_json(res, ops, rec, ctx.loader.budget, bool(ctx.meta))
            ids.reset()  # the operations may have renamed something
            continue
        patches = _smp_docs(doc_nodes, holder)
        name_ok = options.get("allowNameChange", False)
        kind_ok = options.get("allowKindChange", False)
        if target is not None:
            if len(patches) > 1:
                raise at(entry.get("target").o, "a 'patches' entry with a 'target' may hold only "
                                                "one strategic merge patch; split the documents "
                                                "into separate entries")
            for res in acc.resmap.select(target):
                if _apply_smp(acc, res, patches[0], name_ok, kind_ok, set_gvk=True, rec=rec,
                              budget=ctx.loader.budget):
                    ids.reset()
            continue
        for patch in patches:
            res = _unique_target(ids, patch)
            if _apply_smp(acc, res, patch, name_ok, kind_ok, set_gvk=False, rec=rec,
                          budget=ctx.loader.budget):
                ids.reset()


def apply_patches_json6902(acc, kust, ctx) -> None:
    """``patchesJson6902``: JSON6902 operations applied to the resources ``target`` selects."""
    for entry in kust.items("patchesJson6902"):
        if not entry.is_map:
            raise at(entry.o, "each entry of 'patchesJson6902' must be a mapping with "
                              "'target' and 'path' or 'patch'")
        _check_keys(entry, _PATCH_KEYS, "patchesJson6902 entry")
        target = _target(entry)
        tnode = entry.get("target")
        if target is None or not target.name:
            raise at((tnode or entry).o, "a patchesJson6902 entry needs 'target' with a 'name'")
        doc_nodes, holder, path = _patch_text(entry, kust, ctx, "patchesJson6902")
        first = next((d for d in doc_nodes if d is not None), None)
        ops = decode_ops(first, holder.o)
        rec = ctx.record("PatchJson6902Transformer", "patchesJson6902", entry.o, kust, path)
        for res in acc.resmap.select(target):
            _apply_json(res, ops, rec, ctx.loader.budget, bool(ctx.meta))


# --- reading patches -------------------------------------------------------------------

def _check_keys(node: Node, allowed: set[str], what: str) -> None:
    for key, child in node.items():
        if key not in allowed:
            raise at(child.o, f"unknown field '{key}' in {what} "
                              f"(allowed: {', '.join(sorted(allowed))})")


def _target(entry: Node) -> Selector | None:
    t = entry.get("target")
    if t is None or t.v is None:
        return None
    if t.is_map:
        _check_keys(t, _TARGET_KEYS, "patch target")
    return Selector.from_node(t)


def _options(entry: Node) -> dict[str, bool]:
    o = entry.get("options")
    if o is None or o.v is None:
        return {}
    if not o.is_map:
        raise at(o.o, "patch 'options' must be a mapping of booleans")
    out = {}
    for k, c in o.items():
        if type(c.v) is not bool:
            raise at(c.o, f"patch option '{k}' must be true or false")
        out[k] = c.v
    return out


def _patch_text(entry: Node, kust, ctx, field: str) -> tuple[list, Node, str | None]:
    """The parsed documents of an entry's ``path`` or inline ``patch``, the node that
    locates the patch as a whole (for errors) and the file read (None: inline)."""
    path_n, patch_n = entry.get("path"), entry.get("patch")
    has_path = path_n is not None and path_n.v not in (None, "")
    has_patch = patch_n is not None and isinstance(patch_n.v, str) and patch_n.v.strip() != ""
    if patch_n is not None and patch_n.v is not None and not isinstance(patch_n.v, str):
        raise at(patch_n.o, f"'patch' in {field} must be a string (use 'patch: |' and the "
                            "patch text below it)")
    if has_path and has_patch:
        raise at(entry.o, f"a {field} entry may have 'path' or 'patch', not both")
    if not has_path and not has_patch:
        raise at(entry.o, f"a {field} entry needs 'path' (a file) or 'patch' (inline text)")
    if has_patch:
        # ``patches`` trims an inline patch, ``patchesJson6902`` does not
        _json_if_bracket(patch_n.v.strip() if field == "patches" else patch_n.v, patch_n)
        return parse_embedded(patch_n.v, patch_n), patch_n, None
    if type(path_n.v) is not str:
        raise at(path_n.o, "'path' must be a string")
    path = ctx.loader.file(kust.dir, path_n.v, path_n.o, "patch")
    _json_if_bracket(ctx.loader.read_text(path, path_n.o), path_n)
    docs = _file_docs(path, ctx, path_n.o)
    if not any(d is not None for d in docs) and (field != "patches" or entry.get("target") is None):
        raise at(path_n.o, f"patch file '{path_n.v}' is empty")
    return docs, path_n, path


def _json_if_bracket(text: str, holder: Node) -> None:
    """Kustomize decodes patch text starting with ``[`` as JSON, not YAML: a flow-style
    YAML list such as ``[{op: add, ...}]`` is refused there, so it is refused here."""
    if not text.startswith("["):
        return
    import json
    try:
        json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:
        raise at(holder.o, "patch text starting with '[' is read as JSON by Kustomize, and "
                           f"this is not valid JSON ({exc}); quote the keys and strings, or "
                           "write the operations as a YAML block list") from None


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _file_docs(path: str, ctx, origin: Origin | None = None) -> list:
    # loader documents are cached and shared: clone before the merge consumes them
    return [d.clone() if d is not None else None for d in ctx.loader.documents(path, origin)]


def _inline_resources(entry: Node) -> list | None:
    """Documents of a ``patchesStrategicMerge`` string when it is inline YAML, else None."""
    text = entry.v
    if "\n" not in text.strip() and ":" not in text:
        return None
    try:
        docs = parse_embedded(text, entry)
    except OverlayLintError:  # not YAML: Kustomize then reads it as a file path
        return None
    real = [d for d in docs if d is not None]
    if not real or not all(d.is_map for d in real):
        return None
    return docs


def _classify(docs: list, holder: Node) -> str:
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


def _smp_docs(docs: list, holder: Node) -> list[Resource]:
    """Patch documents as resources: each needs ``kind`` and ``metadata.name``."""
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
            out.extend(_smp_docs(list(items.v), holder))
            continue
        md = d.get("metadata")
        name = md.get("name") if md is not None and md.is_map else None
        if name is None or name.v in (None, ""):
            raise at((md or d).o, "strategic merge patch is missing 'metadata.name'")
        out.append(Resource(d, d.o[0] if d.o else None))
    if not out:
        raise at(holder.o, "patch appears to be empty")
    return out


# --- applying ----------------------------------------------------------------------------

class _IdIndex:
    """Resources by current and previous ids, built once per stage instead of scanning
    the resource map for every patch; reset after anything that may change ids."""

    def __init__(self, resmap) -> None:
        self.resmap = resmap
        self.map: dict[tuple, list[Resource]] | None = None

    def reset(self) -> None:
        self.map = None

    def find(self, rid: ResId) -> list[Resource]:
        if self.map is None:
            self.map = {}
            for r in self.resmap:
                for k in dict.fromkeys(_key(i) for i in (*r.prev_ids, r.cur_id())):
                    self.map.setdefault(k, []).append(r)
        return list(self.map.get(_key(rid), ()))


def _key(rid: ResId) -> tuple:
    return (rid.group, rid.version, rid.kind, rid.name, rid.effective_ns)


def _unique_target(ids: _IdIndex, patch: Resource) -> Resource:
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


def _apply_smp(acc, res: Resource, patch: Resource, name_ok: bool, kind_ok: bool,
               set_gvk: bool, rec: Touched, budget: Budget | None = None) -> bool:
    """Kustomize's Resource.ApplySmPatch (with ResMap.ApplySmPatch's gvk copy when
    ``set_gvk``): merge, then restore name/namespace/kind unless allowed to change.
    True when resource ids may have changed (a rename or a deletion)."""
    if budget is not None:  # the copy, and the merge walking it
        budget.spend("nodes", 2 * _size(patch), patch.node.o)
    p = patch.node.clone()
    if set_gvk:  # the patch takes the target's apiVersion, keeps its own kind
        av = res.node.get("apiVersion")
        if av is not None:
            p.v["apiVersion"] = av.clone()
        _stringify_metadata_maps(p)
    md = res.node.get("metadata")
    old_name = md.get("name") if md is not None and md.is_map else None
    old_ns = md.get("namespace") if md is not None and md.is_map else None
    old_kind = res.node.get("kind")
    if name_ok or kind_ok:
        res.store_previous_id()
    rec.select(res)
    sets = patch_values(p, res.api_version, res.kind, skip_ids=not (name_ok or kind_ok))
    before = []
    for steps, _n in sets:
        b, bpath = find(res.node, steps)
        before.append((b is not None, None if b is None else b.data(), bpath))
    merged = strategic_merge(p, res.node)
    if merged is None or (merged.is_map and not merged.v):
        rec.set(res, (), str(res.cur_id()), None, p.o, changed=True)
        acc.resmap.remove(res)
        return True
    if not merged.is_map:
        raise at(p.o, "strategic merge patch turned the resource into a non-mapping")
    res.node = merged
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
    return name_ok or kind_ok


def _stringify_metadata_maps(patch: Node) -> None:
    """ResMap.ApplySmPatch rewrites the patch's labels and annotations as string maps
    before merging: ``b: null`` becomes the string "null" and an empty or null map
    disappears (so it cannot clear the resource's labels)."""
    md = patch.v.get("metadata")
    if md is None or not md.is_map:
        return
    for field in ("labels", "annotations"):
        m = md.v.get(field)
        if m is None:
            continue
        if not m.is_map or not m.v:
            del md.v[field]
            continue
        m.v = {k: Node(_text(c), c.o) for k, c in m.v.items()}


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
    return str(v)


def _metadata(node: Node) -> Node:
    md = node.v.get("metadata")
    if md is None or not md.is_map:
        md = Node({}, node.o)
        node.v["metadata"] = md
    return md


def _apply_json(res: Resource, ops: list[Op], rec: Touched, budget: Budget | None = None,
                annotated: bool = False) -> None:
    """``annotated``: the build tracks origins (buildMetadata), so every object carries
    build annotations while it is patched."""
    what = f"{res.kind} '{res.name}'"
    rec.select(res)
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
    return bool(res.prev_ids or res.needs_hash or res.behavior or res.generated_by
                or res.ref_by)


__all__ = ["apply_patches_strategic_merge", "apply_patches", "apply_patches_json6902"]
