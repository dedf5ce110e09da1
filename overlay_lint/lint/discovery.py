"""Find what to check under the linted paths: envs, bases, components, loose manifests.

An env is found by the first of these signals that holds (``Target.signal``):

1. ``config``: listed under ``envs:`` in the configuration (paths or globs); when the
   config lists envs, no other signal is used;
2. ``argocd`` / ``flux``: a folder an Argo CD Application or ApplicationSet, or a Flux
   Kustomization, deploys (see ``pointers.py``);
3. ``overlays``: a kustomization directly under an ``overlays/`` folder;
4. ``root``: a kustomization root (no other kustomization includes it) that builds on
   another local kustomization (a base, a component), unless it sits in or below a
   ``base``/``common``/``shared`` folder (a building block no env includes any more).

A Component is never an env. Other kustomizations are bases: those that no env includes
(and no other such base includes) are checked alone; the rest are listed (``overlay-lint
envs``) as rendered by the envs that include them. YAML manifests (``apiVersion`` and
``kind``) no kustomization reads (Argo CD Applications, say) are checked as they stand;
other YAML (Helm values, CI configuration) is no manifest and is left alone.

What overlay-lint cannot render is listed, never checked, and named in a warning: a Helm
chart (a folder holding ``Chart.yaml``, or a Fleet ``fleet.yaml`` naming a ``helm.chart``,
with everything below it), a jsonnet folder
(``*.jsonnet``/``*.libsonnet``), a templated manifest (``{{`` markers where YAML expects
structure, so that it does not parse until a tool fills it in).

Envs that build on the same base form a group (an app): cross-env rules compare envs of
one group only. What includes what is read statically from the kustomization files (no
rendering), so discovery works even when an env fails to build, and a changed-file run can
use ``Target.reach`` before anything renders.
"""
from __future__ import annotations

import os
import re

from ..core.paths import read_head
from ..core.record import dataclass, field
from .config import Config, EnvSpec
from .envnames import BASE_NAMES, unique_names
from .pointers import Pointer, Repos, might_point, own_urls, pointers_in
from .reach import KUSTOMIZATION_FILES, KustIndex, regular_inside

SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox"}
YAML_EXT = (".yaml", ".yml")
ROLE_ORDER = {"dev": 0, "none": 1, "protected": 2}
MAX_SNIFF = 8 * 1024 * 1024     # bytes of a loose YAML file read to tell what it is
CHART_FILES = ("Chart.yaml", "Chart.yml")
FLEET_FILES = ("fleet.yaml", "fleet.yml")
JSONNET_EXT = (".jsonnet", ".libsonnet")
# what overlay-lint does not render: a kind and how a warning names several of them
NOT_RENDERED = {"helm-chart": "Helm chart", "jsonnet": "jsonnet folder",
                "template": "templated manifest"}


@dataclass
class Target:
    """Something found: an env, a base, a component or the loose manifests.

    ``reach`` holds the kustomization files and every file they name, statically
    (absolute paths): a change to any of them can change what the target renders.
    ``checked`` is False for what is only listed (a base its envs render, a component).
    """

    name: str
    kind: str                      # env | base | component | standalone |
                                   # helm-chart | jsonnet | template (listed, not checked)
    role: str                      # dev | protected | none
    dir: str | None = None         # kustomization (chart, jsonnet) folder; None for files
    files: list[str] = field(default_factory=list)   # standalone manifests, template file
    reach: set[str] = field(default_factory=set)
    kdirs: list[str] = field(default_factory=list)   # kustomization dirs reached, in order
    group: str = ""                # envs of one app share a group (their base, by default)
    signal: str = ""               # config | argocd | flux | overlays | root | ...
    why: str = ""                  # the signal, in words
    checked: bool = True
    hints: list[str] = field(default_factory=list)   # deploying manifests: role hints
    # Kustomize's load restrictor (files in or below the kustomization naming them); False
    # for an env only Flux deploys: Flux builds with LoadRestrictionsNone
    restrict: bool = True


