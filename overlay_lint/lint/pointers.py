"""Deployment pointers: the folders that Argo CD and Flux deploy, read from their manifests.

An Argo CD ``Application`` names ``spec.source.path`` (or ``spec.sources[].path``); an
``ApplicationSet`` names a templated path that its generators fill in (``list`` elements,
``git`` directories and files, ``matrix`` products; any other generator's parameters are
unknown here and match any folder name); a Flux ``Kustomization``
(``kustomize.toolkit.fluxcd.io``) names ``spec.path`` in its source: this repository
when the source is a ``GitRepository`` of it, or an ``ExternalArtifact`` that an
``ArtifactGenerator`` in the linted files copies out of it (``from: "@repo/apps/**"`` to
``"@artifact/apps/"``). A path in an OCI artifact or a bucket is another source's, like a
path in another repository; an ExternalArtifact no generator in the linted files produces
is unresolved (a ``Pointer`` that matches nothing and says why, for a warning). Paths are relative to the
repository root. These are the strongest sign that a kustomization is an env.

Nothing is fetched: a pointer into another repository simply matches nothing here.
"""
from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Iterable, Iterator

from ..core.node import Node, Origin
from ..core.paths import read_head
from ..core.record import dataclass, field

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

ARGO_GROUP = "argoproj.io/"
FLUX_GROUP = "kustomize.toolkit.fluxcd.io/"
FLUX_SOURCE_GROUP = "source.toolkit.fluxcd.io/"
FLUX_GENERATOR_GROUP = "source.extensions.fluxcd.io/"
_MARKERS = (b"argoproj.io", b"kustomize.toolkit.fluxcd.io", b"source.toolkit.fluxcd.io",
            b"source.extensions.fluxcd.io")
MAX_PARAM_SETS = 10_000     # generator products are bounded (a matrix of large lists)


@dataclass
class Repos:
    """Which repository a pointer's path is in: this one's remote URLs (from
    ``.git/config``; empty when unknown) and the Flux ``GitRepository`` sources declared
    in the linted files. A pointer into another repository matches nothing here."""

    own: set[str] = field(default_factory=set)
    flux: dict[tuple[str, str], str] = field(default_factory=dict)   # (ns, name) -> url
    # ExternalArtifacts of ArtifactGenerators: (ns, artifact) -> its copies out of a
    # GitRepository: [(folder in the artifact, folder in that repository, (ns, repo name),
    # the generator's file)]
    artifacts: dict[tuple[str, str], list[tuple[str, str, tuple[str, str], str]]] = \
        field(default_factory=dict)
    produced: set[tuple[str, str]] = field(default_factory=set)   # every (ns, artifact)

    def is_other(self, url: str | None) -> bool:
        return bool(url) and bool(self.own) and normalize_url(url) not in self.own

    def add_sources(self, docs: Iterable[Node | None], path: str = "") -> None:
        for doc in docs:
            if doc is None or not doc.is_map:
                continue
            av, kind = doc.str_at("apiVersion") or "", doc.str_at("kind")
            ns = doc.str_at("metadata", "namespace") or "flux-system"
            if kind == "GitRepository" and av.startswith(FLUX_SOURCE_GROUP):
                url = doc.str_at("spec", "url")
                name = doc.str_at("metadata", "name")
                if url and name:
                    self.flux[(ns, name)] = url
            elif kind == "ArtifactGenerator" and av.startswith(FLUX_GENERATOR_GROUP):
                self._add_generator(doc, ns, path)

    def _add_generator(self, doc: Node, ns: str, path: str) -> None:
        """The copies of each artifact whose ``from`` is a folder's content (a glob in its
        last segment: ``@repo/apps/**``, ``@repo/deploy/*.yaml``) of a GitRepository."""
        git: dict[str, tuple[str, str]] = {}
        srcs = doc.path("spec", "sources")
        for src in (srcs.v if srcs is not None and srcs.is_seq else []):
            if src.is_map and src.str_at("kind") == "GitRepository" and src.str_at("alias") \
                    and src.str_at("name"):
                git[src.str_at("alias") or ""] = (src.str_at("namespace") or ns,
                                                  src.str_at("name") or "")
        arts = doc.path("spec", "artifacts")
        for art in (arts.v if arts is not None and arts.is_seq else []):
            name = art.str_at("name") if art.is_map else None
            if name:
                self.produced.add((ns, name))
            copies = art.path("copy") if name else None
            for c in (copies.v if copies is not None and copies.is_seq else []):
                m_from = re.fullmatch(r"@([^/]+)/(.*)", c.str_at("from") or "") \
                    if c.is_map else None
                m_to = re.fullmatch(r"@artifact/?(.*)", c.str_at("to") or "") \
                    if c.is_map else None
                if not m_from or not m_to or m_from.group(1) not in git:
                    continue
                src_dir, _, last = m_from.group(2).rpartition("/")
                if "*" not in last or "*" in src_dir:
                    continue
                self.artifacts.setdefault((ns, name or ""), []).append(
                    (_norm(m_to.group(1)), _norm(src_dir), git[m_from.group(1)], path))

    def artifact_path(self, ns: str, name: str, path: str, near: str) -> str | None:
        """The folder of this repository a path inside an ExternalArtifact is, when an
        ArtifactGenerator copies it from here: the deepest matching copy wins, then the
        generator nearest the file ``near`` (each cluster folder may declare its own)."""
        best: tuple[tuple[int, int], str, str] | None = None
        for dst, src, repo, gen in self.artifacts.get((ns, name), []):
            if self.is_other(self.flux.get(repo)):
                continue
            if dst == "." or path == dst or path.startswith(dst + "/"):
                rank = (len(dst) if dst != "." else 0,
                        len(os.path.commonpath([gen, near])) if gen and near else 0)
                if best is None or rank > best[0]:
                    best = (rank, dst, src)
        if best is None:
            return None
        _, dst, src = best
        rest = path if dst == "." else path[len(dst):]
        return _norm(src + "/" + rest) if src != "." else _norm(rest)


