"""The ``kubernetes:`` key of the configuration: Kubernetes version per env, CRD folders.

```yaml
kubernetes:
  version: "1.30"            # every env (default: the newest version the schemas cover)
  versions:                  # per env name, env folder, group (the base its envs share) or role
    prod: "1.29"
    protected: "1.29"
  crds: [vendor/crds]        # folders of CRD manifests (YAML/JSON) or JSON schemas
```

The most specific entry wins: env name, then the env's folder, then its group (the base
folder the env builds on, as ``overlay-lint envs`` shows it, or the group given in
``envs:``), then its role, then ``version``. Versions are strings (YAML reads ``1.30`` as the number
1.3): ``"1.30"``, ``v1.30`` and ``1.30.4`` are the same version. Paths are relative to
the config file and must stay inside the repository.
"""
from __future__ import annotations

import os

from ...core.errors import OverlayLintError, at
from ...core.node import Node, Origin
from .openapi import Version, newest, parse_version

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any


class K8sSettings:
    """The parsed ``kubernetes:`` key (a plain class: imported on every lint, kept cheap)."""

    def __init__(self) -> None:
        self.version: Version | None = None               # configured default
        self.versions: dict[str, Version] = {}
        self.crd_paths: list[tuple[str, Origin | None]] = []

    def version_for(self, target: Any, cfg: Any) -> Version:
        """The Kubernetes version an env (or base, or loose manifests) runs on."""
        t = getattr(target, "target", target)
        keys = [t.name]
        if getattr(t, "dir", None):
            keys.append(_rel(cfg, t.dir))
        group = getattr(t, "group", "") or ""
        if group:       # the base the env builds on, relative to the lint root (or a name)
            keys.append(_rel(cfg, group) if os.path.isabs(group) else group)
        keys.append(getattr(t, "role", ""))
        for k in keys:
            if k and k in self.versions:
                return self.versions[k]
        return self.version or newest() or (1, 0)


def _rel(cfg: Any, path: str) -> str:
    base = getattr(cfg, "base_dir", None) or "."
    return os.path.relpath(path, base).replace(os.sep, "/")


_CACHE: dict[int, tuple[Any, K8sSettings]] = {}


def settings(cfg: Any, repo_root: str | None = None) -> K8sSettings:
    """The parsed ``kubernetes:`` key of ``cfg`` (cached per config object)."""
    hit = _CACHE.get(id(cfg))
    if hit is not None and hit[0] is cfg:
        return hit[1]
    s = parse(getattr(cfg, "kubernetes", None), getattr(cfg, "base_dir", "."), repo_root)
    _CACHE.clear()
    _CACHE[id(cfg)] = (cfg, s)
    return s


def _version(node: Node) -> Version:
    if type(node.v) is not str:
        raise at(node.o, f"Kubernetes version {node.v!r} must be a string such as \"1.30\" "
                         "(YAML reads 1.30 as the number 1.3)")
    v = parse_version(node.v)
    if v is None:
        raise at(node.o, f"'{node.v}' is not a Kubernetes version (e.g. \"1.30\")")
    return v


def parse(node: Node | None, base_dir: str, repo_root: str | None = None) -> K8sSettings:
    s = K8sSettings()
    if node is None or node.v is None:
        return s
    if not node.is_map:
        raise at(node.o, "'kubernetes' must be a mapping (version, versions, crds)")
    for key, child in node.items():
        if key == "version":
            s.version = _version(child)
        elif key == "versions":
            if not child.is_map:
                raise at(child.o, "'kubernetes.versions' maps env names, folders or roles "
                                  "to versions")
            for name, vn in child.items():
                s.versions[str(name)] = _version(vn)
        elif key == "crds":
            items = child.v if child.is_seq else None
            if items is None:
                raise at(child.o, "'kubernetes.crds' is a list of folders")
            for item in items:
                if type(item.v) is not str or not item.v:
                    raise at(item.o, "a CRD folder is a path string")
                p = os.path.normpath(os.path.join(base_dir, item.v))
                root = os.path.realpath(repo_root) if repo_root else None
                real = os.path.realpath(p)
                if root and real != root and not real.startswith(root + os.sep):
                    raise at(item.o, f"CRD folder '{item.v}' is outside the repository")
                if not os.path.exists(p):
                    raise at(item.o, f"CRD folder '{item.v}' does not exist")
                s.crd_paths.append((p, item.o))
        else:
            raise at(child.o, f"unknown key 'kubernetes.{key}' (version, versions, crds)")
    return s


__all__ = ["K8sSettings", "settings", "parse", "OverlayLintError"]