@dataclass
class Notice:
    """Something discovery could not do, shown as a warning (never a failure)."""

    message: str
    file: str | None = None
    line: int | None = None


@dataclass
class Survey:
    """Everything found under the linted paths."""

    root: str
    targets: list[Target] = field(default_factory=list)   # envs, bases, components, loose
    notices: list[Notice] = field(default_factory=list)
    pointers: list[Pointer] = field(default_factory=list)

    @property
    def checked(self) -> list[Target]:
        return [t for t in self.targets if t.checked]

    @property
    def envs(self) -> list[Target]:
        return [t for t in self.targets if t.kind == "env"]

    @property
    def unrenderable(self) -> list[Target]:
        """Helm charts, jsonnet folders, templated manifests: listed, never checked."""
        return [t for t in self.targets if t.kind in NOT_RENDERED]


@dataclass
class Tree:
    """What the walk saw: kustomization dirs, YAML files, every folder."""

    kdirs: list[str] = field(default_factory=list)
    yamls: list[str] = field(default_factory=list)
    dirs: list[str] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)     # folders holding Chart.yaml
    jsonnet: list[str] = field(default_factory=list)    # folders holding *.jsonnet


def walk(paths: list[str], cfg: Config, notices: list[Notice] | None = None) -> Tree:
    """Kustomization dirs and YAML files under ``paths`` (hidden and ignored paths
    skipped), with an explicit stack: a tree thousands of levels deep is no problem. A
    folder that cannot be read is a notice, never silently skipped."""
    tree = Tree()
    seen: set[str] = set()
    for top in paths:
        top = os.path.abspath(top)
        if os.path.isfile(top):
            continue
        stack = [top]
        while stack:
            d = stack.pop()
            if d in seen:
                continue
            seen.add(d)
            try:
                with os.scandir(d) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as exc:
                if notices is not None:
                    notices.append(Notice(f"cannot read this folder ({exc.strerror or exc}); "
                                          "what it holds was not checked", d))
                continue
            tree.dirs.append(os.path.normpath(d))
            subdirs: list[str] = []
            is_kust = is_chart = is_jsonnet = False
            for e in entries:
                try:
                    if e.is_dir(follow_symlinks=False):
                        if e.name not in SKIP_DIRS and not e.name.startswith(".") \
                                and not cfg.path_ignored(e.path):
                            subdirs.append(e.path)
                    elif e.name in KUSTOMIZATION_FILES:
                        is_kust = is_kust or e.is_file()
                    elif e.name in CHART_FILES:
                        is_chart = is_chart or e.is_file()
                    elif e.name in FLEET_FILES:   # a Fleet bundle rendered by Helm
                        is_chart = is_chart or _fleet_helm_chart(e.path, top)
                    elif e.name.endswith(JSONNET_EXT):
                        is_jsonnet = is_jsonnet or not cfg.path_ignored(e.path)
                    elif e.name.endswith(YAML_EXT):
                        # never a FIFO/device, never a symlink out of the linted tree
                        if not cfg.path_ignored(e.path) and regular_inside(e.path, top):
                            tree.yamls.append(os.path.normpath(e.path))
                except OSError:
                    continue
            if is_kust:
                tree.kdirs.append(os.path.normpath(d))
            if is_chart:
                tree.charts.append(os.path.normpath(d))
            if is_jsonnet:
                tree.jsonnet.append(os.path.normpath(d))
            stack.extend(reversed(subdirs))
    return tree


def env_order(t: Target) -> tuple:
    return (ROLE_ORDER.get(t.role, 1), t.name)


def discover(paths: list[str], cfg: Config, index: KustIndex | None = None,
             root: str | None = None) -> list[Target]:
    """The targets to check: envs (ordered dev, others, protected), then the bases no env
    includes, then the loose manifests."""
    return survey(paths, cfg, index, root).checked