def normalize_url(url: str) -> str:
    """``git@github.com:org/repo.git`` and ``https://github.com/org/repo`` alike."""
    u = url.strip().lower()
    u = re.sub(r"^[a-z+]+://", "", u)
    u = re.sub(r"^[^@/]+@", "", u)
    u = re.sub(r"^([^/:]+):(?!\d+/)", r"\1/", u)      # scp-like host:path
    u = re.sub(r"^([^/:]+):\d+/", r"\1/", u)          # a port
    u = u.rstrip("/")
    return u[:-4] if u.endswith(".git") else u


def own_urls(root: str) -> set[str]:
    """Remote URLs of the repository at ``root`` (``.git/config``; a ``.git`` file of a
    worktree points elsewhere and is not followed)."""
    cfg = os.path.join(root, ".git", "config")
    if os.path.islink(os.path.join(root, ".git")) or not os.path.isfile(cfg):
        return set()
    try:
        with open(cfg, encoding="utf-8", errors="replace") as fh:
            text = fh.read(1_000_000)
    except OSError:
        return set()
    # a remote that is a local folder (a clone of a mirror or a cache, as CI systems and
    # `git clone /path` make) says nothing about the repository's URL: not an identity
    return {normalize_url(m) for m in re.findall(r"^\s*url\s*=\s*(\S+)\s*$", text, re.M)
            if not _local_remote(m)}


def _local_remote(url: str) -> bool:
    u = url.strip()
    return u.startswith(("/", "./", "../", "~", "file:")) or re.match(r"^[A-Za-z]:[\\/]", u) \
        is not None


