"""``configMapGenerator`` / ``secretGenerator`` and the content-hash name suffix.

Follows Kustomize v5 (api/kv, api/internal/generators, resmap appendReplaceOrMerge,
api/hasher): data pairs come from env files, then literals, then files; a key may appear
once; generated objects are absorbed into the accumulated resources with behavior
create / merge / replace; the hash suffix is added once, after the whole tree is built.

Provenance: a literal's value points at its literal line, file content at the ``files:``
or ``envs:`` entry line; the object itself (name, kind, apiVersion) at the generator
entry's ``name:`` line.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import base64
import hashlib
import os
import posixpath

from ..core.errors import at
from ..core.node import Node, Origin
from .metadata import join_path, origin_text
from .resource import Resource
from .touched import Touched

if TYPE_CHECKING:  # import cycle otherwise: build imports the stages
    from .build import Accumulator, BuildContext
    from .kustomization import Kustomization

_ENTRY_KEYS = {"name", "namespace", "behavior", "literals", "files", "envs", "env", "options"}
_OPTION_KEYS = {"labels", "annotations", "disableNameSuffixHash", "immutable"}
_BEHAVIORS = ("", "create", "merge", "replace")
_BOM = b"\xef\xbb\xbf"
# Go's unicode.IsSpace for the characters an env line may start with.
_GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007" \
            "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


class _Options:
    """Generator options after merging the global ``generatorOptions`` in."""

    def __init__(self) -> None:
        self.labels: dict[str, Node] = {}
        self.annotations: dict[str, Node] = {}
        self.disable_hash = False
        self.immutable: Node | None = None  # the node that asked for it


# --- public stages -------------------------------------------------------------------------

def run_generators(acc: Accumulator, kust: Kustomization, ctx: BuildContext) -> None:
    """Generate this kustomization's ConfigMaps then Secrets and absorb them (Kustomize order)."""
    gopts_node = kust.field("generatorOptions")
    global_opts = _parse_options(gopts_node, "generatorOptions") if gopts_node is not None else None
    for kind, field in (("ConfigMap", "configMapGenerator"), ("Secret", "secretGenerator")):
        for entry in kust.items(field):
            res = generate(kind, field, entry, kust, ctx, global_opts)
            if ctx.meta:
                res.meta_origin = _configured_in(kust, ctx, f"{kind}Generator")
            rec = ctx.record(f"{kind}Generator", field, entry.o, kust)
            absorb(acc.resmap, res, entry.o, rec)


def _configured_in(kust, ctx, by: str) -> str:
    return origin_text([("configuredIn",
                         join_path(ctx.meta_prefix, os.path.basename(kust.path)))], by)


def add_hashes(acc: Accumulator, ctx: BuildContext) -> None:
    """Append the content hash to every generated name that wants one (HashTransformer)."""
    for res in acc.resmap:
        if res.needs_hash:
            h = content_hash(res.node)
            res.store_previous_id()
            res.set_name(f"{res.name}-{h}")


# --- generation ----------------------------------------------------------------------------

