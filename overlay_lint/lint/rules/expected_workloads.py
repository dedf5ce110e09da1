"""Every env renders the same set of Deployments as the base (or a configured list).

Why: a workload that exists in staging but not in prod (or the reverse) means prod runs
something never tested, or a service silently disappeared from an env (a
``$patch: delete``, a forgotten ``resources:`` entry).

By default the envs are compared with each other: a Deployment that comes from a folder
every env includes (the base) must be in every env; one defined only in some env overlays
is reported where it is defined. Only envs of one app (the envs that build on the same
base) are compared with each other. With ``workloads`` set, every env must render exactly
those (names as written in the base, before any name prefix/suffix).

Failing: ``overlays/prod`` deletes ``github-worker`` with a ``$patch: delete`` patch,
while dev and staging run it.

Passing: all envs render gateway, frontend, ..., github-worker.

Fix: render the workload in every env (scale it to 0 if it must not run), or move an
env-only workload out of the env overlays, or configure ``workloads``.
Parameters: ``workloads`` (list of names; empty: compare envs), ``kinds`` (default
Deployment).
"""
from __future__ import annotations

from collections.abc import Iterator

from ..envnames import short_list
from ..model import Problem, RenderedTarget, RuleContext

ID = "expected-workloads"
SEVERITY = "warning"
PARAMETERS = {"workloads": [], "kinds": ["Deployment"]}


def COMPARES_ENVS(params: dict) -> bool:   # noqa: N802 (the rule-module attribute)
    """Without a ``workloads`` list the envs of a group are compared with each other."""
    return not params.get("workloads")


def _workloads(env: RenderedTarget, kinds: set) -> dict:
    out = {}
    for res in env.resources:
        if res.kind in kinds:
            out.setdefault((res.kind, res.org_id().name), res)
    return out


def _env_origin(env: RenderedTarget):
    """The env kustomization's ``resources:`` line (where a workload would be listed)."""
    info = env.result.kustomizations[0] if env.result is not None else None
    if info is None:
        return None
    n = info.node.get("resources") or info.node.get("bases")
    return n.o if n is not None else info.node.o


def _kind_origin(res):
    k = res.node.get("kind")
    return k.o if k is not None else res.node.o


def check(ctx: RuleContext) -> Iterator[Problem]:
    for envs in ctx.groups():  # envs of one app (built on one base) are compared
        yield from _check_group(ctx, envs)


def _check_group(ctx: RuleContext, envs: list) -> Iterator[Problem]:
    kinds = set(ctx.params["kinds"])
    per_env = {e.name: _workloads(e, kinds) for e in envs}
    wanted = ctx.params["workloads"]
    if wanted:
        for e in envs:
            have = per_env[e.name]
            names = {n for (_, n) in have}
            for w in wanted:
                if w not in names:
                    yield Problem(_env_origin(e), f"expected workload '{w}' is not rendered in env "
                                  f"'{e.name}'; add it (or remove it from expected-workloads)",
                                  e, None, (), w, field_path="workloads")
            for (k, n), res in have.items():
                if n not in wanted:
                    yield Problem(_kind_origin(res), f"{k} {n} is rendered in env '{e.name}' but "
                                  "is not in the expected workloads list; add it to the list or "
                                  "remove it", e, res, ("kind",), n)
        return
    if len(envs) < 2:
        return
    everywhere: dict = {}
    for e in envs:
        for key, res in per_env[e.name].items():
            everywhere.setdefault(key, {})[e.name] = res
    for (k, n), by_env in everywhere.items():
        if len(by_env) == len(envs):
            continue
        missing = [e for e in envs if e.name not in by_env]
        present = [e for e in envs if e.name in by_env]
        src = next(iter(by_env.values())).source
        if src and all(src in e.target.reach for e in envs):
            for e in missing:
                yield Problem(_env_origin(e), f"{k} {n} from the base is not rendered in env "
                              f"'{e.name}' (present in {short_list([p.name for p in present])}); "
                              "every env should run the same workloads", e, None, (), n,
                              field_path=f"{k}/{n}")
        else:
            for e in present:
                yield Problem(_kind_origin(by_env[e.name]), f"{k} {n} is rendered only in "
                              f"{short_list([p.name for p in present])}, not in "
                              f"{short_list([m.name for m in missing])}; every env should run the "
                              "same workloads (move it to the base, or configure "
                              "expected-workloads)", e, by_env[e.name], ("kind",), n)
