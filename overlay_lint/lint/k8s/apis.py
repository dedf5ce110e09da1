"""Which apiVersion/kind a Kubernetes version serves, deprecates or no longer serves.

Two tables in ``data/``, both generated (see their ``_about``):
- ``served.json``: per apiVersion/kind, the shipped schema versions that define it
  (scripts/gen_k8s_data.py, from ``kubernetes-validate``): exact for 1.25 and later;
- ``lifecycle.json``: introduced/deprecated/removed versions and the replacement of each
  pre-release API (scripts/gen_k8s_lifecycle.py, from the prerelease-lifecycle tags of
  ``k8s.io/api``, the data the API server's own deprecation warnings come from): used for
  versions older than the schemas, for deprecations and for replacements.

Only the groups Kubernetes itself serves are judged; a custom resource's group is not.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache

from ...core.named_tuple import NamedTuple  # typing's, without its compiles at import
from .openapi import Version, parse_version, text, version_of

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


class Lifecycle(NamedTuple):
    introduced: Version | None
    deprecated: Version | None
    removed: Version | None
    replacement: str          # "apiVersion kind" or ""


class ApiStatus(NamedTuple):
    """What a Kubernetes version does with an apiVersion/kind."""

    state: str                 # served | deprecated | removed | not-yet | unknown | custom
    removed_in: Version | None = None
    deprecated_in: Version | None = None
    first: Version | None = None          # first version serving it (state not-yet)
    replacement: str = ""


class ApiTable:
    def __init__(self, served: dict, lifecycle: list) -> None:
        self.versions: list[Version] = [version_of(v) for v in served["versions"]]
        self.served: dict[tuple[str, str], list[tuple[Version, Version]]] = {}
        self.groups: set[str] = set()
        self.group_versions: set[str] = set()
        for key, ranges in served["served"].items():
            api_version, kind = key.split(" ", 1)
            self.served[(api_version, kind)] = [(version_of(a), version_of(b))
                                                for a, b in ranges]
            self._add_group(api_version)
        self.definitions: dict[str, str] = served.get("definitions", {})
        self._status: dict[tuple, ApiStatus] = {}
        self.lifecycle: dict[tuple[str, str], Lifecycle] = {}
        for e in lifecycle:
            rep = e.get("replacement")
            self.lifecycle[(e["apiVersion"], e["kind"])] = Lifecycle(
                _v(e.get("introduced")), _v(e.get("deprecated")), _v(e.get("removed")),
                f"{rep['apiVersion']} {rep['kind']}" if rep else "")
            self._add_group(e["apiVersion"])

    def _add_group(self, api_version: str) -> None:
        self.groups.add(api_version.rsplit("/", 1)[0] if "/" in api_version else "")
        self.group_versions.add(api_version)

    def is_builtin(self, api_version: str) -> bool:
        """True when Kubernetes itself serves (or served) this API group."""
        group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
        return group in self.groups

    def _served_shipped(self, key: tuple[str, str], v: Version) -> bool:
        return any(a <= v <= b for a, b in self.served.get(key, ()))

    def serves(self, api_version: str, kind: str, v: Version) -> bool:
        key = (api_version, kind)
        life = self.lifecycle.get(key)
        lo, hi = self.versions[0], self.versions[-1]
        if lo <= v <= hi:
            return self._served_shipped(key, v)
        if life is not None and life.introduced is not None:
            return life.introduced <= v and (life.removed is None or v < life.removed)
        if v < lo:
            return self._served_shipped(key, lo)     # a GA API: served before the schemas
        return self._served_shipped(key, hi)

    def status(self, api_version: str, kind: str, v: Version) -> ApiStatus:
        key = (api_version, kind, v)
        st = self._status.get(key)
        if st is None:
            st = self._status[key] = self._compute(api_version, kind, v)
        return st

    def _compute(self, api_version: str, kind: str, v: Version) -> ApiStatus:
        if not self.is_builtin(api_version):
            return ApiStatus("custom")
        key = (api_version, kind)
        life = self.lifecycle.get(key)
        rep = life.replacement if life else ""
        if self.serves(api_version, kind, v):
            if life is not None and life.deprecated is not None and life.deprecated <= v:
                return ApiStatus("deprecated", removed_in=life.removed,
                                 deprecated_in=life.deprecated, replacement=rep)
            return ApiStatus("served")
        earlier = [x for x in self._known_versions(key) if x < v]
        if earlier:
            removed = self._removed_in(key, v)
            return ApiStatus("removed", removed_in=removed,
                             deprecated_in=life.deprecated if life else None, replacement=rep)
        later = [x for x in self._known_versions(key) if x > v]
        if later:
            return ApiStatus("not-yet", first=min(later))
        return ApiStatus("unknown")

    def _known_versions(self, key: tuple[str, str]) -> list[Version]:
        out = [x for x in self.versions if self._served_shipped(key, x)]
        life = self.lifecycle.get(key)
        if life is not None and life.introduced is not None:
            out.append(life.introduced)
        return out

    def _removed_in(self, key: tuple[str, str], v: Version) -> Version | None:
        """The first version at or before ``v`` that no longer served ``key``."""
        shipped = [x for x in self.versions if x <= v]
        last = max((x for x in shipped if self._served_shipped(key, x)), default=None)
        if last is not None and last != self.versions[-1]:
            return self.versions[self.versions.index(last) + 1]
        life = self.lifecycle.get(key)
        return life.removed if life else None

    def definition_hint(self, api_version: str, kind: str) -> str | None:
        """The Kubernetes definition name of a built-in kind (data/served.json)."""
        return self.definitions.get(f"{api_version} {kind}")

    def kinds_of(self, api_version: str, v: Version) -> list[str]:
        """Kinds served under ``api_version`` by ``v`` (for did-you-mean hints)."""
        return sorted(k for (av, k) in self.served if av == api_version
                      and self.serves(av, k, v))


def _v(s: str | None) -> Version | None:
    return parse_version(s) if s else None


@lru_cache(maxsize=1)
def table() -> ApiTable:
    with open(os.path.join(DATA, "served.json"), encoding="utf-8") as fh:
        served = json.load(fh)
    with open(os.path.join(DATA, "lifecycle.json"), encoding="utf-8") as fh:
        lifecycle = json.load(fh)["apis"]
    return ApiTable(served, lifecycle)


def describe_replacement(rep: str) -> str:
    if not rep:
        return ""
    api_version, kind = rep.split(" ", 1)
    return f"{api_version} {kind}"


__all__ = ["ApiStatus", "ApiTable", "table", "text", "describe_replacement"]