def generate(kind: str, field: str, entry: Node, kust, ctx, global_opts) -> Resource:
    if not entry.is_map:
        raise at(entry.o, f"each entry of '{field}' must be a mapping")
    allowed = _ENTRY_KEYS | ({"type"} if kind == "Secret" else set())
    for key, child in entry.items():
        if key not in allowed:
            raise at(child.o, f"unknown field '{key}' in {field} entry "
                              f"(known: {', '.join(sorted(allowed))})")
    name_n = entry.get("name")
    if name_n is None or name_n.v in (None, ""):
        raise at(entry.o, f"a {field} entry must have a name")
    if type(name_n.v) is not str:
        raise at(name_n.o, f"{field} name must be a string")
    o = name_n.o
    ns_n = _opt_str(entry, "namespace", field)
    behavior_n = _opt_str(entry, "behavior", field)
    behavior = behavior_n.v if behavior_n is not None else ""
    if behavior not in _BEHAVIORS:
        raise at(behavior_n.o, f"unknown behavior '{behavior}': use create, merge or replace")

    opts_n = entry.get("options")
    local = None
    if opts_n is not None and opts_n.v is not None:
        local = _parse_options(opts_n, f"{field} options")
    opts = _merge_global(local, global_opts)

    pairs = _load_pairs(entry, field, kust, ctx)
    root = Node({}, o)
    root.v["apiVersion"] = Node("v1", o)
    root.v["kind"] = Node(kind, o)
    md = Node({"name": Node(name_n.v, o)}, o)
    if ns_n is not None and ns_n.v:
        md.v["namespace"] = Node(ns_n.v, ns_n.o)
    root.v["metadata"] = md
    if kind == "Secret":
        type_n = _opt_str(entry, "type", field)
        root.v["type"] = Node(type_n.v, type_n.o) if type_n is not None and type_n.v \
            else Node("Opaque", o)
        data = Node({}, o)  # Kustomize always creates a Secret's data map
        for key, (value, vo) in sorted(pairs.items()):
            data.v[key] = Node(encode_base64(value), vo)
        root.v["data"] = data
    else:
        for key, (value, vo) in sorted(pairs.items()):
            if type(value) is bytes:
                _ensure(root, "binaryData", o).v[key] = Node(encode_base64(value), vo)
            else:
                _ensure(root, "data", o).v[key] = Node(value, vo)
    if opts is not None:
        for which, src in (("labels", opts.labels), ("annotations", opts.annotations)):
            for k in sorted(src):
                _ensure(md, which, src[k].o).v[k] = Node(src[k].v, src[k].o)
        if opts.immutable is not None:
            root.v["immutable"] = Node(True, opts.immutable.o)

    res = Resource(root, None)
    res.generated_by = o
    res.behavior = behavior
    res.needs_hash = not (opts is not None and opts.disable_hash)
    return res


def _ensure(parent: Node, key: str, origin: Origin) -> Node:
    child = parent.v.get(key)
    if child is None:
        child = Node({}, origin)
        parent.v[key] = child
    return child


def _opt_str(entry: Node, key: str, what: str) -> Node | None:
    n = entry.get(key)
    if n is None or n.v is None:
        return None
    if type(n.v) is not str:
        raise at(n.o, f"{what} {key} must be a string")
    return n


def _str_list(entry: Node, key: str, what: str) -> list[Node]:
    n = entry.get(key)
    if n is None or n.v is None:
        return []
    if not n.is_seq:
        raise at(n.o, f"{what} {key} must be a list of strings")
    for item in n.v:
        if type(item.v) is not str:
            raise at(item.o, f"each entry of {what} {key} must be a string")
    return list(n.v)


def _parse_options(node: Node, what: str) -> _Options:
    if not node.is_map:
        raise at(node.o, f"{what} must be a mapping")
    opts = _Options()
    for key, child in node.items():
        if key not in _OPTION_KEYS:
            raise at(child.o, f"unknown field '{key}' in {what} "
                              f"(known: {', '.join(sorted(_OPTION_KEYS))})")
        if key in ("labels", "annotations"):
            if child.v is None:
                continue
            if not child.is_map:
                raise at(child.o, f"{what} {key} must be a mapping of strings")
            target = opts.labels if key == "labels" else opts.annotations
            for k, v in child.items():
                if type(v.v) is not str:
                    raise at(v.o, f"{what} {key}: the value of '{k}' must be a string "
                                  "(quote it)")
                target[k] = v
        else:
            if child.v is not None and type(child.v) is not bool:
                raise at(child.o, f"{what} {key} must be true or false")
            if key == "disableNameSuffixHash":
                opts.disable_hash = bool(child.v)
            elif child.v:
                opts.immutable = child
    return opts


