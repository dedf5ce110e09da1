"""Accept a valid document without jsonschema: a quick yes, or "ask jsonschema".

Importing jsonschema and building a validator costs about three interpreter start-ups,
and most documents a run validates are valid: a configuration file, the resources a
packaged declarative rule matches in a clean tree. :func:`accepts` evaluates the common
JSON Schema (draft 2020-12) keywords directly on a ``Node`` tree and answers True only
when the document is valid; for an invalid document, or any keyword, type or reference
it does not handle exactly as jsonschema does, it answers False and the caller runs
jsonschema, which finds and words the failures. So a report never depends on this
module: only whether jsonschema had to be imported does.

Use it only where jsonschema would not check the schema itself first (``check=False``
in :func:`.schema_check.validator_for`): the packaged schemas, checked by the tests.
"""
from __future__ import annotations


from ..core.node import Node

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"

# Keywords that only annotate (they never make a document invalid without a format
# checker, which the validators here do not have).
_ANNOTATIONS = frozenset({"title", "description", "$comment", "default", "examples",
                          "deprecated", "readOnly", "writeOnly"})


class _Unsure(Exception):
    """Something jsonschema must decide."""


def accepts(schema: Any, doc: Node) -> bool:
    """True when ``doc`` is certainly valid under ``schema`` (draft 2020-12, as jsonschema
    validates it); False when it is not, or when jsonschema must decide."""
    if isinstance(schema, dict) and schema.get("$schema", DRAFT_2020_12) != DRAFT_2020_12:
        return False
    try:
        return _valid(schema, doc, schema)
    except (_Unsure, RecursionError):
        return False


def _valid(schema: Any, node: Node, root: Any) -> bool:
    if schema is True:
        return True
    if schema is False or type(schema) is not dict:
        if schema is False:
            return False
        raise _Unsure()
    v = node.v
    for key, value in schema.items():
        check = _KEYWORDS.get(key)
        if check is None:
            if key in _ANNOTATIONS or key in ("$defs", "definitions") or \
                    (key in ("$schema", "$id") and schema is root):
                continue
            if key in ("then", "else"):      # evaluated with "if"
                continue
            raise _Unsure()
        if not check(value, node, v, schema, root):
            return False
    return True


def _json_type(v: Any) -> str:
    t = type(v)
    if t is str:
        return "string"
    if t is dict:
        return "object"
    if t is list:
        return "array"
    if t is bool:
        return "boolean"
    if v is None:
        return "null"
    if t is int:
        return "integer"
    if t is float:
        return "number"
    raise _Unsure()      # a TOML date, say: jsonschema knows what it makes of it


def _is_type(v: Any, name: Any) -> bool:
    jt = _json_type(v)
    if name == jt:
        return True
    if name == "number":
        return jt == "integer"
    if name == "integer":
        return jt == "number" and v.is_integer()
    if name not in ("string", "object", "array", "boolean", "null"):
        raise _Unsure()
    return False


def _type(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    names = value if type(value) is list else [value]
    return any(_is_type(v, n) for n in names)


def _required(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if type(value) is not list:
        raise _Unsure()
    return type(v) is not dict or all(k in v for k in value)


def _properties(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if type(value) is not dict:
        raise _Unsure()
    if type(v) is not dict:
        return True
    return all(k not in v or _valid(s, v[k], root) for k, s in value.items())


def _additional(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if type(v) is not dict:
        return True
    if "patternProperties" in schema:
        raise _Unsure()
    props = schema.get("properties", {})
    if type(props) is not dict:
        raise _Unsure()
    extras = [k for k in v if k not in props]
    if value is True or not extras:
        return True
    if value is False:
        return False
    return all(_valid(value, v[k], root) for k in extras)


def _items(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if "prefixItems" in schema or type(value) is list:
        raise _Unsure()
    return type(v) is not list or all(_valid(value, c, root) for c in v)


def _const(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    return _equal(node.data(), value)


def _enum(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if type(value) is not list:
        raise _Unsure()
    data = node.data()
    return any(_equal(e, data) for e in value)


def _pattern(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    """With RE2, as the validators of :mod:`.schema_check` evaluate ``pattern`` (Python's
    ``re`` reads ``$``, ``\\d`` and ``\\w`` differently, and backtracks)."""
    if type(value) is not str:
        raise _Unsure()
    if type(v) is not str:
        return True
    from ..core.errors import OverlayLintError
    from ..kustomize.regex import go_regex
    try:
        rx = go_regex(value, None, "pattern")
    except OverlayLintError:   # not RE2 syntax: the schema checks word the error
        raise _Unsure() from None
    return rx.search(v) is not None


def _min_length(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if type(value) is not int:
        raise _Unsure()
    return type(v) is not str or len(v) >= value


def _min_items(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if type(value) is not int:
        raise _Unsure()
    return type(v) is not list or len(v) >= value


def _all_of(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if type(value) is not list:
        raise _Unsure()
    return all(_valid(s, node, root) for s in value)


def _any_of(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if type(value) is not list:
        raise _Unsure()
    return any(_valid(s, node, root) for s in value)


def _one_of(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if type(value) is not list:
        raise _Unsure()
    return sum(1 for s in value if _valid(s, node, root)) == 1


def _not(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    return not _valid(value, node, root)


def _if(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    if _valid(value, node, root):
        return "then" not in schema or _valid(schema["then"], node, root)
    return "else" not in schema or _valid(schema["else"], node, root)


def _ref(value: Any, node: Node, v: Any, schema: dict, root: Any) -> bool:
    """A JSON pointer into this schema (``#/properties/rules``); anything else is
    jsonschema's to resolve (or to refuse)."""
    if type(value) is not str or not value.startswith("#/"):
        raise _Unsure()
    target = root
    for raw in value[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if "%" in part:
            raise _Unsure()
        if type(target) is dict and part in target:
            target = target[part]
        elif type(target) is list and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            raise _Unsure()
    return _valid(target, node, root)


_KEYWORDS = {
    "type": _type, "required": _required, "properties": _properties,
    "additionalProperties": _additional, "items": _items, "const": _const, "enum": _enum,
    "pattern": _pattern, "minLength": _min_length, "minItems": _min_items,
    "allOf": _all_of, "anyOf": _any_of, "oneOf": _one_of, "not": _not, "if": _if,
    "$ref": _ref,
}


def _equal(one: Any, two: Any) -> bool:
    """jsonschema's equality: ``1 == 1.0``, but ``True`` is neither ``1`` nor ``1.0``."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(k in two and _equal(x, two[k])
                                            for k, x in one.items())
    if isinstance(one, (list, dict)) or isinstance(two, (list, dict)):
        return False
    if isinstance(one, bool) or isinstance(two, bool):
        return one is two
    return bool(one == two)
