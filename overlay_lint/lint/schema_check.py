"""Run a JSON Schema over a ``Node`` tree and locate each failure at a source line.

A failure is located at the node it is about; for a missing field (``required``) that is
the mapping that should hold it, for an unexpected key the key itself.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterator

from ..core.node import Node, Origin

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
    """
    from jsonschema import validators
    cls = validators.validator_for(schema, default=validators.Draft202012Validator)
    if check:
        cls.check_schema(schema)
    return cls(schema)


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