def survey(paths: list[str], cfg: Config, index: KustIndex | None = None,
           root: str | None = None) -> Survey:
    """Everything under ``paths``: envs, bases, components, loose manifests, and why."""
    index = index or KustIndex()
    if root is None:
        from ..core.paths import find_root
        root = index.root or find_root(paths[0] if paths else ".")
    root = os.path.abspath(root)
    out = Survey(root)
    tree = walk(paths, cfg, out.notices)
    charts = _outermost(tree.charts)
    kdirs = [d for d in tree.kdirs if index.get(d) is not None and not _below(d, charts)]
    components = {d for d in kdirs if index.get(d).is_component}
    included = {c for d in kdirs for c in index.get(d).children}

    if cfg.envs is not None:
        envs = _configured_envs(cfg, kdirs, components, root)
    else:
        # the Argo CD/Flux manifests of the whole repository, even when a subfolder is
        # linted: `overlay-lint infrastructure/` must find the envs (and roles) that
        # clusters/production deploys
        whole = tree if all(os.path.abspath(p) == root for p in paths) \
            else walk([root], cfg)
        out.pointers = _pointers(whole, root)
        envs = _found_envs(kdirs, components, included, out.pointers, index, root)
    _name_envs(envs, root, cfg)
    by_dir = {t.dir: t for t in envs}
    for t in envs:
        t.kdirs, t.reach = index.reach(t.dir)
        if t.role == "":
            t.role = cfg.roles.role(cfg.rel(t.dir), t.hints)
        if not t.group:
            t.group = _group(t.dir, by_dir, index, root, set())
    envs.sort(key=env_order)

    covered: dict[str, list[str]] = {}
    for t in envs:
        for d in t.kdirs:
            covered.setdefault(d, []).append(t.name)
    left = [d for d in kdirs if d not in covered]
    inner = {sub for d in left for sub in index.closure(d)[1:]}
    rest: list[Target] = []
    for d in kdirs:
        if d in by_dir:
            continue
        rel = rel_path(d, root)
        if d in components:
            users = covered.get(d, [])
            rest.append(Target(rel, "component", "none", d, checked=False, signal="component",
                               why="kind: Component, rendered inside "
                                   + (_count_envs(users) if users else
                                      "the kustomizations that list it (never built alone)")))
        elif d in covered:
            rest.append(Target(rel, "base", "none", d, checked=False, signal="included",
                               why=f"rendered as part of {_count_envs(covered[d])}"))
        elif d in inner:
            rest.append(Target(rel, "base", "none", d, checked=False, signal="included",
                               why="rendered as part of a base checked alone"))
        elif _is_template(index.get(d)):
            rest.append(Target(rel, "base", "none", d, checked=False, signal="template",
                               why="a template ({{ ... }} in a kustomization file that does "
                                   "not parse): not rendered"))
        else:
            t = Target("base", "base", "none", d, signal="base",
                       why="a kustomization root that builds on no other local kustomization "
                           "and that no deployment points at: checked alone, as a base"
                       if not index.get(d).children else
                       "a kustomization no env includes: checked alone, as a base")
            t.kdirs, t.reach = index.reach(d)
            rest.append(t)

    rest += _unrendered_folders(tree, charts, out.pointers, root)
    loose: list[str] = []
    for f in _loose(tree, kdirs, envs + rest, index):
        if _below(f, charts):
            continue
        what = yaml_kind(f)
        if what == "manifest":
            loose.append(f)
        elif what == "template":
            rest.append(Target(rel_path(f, root), "template", "none", None, files=[f],
                               checked=False, signal="template",
                               why="{{ ... }} where YAML expects structure: a template a tool "
                                   "fills in (Helm, Go); not rendered or checked"))
    out.targets = envs + rest
    if cfg.load_restrictor != "auto":   # the config says how the deploying tool builds
        for t in out.targets:
            t.restrict = cfg.load_restrictor == "root-only"
    elif out.pointers and all(p.via.startswith("Flux") for p in out.pointers):
        # a repository only Flux deploys: Flux builds whatever it reaches without the
        # restrictor, bases and clusters whose source it cannot place here (an OCI artifact
        # of the repository) included
        for t in out.targets:
            t.restrict = False
    if loose:
        out.targets.append(Target("", "standalone", "none", None, files=loose, reach=set(loose),
                                  signal="loose", why="YAML manifests no kustomization reads, "
                                                      "checked as they stand"))
    return out