@dataclass(frozen=True)
class Pointer:
    """A folder a deployment manifest deploys: an exact path or a pattern (``*`` in a
    segment) relative to the repository root."""

    pattern: str
    origin: Origin | None
    via: str                 # "Argo CD Application web-prod", "Flux Kustomization apps"
    name: str = ""           # the Application's (Kustomization's) name
    unresolved: str = ""     # why the path is not known here (then it matches nothing)

    @property
    def exact(self) -> bool:
        return not any(c in self.pattern for c in "*?[")

    @property
    def vague(self) -> bool:
        """No segment known (``{{ srcPath }}`` of an unknown generator, ``./${CLUSTER}``:
        ``*``): it says nothing about which folder is deployed, so it matches none."""
        return all(any(c in seg for c in "*?[") for seg in self.pattern.split("/"))

    def matches(self, rel: str) -> bool:
        if self.unresolved or self.vague:
            return False
        if self.exact:
            return rel == self.pattern
        return segments_match(rel, self.pattern)


def segments_match(rel: str, pattern: str) -> bool:
    """Glob match segment by segment (``*`` never crosses ``/``; ``**`` spans segments)."""
    parts, pats = rel.split("/"), pattern.split("/")

    def go(i: int, j: int) -> bool:
        while j < len(pats):
            if pats[j] == "**":
                return any(go(k, j + 1) for k in range(i, len(parts) + 1))
            if i >= len(parts) or not fnmatch.fnmatchcase(parts[i], pats[j]):
                return False
            i, j = i + 1, j + 1
        return i == len(parts)
    return go(0, 0)


def might_point(path: str) -> bool:
    """Cheap pre-check on the raw bytes before a file is parsed."""
    try:
        raw = read_head(path, 8 * 1024 * 1024)
    except OSError:
        return False
    return any(m in raw for m in _MARKERS)


def pointers_in(path: str, docs: Iterable[Node | None], rel_dirs: list[str],
                root: str, repos: Repos | None = None) -> Iterator[Pointer]:
    """Pointers declared by the documents of one file. ``rel_dirs`` (folders relative to
    ``root``) serve the git directory/file generators of ApplicationSets; ``repos`` tells
    sources in other repositories apart."""
    repos = repos or Repos()
    for doc in docs:
        if doc is None or not doc.is_map:
            continue
        av, kind = doc.str_at("apiVersion") or "", doc.str_at("kind") or ""
        name = doc.str_at("metadata", "name") or "?"
        if av.startswith(ARGO_GROUP) and kind == "Application":
            for p, o in _source_paths(doc.get("spec"), repos):
                yield Pointer(_norm(p), o, f"Argo CD Application {name}", name)
        elif av.startswith(ARGO_GROUP) and kind == "ApplicationSet":
            spec = doc.get("spec")
            if spec is None or not spec.is_map:
                continue
            gotmpl = spec.get("goTemplate") is not None and spec.get("goTemplate").v is True
            params = _generate(spec.get("generators"), rel_dirs, root, gotmpl)
            tmpl = spec.path("template", "spec")
            for p, o in _source_paths(tmpl, repos):
                seen: set[str] = set()
                for ps in params:
                    pat = _norm(substitute(p, ps, gotmpl))
                    if pat not in seen:
                        seen.add(pat)
                        yield Pointer(pat, o, f"Argo CD ApplicationSet {name}", name)
        elif av.startswith(FLUX_GROUP) and kind == "Kustomization":
            spec = doc.get("spec")
            if spec is None or not spec.is_map:
                continue
            ref = spec.get("sourceRef")
            src_kind = (ref.str_at("kind") or "") if ref is not None and ref.is_map else ""
            src_name = (ref.str_at("name") or "") if ref is not None and ref.is_map else ""
            ns = (ref.str_at("namespace") if ref is not None and ref.is_map else None) \
                or doc.str_at("metadata", "namespace") or "flux-system"
            if src_kind == "GitRepository" and repos.is_other(repos.flux.get((ns, src_name))):
                continue
            p = spec.get("path")
            text = p.v if p is not None and isinstance(p.v, str) else "./"
            # Flux's postBuild substitution is not known here: ${VAR} matches any name
            target = _norm(re.sub(r"\$\{[^}]*\}", "*", text))
            where = p.o if p is not None else doc.o
            via = f"Flux Kustomization {name}"
            if src_kind in ("GitRepository", ""):
                yield Pointer(target, where, via, name)
                continue
            if src_kind != "ExternalArtifact":
                continue    # an OCI artifact, a bucket: content from elsewhere
            found = repos.artifact_path(ns, src_name, target, os.path.abspath(path))
            if found is not None:
                yield Pointer(found, where, f"{via} via ExternalArtifact {src_name}", name)
            elif (ns, src_name) not in repos.produced:
                yield Pointer(target, where, via, name,
                              unresolved=f"{text.strip() or './'} of ExternalArtifact "
                                         f"{src_name}, which no ArtifactGenerator in the "
                                         "linted files produces")
            # else: the generator copies that path from another source


