"""Every manifest inside a kustomization's folder is read by a kustomization or deployed
by Argo CD/Flux.

Why: a manifest dropped into an overlay folder (``overlays/prod/hpa.yaml``) and never
added to ``resources:`` looks deployed to anyone reading the folder, and never reaches the
cluster: Kustomize reads only the files a kustomization lists. Nothing fails; the
autoscaler, the PodDisruptionBudget or the NetworkPolicy is simply not there.

Reported: a YAML file inside a kustomization's folder tree (its folder or any folder below
it) holding a Kubernetes object (``apiVersion``, ``kind``, ``metadata.name``) that no
kustomization of the repository reads (as a resource, patch, generator input,
configuration, CRD or transformer/replacement config; only kustomizations in the file's
folder or above it can, as Kustomize loads nothing from outside a kustomization's folder)
and that no Argo CD Application/ApplicationSet or Flux Kustomization deploys (its ``path``
is the file's folder or a folder above it without a kustomization file in between).

Not reported: kustomization and Component files; YAML that is not an object (JSON6902
operation lists, generator inputs); strategic-merge patch fragments (a ``$patch``
directive, a file or folder named ``*patch*``, a workload without a selector or with a
container without an image); tool configuration that is never applied (``kpt``,
``skaffold``, ``*.config.k8s.io`` kinds, ``config.kubernetes.io/local-config``); Argo CD
and Flux objects themselves (bootstrap manifests applied by hand); files in generated or
ignored paths. Exceptions: list the files or globs under ``ignore:`` in
``.overlay-lint.yaml`` (``rules: [unreferenced-manifest]``, ``paths: [...]``). The finding
points at the ``kind:`` line of the file's first object; it names no env (no env reads the
file).

Failing (``overlays/prod/``, the kustomization does not list ``hpa.yaml``)::

    # overlays/prod/kustomization.yaml
    resources:
      - ../../base
      - pdb.yaml

Passing::

    resources:
      - ../../base
      - pdb.yaml
      - hpa.yaml

Fix: add the file to ``resources:`` of the kustomization that should deploy it, or delete
it if it is obsolete.
"""
from __future__ import annotations

import os
from typing import Iterator

from ...core.node import Node
from ..model import Problem, RuleContext

ID = "unreferenced-manifest"
SEVERITY = "error"
PARAMETERS: dict = {}

_TOOL_GROUPS = ("kpt.dev", "fn.kpt.dev", "skaffold", "kind.x-k8s.io", "builtin",
                "config.kubernetes.io", "kustomize.config.k8s.io")
_POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                       "CronJob", "Pod"}
_SELECTOR_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}
LOCAL_CONFIG = "config.kubernetes.io/local-config"


def check(ctx: RuleContext) -> Iterator[Problem]:
    from ..reach import kustomization_file
    from ..noops import generated
    loose = [f for t in ctx.targets if t.kind == "standalone" for f in t.target.files]
    candidates = []
    for path in loose:
        kdir = _enclosing_kustomization(path, ctx.repo_root, kustomization_file)
        if kdir is None or generated(path) or _read_by_ancestor(ctx, path):
            continue
        doc = _first_object(path)
        if doc is not None:
            candidates.append((path, kdir, doc))
    if not candidates:
        return
    deployed = _Deployed(ctx)
    for path, kdir, doc in candidates:
        if deployed.covers(path, kustomization_file):
            continue
        kind = doc.get("kind")
        name = doc.str_at("metadata", "name")
        rel = os.path.relpath(kdir, ctx.repo_root).replace(os.sep, "/")
        where = "the repository root" if rel == "." else rel
        yield Problem(kind.o if kind is not None else doc.o,
                      f"{kind.v if kind is not None else 'object'} '{name}' is in the folder "
                      f"of the kustomization at {where} but no kustomization reads this file "
                      "and no Argo CD/Flux path deploys it: it never reaches the cluster. List "
                      "it under resources: of the kustomization that should deploy it, or "
                      "delete it", None, envs=[], value=name, field_path="kind")


def _enclosing_kustomization(path: str, root: str, kustomization_file) -> str | None:
    """The nearest folder at or above the file's (up to the lint root) holding a
    kustomization file."""
    d = os.path.dirname(os.path.abspath(path))
    root = os.path.abspath(root)
    while True:
        if kustomization_file(d):
            return d
        if d == root or not d.startswith(root + os.sep):
            return None
        d = os.path.dirname(d)