def _outermost(dirs: list[str]) -> list[str]:
    """The folders not inside another of ``dirs`` (a chart's subcharts are the chart's)."""
    out: list[str] = []
    for d in sorted(dirs):
        if not _below(d, out):
            out.append(d)
    return out


def _below(path: str, folders: list[str]) -> bool:
    """Whether ``path`` is one of ``folders`` or inside one."""
    return any(path == f or path.startswith(f + os.sep) for f in folders)


def _fleet_helm_chart(path: str, top: str) -> bool:
    """A Fleet ``fleet.yaml`` whose ``helm:`` names a chart: Fleet renders the folder with
    Helm, and a kustomization below (``kustomize.dir``) post-renders the chart's output."""
    from ..core.errors import OverlayLintError
    from ..core.yaml_reader import load_file
    if not regular_inside(path, top):
        return False
    try:
        docs = load_file(path)
    except OverlayLintError:
        return False
    helm = docs[0].get("helm") if docs and docs[0] is not None and docs[0].is_map else None
    return helm is not None and helm.is_map and helm.str_at("chart") is not None


def _unrendered_folders(tree: Tree, charts: list[str], pointers: list[Pointer],
                        root: str) -> list[Target]:
    """Helm charts and jsonnet folders: listed (with what deploys them), never checked."""
    out = []
    for c in charts:
        rel = rel_path(c, root)
        post = any(_below(k, [c]) for k in tree.kdirs)
        chart = any(os.path.isfile(os.path.join(c, f)) for f in CHART_FILES)
        why = ("a Helm chart (Chart.yaml" if chart else "a Fleet bundle of a Helm chart "
               "(fleet.yaml helm.chart") + (", with a kustomization post-rendering it)"
                                            if post else ")")
        hits = [p for p in pointers if p.matches(rel)]
        if hits:
            why += f" deployed by {hits[0].via}" + (f" ({_loc(hits[0].origin, root)})"
                                                    if hits[0].origin else "")
        out.append(Target(rel, "helm-chart", "none", c, checked=False, signal="helm",
                          why=why + ": Helm is not supported; not rendered or checked"))
    for j in tree.jsonnet:
        if _below(j, charts) or j in tree.kdirs:
            continue
        rel = rel_path(j, root)
        hits = [p for p in pointers if p.matches(rel)]
        why = "jsonnet (*.jsonnet, *.libsonnet)" + (f" deployed by {hits[0].via}" if hits
                                                     else "")
        out.append(Target(rel, "jsonnet", "none", j, checked=False, signal="jsonnet",
                          why=why + ": not rendered or checked"))
    return out


_API_VERSION = re.compile(rb"""(?:^|\{\s*|,\s*)["']?apiVersion["']?\s*:""", re.M)
_KIND = re.compile(rb"""(?:^|\{\s*|,\s*)["']?kind["']?\s*:""", re.M)


def yaml_kind(path: str) -> str:
    """What a YAML file no kustomization reads is: ``manifest`` (top-level ``apiVersion``
    and ``kind``), ``template`` (a manifest with ``{{`` markers that does not parse as it
    stands: a Helm or Go template) or ``other`` (Helm values, CI or tool configuration:
    no Kubernetes object). Only a file holding ``{{`` is parsed here; ``{{`` inside
    strings (an ApplicationSet's template, an alert's text) leaves a manifest a manifest."""
    try:
        raw = read_head(path, MAX_SNIFF)
    except OSError:
        return "manifest"          # the check reports what cannot be read
    if not (_API_VERSION.search(raw) and _KIND.search(raw)):
        return "other"
    if b"{{" not in raw:
        return "manifest"
    from ..core.errors import OverlayLintError
    from ..core.yaml_reader import load_file
    try:
        load_file(path)
    except OverlayLintError:
        return "template"
    return "manifest"