def _merge_global(local: _Options | None, glob: _Options | None) -> _Options | None:
    """Kustomize's MergeGlobalOptionsIntoLocal: local labels win, flags are or-ed."""
    if glob is None:
        return local
    out = _Options()
    if local is not None:
        out.labels = dict(local.labels)
        out.annotations = dict(local.annotations)
        out.disable_hash = local.disable_hash
        out.immutable = local.immutable
    for k, v in glob.labels.items():
        out.labels.setdefault(k, v)
    for k, v in glob.annotations.items():
        out.annotations.setdefault(k, v)
    out.disable_hash = out.disable_hash or glob.disable_hash
    if out.immutable is None:
        out.immutable = glob.immutable
    return out


# --- key/value sources (api/kv) --------------------------------------------------------------

def _load_pairs(entry: Node, field: str, kust, ctx) -> dict[str, tuple]:
    """Key -> (value str|bytes, origin), in Kustomize's order: envs, literals, files."""
    what = f"{field} '{entry.get('name').v}'"
    envs = _str_list(entry, "envs", field)
    env_n = _opt_str(entry, "env", field)
    if env_n is not None and env_n.v:
        envs.append(env_n)
    out: dict[str, tuple] = {}

    def add(key: str, value, origin: Origin) -> None:
        if key in out:
            raise at(origin, f"{what} repeats the key '{key}'; each key may appear once")
        out[key] = (value, origin)

    for item in envs:
        raw = _read_bytes(kust, ctx, item, "env file")
        for key, value in parse_env(raw, item.o):
            add(key, value, item.o)
    for item in _str_list(entry, "literals", field):
        key, value = parse_literal(item.v, item.o)
        add(key, value, item.o)
    for item in _str_list(entry, "files", field):
        key, rel = parse_file_source(item.v, item.o)
        raw = _read_bytes(kust, ctx, Node(rel, item.o), "file")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw  # not UTF-8: ConfigMaps keep it under binaryData
        add(key, value, item.o)
    return out


def _read_bytes(kust, ctx, item: Node, what: str) -> bytes:
    from ..core.yaml_reader import LIMITS
    path = ctx.loader.file(kust.dir, item.v, item.o, what)
    try:
        if os.path.getsize(path) > LIMITS.max_file_bytes:
            raise at(item.o, f"{what} '{item.v}' is over the "
                             f"{LIMITS.max_file_bytes}-byte limit")
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise at(item.o, f"cannot read {what} '{item.v}': {exc.strerror or exc}") from None


def parse_literal(source: str, origin: Origin | None) -> tuple[str, str]:
    """``key=value`` (the value may hold ``=``); surrounding matching quotes are dropped."""
    if source.startswith("=") or "=" not in source:
        raise at(origin, f"invalid literal source '{source}', expected key=value")
    key, value = source.split("=", 1)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return key, value


def parse_file_source(source: str, origin: Origin | None) -> tuple[str, str]:
    """``path`` (key = file name) or ``key=path``."""
    n = source.count("=")
    if n == 0:
        return posixpath.basename(source), source
    if n == 1 and source.startswith("="):
        raise at(origin, f"missing key name for file path '{source[1:]}' in '{source}'")
    if n == 1 and source.endswith("="):
        raise at(origin, f"missing file path for key name '{source[:-1]}' in '{source}'")
    if n > 1:
        raise at(origin, f"file source '{source}': key name or file path contains '='")
    key, path = source.split("=")
    return key, path


def parse_env(raw: bytes, origin: Origin | None) -> list[tuple[str, str]]:
    """Env-file pairs as Kustomize reads them: ``KEY=value``, ``KEY`` (empty value),
    blank lines and ``#`` comments skipped, leading whitespace dropped, nothing else trimmed."""
    out = []
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # bufio.ScanLines yields no token after a final newline
    for i, line in enumerate(lines):
        if line.endswith(b"\r"):
            line = line[:-1]
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            raise at(origin, f"env file line {i + 1} is not valid UTF-8") from None
        if i == 0 and text.startswith("\ufeff"):
            text = text[1:]
        text = text.lstrip(_GO_SPACE)
        if not text or text[0] == "#":
            continue
        key, _, value = text.partition("=")
        if key:  # Kustomize drops a line with an empty key ("=value") like a comment
            out.append((key, value))
    return out