def _read_by_ancestor(ctx: RuleContext, path: str) -> bool:
    """True when a kustomization at or above the file's folder names it (the only ones that
    may read it); discovery already checked the kustomizations under the linted paths."""
    d = os.path.dirname(os.path.abspath(path))
    root = os.path.abspath(ctx.repo_root)
    target = os.path.normpath(os.path.abspath(path))
    while True:
        info = ctx.index.get(d)
        if info is not None and any(r.path == target for r in info.refs):
            return True
        if d == root or not d.startswith(root + os.sep):
            return False
        d = os.path.dirname(d)


def _first_object(path: str) -> Node | None:
    """The first document that is a deployable Kubernetes object, or None when the file is
    not a manifest (or is a patch fragment, tool configuration, ...)."""
    from ...core.errors import OverlayLintError
    from ...core.yaml_reader import load_file
    try:
        docs = load_file(path)
    except OverlayLintError:
        return None
    if "patch" in os.path.relpath(path, os.path.dirname(os.path.dirname(path))).lower():
        return None
    first = None
    for doc in docs:
        if doc is None:
            continue
        if not doc.is_map:
            return None
        if _has_directive(doc):
            return None
        if first is None and _is_object(doc):
            first = doc
    return first


def _is_object(doc: Node) -> bool:
    av, kind, name = doc.str_at("apiVersion"), doc.str_at("kind"), \
        doc.str_at("metadata", "name")
    if not av or not kind or not name:
        return False
    group = av.split("/")[0] if "/" in av else ""
    if any(group == g or group.endswith("." + g) for g in _TOOL_GROUPS) or \
            group.endswith(".config.k8s.io") or av.startswith("skaffold/"):
        return False
    if group.endswith("argoproj.io") or group.endswith("fluxcd.io"):
        return False     # bootstrap objects of the deployment tools, applied by hand
    if doc.str_at("metadata", "annotations", LOCAL_CONFIG) == "true":
        return False
    if kind in _POD_TEMPLATE_KINDS and not _complete_workload(doc, kind):
        return False     # a strategic-merge patch of a workload, not a workload
    return True


def _complete_workload(doc: Node, kind: str) -> bool:
    spec = doc.get("spec")
    if spec is None or not spec.is_map:
        return False
    if kind in _SELECTOR_KINDS and doc.str_at("apiVersion") != "extensions/v1beta1" \
            and spec.get("selector") is None:
        return False
    if kind == "Pod":
        pod = spec
    elif kind == "CronJob":
        pod = spec.path("jobTemplate", "spec", "template", "spec")
    else:
        pod = spec.path("template", "spec")
    containers = pod.get("containers") if pod is not None else None
    if containers is None or not containers.is_seq or not containers.v:
        return False
    return all(c.is_map and c.get("image") is not None for c in containers.v)


def _has_directive(node: Node) -> bool:
    for _path, n in node.walk():
        if n.is_map and any(k.startswith("$") for k in n.v):
            return True
    return False


class _Deployed:
    """Folders Argo CD and Flux deploy (read from the whole repository, once)."""

    def __init__(self, ctx: RuleContext) -> None:
        from ...core.errors import OverlayLintError
        from ...core.yaml_reader import load_file
        from ..discovery import rel_path, walk
        from ..pointers import might_point, pointers_in
        root = os.path.abspath(ctx.repo_root)
        self.root = root
        tree = walk([root], ctx.config)
        rel_dirs = [rel_path(d, root) for d in tree.dirs]
        self.pointers = []
        for f in tree.yamls:
            if not might_point(f):
                continue
            try:
                docs = load_file(f)
            except OverlayLintError:
                continue
            self.pointers += list(pointers_in(f, docs, rel_dirs, root))

    def covers(self, path: str, kustomization_file) -> bool:
        """A pointer at the file's folder, or at a folder above it, with no kustomization
        file from there down to the file (a plain folder deploy: every manifest in it)."""
        from ..discovery import rel_path
        d = os.path.dirname(os.path.abspath(path))
        while True:
            if kustomization_file(d):   # a tool pointed here builds the kustomization
                return False
            rel = rel_path(d, self.root)
            if any(p.matches("" if rel == "." else rel) for p in self.pointers):
                return True
            if d == self.root or not d.startswith(self.root + os.sep):
                return False
            d = os.path.dirname(d)