def warnings_of(found: Survey, cfg: Config, changed: list[str] | None = None) -> list[Notice]:
    """What a user must see about discovery: folders that could not be read, no env at
    all, no protected env (so the production rules never ran), what is not rendered
    (Helm charts, jsonnet, templates: in a changed-files run, only those holding a changed
    file, or every commit would be told about every chart). Setting
    ``roles: {protected: []}`` says a repository has no production env on purpose."""
    out = list(found.notices)
    envs = found.envs
    if not envs:
        out.append(Notice("no env found: the dev and production rules did not run (see "
                          "`overlay-lint envs`; list envs under `envs:` in the config)"))
    elif not any(t.role == "protected" for t in envs) and cfg.roles.protected.any():
        out.append(Notice(f"no env is protected among {_count_envs([t.name for t in envs])}: "
                          "the production rules did not run; name production folders prod, "
                          "production, prod-* ... or set `roles:` in the config"))
    lost = [p for p in found.pointers if p.unresolved]
    if lost:
        shown = "; ".join(f"{p.via} ({_loc(p.origin, found.root)}) deploys {p.unresolved}"
                          if p.origin else f"{p.via} deploys {p.unresolved}" for p in lost[:3])
        more = f"; … (+{len(lost) - 3})" if len(lost) > 3 else ""
        out.append(Notice(f"{len(lost)} Flux Kustomization path{'s' if len(lost) != 1 else ''}"
                          f" not resolved in this repository, so not used to find envs: "
                          f"{shown}{more}"))
    skipped = found.unrenderable
    if changed is not None:
        touched = [os.path.abspath(c) for c in changed]
        skipped = [t for t in skipped if any(
            c in t.files or (t.dir is not None and _below(c, [t.dir])) for c in touched)]
    if skipped:
        parts = []
        for kind, label in NOT_RENDERED.items():
            names = [t.name for t in skipped if t.kind == kind]
            if names:
                shown = ", ".join(names[:3]) + (f", … (+{len(names) - 3})"
                                                if len(names) > 3 else "")
                parts.append(f"{len(names)} {label}{'s' if len(names) != 1 else ''} ({shown})")
        out.append(Notice("not checked, as overlay-lint renders Kustomize only: "
                          + ", ".join(parts) + " (`overlay-lint envs` lists them; "
                          "`ignore-paths:` in the config leaves them out)"))
    return out


def _is_template(info) -> bool:
    """A kustomization file that does not parse and holds ``{{``: a template (Helm, Go,
    cookiecutter) that something fills in before Kustomize sees it."""
    if info is None or info.node is not None:
        return False
    try:
        with open(info.file, "rb") as fh:
            return b"{{" in fh.read(1_000_000)
    except OSError:
        return False


def _count_envs(names: list[str]) -> str:
    from .envnames import short_list
    return f"{len(names)} env{'s' if len(names) != 1 else ''} ({short_list(names)})" \
        if len(names) <= 4 else short_list(names)


def rel_path(path: str, root: str) -> str:
    """``path`` relative to the root, ``/``-separated (the root is a real path; the path
    may have been reached through a symlinked folder above it)."""
    prefix = root if root.endswith(os.sep) else root + os.sep
    if path.startswith(prefix) and os.path.normpath(path) == path \
            and os.path.normpath(root) == root and not path.startswith("..", len(prefix)):
        # normal, absolute and below the root: what relpath gives, without its work
        # (abspath of both, a split and a common prefix: ~5 us a call, 600 a run)
        return path[len(prefix):].replace(os.sep, "/")
    rel = os.path.relpath(path, root)
    if rel.startswith(".."):
        rel = os.path.relpath(os.path.realpath(path), root)
    return rel.replace(os.sep, "/")


