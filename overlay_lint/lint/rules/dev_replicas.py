"""In dev envs every Deployment and StatefulSet runs the configured number of replicas.

Why: dev clusters are small and shared; a replica count copied from prod (or left over
from a load test) starves the other services.

A workload an autoscaler manages is checked through it: a ``HorizontalPodAutoscaler``'s
``spec.minReplicas`` (default 1) and a KEDA ``ScaledObject``'s ``spec.minReplicaCount``
(default 0) must not exceed the configured count, and the workload's own
``spec.replicas`` is left alone (the autoscaler overrides it). Scaling to zero
(``replicas: 0``) is allowed unless ``allow-zero`` is false.

Failing (``overlays/dev/kustomization.yaml``)::

    replicas:
      - name: problem-service
        count: 2

Passing::

    replicas:
      - name: problem-service
        count: 1

Fix: set the ``count:`` of the dev ``replicas:`` entry (or the Deployment's
``spec.replicas``, or the autoscaler's minimum) to the configured value. An absent
``spec.replicas`` means 1. Parameters: ``count`` (default 1), ``kinds`` (default
Deployment, StatefulSet), ``allow-zero`` (default true).
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RenderedTarget, RuleContext, shown_name

ID = "dev-replicas"
SEVERITY = "error"
PARAMETERS = {"count": 1, "kinds": ["Deployment", "StatefulSet"], "allow-zero": True}

# autoscaler kind -> (api group prefix, minimum field, its default)
AUTOSCALERS = {"HorizontalPodAutoscaler": ("autoscaling/", "minReplicas", 1),
               "ScaledObject": ("keda.sh/", "minReplicaCount", 0)}


def _scaled(env: RenderedTarget) -> set[tuple]:
    """``(namespace, kind, name)`` of each workload an autoscaler targets."""
    out: set[tuple] = set()
    for res in env.resources:
        spec = AUTOSCALERS.get(res.kind)
        if spec is None or not res.api_version.startswith(spec[0]):
            continue
        ref = res.node.path("spec", "scaleTargetRef")
        name = ref.str_at("name") if ref is not None and ref.is_map else None
        if name:
            kind = ref.str_at("kind") or "Deployment"
            out.add((res.cur_id().effective_ns, kind, name))
    return out


def check(ctx: RuleContext) -> Iterator[Problem]:
    want = ctx.params["count"]
    kinds = set(ctx.params["kinds"])
    zero_ok = ctx.params["allow-zero"]
    for env in ctx.by_role("dev"):
        scaled = _scaled(env)
        for res in env.resources:
            if res.kind in AUTOSCALERS:
                if res.api_version.startswith(AUTOSCALERS[res.kind][0]):
                    yield from _check_autoscaler(env, res, want)
                continue
            if res.kind not in kinds or \
                    (res.cur_id().effective_ns, res.kind, res.name) in scaled:
                continue
            spec = res.node.get("spec")
            rep = spec.get("replicas") if spec is not None else None
            got = 1 if rep is None or rep.v is None else rep.v  # Kubernetes' default
            if got == want or (got == 0 and zero_ok):
                continue
            if rep is not None:
                yield Problem(rep.o, f"{res.kind} {shown_name(res, rep.o, env)} runs {got} "
                              f"replicas in a dev env; set the count to {want}", env, res,
                              ("spec", "replicas"), got)
            else:
                origin = spec.o if spec is not None else res.node.get("kind").o
                yield Problem(origin, f"{res.kind} {shown_name(res, origin, env)} has no "
                              f"spec.replicas (1) in a dev env; set it to {want}", env, res,
                              ("spec", "replicas"), None)


def _check_autoscaler(env: RenderedTarget, res, want: int) -> Iterator[Problem]:
    _, field, default = AUTOSCALERS[res.kind]
    node = res.node.path("spec", field)
    got = default if node is None or node.v is None else node.v
    if not isinstance(got, int) or got <= want:
        return
    origin = node.o if node is not None else res.node.get("spec").o
    target = res.node.str_at("spec", "scaleTargetRef", "name")
    yield Problem(origin, f"{res.kind} {shown_name(res, origin, env)} keeps at least {got} "
                  f"replicas of {target} in a dev env; set {field} to {want}", env, res,
                  ("spec", field), got)
