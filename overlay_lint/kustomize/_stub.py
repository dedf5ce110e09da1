"""Refuse a kustomization field this build does not implement yet (never half-render)."""
from __future__ import annotations

from ..errors import at


def refuse_fields(kust, *names: str) -> None:
    for name in names:
        n = kust.field(name)
        if n is not None:
            raise at(n.o, f"'{name}' is not implemented yet")
