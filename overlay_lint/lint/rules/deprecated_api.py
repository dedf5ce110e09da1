"""No resource uses an apiVersion/kind that is deprecated in its env's Kubernetes version.

Why: a deprecated API is still served, but a later Kubernetes version removes it (the
message says which) and the API server warns on every apply. Moving while both versions
are served is a one-line change; after the upgrade it is an outage.

Source: the prerelease-lifecycle data of ``k8s.io/api`` (what the API server's warnings
say), kept in the package as a generated table, plus the GA kinds the API server warns
about on its own: ``v1`` Endpoints from 1.33 (use ``discovery.k8s.io/v1`` EndpointSlice)
and ``v1`` ComponentStatus from 1.19. Each env's version is the ``kubernetes:`` setting of
the config (default: the newest the shipped schemas cover).

Failing (env pinned to 1.25)::

    apiVersion: autoscaling/v2beta2
    kind: HorizontalPodAutoscaler

Passing::

    apiVersion: autoscaling/v2
    kind: HorizontalPodAutoscaler

Fix: move to the replacement API the message names.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RuleContext

ID = "deprecated-api"
SEVERITY = "warning"
PARAMETERS: dict = {}


def check(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.config.kubernetes is None and not any(t.resources for t in ctx.rendered()):
        return iter(())   # nothing to check: the schemas and tables are not even loaded
    from ..k8s.check import deprecated_problems
    return deprecated_problems(ctx)