def encode_base64(value: "str | bytes") -> str:
    """Base64 as Kustomize writes it: in 70-character lines, each ending in a newline, once
    the encoding is 70 characters or longer."""
    raw = value if type(value) is bytes else value.encode("utf-8", "surrogateescape")
    enc = base64.b64encode(raw).decode("ascii")
    if len(enc) < 70:
        return enc
    return "".join(enc[i:i + 70] + "\n" for i in range(0, len(enc), 70))


# --- absorbing generated objects (resWrangler.appendReplaceOrMerge) -----------------------------

def absorb(resmap, res: Resource, origin: Origin | None, rec: Touched | None = None) -> None:
    """Add a generated object, or merge it into / let it replace the one it names."""
    rid = res.cur_id()
    matches = resmap.by_any_id(rid)
    if not matches:
        if res.behavior in ("merge", "replace"):
            raise at(origin, f"{rid.kind} '{rid.name}' has behavior '{res.behavior}' but no "
                             "such object exists in the resources; use behavior create")
        resmap.append(res, origin)
        if rec is not None:
            rec.select(res)
            _record_data(rec, res, None, res.node)
        return
    if len(matches) > 1:
        raise at(origin, f"{len(matches)} objects could accept the merge of {rid}; "
                         "cannot pick one")
    old = matches[0]
    if res.behavior not in ("merge", "replace"):
        raise at(origin, f"{rid.kind} '{rid.name}' already exists; set behavior to merge or "
                         "replace to change it")
    behavior = res.behavior  # _copy_merge_metadata takes over old's build state, behavior too
    _copy_merge_metadata(res, old)
    if behavior == "merge":
        for key in ("data", "binaryData"):
            _merge_string_map(res.node, old.node, key)
    resmap.replace(old, res)
    if rec is not None:
        rec.select(res)
        _record_data(rec, res, old.node, res.node)


def _record_data(rec: Touched, res: Resource, old: Node | None, new: Node) -> None:
    """One change per data key a generator entry sets (or drops, for replace)."""
    for key in ("data", "binaryData", "stringData"):
        before = old.get(key) if old is not None else None
        after = new.get(key)
        b = before.v if before is not None and type(before.v) is dict else {}
        a = after.v if after is not None and type(after.v) is dict else {}
        for k in dict.fromkeys([*a, *b]):
            bn, an = b.get(k), a.get(k)
            rec.set(res, (key, k), None if bn is None else bn.v, None if an is None else an.v,
                    an.o if an is not None else rec.origin,
                    changed=True if (bn is None) != (an is None) else None)


def _copy_merge_metadata(res: Resource, old: Resource) -> None:
    """Labels and annotations merged (new wins), name, namespace and build state from ``old``."""
    md = res.metadata()
    old_md = old.node.get("metadata")
    for key in ("labels", "annotations"):
        merged: dict[str, Node] = {}
        for src in (old_md.get(key) if old_md is not None else None, md.get(key)):
            if src is not None and src.is_map:
                for k, v in src.items():
                    merged[k] = v if type(v.v) is str else Node(_text(v.v), v.o)
        if merged:
            holder = md.get(key)
            o = holder.o if holder is not None else old_md.get(key).o
            md.v[key] = Node(dict(sorted(merged.items())), o)
        else:
            md.v.pop(key, None)
    old_name = old_md.get("name") if old_md is not None else None
    if old_name is not None:
        md.v["name"] = old_name
    old_ns = old_md.get("namespace") if old_md is not None else None
    if old_ns is not None and old_ns.v:
        md.v["namespace"] = old_ns
    else:
        md.v.pop("namespace", None)
    res.take_build_state(old)
    res.needs_hash = res.needs_hash and old.needs_hash


