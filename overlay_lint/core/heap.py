"""Garbage collection for a command: the value trees are large, long-lived and acyclic.

A lint keeps every parsed file and every env's ``Node`` tree until the rules have run:
millions of container objects that reference counting alone frees (the YAML reader
uses libyaml's bare event parser, which makes no cycle). Python's cyclic collector does not know
that: its full collections walk the whole heap each time it has grown by a quarter, 18%
of a lint at 500 services and 41% at 2,000, a cost per service that grows with the tree.

Under :func:`young_collections_only` the collector keeps collecting the young
generations (cheap: each object is examined there once or twice, and cycles are freed
within a few thousand allocations of their making) but never walks the old generation:
an object that survived its youth is not examined again. A cycle that becomes garbage
only after it grew old stays until the command ends. On leaving, the thresholds are back.
"""
from __future__ import annotations

import gc

NEVER = 1 << 30   # young collections between two full ones: in effect, no full collection


class young_collections_only:
    """No full (oldest-generation) collection for the duration; thresholds restored after."""

    def __enter__(self) -> None:
        self.thresholds = gc.get_threshold()
        gc.set_threshold(self.thresholds[0], self.thresholds[1], NEVER)

    def __exit__(self, *exc: object) -> None:
        gc.set_threshold(*self.thresholds)