def _pointers(tree: Tree, root: str) -> list[Pointer]:
    from ..core.errors import OverlayLintError
    rel_dirs = [rel_path(d, root) for d in tree.dirs]
    files = []
    repos = Repos(own_urls(root))
    for f in tree.yamls:
        if not might_point(f):
            continue
        from ..core.yaml_reader import load_file   # the YAML parser only when it is needed
        try:
            docs = load_file(f)
        except OverlayLintError:
            continue
        files.append((f, docs))
        repos.add_sources(docs, os.path.abspath(f))
    found: list[Pointer] = []
    for f, docs in files:
        found += pointers_in(f, docs, rel_dirs, root, repos)
    return found


def _found_envs(kdirs: list[str], components: set[str], included: set[str],
                pointers: list[Pointer], index: KustIndex, root: str) -> list[Target]:
    envs = []
    krels = {rel_path(d, root) for d in kdirs}
    for d in kdirs:
        if d in components:
            continue
        rel = rel_path(d, root)
        # a pattern (a parameter not known here) names deployed roots, never the base
        # its envs include; an exact path may name anything
        hits = [p for p in pointers if (p.matches(rel) and (p.exact or d not in included))
                or (d not in included and _flux_generated(p, rel, krels))]
        hit = hits[0] if hits else None
        hints = [h for p in hits for h in (rel_path(p.origin[0], root) if p.origin else "",
                                           p.name) if h]
        if hit is not None:
            signal = "flux" if hit.via.startswith("Flux") else "argocd"
            where = f" ({_loc(hit.origin, root)})" if hit.origin else ""
            why = f"deployed by {hit.via}{where}"
            if not hit.matches(rel):
                why += f", in the kustomization Flux generates for {hit.pattern}/"
        elif os.path.basename(os.path.dirname(d)) == "overlays":
            signal, why = "overlays", "a kustomization directly under an overlays/ folder"
        elif d not in included and index.get(d).children and not _in_base_folder(rel):
            signal = "root"
            base = rel_path(index.get(d).children[0], root)
            why = f"a kustomization root (nothing includes it) that builds on {base}"
        else:
            continue
        envs.append(Target("", "env", "", d, signal=signal, why=why, hints=hints,
                           restrict=not hits or not all(p.via.startswith("Flux") for p in hits)))
    return envs


def _in_base_folder(rel: str) -> bool:
    """A kustomization in or below a ``base``/``common``/``shared`` folder
    (``cluster-scope/base/core/namespaces/argocd``) is a building block even when no env
    includes it any more: checked alone, as a base, never an env by the root signal."""
    return any(seg in BASE_NAMES for seg in rel.split("/"))


def _flux_generated(p: Pointer, rel: str, krels: set[str]) -> bool:
    """Whether a Flux Kustomization deploys ``rel`` through the kustomization Flux
    generates for a folder without one: it lists the folder's manifests and, recursively,
    its subfolders, a subfolder holding a kustomization as a whole. Not for the repository
    root (a Kustomization without ``path``): that is most often another branch's or
    another checkout's root (a tenant's GitRepository), never the whole repository here."""
    if not p.via.startswith("Flux") or p.unresolved or not p.exact or p.pattern in krels \
            or p.pattern == ".":
        return False
    top = p.pattern + "/"
    if not rel.startswith(top):
        return False
    segs = rel[len(top):].split("/")
    return not any(top + "/".join(segs[:i]) in krels for i in range(1, len(segs)))


def _loc(origin, root: str) -> str:
    return f"{rel_path(origin[0], root)}:{origin[1]}"


