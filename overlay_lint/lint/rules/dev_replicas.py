"""In dev envs every Deployment and StatefulSet runs the configured number of replicas.

Why: dev clusters are small and shared; a replica count copied from prod (or left over
from a load test) starves the other services.

Failing (``overlays/dev/kustomization.yaml``)::

    replicas:
      - name: problem-service
        count: 2

Passing::

    replicas:
      - name: problem-service
        count: 1

Fix: set the ``count:`` of the dev ``replicas:`` entry (or the Deployment's
``spec.replicas``) to the configured value. An absent ``spec.replicas`` means 1.
Parameters: ``count`` (default 1), ``kinds`` (default Deployment, StatefulSet).
"""
from __future__ import annotations

from typing import Iterator

from ..model import Problem, RuleContext

ID = "dev-replicas"
SEVERITY = "error"
PARAMETERS = {"count": 1, "kinds": ["Deployment", "StatefulSet"]}


def check(ctx: RuleContext) -> Iterator[Problem]:
    want = ctx.params["count"]
    kinds = set(ctx.params["kinds"])
    for env in ctx.by_role("dev"):
        for res in env.resources:
            if res.kind not in kinds:
                continue
            spec = res.node.get("spec")
            rep = spec.get("replicas") if spec is not None else None
            got = 1 if rep is None or rep.v is None else rep.v  # Kubernetes' default
            if got == want:
                continue
            if rep is not None:
                yield Problem(rep.o, f"{res.kind} {res.name} runs {got} replicas in a dev env; set the "
                              f"count to {want}", env, res,
                              ("spec", "replicas"), got)
            else:
                origin = spec.o if spec is not None else res.node.get("kind").o
                yield Problem(origin, f"{res.kind} {res.name} has no spec.replicas (1) in a dev env; "
                              f"set it to {want}", env, res,
                              ("spec", "replicas"), None)
