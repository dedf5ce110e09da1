"""No resource uses an apiVersion/kind its env's Kubernetes version no longer serves.

Why: an API removed from Kubernetes (``policy/v1beta1`` PodDisruptionBudget and
``batch/v1beta1`` CronJob in 1.25, ``autoscaling/v2beta2`` HorizontalPodAutoscaler in
1.26, ``extensions/v1beta1`` Ingress in 1.22, ...) makes the apply fail on the upgraded
cluster, often for one env only: the one pinned to the new version. The finding is at the
``apiVersion:`` line, names the envs, the version that removed it and the replacement.

Which versions serve what: the Kubernetes schemas shipped in ``kubernetes-validate``
(1.25 and later, exact) and the prerelease-lifecycle data of ``k8s.io/api`` (the source of
the API server's own deprecation warnings and of the Kubernetes deprecation guide), kept
in the package as generated tables. Each env's version is the ``kubernetes:`` setting of
the config (default: the newest version the schemas cover).

Failing (env pinned to 1.25 or later)::

    apiVersion: policy/v1beta1
    kind: PodDisruptionBudget

Passing::

    apiVersion: policy/v1
    kind: PodDisruptionBudget

Fix: move to the replacement API the message names (check its field changes in the
Kubernetes deprecation guide), or pin the env to the version its cluster really runs.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RuleContext

ID = "removed-api"
SEVERITY = "error"
PARAMETERS: dict = {}


def check(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.config.kubernetes is None and not any(t.resources for t in ctx.rendered()):
        return iter(())   # nothing to check: the schemas and tables are not even loaded
    from ..k8s.check import removed_problems
    return removed_problems(ctx)
