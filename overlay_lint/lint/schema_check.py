"""Run a JSON Schema over a ``Node`` tree and locate each failure at a source line.

A failure is located at the node it is about; for a missing field (``required``) that is
the mapping that should hold it, for an unexpected key the key itself.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from collections.abc import Iterator

from ..core.node import Node, Origin
from ..core.record import dataclass

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "schemas")


@lru_cache(maxsize=None)
def packaged_schema(name: str) -> dict:
    """A JSON Schema shipped in ``overlay_lint/schemas``."""
    with open(os.path.join(SCHEMA_DIR, name), encoding="utf-8") as fh:
        return json.load(fh)


def validator_for(schema: dict, check: bool = True) -> Any:
    """A jsonschema validator (the library is imported only when a schema runs).

    ``check=False`` skips validating the schema itself: for the schemas shipped in the
    package, which the test suite checks once (it costs more than a lint of a small tree).
    The validator never retrieves anything: a ``$ref`` it cannot resolve inside the schema
    fails instead of fetching a URL or reading a file (see :mod:`.schema_guard`), and
    ``uniqueItems`` runs in linear time (jsonschema compares unhashable items pairwise).
    """
    from jsonschema import validators
    from referencing import Registry
    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    if check:
        _check_schema(cls, schema)
    return _hardened(cls)(schema, registry=Registry(retrieve=_no_retrieval))


def _check_schema(cls: Any, schema: dict) -> None:
    """``cls.check_schema`` without the metaschema's ``regex`` format: jsonschema judges
    it with Python's ``re``, which refuses RE2 patterns (``\\p{L}``) and prints warnings
    to stderr for others (``[[:alpha:]]``). Every pattern is compiled with RE2 instead,
    a located error when it does not compile (:mod:`.schema_guard`)."""
    from jsonschema import FormatChecker, exceptions, validators
    meta = validators.validator_for(cls.META_SCHEMA, default=cls)
    checker = FormatChecker([f for f in FormatChecker.checkers if f != "regex"])
    for error in meta(cls.META_SCHEMA, format_checker=checker).iter_errors(schema):
        raise exceptions.SchemaError.create_from(error)


def _no_retrieval(uri: str) -> Any:
    from referencing.exceptions import NoSuchResource
    raise NoSuchResource(ref=uri)


@lru_cache(maxsize=None)
def _hardened(cls: Any) -> Any:
    from jsonschema import validators
    return validators.extend(cls, {"uniqueItems": _unique_items, "pattern": _pattern,
                                   "patternProperties": _pattern_properties,
                                   "additionalProperties": _additional_properties})


def _re(pattern: str) -> Any:
    """``pattern`` with RE2, linear time (a schema checked by schema_guard compiles)."""
    from ..kustomize.regex import go_regex
    return go_regex(pattern, None, "pattern")


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError
    if validator.is_type(instance, "string") and not _re(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict, instance: Any,
                        schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        rx = _re(pattern)
        for k, v in instance.items():
            if rx.search(k):
                yield from validator.descend(v, subschema, path=k, schema_path=pattern)


def _additional_properties(validator: Any, extra_schema: Any, instance: Any,
                           schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    rxs = [_re(p) for p in schema.get("patternProperties", {})]
    extras = [k for k in instance if k not in known and not any(r.search(k) for r in rxs)]
    if validator.is_type(extra_schema, "object"):
        for k in extras:
            yield from validator.descend(instance[k], extra_schema, path=k)
    elif not extra_schema and extras:
        listed = ", ".join(repr(k) for k in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({listed} "
                              f"{'was' if len(extras) == 1 else 'were'} unexpected)")


def _unique_items(validator: Any, unique: Any, instance: Any, schema: Any) -> Iterator[Any]:
    from jsonschema.exceptions import ValidationError
    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set = set()
    for item in instance:
        key = _canonical(item)
        if key in seen:
            yield ValidationError(f"{instance!r}"[:200] + " has non-unique elements")
            return
        seen.add(key)


def _canonical(value: Any) -> Any:
    """A hashable key equal for JSON-equal values (1 == 1.0, but true != 1), built without
    recursion (documents can be deep)."""
    out: list = []
    work: list = [(_VISIT, value)]
    while work:
        op, v = work.pop()
        if op is _LIST:
            items = tuple(out[len(out) - v:]) if v else ()
            del out[len(out) - v:]
            out.append(("a", items))
        elif op is _DICT:
            vals = out[len(out) - len(v):] if v else []
            del out[len(out) - len(v):]
            out.append(("o", frozenset(zip(v, vals))))
        elif isinstance(v, bool) or v is None:
            out.append(("b", v))
        elif isinstance(v, (int, float)):
            out.append(("n", int(v) if isinstance(v, float) and v.is_integer() else v))
        elif isinstance(v, str):
            out.append(("s", v))
        elif isinstance(v, dict):
            work.append((_DICT, list(v)))
            work.extend((_VISIT, v[k]) for k in reversed(list(v)))
        elif isinstance(v, list):
            work.append((_LIST, len(v)))
            work.extend((_VISIT, x) for x in reversed(v))
        else:
            out.append(("?", repr(v)))
    return out[0]


_VISIT, _LIST, _DICT = object(), object(), object()


@dataclass
class SchemaFailure:
    """One schema failure: where it is, what failed, the field path and the found value."""

    origin: Origin | None
    message: str
    path: tuple            # keys/indexes of the located node
    missing: str | None    # the missing property for a ``required`` failure
    found: Any             # the value found at ``path`` (None when missing)
    validator: str


def failures(validator: Any, root: Node, data: Any | None = None) -> Iterator[SchemaFailure]:
    """Every top-level schema failure of ``root``, located at its source node."""
    if data is None:
        data = root.data()
    for err in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        err = _deepest(err)
        path = tuple(err.absolute_path)
        node = root.path(*path) if path else root
        if node is None:  # defensive: the data came from this tree, so it should exist
            node = root
        missing = None
        found = err.instance
        if err.validator == "required" and isinstance(err.instance, dict):
            absent = [p for p in err.validator_value if p not in err.instance]
            missing = absent[0] if absent else None
            found = None
        elif err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set((err.schema or {}).get("properties", {}))
            extra = [k for k in err.instance if k not in allowed]
            if extra and node.get(extra[0]) is not None:
                path = path + (extra[0],)
                node = node.get(extra[0])
                found = err.instance[extra[0]]
        yield SchemaFailure(node.o, err.message, path, missing, found, str(err.validator))


def _deepest(err: Any) -> Any:
    """For a failed oneOf/anyOf, the alternative's error that is most specific (deepest),
    so ``severity: fatal`` is reported at its own line rather than at the rule's key."""
    best = err
    stack = list(err.context or ())
    while stack:
        e = stack.pop()
        if len(e.absolute_path) > len(best.absolute_path):
            best = e
        stack.extend(e.context or ())
    return best


def path_text(path: tuple) -> str:
    out = ""
    for k in path:
        out += f"[{k}]" if type(k) is int else (f".{k}" if out else str(k))
    return out