def _configured_envs(cfg: Config, kdirs: list[str], components: set[str],
                     root: str) -> list[Target]:
    from ..core.errors import at
    from .pointers import segments_match
    envs: list[Target] = []
    taken: dict[str, EnvSpec] = {}
    for spec in cfg.envs or []:
        where = _loc(spec.origin, root) if spec.origin else "the config"
        if spec.pattern is None:
            matches = [spec.path]
        else:
            matches = [d for d in kdirs if segments_match(cfg.rel(d), spec.pattern)]
            if not matches:
                raise at(spec.origin, f"env path '{spec.pattern}' matches no kustomization "
                                      "directory")
        for d in matches:
            if d in components:
                raise at(spec.origin, f"'{cfg.rel(d)}' is a Component (kind: Component), "
                                      "which is never an env; list the kustomizations that "
                                      "include it")
            if d in taken:
                continue   # listed by an earlier entry: the first one wins
            taken[d] = spec
            t = Target(spec.name if spec.pattern is None else "", "env", spec.role or "", d,
                       group=spec.group or "", signal="config", why=f"listed in {where}")
            envs.append(t)
    return envs


def _name_envs(envs: list[Target], root: str, cfg: Config) -> None:
    from ..core.errors import at
    unnamed = [t for t in envs if not t.name]
    names = unique_names([rel_path(t.dir, root) for t in unnamed], os.path.basename(root) or "/")
    for t, n in zip(unnamed, names):
        t.name = n
    seen: dict[str, Target] = {}
    for t in envs:
        if t.name in seen:
            spec = next((s for s in cfg.envs or [] if s.name == t.name), None)
            raise at(spec.origin if spec else None,
                     f"env name '{t.name}' is used twice; give each env a unique name")
        seen[t.name] = t


def _group(d: str, envs: dict[str, Target], index: KustIndex, root: str,
           seen: set[str]) -> str:
    """The base an env builds on: its first kustomization outside its own folder that is
    not a Component (else the base of its one kustomization in a subfolder, else its
    first Component). An env layered on a sibling env (``overlays/prod-eu`` on ``../prod``)
    joins that env's group; one built on another app's env (``aggregate/overlays/default``
    on ``../../connect/overlays/default``) has that env's folder as its base."""
    seen.add(d)
    info = index.get(d)
    kids = [c for c in (info.children if info is not None else [])
            if index.get(c) is not None and c != d]
    outside = [c for c in kids if not c.startswith(d + os.sep)]
    for c in outside:
        if index.get(c).is_component:
            continue
        if c in envs and c not in seen and os.path.dirname(c) == os.path.dirname(d):
            other = envs[c]
            return other.group or _group(c, envs, index, root, seen)
        if c in envs and not any(index.get(k) is not None and not index.get(k).is_component
                                 for k in index.get(c).children if k != c):
            # another app's env that builds on nothing is a group of its own folder: this
            # env, which includes it whole (an app deploying a setup job that is also
            # deployed alone), is another app, not one more env of that group
            return rel_path(d, root)
        return rel_path(c, root)
    # its one base in a subfolder of its own (`kustomize/` on `kustomize/base`, as the
    # test variants in `kustomize/tests/*` are): that base, or what it builds on. Several
    # (`apps/` listing `./frontend` and `./backend`) make an aggregate, an app of its own
    inside = [c for c in kids if c not in outside and not index.get(c).is_component]
    if len(inside) == 1 and inside[0] not in seen:
        return _group(inside[0], envs, index, root, seen)
    # built from components only: the first one is what its envs share
    return rel_path(outside[0], root) if outside else rel_path(d, root)


def _loose(tree: Tree, kdirs: list[str], targets: list[Target], index: KustIndex) -> list[str]:
    """YAML files no kustomization names. A kustomization that does not load names files
    we cannot see: nothing in or below its folder counts as loose (Kustomize only reads
    files in or below a kustomization's folder)."""
    named: set[str] = set()
    broken: list[str] = []
    for d in kdirs:
        info = index.get(d)
        named.add(info.file)
        named.update(r.path for r in info.refs)
        if info.node is None:
            broken.append(d + os.sep)
    for t in targets:
        named.update(t.reach)
    return [f for f in tree.yamls if f not in named and not f.startswith(tuple(broken))]
