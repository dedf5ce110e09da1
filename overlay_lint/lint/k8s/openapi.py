"""The Kubernetes OpenAPI definitions shipped in ``kubernetes-validate``, per version.

The package holds one folder per Kubernetes minor version (``v1.25.0-local`` ...); each has
``_definitions.json``, every type of that version's API (``$defs``) with its fields, the
``required`` lists, and ``x-kubernetes-group-version-kind`` on the types that are served
resources. (The ``-strict`` folders are the same file with ``additionalProperties: false``
added to every type with ``properties``; the validator applies that rule itself.)

Cost: nothing is imported (the package is located with ``find_spec``; importing it pulls in
jsonschema). A version's file (1-1.8 MB) is parsed on first use, once per run.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

Version = tuple  # (major, minor), e.g. (1, 30)


@lru_cache(maxsize=1)
def schema_root() -> str | None:
    """``kubernetes_validate/kubernetes-json-schema``, or None when it is not installed."""
    from importlib.util import find_spec
    spec = find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - declared dep
        return None
    base = os.path.join(list(spec.submodule_search_locations)[0], "kubernetes-json-schema")
    return base if os.path.isdir(base) else None


@lru_cache(maxsize=1)
def shipped_versions() -> tuple[Version, ...]:
    """The Kubernetes versions whose schemas are installed, oldest first."""
    root = schema_root()
    out = set()
    if root is None:
        return ()
    for name in os.listdir(root):
        m = re.fullmatch(r"v(\d+)\.(\d+)\.\d+-local", name)
        if m and os.path.isfile(os.path.join(root, name, "_definitions.json")):
            out.add((int(m.group(1)), int(m.group(2))))
    return tuple(sorted(out))


def newest() -> Version | None:
    vs = shipped_versions()
    return vs[-1] if vs else None


def nearest_shipped(v: Version) -> Version | None:
    """The shipped version used to validate an env pinned to ``v``: ``v`` itself, else the
    oldest (for older clusters) or newest (for newer ones) shipped."""
    vs = shipped_versions()
    if not vs:
        return None
    if v in vs:
        return v
    if v < vs[0]:
        return vs[0]
    if v > vs[-1]:
        return vs[-1]
    return max(x for x in vs if x < v)


def text(v: Version) -> str:
    return f"{v[0]}.{v[1]}"


def version_of(s: str) -> Version:
    """``parse_version`` for data known to hold versions (the package's own tables)."""
    v = parse_version(s)
    if v is None:
        raise ValueError(f"not a Kubernetes version: {s!r}")
    return v


def parse_version(s: str) -> Version | None:
    """``1.30``, ``v1.30``, ``1.30.2``, ``v1.30.0-eks`` -> (1, 30); None when not a version."""
    m = re.fullmatch(r"v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+][0-9A-Za-z.-]*)?", s.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


class Definitions:
    """One version's definitions, decoded one type at a time as the validator asks.

    The file is pretty-printed (each type a key of ``$defs`` at four spaces); an index of
    where each type's text lies is built with one regex pass over the bytes (about 1 ms,
    against 6-20 ms for a full ``json.load``), and ``get`` decodes that slice alone (the
    whole file is never made text: 1.3-1.6 MB a version, and a lint reads two). A file in
    another layout is parsed whole.
    """

    _KEY = re.compile(rb'\n    "([^"\\]*)": ')

    def __init__(self, version: Version, raw: bytes) -> None:
        self.version = version
        self._raw = raw
        self._decoded: dict[str, Any] = {}
        self._offsets: dict[str, tuple[int, int]] = {}   # name -> its value's text, and more
        self._gvk: dict[tuple[str, str], str] | None = None
        if raw.startswith(b'{\n  "$defs": {'):
            found = list(self._KEY.finditer(raw))
            ends = [m.start() for m in found[1:]] + [len(raw)]
            self._offsets = {m.group(1).decode("utf-8", "replace"): (m.end(), end)
                             for m, end in zip(found, ends)}
        if not self._offsets:
            self._decoded = json.loads(raw).get("$defs", {})
            self._raw = b""

    def get(self, name: str) -> Any:
        d = self._decoded.get(name)
        if d is None and name in self._offsets:
            start, end = self._offsets[name]
            # the slice runs on to the next type's key: raw_decode stops after the value
            d, _ = _DECODER.raw_decode(self._raw[start:end].decode("utf-8"))
            self._decoded[name] = d
        return d

    def __contains__(self, name: str) -> bool:
        return name in self._decoded or name in self._offsets

    def names(self) -> list[str]:
        return list(self._offsets or self._decoded)

    @property
    def by_gvk(self) -> dict[tuple[str, str], str]:
        """(apiVersion, kind) -> definition name of every served resource type."""
        if self._gvk is None:
            self._gvk = {}
            for name in self.names():
                d = self.get(name)
                if "x-kubernetes-group-version-kind" not in (d or {}):
                    continue
                for gvk in d["x-kubernetes-group-version-kind"] or ():
                    group, ver = gvk.get("group", ""), gvk.get("version", "")
                    api_version = f"{group}/{ver}" if group else ver
                    self._gvk.setdefault((api_version, gvk.get("kind", "")), name)
        return self._gvk

    def definition_of(self, api_version: str, kind: str, hint: str | None = None) -> str | None:
        """The definition of a served kind; ``hint`` (from data/served.json) avoids decoding
        every type to build ``by_gvk``."""
        if hint is not None and hint in self:
            d = self.get(hint)
            for gvk in (d or {}).get("x-kubernetes-group-version-kind") or ():
                group, ver = gvk.get("group", ""), gvk.get("version", "")
                if (f"{group}/{ver}" if group else ver) == api_version and gvk.get("kind") == kind:
                    return hint
        return self.by_gvk.get((api_version, kind))


_DECODER = json.JSONDecoder()


@lru_cache(maxsize=None)
def definitions(version: Version) -> Definitions:
    """The definitions of a shipped version (read once per run)."""
    root = schema_root()
    path = os.path.join(root or "", f"v{version[0]}.{version[1]}.0-local", "_definitions.json")
    with open(path, "rb") as fh:
        return Definitions(version, fh.read())
