"""Every ConfigMap key a workload reads exists, in the same env and namespace.

Checks ``env[].valueFrom.configMapKeyRef``, ``envFrom[].configMapRef`` and configMap
volumes (``items[].key``, projected sources too) against the ConfigMaps rendered in the
same env and namespace, generated ones included (Kustomize rewrites references to their
hashed names). ``optional: true`` references are exempt. A ConfigMap that is not rendered
at all is reported only in an env that renders ConfigMaps of its own in that namespace, and
only when no other checked target renders one of that name.

Why: like a missing Secret key, a missing ConfigMap key stops the pod from starting, and
only in the env whose overlay forgot it.

Failing::

    valueFrom:
      configMapKeyRef:
        name: submission-service-config
        key: JUDGE_QUEUE          # the ConfigMap has no JUDGE_QUEUE

Passing: ``submission-service-config`` has ``data.JUDGE_QUEUE``.

Fix: add the key to the ConfigMap (or its generator's literals/files), or fix the
reference. Parameters: ``external``, names (globs) of ConfigMaps created outside the
repository; ``missing-objects``: ``auto``, ``report`` or ``ignore`` (see
``secret-key-ref``).
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RuleContext
from ..refs import check_refs

ID = "configmap-key-ref"
SEVERITY = "error"
PARAMETERS = {"external": [], "missing-objects": "auto"}


def check(ctx: RuleContext) -> Iterator[Problem]:
    return check_refs(ctx, "ConfigMap")
