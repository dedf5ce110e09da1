"""Argo CD Applications that deploy a protected env have ``selfHeal: true``.

Why: without self-heal, a manual ``kubectl edit`` in production stays until the next
commit touches that resource: the cluster drifts from Git, which is the whole point of
GitOps to prevent.

An Application deploys an env when its ``spec.source.path`` (or a ``spec.sources[].path``)
is that env's kustomization folder (relative to the repository root); a path ending in a
protected name (``prod``, ``production``) counts even when the folder is not linted.

Failing::

    spec:
      source:
        path: infra/overlays/prod
      syncPolicy:
        automated:
          prune: false

Passing::

      syncPolicy:
        automated:
          prune: false
          selfHeal: true

Fix: set ``spec.syncPolicy.automated.selfHeal: true``.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

from ..envnames import short_list
from ..model import Problem, RuleContext

ID = "argocd-self-heal"
SEVERITY = "error"
PARAMETERS: dict = {}


def _norm(p: str) -> str:
    p = p.strip().replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    return p.rstrip("/")


def protected_envs(ctx: RuleContext, path: str) -> list[str]:
    """Names of the protected envs an Application source path deploys."""
    p = _norm(path)
    if not p:
        return []
    hits = []
    for t in ctx.targets:
        if not t.is_env:
            continue
        d = t.target.dir.replace(os.sep, "/")
        rel = os.path.relpath(t.target.dir, ctx.repo_root).replace(os.sep, "/")
        if rel == p or d.endswith("/" + p):
            hits.append(t)
    if hits:
        return [t.name for t in hits if t.role == "protected"]
    base = p.rsplit("/", 1)[-1]
    return [base] if ctx.config.role_of(base) == "protected" else []


def check(ctx: RuleContext) -> Iterator[Problem]:
    for target in ctx.rendered():
        for res in target.resources:
            if res.kind != "Application" or not res.api_version.startswith("argoproj.io/"):
                continue
            spec = res.node.get("spec")
            if spec is None or not spec.is_map:
                continue
            paths = [spec.str_at("source", "path")]
            srcs = spec.get("sources")
            paths += [s.str_at("path") for s in (srcs.v if srcs is not None and srcs.is_seq
                                                  else [])]
            envs: list[str] = []
            for p in paths:
                if p:
                    envs += [e for e in protected_envs(ctx, p) if e not in envs]
            if not envs:
                continue
            heal = spec.path("syncPolicy", "automated", "selfHeal")
            if heal is not None and heal.v is True:
                continue
            node = heal or spec.path("syncPolicy", "automated") or spec.get("syncPolicy") or spec
            yield Problem(node.o,
                          f"Argo CD Application {res.name} deploys protected env "
                          f"{short_list([repr(e) for e in envs])} without "
                          "syncPolicy.automated.selfHeal: true; set it so drift is reverted",
                          target, res, ("spec", "syncPolicy", "automated", "selfHeal"),
                          None if heal is None else heal.v, envs=envs)
