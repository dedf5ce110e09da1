"""Env names, roles from names, and env lists short enough to read.

Names: the env folder's name (``prod-us``); when two envs share it, as many parent
segments as make it unique, container folders (``overlays``, ``envs``, ...) left out
(``frontend/production``, ``production/stone-prod-p01``).

Roles: the segments of an env's path are read from the env folder upwards. The first
segment that names a role decides it: protected for ``prod``, ``production``, ``prd``,
``live`` and their forms (``prod-us``, ``eu-prod``, ``stone-prod-p01``), dev for ``dev``,
``development``, ``sandbox`` and their forms, and a folder named ``local`` (the whole
name only: ``local-path-provisioner`` and ``openshift-local-storage`` are tools). A
segment naming another tier
(``staging``, ``qa``, ``non-prod``, ...) or a container folder (``overlays``, ``envs``,
``clusters``, ...) ends the search with no role, so an app folder above it
(``prod-tools/overlays/staging``) never decides an env's role; a container in a folder
whose whole name is a tier (``groups/prod/overlays/vault-operator``, the overlays of
several apps for one tier) takes that tier. An env folder named like a container
(``clusters/dev/zamora.dev.example.com/overlay``) holds no envs: the search goes on above.
"""
from __future__ import annotations

import fnmatch
import re

DEFAULT_DEV = ("dev", "development", "devel", "local", "sandbox")
DEFAULT_PROTECTED = ("prod", "production", "prd", "live")
# default words that name a tier only as a whole segment, never as a part of one
DEFAULT_WHOLE = frozenset({"local"})
# tiers that are neither dev nor protected: they end the upward search
NEUTRAL = frozenset({"staging", "stage", "stg", "qa", "test", "testing", "uat", "preprod",
                     "nonprod", "integration", "perf", "load", "e2e", "demo", "preview",
                     "acceptance", "sit", "ci"})
NEGATIONS = frozenset({"non", "pre", "not", "no"})
# folders that hold envs (or apps): skipped in names, and above them no role is read
CONTAINERS = frozenset({"overlays", "overlay", "envs", "env", "environments", "environment",
                        "clusters", "cluster", "instances", "deploy", "deployment",
                        "deployments", "stages", "targets"})
FILLER = CONTAINERS | {"k8s", "kubernetes", "kustomize", "manifests"}
# folders that hold what several envs share, whatever else deploys them
BASE_NAMES = frozenset({"base", "bases", "_base", "common", "shared"})
_TOKEN = re.compile(r"[-_.]")
_GLOB = re.compile(r"[*?\[]")


class RoleMatcher:
    """Decides an env's role from its path (segments relative to the config folder or the
    repository root). Patterns: a word (the segment or one of its ``-``/``_``/``.``
    tokens), a glob without ``/`` (the whole segment), a glob with ``/`` (the whole path,
    ``**`` spanning folders)."""

    def __init__(self, dev: tuple[str, ...] = DEFAULT_DEV,
                 protected: tuple[str, ...] = DEFAULT_PROTECTED,
                 whole: frozenset[str] = DEFAULT_WHOLE) -> None:
        self.dev = _Patterns(dev)
        self.protected = _Patterns(protected)
        self.whole = whole      # words matching a whole segment only

    def role(self, rel_path: str, hints: list[str] = ()) -> str:
        """``dev``, ``protected`` or ``none``. When the path names no tier at all,
        ``hints`` decide: the paths and names of the Argo CD/Flux manifests deploying the
        env (``clusters/production/apps.yaml``); protected if any says so, else dev."""
        found = self.decide(rel_path)
        if found is None:
            said = {self.decide(h) for h in hints}
            found = "protected" if "protected" in said else ("dev" if "dev" in said else None)
        return found or "none"

    def decide(self, rel_path: str) -> str | None:
        """The role a path names, ``none`` for another tier, None when it names none."""
        rel = rel_path.strip("/")
        for role, pats in (("dev", self.dev), ("protected", self.protected)):
            if pats.path_match(rel):
                return role
        segs = [s for s in rel.split("/") if s and s != "."]
        for i in range(len(segs) - 1, -1, -1):
            if i == len(segs) - 1 and i > 0 and segs[i].lower() in CONTAINERS:
                continue   # the env's own folder (`<cluster>/overlay`): it holds no envs
            found = self.segment_role(segs[i])
            if found == "none" and segs[i].lower() in CONTAINERS and i > 0:
                # a tier folder holding the overlays of several apps
                # (`groups/prod/overlays/vault-operator`): its whole name decides
                return self._tier_folder(segs[i - 1].lower()) or found
            if found is not None:
                return found
        return None

    def _tier_folder(self, low: str) -> str | None:
        for role, pats in (("dev", self.dev), ("protected", self.protected)):
            if pats.segment_match(low):
                return role
        return "none" if low in NEUTRAL else None

    def segment_role(self, seg: str) -> str | None:
        """The role one segment names, ``none`` when it ends the search, None to go on."""
        low = seg.lower()
        for role, pats in (("dev", self.dev), ("protected", self.protected)):
            if pats.segment_match(low):
                return role
        tokens = [t for t in _TOKEN.split(low) if t]
        for i, tok in enumerate(tokens):
            negated = i > 0 and tokens[i - 1] in NEGATIONS
            if tok in self.whole:
                continue
            if tok in self.dev.words and not negated:
                return "dev"
            if tok in self.protected.words:
                return "none" if negated else "protected"
        if low in NEUTRAL or low in CONTAINERS or any(t in NEUTRAL for t in tokens):
            return "none"
        return None


class _Patterns:
    def __init__(self, items: tuple[str, ...]) -> None:
        self.words = {i.lower() for i in items if "/" not in i and not _GLOB.search(i)}
        self.globs = [i.lower() for i in items if "/" not in i and _GLOB.search(i)]
        self.paths = [i.strip("/") for i in items if "/" in i]

    def any(self) -> bool:
        return bool(self.words or self.globs or self.paths)

    def segment_match(self, low: str) -> bool:
        return low in self.words or any(fnmatch.fnmatchcase(low, g) for g in self.globs)

    def path_match(self, rel: str) -> bool:
        from .pointers import segments_match
        return any(segments_match(rel, p) for p in self.paths)


def unique_names(rels: list[str], root_name: str = ".") -> list[str]:
    """A readable, unique name for each path (relative, ``/``-separated), in order."""
    segs = []
    for rel in rels:
        parts = [s for s in rel.split("/") if s and s != "."] or [root_name]
        keep = [s for s in parts[:-1] if s not in FILLER] + [parts[-1]]
        segs.append((parts, keep))
    depth = [1] * len(rels)
    names = [keep[-1] for _, keep in segs]
    while True:
        seen: dict[str, list[int]] = {}
        for i, n in enumerate(names):
            seen.setdefault(n, []).append(i)
        clash = [i for idx in seen.values() if len(idx) > 1 for i in idx]
        if not clash:
            return names
        grew = False
        for i in clash:
            parts, keep = segs[i]
            if depth[i] < len(keep):
                depth[i] += 1
                names[i] = "/".join(keep[-depth[i]:])
                grew = True
            elif names[i] != "/".join(parts):
                names[i] = "/".join(parts)
                grew = True
        if not grew:   # identical paths cannot happen; stop rather than loop
            return names


def short_list(names: list[str], limit: int = 4, shown: int = 3) -> str:
    """``a, b, c`` or, past ``limit`` names, ``312 envs: a, b, c, … (+309)``."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{len(names)} envs: {', '.join(names[:shown])}, … (+{len(names) - shown})"