def _norm(p: str) -> str:
    p = p.strip().replace("\\", "/")
    while p.startswith("./"):
        p = p[2:]
    p = re.sub(r"/+", "/", p).strip("/")
    return "." if p in (".", "") else p


def _source_paths(spec: Node | None,
                  repos: Repos) -> Iterator[tuple[str, Origin | None]]:
    """``path`` of ``source`` and of every ``sources[]`` entry that is not a Helm chart
    and not in another repository."""
    if spec is None or not spec.is_map:
        return
    srcs = []
    if spec.get("source") is not None:
        srcs.append(spec.get("source"))
    many = spec.get("sources")
    if many is not None and many.is_seq:
        srcs += list(many.v)
    for s in srcs:
        if not s.is_map or s.get("chart") is not None or repos.is_other(s.str_at("repoURL")):
            continue
        p = s.get("path")
        if p is not None and isinstance(p.v, str) and p.v.strip():
            yield p.v, p.o


# ---------------------------------------------------------------- ApplicationSet generators

if TYPE_CHECKING:
    Params = dict[str, Any]


def _generate(gens: Node | None, rel_dirs: list[str], root: str, gotmpl: bool) -> list[Params]:
    """Parameter sets of a ``generators:`` list (their union)."""
    out: list[Params] = []
    for g in (gens.v if gens is not None and gens.is_seq else []):
        out += _one(g, rel_dirs, root, gotmpl)
        if len(out) > MAX_PARAM_SETS:
            return [{}]
    return out or [{}]


def _one(g: Node, rel_dirs: list[str], root: str, gotmpl: bool) -> list[Params]:
    if not g.is_map:
        return []
    if g.get("list") is not None:
        els = g.path("list", "elements")
        return [e.data() for e in (els.v if els is not None and els.is_seq else [])
                if e.is_map] or [{}]
    if g.get("git") is not None:
        return _git(g.get("git"), rel_dirs, root, gotmpl)
    if g.get("matrix") is not None:
        sub = g.path("matrix", "generators")
        sets: list[Params] = [{}]
        for child in (sub.v if sub is not None and sub.is_seq else []):
            nxt = _one(child, rel_dirs, root, gotmpl) or [{}]
            sets = [_merged(a, b) for a in sets for b in nxt][:MAX_PARAM_SETS]
        return sets
    if g.get("merge") is not None:   # merged on keys: the first generator's sets, roughly
        sub = g.path("merge", "generators")
        kids = sub.v if sub is not None and sub.is_seq else []
        return _one(kids[0], rel_dirs, root, gotmpl) if kids else [{}]
    for kind in ("clusters", "clusterDecisionResource"):
        # cluster names are not known here, but the generator's own `values` are
        values = g.path(kind, "values")
        if values is not None and values.is_map:
            data = {k: v for k, v in values.data().items() if "{{" not in str(v)}
            return [{"values": data} if gotmpl else _flatten(data, "values.")]
    return [{}]   # cluster, scmProvider, pullRequest, ...: parameters unknown


def _merged(a: Params, b: Params) -> Params:
    out = dict(a)
    out.update(b)
    return out


