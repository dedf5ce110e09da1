"""One budget per lint or render run: bounds on the work a hostile tree can ask for.

The per-file limits of the YAML reader (size, nodes, aliases, depth) bound one file; a tree
can still multiply work by reuse: a 320-byte alias patch listed 200 times is expanded and
copied 200 times, six 4 MB flow lists fill gigabytes, components listing components in a
diamond are built an exponential number of times. The budget counts, over the whole run
(every env of a lint shares one):

- ``nodes``: value-tree nodes created by reading YAML and by copying (resources cloned for
  each use, patch values, replacement values, var expansion);
- ``bytes``: bytes of files read;
- ``builds``: kustomization directories accumulated (a base reached by several paths
  counts each time).

Exceeding one is a located error (``file:line`` of what asked for the work) in the env
that hit it, raised in seconds, never a hang. Defaults are far above real trees (the
150-service benchmark uses about 1% of the node budget, the largest corpus env 0.4%)
and each has an environment variable.
"""
from __future__ import annotations

import os

from ..core.errors import at
from ..core.node import Node, Origin

# The 150-service benchmark (3 envs) uses 63,000 nodes, 0.65 MB and 456 builds.
DEFAULTS = {
    "nodes": 5_000_000,        # ~0.8 GB of value tree, a few seconds of copying
    "bytes": 512 * 1024 * 1024,
    "builds": 100_000,
}
_ENV = {"nodes": "OVERLAY_LINT_MAX_RUN_NODES", "bytes": "OVERLAY_LINT_MAX_RUN_BYTES",
        "builds": "OVERLAY_LINT_MAX_RUN_BUILDS"}
_WHAT = {"nodes": "value nodes (YAML read plus copies)", "bytes": "bytes of files read",
         "builds": "kustomization builds"}


def _limit(name: str) -> int:
    raw = os.environ.get(_ENV[name], "")
    return int(raw) if raw.strip().isdigit() and int(raw) > 0 else DEFAULTS[name]


class Budget:
    """What a run may still spend; :meth:`spend` raises when a bound is crossed."""

    __slots__ = ("limits", "used")

    def __init__(self, **limits: int) -> None:
        self.limits = {name: limits.get(name) or _limit(name) for name in DEFAULTS}
        self.used = dict.fromkeys(DEFAULTS, 0)

    def left(self, name: str) -> int:
        return self.limits[name] - self.used[name]

    def spend(self, name: str, amount: int, origin: Origin | None) -> None:
        used = self.used[name] + amount
        self.used[name] = used
        if used > self.limits[name]:
            raise at(origin, f"this run is over its budget of {self.limits[name]:,} "
                             f"{_WHAT[name]}; refused (a hostile tree multiplying work, or "
                             f"a very large one: {_ENV[name]} raises it)")


def tree_depth_over(node: Node, above: int, limit: int) -> bool:
    """True when ``node``, ``above`` levels below its resource's root, reaches deeper
    than ``limit`` levels (iterative: a tree too deep for recursion is measured too)."""
    stack = [(node, above + 1)]
    while stack:
        n, depth = stack.pop()
        if depth > limit:
            return True
        v = n.v
        if type(v) is dict:
            stack.extend((c, depth + 1) for c in v.values())
        elif type(v) is list:
            stack.extend((c, depth + 1) for c in v)
    return False


def check_depth(node: Node, above: int, origin: Origin | None, what: str) -> None:
    """Refuse a value that a transformer placed deeper than the nesting limit (the YAML
    reader's): later steps walk trees recursively, and Kustomize's output would be a
    tree no reader accepts either."""
    from ..core.yaml_reader import LIMITS  # here: the engine imports this module before YAML
    if tree_depth_over(node, above, LIMITS.max_depth):
        raise at(origin, f"{what} nests the resource deeper than {LIMITS.max_depth} levels; "
                         "refused (OVERLAY_LINT_MAX_DEPTH raises the limit)")


def count_nodes(node: Node, cap: int) -> int:
    """Nodes in ``node``'s tree, counting stops past ``cap`` (what a copy would create)."""
    n, stack = 0, [node]
    while stack and n <= cap:
        cur = stack.pop()
        n += 1
        v = cur.v
        if type(v) is dict:
            stack.extend(v.values())
        elif type(v) is list:
            stack.extend(v)
    return n
