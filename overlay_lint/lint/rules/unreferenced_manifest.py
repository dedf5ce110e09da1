"""Every manifest kept with a kustomization's files is read by one, or deployed by a tool.

Why: a manifest dropped into an overlay folder (``overlays/prod/hpa.yaml``) and never
added to ``resources:`` looks deployed to anyone reading the folder, and never reaches the
cluster: Kustomize reads only the files a kustomization lists. Nothing fails; the
autoscaler, the PodDisruptionBudget or the NetworkPolicy is simply not there.

Reported: a YAML file holding a Kubernetes object (``apiVersion``, ``kind``,
``metadata.name``) that sits with a kustomization's files (in the kustomization's folder,
or in a folder it reads another file from, such as ``patches/``), that no kustomization of
the repository reads (as a resource, patch, generator input, configuration, CRD or
transformer/replacement config; only kustomizations in the file's folder or above can, as
Kustomize loads nothing from outside a kustomization's folder) and that no deployment tool
applies: no Argo CD Application/ApplicationSet or Flux Kustomization ``path`` names its
folder, or a folder above it with no kustomization file in between; no Skaffold
``manifests.rawYaml``/``deploy.kubectl.manifests`` and no Tiltfile ``k8s_yaml`` names it.

Not reported: kustomization and Component files; YAML that is not an object (JSON6902
operation lists, generator inputs); strategic-merge patch fragments (a ``$patch``
directive, a file or folder named ``*patch*``, a workload without a selector or with a
container without an image); a file a kustomization mentions in a comment
(``# - loadgenerator.yaml``: left out on purpose); files in a folder no kustomization
reads from (examples or test data below a repository-wide kustomization), in a Helm chart,
or generated; tool configuration that is never applied (``kpt``, ``skaffold``,
``*.config.k8s.io`` kinds, gator's ``test.gatekeeper.sh`` Suites,
``config.kubernetes.io/local-config``); Argo CD and Flux
objects themselves (bootstrap manifests applied by hand). Exceptions: list files or globs
under ``ignore:`` in ``.overlay-lint.yaml`` (``rules: [unreferenced-manifest]``,
``paths: [...]``). The finding points at the ``kind:`` line of the file's first object;
it names no env (no env reads the file).

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
from collections.abc import Iterator

from ...core.node import Node
from ..model import Problem, RuleContext

ID = "unreferenced-manifest"
SEVERITY = "error"
PARAMETERS: dict = {}

# tool configuration, never applied: kpt, Skaffold, kind, Kustomize, gator's test suites
_TOOL_GROUPS = ("kpt.dev", "fn.kpt.dev", "skaffold", "kind.x-k8s.io", "builtin",
                "config.kubernetes.io", "kustomize.config.k8s.io", "test.gatekeeper.sh")
_POD_TEMPLATE_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                       "CronJob", "Pod"}
_SELECTOR_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}
LOCAL_CONFIG = "config.kubernetes.io/local-config"


def check(ctx: RuleContext) -> Iterator[Problem]:
    from ..noops import generated
    loose = [f for t in ctx.targets if t.kind == "standalone" for f in t.target.files]
    candidates = []
    for path in loose:
        kdir = _owner(ctx, path)
        if kdir is None or generated(path) or _in_helm_chart(path, ctx.repo_root):
            continue
        doc = _first_object(path)
        if doc is not None:
            candidates.append((path, kdir, doc))
    if not candidates:
        return
    deployed = _Deployed(ctx)
    for path, kdir, doc in candidates:
        if deployed.covers(path):
            continue
        kind = doc.get("kind")
        name = doc.str_at("metadata", "name")
        rel = os.path.relpath(kdir, ctx.repo_root).replace(os.sep, "/")
        where = "the repository root" if rel == "." else rel
        yield Problem(kind.o if kind is not None else doc.o,
                      f"{kind.v if kind is not None else 'object'} '{name}' sits with the files "
                      f"of the kustomization at {where} but no kustomization reads it and no "
                      "Argo CD, Flux, Skaffold or Tilt configuration deploys it: it never "
                      "reaches the cluster. List it under resources: of the kustomization that "
                      "should deploy it, or delete it", None, envs=[], value=name,
                      field_path="kind")


def _owner(ctx: RuleContext, path: str) -> str | None:
    """The kustomization whose files the manifest sits with: the nearest one at or above
    its folder that lives in that folder or reads a file from it; None when a
    kustomization at or above names the file, or mentions it in a comment (a resource
    commented out on purpose), or when none owns the folder (a folder of examples or test
    data below a repository-wide kustomization is not the kustomization's)."""
    folder = os.path.dirname(os.path.abspath(path))
    target = os.path.normpath(os.path.abspath(path))
    root = os.path.abspath(ctx.repo_root)
    owner = None
    d = folder
    while True:
        info = ctx.index.get(d)
        if info is not None:
            if any(r.path == target for r in info.refs) or _commented(info.file, target, d):
                return None
            if owner is None and (d == folder or any(
                    os.path.dirname(r.path) == folder and os.path.isfile(r.path)
                    for r in info.refs)):
                owner = d
        if d == root or not d.startswith(root + os.sep):
            return owner
        d = os.path.dirname(d)


def _commented(kfile: str, target: str, kdir: str) -> bool:
    """True when a comment of the kustomization file names ``target`` (``# - hpa.yaml``)."""
    rel = os.path.relpath(target, kdir).replace(os.sep, "/")
    try:
        with open(kfile, encoding="utf-8", errors="replace") as fh:
            text = fh.read(1_000_000)
    except OSError:
        return False
    return any(rel in line.split("#", 1)[1] for line in text.splitlines() if "#" in line)


def _in_helm_chart(path: str, root: str) -> bool:
    """True inside a Helm chart (a folder above holds Chart.yaml): templates, not objects."""
    d = os.path.dirname(os.path.abspath(path))
    root = os.path.abspath(root)
    while d.startswith(root):
        if os.path.isfile(os.path.join(d, "Chart.yaml")):
            return True
        if d == root:
            return False
        d = os.path.dirname(d)
    return False


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
    """What deployment tools deploy, read from the whole repository once: folders of Argo
    CD Applications/ApplicationSets and Flux Kustomizations, files of Skaffold
    (``manifests.rawYaml``, ``deploy.kubectl.manifests``) and Tilt (``k8s_yaml``)."""

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
        self.files: list[str] = []      # absolute glob patterns of files a tool applies
        for f in tree.yamls:
            skaffold = os.path.basename(f).startswith("skaffold")
            if not skaffold and not might_point(f):
                continue
            try:
                docs = load_file(f)
            except OverlayLintError:
                continue
            if skaffold:
                self.files += _skaffold_files(f, docs)
            else:
                self.pointers += list(pointers_in(f, docs, rel_dirs, root))
        for d in tree.dirs:
            tiltfile = os.path.join(d, "Tiltfile")
            if os.path.isfile(tiltfile):
                self.files += _tilt_files(tiltfile)

    def covers(self, path: str) -> bool:
        """A tool applies the file itself, or deploys its folder or a folder above it with
        no kustomization file from there down to the file (a plain folder deploy: every
        manifest in it)."""
        import fnmatch
        from ..discovery import rel_path
        from ..reach import kustomization_file
        target = os.path.abspath(path)
        if any(fnmatch.fnmatchcase(target, pat) for pat in self.files):
            return True
        d = os.path.dirname(target)
        while True:
            if kustomization_file(d):   # a tool pointed here builds the kustomization
                return False
            rel = rel_path(d, self.root)
            if any(p.matches("" if rel == "." else rel) for p in self.pointers):
                return True
            if d == self.root or not d.startswith(self.root + os.sep):
                return False
            d = os.path.dirname(d)


def _skaffold_files(path: str, docs: list) -> list[str]:
    """Absolute glob patterns of the raw manifests a Skaffold config deploys."""
    base = os.path.dirname(os.path.abspath(path))
    out: list[str] = []
    for doc in docs:
        if doc is None or not doc.is_map or not (doc.str_at("apiVersion") or "").startswith(
                "skaffold/"):
            continue
        scopes = [doc] + [p for p in (doc.get("profiles").v if doc.get("profiles") is not None
                                      and doc.get("profiles").is_seq else []) if p.is_map]
        for scope in scopes:
            for keys in (("manifests", "rawYaml"), ("deploy", "kubectl", "manifests")):
                seq = scope.path(*keys)
                for item in (seq.v if seq is not None and seq.is_seq else []):
                    if isinstance(item.v, str) and item.v and "://" not in item.v:
                        out.append(os.path.normpath(os.path.join(base, item.v)))
    return out


def _tilt_files(path: str) -> list[str]:
    """Absolute paths of the YAML files a Tiltfile passes to ``k8s_yaml``."""
    import re
    base = os.path.dirname(os.path.abspath(path))
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(1_000_000)
    except OSError:
        return []
    out = []
    for call in re.findall(r"k8s_yaml\(([^()]*)\)", text):
        for lit in re.findall(r"""['"]([^'"]+\.ya?ml)['"]""", call):
            out.append(os.path.normpath(os.path.join(base, lit)))
    return out
