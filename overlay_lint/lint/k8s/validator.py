"""A validator specialised for Kubernetes schemas, run over the ``Node`` tree of a resource.

Why not a general JSON Schema library: the built-in schemas use a handful of keywords
(``type``, ``properties``, ``additionalProperties``, ``items``, ``required``, ``$ref`` and
two ``oneOf`` type unions), and the API server's rules differ from JSON Schema's in ways
that matter for false positives: ``null`` is accepted anywhere (Go decodes it to the zero
value; structural schemas prune it), an object type lists every field it has (strict field
validation rejects the others, as ``kubectl apply --validate=strict`` does), an integral
``1.0`` is an integer, quantities and base64 have their own grammar. Walking the ``Node``
tree directly also gives each failure its source line without a second lookup.

Schemas are compiled lazily into ``Schema`` objects: a type's fields are compiled when a
resource first uses them, so a run pays only for the kinds and fields it meets.

Three flavours (``Compiler.mode``):
- ``builtin``: Kubernetes definitions; an object type with ``properties`` and no
  ``additionalProperties`` is closed; enum values come from a generated table
  (``data/enums.json``) since the schemas carry them only in prose;
- ``crd``: a CRD's ``openAPIV3Schema`` (a structural schema): an object without
  ``x-kubernetes-preserve-unknown-fields`` keeps only the fields it declares (the API
  server prunes the others, strict validation reports them); value validations
  (enum, bounds, lengths, pattern, allOf/anyOf/oneOf/not) are checked; CEL rules are not;
- ``jsonschema``: a plain JSON Schema from a configured folder: open objects unless
  ``additionalProperties: false``.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from ...core.named_tuple import NamedTuple  # typing's, without its compiles at import
from ...core.node import Node, Origin
from ..schema_check import path_text

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_QUANTITY_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
                          r"(?:[eE][+-]?[0-9]+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?")
# ${VAR}, ${VAR:=default}, ${VAR:-default}: Flux post-build substitution and envsubst
_PLACEHOLDER = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=+][^}]*)?\}")
_BASE64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_INT_RANGE = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}
_TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "a string",
               "integer": "an integer", "number": "a number", "boolean": "true or false"}


class Failure(NamedTuple):
    """One schema violation: where (origin, field path), what (code, message)."""

    origin: Origin | None
    path: tuple
    code: str          # unknown-field | type | enum | required | format | value
    message: str
    value: Any = None


class Schema:
    """A compiled schema node. Fields of object types are compiled on first use."""

    __slots__ = ("types", "pytypes", "closed", "preserve", "addl", "items", "required",
                 "enum", "fmt", "embedded", "checks", "branches", "_props_raw", "_props",
                 "_compiler", "_prop_enums")

    def __init__(self) -> None:
        self.types: frozenset | None = None     # allowed JSON types; None: any
        self.pytypes: frozenset | None = None   # the Python types of those (set by _fill)
        self.closed = False                     # unknown fields are reported
        self.preserve = False                   # x-kubernetes-preserve-unknown-fields
        self.addl: Schema | None = None
        self.items: Schema | None = None
        self.required: tuple = ()
        self.enum: frozenset | None = None
        self.fmt: str | None = None
        self.embedded = False
        self.checks: tuple = ()                 # (keyword, argument) value validations
        self.branches: tuple = ()               # (allOf|anyOf|oneOf|not, [Schema])
        self._props_raw: dict = {}
        self._props: dict = {}
        self._compiler: Compiler | None = None
        self._prop_enums: dict = {}

    def prop(self, key: str) -> "Schema | None":
        """The schema of field ``key`` (additionalProperties for map values), or None."""
        s = self._props.get(key, False)
        if s is not False:
            return s
        raw = self._props_raw.get(key)
        if raw is None or self._compiler is None:
            s = self.addl
        else:
            s = self._compiler.compile(raw, enum=self._prop_enums.get(key))
        self._props[key] = s
        return s

    def prop_names(self) -> list[str]:
        return list(self._props_raw)


ANY = Schema()


class Compiler:
    """Compiles raw schema dicts of one source (a Kubernetes version, a CRD, a file)."""

    def __init__(self, mode: str, defs: Any = None,
                 enums: dict[str, dict[str, list]] | None = None,
                 relax_required: Callable[[str, str], bool] | None = None,
                 object_meta: Schema | None = None) -> None:
        self.mode = mode
        self.defs = defs or {}
        self.enums = enums or {}
        self.relax_required = relax_required
        self.object_meta = object_meta
        self._by_def: dict[str, Schema] = {}

    def definition(self, name: str) -> Schema | None:
        s = self._by_def.get(name)
        if s is None:
            raw = self.defs.get(name)
            if raw is None:
                return None
            s = Schema()
            self._by_def[name] = s   # before filling: recursive types refer to themselves
            self._fill(s, raw, name)
        return s

    def compile(self, raw: Any, enum: list | None = None) -> Schema:
        if not isinstance(raw, dict):
            return ANY
        ref = raw.get("$ref")
        if isinstance(ref, str):
            if self.mode == "builtin":
                return self.definition(ref.rsplit("/", 1)[-1]) or ANY
            return ANY   # references in CRD or user schemas are not followed
        s = Schema()
        self._fill(s, raw, "", enum)
        return s

    # -- compilation ----------------------------------------------------------------------
    def _fill(self, s: Schema, raw: dict, name: str, enum: list | None = None) -> None:
        s._compiler = self
        if self.mode == "builtin":
            self._fill_builtin(s, raw, name, enum)
        else:
            self._fill_openapi(s, raw)
        if s.types is not None:
            s.pytypes = frozenset(py for t in s.types for py in _PY_TYPES.get(t, ()))

    def _fill_builtin(self, s: Schema, raw: dict, name: str, enum: list | None) -> None:
        if name == _QUANTITY:
            s.types, s.fmt = frozenset(("string", "number")), "quantity"
            return
        if name == _INT_OR_STRING:
            s.types = frozenset(("string", "integer"))
            return
        types = _types(raw.get("type"))
        if types is None and isinstance(raw.get("oneOf"), list):
            union: set = set()
            for alt in raw["oneOf"]:
                t = _types(alt.get("type")) if isinstance(alt, dict) else None
                if t is None:
                    union = set()
                    break
                union |= t
            types = frozenset(union) if union else None
        s.types = types
        s.fmt = raw.get("format")
        props = raw.get("properties")
        if isinstance(props, dict):
            s._props_raw = props
            s.closed = "additionalProperties" not in raw
            s._prop_enums = self.enums.get(name, {}) if name else {}
            req = [r for r in raw.get("required") or () if isinstance(r, str)]
            s.required = tuple(r for r in req if not _bool_field(props.get(r))
                               and not (self.relax_required and self.relax_required(name, r)))
        ap = raw.get("additionalProperties")
        if isinstance(ap, dict):
            s.addl = self.compile(ap)
        items = raw.get("items")
        if isinstance(items, dict):
            s.items = self.compile(items, enum=enum)
        elif enum:
            s.enum = frozenset(enum)

    def _fill_openapi(self, s: Schema, raw: dict) -> None:
        crd = self.mode == "crd"
        s.types = _types(raw.get("type"))
        if raw.get("x-kubernetes-int-or-string") is True:
            s.types = frozenset(("integer", "string"))
        s.preserve = raw.get("x-kubernetes-preserve-unknown-fields") is True
        s.embedded = raw.get("x-kubernetes-embedded-resource") is True
        fmt = raw.get("format")
        s.fmt = fmt if fmt in ("int32", "int64") else None
        props = raw.get("properties")
        s._props_raw = dict(props) if isinstance(props, dict) else {}
        ap = raw.get("additionalProperties")
        if isinstance(ap, dict):
            s.addl = self.compile(ap)
        elif ap is True:
            s.preserve = True
        is_object = s.types is not None and "object" in s.types
        if crd:
            # structural schema: an object keeps only what it declares, unless preserved
            s.closed = (is_object or bool(s._props_raw)) and not s.preserve and s.addl is None
        else:
            s.closed = ap is False
        if s.embedded:
            for key in ("apiVersion", "kind"):
                s._props_raw.setdefault(key, {"type": "string"})
            s._props_raw.setdefault("metadata", {"type": "object"})
            s.closed = s.closed and not s.preserve
        req = raw.get("required")
        if isinstance(req, list):
            s.required = tuple(r for r in req if isinstance(r, str))
        items = raw.get("items")
        if isinstance(items, dict):
            s.items = self.compile(items)
        if isinstance(raw.get("enum"), list):
            s.enum = frozenset(_freeze(v) for v in raw["enum"])
        checks = []
        for key in ("minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems",
                    "minProperties", "maxProperties", "multipleOf", "pattern", "uniqueItems"):
            if key in raw:
                checks.append((key, raw[key], raw.get("exclusive" + key[3:].capitalize())
                               if key in ("minimum", "maximum") else None))
        s.checks = tuple(checks)
        branches = []
        for key in ("allOf", "anyOf", "oneOf"):
            alts = raw.get(key)
            if isinstance(alts, list) and alts:
                branches.append((key, [self.compile(a) for a in alts]))
        if isinstance(raw.get("not"), dict):
            branches.append(("not", [self.compile(raw["not"])]))
        s.branches = tuple(branches)


# the Python types of each JSON type, as the YAML reader produces them (an integral float
# is an integer too: checked apart)
_PY_TYPES = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
             "integer": (int,), "number": (int, float)}


def _bool_field(raw: Any) -> bool:
    """A required boolean cannot be missing to the API server: Go decodes absent as false."""
    return isinstance(raw, dict) and _types(raw.get("type")) == frozenset(("boolean",))


def _types(t: Any) -> frozenset | None:
    if isinstance(t, str):
        return None if t == "null" else frozenset((t,))
    if isinstance(t, list):
        ts = frozenset(x for x in t if isinstance(x, str) and x != "null")
        return ts or None
    return None


def _freeze(v: Any) -> Any:
    if isinstance(v, dict):
        return ("{}", tuple(sorted((k, _freeze(x)) for k, x in v.items())))
    if isinstance(v, list):
        return ("[]", tuple(_freeze(x) for x in v))
    if type(v) is float and v.is_integer():
        return int(v)
    return v


# -- validation ------------------------------------------------------------------------------

def _show(v: Any) -> str:
    if isinstance(v, str):
        s = v if len(v) <= 40 else v[:37] + "..."
        return "the string " + repr(s)
    if isinstance(v, bool):
        return "the boolean " + ("true" if v else "false")
    if isinstance(v, (int, float)):
        return f"the number {v}"
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    return repr(v)


def _want(types: frozenset) -> str:
    words = [_TYPE_WORDS.get(t, t) for t in sorted(types)]
    return " or ".join(words)


class Walk:
    """One validation of one resource: collects ``Failure``s."""

    __slots__ = ("failures", "lenient", "in_branch")

    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.lenient = False      # under top-level ``status``: decoding checks only
        self.in_branch = False    # inside allOf/anyOf/oneOf/not: no unknown-field checks

    def fail(self, origin: Origin | None, path: tuple, code: str, message: str,
             value: Any = None) -> None:
        self.failures.append(Failure(origin, path, code, message, value))

    def node(self, n: Node, s: Schema, path: tuple, origin: Origin | None) -> None:
        v = n.v
        if v is None or s is ANY:
            return
        o = n.o or origin
        t = type(v)
        if t is str and "${" in v and _PLACEHOLDER.search(v):
            return          # filled in before apply (Flux post-build substitution, envsubst)
        pytypes = s.pytypes
        if pytypes is not None and t not in pytypes and s.types is not None and not (
                t is float and "integer" in s.types and v.is_integer()):
            self.fail(o, path, "type", f"{path_text(path) or 'the resource'} must be "
                      f"{_want(s.types)}, not {_show(v)}", None if t in (dict, list) else v)
            return
        if t is dict:
            self._object(n, v, s, path, o)
        elif t is list:
            items = s.items
            if items is not None:
                for i, c in enumerate(v):
                    self.node(c, items, path + (i,), o)
        else:
            self._scalar(v, s, path, o)
        if not self.lenient and (s.checks or s.branches
                                 or (s.enum is not None and t in (dict, list))):
            self._values(n, s, path, o)

    def _object(self, n: Node, v: dict, s: Schema, path: tuple, o: Origin | None) -> None:
        for key, child in v.items():
            if key == "metadata" and s.embedded:
                # a resource's metadata is an ObjectMeta, whatever its schema says
                meta = s._compiler.object_meta if s._compiler is not None else None
                self.node(child, meta or ANY, path + (key,), o)
                continue
            sub = s._props.get(key, False)
            if sub is False:
                sub = s.prop(key) if s._props_raw or s.addl is not None else None
            if sub is None:
                if s.closed and not self.in_branch:
                    self._unknown(key, child, s, path, o)
                continue
            if not path and key == "status" and not self.lenient:
                self.lenient = True
                self.node(child, sub, (key,), o)
                self.lenient = False
            else:
                self.node(child, sub, path + (key,), o)
        if self.lenient:
            return
        for r in s.required:
            c = v.get(r)
            if c is None:
                where = path_text(path)
                self.fail(o, path + (r,), "required",
                          f"required field '{r}' is missing" + (f" in {where}" if where else ""))
            elif c.v is None:
                self.fail(c.o or o, path + (r,), "required",
                          f"required field {path_text(path + (r,))} is null")

    def _unknown(self, key: str, child: Node, s: Schema, path: tuple, o: Origin | None) -> None:
        names = s.prop_names()
        hint = ""
        low = {p.lower(): p for p in names}
        if key.lower() in low:
            hint = f" (field names are case-sensitive: '{low[key.lower()]}')"
        else:
            import difflib
            close = difflib.get_close_matches(key, names, n=1, cutoff=0.75)
            if close:
                hint = f" (did you mean '{close[0]}'?)"
        where = path_text(path)
        self.fail(child.o or o, path + (key,), "unknown-field",
                  f"unknown field '{key}'" + (f" in {where}" if where else "") + hint)

    def _scalar(self, v: Any, s: Schema, path: tuple, o: Origin | None) -> None:
        fmt = s.fmt
        if fmt is not None:
            msg = _format_error(fmt, v)
            if msg:
                self.fail(o, path, "format", f"{path_text(path)} {msg}", v)
                return
        enum = s.enum
        if enum is not None and not self.lenient and _freeze(v) not in enum \
                and not (v == "" and s._compiler is not None and s._compiler.mode == "builtin"):
            shown = ", ".join(sorted(str(x) for x in enum if not isinstance(x, tuple)))
            self.fail(o, path, "enum", f"{path_text(path)} is {_show(v)}, not one of: {shown}", v)

    def _values(self, n: Node, s: Schema, path: tuple, o: Origin | None) -> None:
        v = n.v
        where = path_text(path) or "the resource"
        if s.enum is not None and type(v) in (dict, list) and _freeze(n.data()) not in s.enum:
            self.fail(o, path, "enum", f"{where} is not one of the allowed values")
        for key, arg, excl in s.checks:
            msg = _check(key, arg, excl, v, n)
            if msg:
                self.fail(o, path, "value", f"{where} {msg}",
                          None if type(v) in (dict, list) else v)
        for key, alts in s.branches:
            ok = [self._matches(n, a, path, o) for a in alts]
            if key == "allOf" and not all(ok):
                self._branch_failure(n, alts, ok, path, o, where, "allOf")
            elif key == "anyOf" and not any(ok):
                self.fail(o, path, "value", f"{where} matches none of the {len(alts)} "
                          "alternatives the schema allows (anyOf)")
            elif key == "oneOf" and sum(ok) != 1:
                self.fail(o, path, "value", f"{where} must match exactly one of "
                          f"{len(alts)} alternatives (oneOf), matches {sum(ok)}")
            elif key == "not" and ok[0]:
                self.fail(o, path, "value", f"{where} matches a form the schema forbids (not)")

    def _matches(self, n: Node, s: Schema, path: tuple, o: Origin | None) -> bool:
        sub = Walk()
        sub.in_branch = True
        sub.node(n, s, path, o)
        return not sub.failures

    def _branch_failure(self, n: Node, alts: list, ok: list, path: tuple, o: Origin | None,
                        where: str, key: str) -> None:
        # allOf: report the first failing branch's own failures (they are located)
        for a, good in zip(alts, ok):
            if not good:
                sub = Walk()
                sub.in_branch = True
                sub.node(n, a, path, o)
                self.failures.extend(sub.failures)
                return


def _format_error(fmt: str, v: Any) -> str | None:
    if fmt in _INT_RANGE and type(v) in (int, float):
        lo, hi = _INT_RANGE[fmt]
        if not lo <= v <= hi:
            return f"is {v}, out of the {fmt} range"
    elif fmt == "quantity" and type(v) is str:
        if not _QUANTITY_RE.fullmatch(v):
            return (f"is {_show(v)}, not a Kubernetes quantity (e.g. 500m, 128Mi, 1Gi, 2; "
                    "units are case-sensitive, no space)")
    elif fmt == "byte" and type(v) is str:
        s = v.replace("\n", "").replace("\r", "")
        ok = len(s) % 4 == 0 and _BASE64_RE.fullmatch(s) is not None
        if ok:
            import base64
            try:
                base64.b64decode(s, validate=True)
            except ValueError:
                ok = False
        if not ok:
            return "is not valid base64 (use stringData for plain text)"
    return None


def _check(key: str, arg: Any, excl: Any, v: Any, n: Node) -> str | None:
    t = type(v)
    num = t in (int, float)
    if key == "minimum" and num and isinstance(arg, (int, float)):
        if v < arg or (excl is True and v == arg):
            return f"is {v}, less than the minimum {arg}" + (" (exclusive)" if excl is True else "")
    elif key == "maximum" and num and isinstance(arg, (int, float)):
        if v > arg or (excl is True and v == arg):
            return f"is {v}, more than the maximum {arg}" + (" (exclusive)" if excl is True else "")
    elif key == "multipleOf" and num and isinstance(arg, (int, float)) and arg > 0:
        q = v / arg
        if abs(q - round(q)) > 1e-9:
            return f"is {v}, not a multiple of {arg}"
    elif key in ("minLength", "maxLength") and t is str and isinstance(arg, int):
        n_chars = len(v)
        if key == "minLength" and n_chars < arg:
            return f"is {n_chars} characters long, shorter than {arg}"
        if key == "maxLength" and n_chars > arg:
            return f"is {n_chars} characters long, longer than {arg}"
    elif key in ("minItems", "maxItems") and t is list and isinstance(arg, int):
        if key == "minItems" and len(v) < arg:
            return f"has {len(v)} items, fewer than {arg}"
        if key == "maxItems" and len(v) > arg:
            return f"has {len(v)} items, more than {arg}"
    elif key in ("minProperties", "maxProperties") and t is dict and isinstance(arg, int):
        if key == "minProperties" and len(v) < arg:
            return f"has {len(v)} fields, fewer than {arg}"
        if key == "maxProperties" and len(v) > arg:
            return f"has {len(v)} fields, more than {arg}"
    elif key == "uniqueItems" and arg is True and t is list:
        seen = set()
        for c in v:
            f = _freeze(c.data())
            if f in seen:
                return "has duplicate items"
            seen.add(f)
    elif key == "pattern" and t is str and isinstance(arg, str):
        rx = _regex(arg)
        if rx is not None and rx.search(v) is None:
            return f"is {_show(v)}, which does not match the pattern {arg!r}"
    return None


def _regex(pattern: str) -> Any:
    """A CRD ``pattern`` compiled as the API server evaluates it: Go's RE2 (linear time, so
    an untrusted repository's pattern cannot make the run backtrack forever); None when
    it does not compile (the API server would have refused the CRD)."""
    from ...core.errors import OverlayLintError
    from ...kustomize.regex import go_regex
    try:
        return go_regex(pattern, None, "pattern")
    except OverlayLintError:
        return None


def validate(node: Node, schema: Schema) -> list[Failure]:
    """Every failure of a resource (its root ``Node``) against a compiled schema."""
    w = Walk()
    w.node(node, schema, (), node.o)
    return w.failures