def _merge_string_map(new_root: Node, old_root: Node, key: str) -> None:
    merged: dict[str, Node] = {}
    holder_o = None
    for src in (old_root.get(key), new_root.get(key)):
        if src is not None and src.is_map:
            holder_o = src.o
            for k, v in src.items():
                merged[k] = v if type(v.v) is str else Node(_text(v.v), v.o)
    if merged:
        new_root.v[key] = Node(dict(sorted(merged.items())), holder_o)
    else:
        new_root.v.pop(key, None)


def _text(v) -> str:
    """A scalar's YAML text (what Kustomize's GetValue returns)."""
    if v is None:
        return ""
    from ..core.yaml_writer import scalar_text
    return scalar_text(v)


# --- the content hash (api/hasher) -------------------------------------------------------------

def content_hash(node: Node) -> str:
    """The 10-character suffix Kustomize derives from a ConfigMap's or Secret's content."""
    kind = node.str_at("kind") or ""
    # Kustomize looks the name up as ONE field called "metadata/name", which never exists:
    # the name does not take part in the hash.
    name_v = _hash_field(node, "metadata/name")
    if kind == "ConfigMap":
        m = {"kind": "ConfigMap", "name": name_v, "data": _hash_field(node, "data")}
        bd = node.get("binaryData")
        if bd is not None and bd.is_map:
            m["binaryData"] = bd.data()
    elif kind == "Secret":
        t = node.get("type")
        m = {"kind": "Secret", "type": _text(t.v) if t is not None and t.is_scalar else "",
             "name": name_v, "data": _hash_field(node, "data")}
        sd = node.get("stringData")
        if sd is not None and sd.is_map:
            m["stringData"] = sd.data()
    else:
        m = node.data()
    digest = hashlib.sha256(go_json(m).encode("utf-8")).hexdigest()
    return digest[:10].translate(_HASH_MAP)


_HASH_MAP = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})


def _hash_field(node: Node, key: str):
    n = node.get(key)
    if n is None:
        return ""
    if n.is_scalar:
        return _text(n.v) if n.v is not None else ""
    return n.data()


def go_json(v) -> str:
    """JSON exactly as Go's encoding/json writes it (sorted keys, HTML-safe escapes)."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    t = type(v)
    if t is int:
        # numbers pass through float64 in Kustomize (JSON decode into interface{})
        return str(v) if abs(v) <= 2 ** 53 else _go_float(float(v))
    if t is float:
        return _go_float(v)
    if t is str:
        return _go_str(v)
    if t is dict:
        return "{" + ",".join(_go_str(k) + ":" + go_json(v[k]) for k in sorted(v)) + "}"
    if t is list:
        return "[" + ",".join(go_json(x) for x in v) + "]"
    return _go_str(str(v))


def _go_float(f: float) -> str:
    """A float64 as Go's encoding/json prints it (shortest digits; 'e' form outside
    [1e-6, 1e21))."""
    if f != f or f in (float("inf"), float("-inf")):
        return "null"  # Go refuses these; never produced by YAML data we load
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        return repr(f)
    from decimal import Decimal
    text = format(Decimal(repr(f)), "f")
    return text[:-2] if text.endswith(".0") else text


_GO_ESC = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t",
           "<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
           "\u2028": "\\u2028", "\u2029": "\\u2029"}


def _go_str(s: str) -> str:
    out = ['"']
    for ch in s:
        e = _GO_ESC.get(ch)
        if e is not None:
            out.append(e)
        elif ch < " ":
            out.append("\\u%04x" % ord(ch))
        elif "\ud800" <= ch <= "\udfff":
            out.append("\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)