def _git(node: Node, rel_dirs: list[str], root: str, gotmpl: bool) -> list[Params]:
    out: list[Params] = []
    dirs = node.get("directories")
    if dirs is not None and dirs.is_seq:
        inc = [d.str_at("path") for d in dirs.v if d.is_map and d.str_at("path")
               and not (d.get("exclude") is not None and d.get("exclude").v is True)]
        exc = [d.str_at("path") for d in dirs.v if d.is_map and d.str_at("path")
               and d.get("exclude") is not None and d.get("exclude").v is True]
        for rel in rel_dirs:
            if any(segments_match(rel, _norm(p)) for p in inc if p) and \
                    not any(segments_match(rel, _norm(p)) for p in exc if p):
                out.append(_path_params(rel, gotmpl))
    files = node.get("files")
    if files is not None and files.is_seq:
        for f in files.v:
            pat = f.str_at("path") if f.is_map else None
            if pat:
                out += _git_files(_norm(pat), rel_dirs, root, gotmpl)
    return out


def _path_params(rel: str, gotmpl: bool) -> Params:
    segs = rel.split("/")
    info = {"path": rel, "basename": segs[-1], "basenameNormalized":
            re.sub(r"[^a-z0-9-]", "-", segs[-1].lower()), "segments": segs}
    if gotmpl:
        return {"path": info}
    p: Params = {"path": rel, "path.path": rel, "path.basename": segs[-1],
                 "path.basenameNormalized": info["basenameNormalized"]}
    for i, s in enumerate(segs):
        p[f"path[{i}]"] = s
    return p


def _git_files(pattern: str, rel_dirs: list[str], root: str, gotmpl: bool) -> list[Params]:
    """Config files of a git files generator: their keys become parameters. Only files
    inside the repository root are read (a pattern is text from the pull request)."""
    from ..core.errors import OverlayLintError
    from ..core.paths import is_inside
    from ..core.yaml_reader import load_file
    out: list[Params] = []
    if ".." in pattern.split("/") or os.path.isabs(pattern):
        return out
    folders = {os.path.dirname(pattern)} if "*" not in os.path.dirname(pattern) else set(rel_dirs)
    for d in sorted(folders):
        full = os.path.join(root, d)
        if not is_inside(root, full):
            continue
        try:
            names = sorted(os.listdir(full))
        except OSError:
            continue
        for n in names:
            rel = f"{d}/{n}" if d else n
            path = os.path.join(root, rel)
            if not segments_match(rel, pattern) or not is_inside(root, path) \
                    or not os.path.isfile(path):
                continue
            try:
                docs = load_file(path)
            except (OverlayLintError, ValueError):
                continue
            for doc in docs:
                data = doc.data() if doc is not None and doc.is_map else {}
                p = _path_params(d, gotmpl)
                p.update(data if gotmpl else _flatten(data))
                out.append(p)
    return out


def _flatten(data: dict, prefix: str = "") -> Params:
    out: Params = {}
    for k, v in data.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict):
            out.update(_flatten(v, key + "."))
        else:
            out[key] = v
    return out


# ---------------------------------------------------------------- templates

_PLACEHOLDER = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}")


def substitute(text: str, params: Params, gotmpl: bool) -> str:
    """An ApplicationSet template path with its parameters filled in; what is not known
    here (a cluster name, a function call) becomes ``*``."""
    def repl(m: re.Match) -> str:
        expr = m.group(1)
        v = _lookup(expr, params, gotmpl)
        if v is None or isinstance(v, (dict, list)):
            return "*"
        return json.dumps(v) if isinstance(v, bool) else str(v)
    return _PLACEHOLDER.sub(repl, text)


def _lookup(expr: str, params: Params, gotmpl: bool) -> Any:
    if gotmpl:
        m = re.fullmatch(r"\.([A-Za-z0-9_.]+)", expr)
        if m:
            cur: Any = params
            for part in m.group(1).split("."):
                if not isinstance(cur, dict) or part not in cur:
                    return None
                cur = cur[part]
            return cur
        m = re.fullmatch(r"index\s+\.path\.segments\s+(\d+)", expr)
        if m and isinstance(params.get("path"), dict):
            segs = params["path"].get("segments") or []
            i = int(m.group(1))
            return segs[i] if i < len(segs) else None
        return None
    return params.get(expr)
