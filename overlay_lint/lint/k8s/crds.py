"""Schemas of custom resources: CRDs in the repository, configured folders, known kinds.

Where a custom resource's schema comes from, first found wins:
1. a CustomResourceDefinition rendered by the same target (env, base, loose manifests);
2. one rendered by any other target of the run (CRDs often live in their own folder);
3. the ``kubernetes.crds`` folders of the config: CRD manifests (YAML or JSON), or JSON
   schemas named ``<group>/<kind>_<version>.json`` (the layout of the public CRD schema
   catalogs and of ``openapi2jsonschema``) or carrying ``x-kubernetes-group-version-kind``;
4. the well-known kinds (``wellknown.py``): the basics only;
5. any other YAML file of the repository defining it (read only when 1-4 found nothing:
   a changed-files run renders only the envs a change affects).

A CRD of ``apiextensions.k8s.io/v1beta1`` (removed in Kubernetes 1.22) found in the
repository is no source for an env on 1.22 or later: no such cluster can have it
(``removed-api`` reports it); one in a ``kubernetes.crds`` folder is used as configured.

Every served version of a CRD is indexed with its ``openAPIV3Schema``
(``apiextensions.k8s.io/v1``: per version; ``v1beta1``: per version or the CRD-wide
``validation``, and unknown fields kept unless ``preserveUnknownFields: false``).
"""
from __future__ import annotations

import json
import marshal
import os
import re

from ...core.errors import OverlayLintError
from ...core.node import Node, Origin
from ...core.record import dataclass, field
from .validator import Compiler, Schema
from .wellknown import basic_schema, well_known

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

CRD_VERSIONS = ("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1")
_HEAD = 8 * 1024 * 1024   # bytes of a repository file read to see whether it may hold a CRD
# what a double-quoted scalar can spell a name's characters (- . 0-9 A-Z a-z) with:
# \x41, \u0041, \U00000041, or a line broken by a backslash (the next line's indentation
# dropped)
_ESCAPES = re.compile(rb"\\(?:(?:x|u00|U000000)(?:2[dDeE]|3[0-9]|4[1-9a-fA-F]|5[0-9aA]"
                      rb"|6[1-9a-fA-F]|7[0-9aA])|[\r\n])")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9.-]+")   # a kind or group: no quote, space or escape
_FILTERED_LOOKUPS = 16
# <group>/<kind>_<version>.json, as the public CRD schema catalogs name their files
_CATALOG_NAME = re.compile(r"(?:(?P<group>[^/\\]+)[/\\])?(?P<kind>[A-Za-z0-9]+)_"
                           r"(?P<version>v[0-9][0-9a-z]*)\.json")


class CrdVersion:
    """One version of a CRD: served or not, its schema (read as plain data on first use:
    most CRDs of a run are never needed, and some are hundreds of kilobytes)."""

    def __init__(self, schema: Node | None, served: bool, preserve_root: bool) -> None:
        self._schema = schema if schema is not None and schema.is_map else None
        self._raw: dict | None = None
        self.origin = schema.o if schema is not None else None
        self.key: str | None = None             # the schema as sorted JSON, once known
        self.served = served
        self.preserve_root = preserve_root      # v1beta1 default: unknown fields kept

    @property
    def raw(self) -> dict | None:
        """The ``openAPIV3Schema`` (None: the CRD gives none)."""
        if self._raw is None and self._schema is not None:
            data = self._schema.data()
            self._raw = data if isinstance(data, dict) else None
            self._schema = None
        return self._raw


@dataclass
class CrdInfo:
    name: str                   # metadata.name, e.g. judgepools.judge.aether.io
    group: str
    kind: str
    versions: dict[str, CrdVersion] = field(default_factory=dict)
    origin: Origin | None = None
    source: str = ""            # file it came from (for messages)
    legacy: bool = False        # apiextensions.k8s.io/v1beta1: no cluster from 1.22 on has it


@dataclass
class Found:
    """The outcome of a lookup: a schema to validate against, or why there is none."""

    state: str                  # schema | not-served | no-schema
    schema: Schema | None = None
    label: str = ""             # where the schema comes from, for messages
    crd: CrdInfo | None = None
    basic: bool = False         # a well-known kind's basics only


def crd_info(node: Node, source: str = "") -> CrdInfo | None:
    """The CRD described by a rendered ``CustomResourceDefinition`` (None if malformed)."""
    av = node.str_at("apiVersion")
    spec = node.get("spec")
    if av not in CRD_VERSIONS or spec is None or not spec.is_map:
        return None
    group = spec.str_at("group")
    kind = spec.str_at("names", "kind")
    if not group or not kind:
        return None
    v1beta1 = av.endswith("v1beta1")
    info = CrdInfo(node.str_at("metadata", "name") or "", group, kind,
                   origin=node.o, source=source or (node.o[0] if node.o else ""),
                   legacy=v1beta1)
    preserve = v1beta1 and spec.value("preserveUnknownFields") is not False
    shared = spec.path("validation", "openAPIV3Schema")
    versions = spec.get("versions")
    if versions is not None and versions.is_seq and versions.v:
        for item in versions.v:
            name = item.str_at("name")
            if not name:
                continue
            sch = item.path("schema", "openAPIV3Schema") or shared
            served = item.value("served")
            info.versions[name] = CrdVersion(sch, served is not False, preserve)
    elif v1beta1:
        single = spec.str_at("version")
        if single:
            info.versions[single] = CrdVersion(shared, True, preserve)
    return info


class CrdIndex:
    """CRDs and schemas known to a run, looked up per target."""

    def __init__(self, object_meta: Any) -> None:
        self._object_meta = object_meta         # callable: version -> ObjectMeta Schema
        self.by_target: dict[int, dict[tuple[str, str], CrdInfo]] = {}
        self.anywhere: dict[tuple[str, str], CrdInfo] = {}
        self.config_crds: dict[tuple[str, str], CrdInfo] = {}
        self.config_schemas: dict[tuple[str, str, str], tuple[dict, str]] = {}
        # (group, kind) -> the first CRD of the repository's YAML files defining it (None:
        # none does); looked up only once a lookup found nothing elsewhere (``scan``)
        self.repo_crds: dict[tuple[str, str], CrdInfo | None] = {}
        self._repo_files: list[list] | None = None  # [path, text or None, CRDs when parsed]
        self._repo_lookups = 0
        # called once, when a custom kind has no CRD among the rendered targets: the YAML
        # files of the repository to look for CRDs in
        self.scan: Any = None
        self._compiled: dict[tuple, Schema] = {}
        self._by_version: dict[tuple, tuple[CrdVersion, Schema]] = {}
        # where a CRD version's schema was read -> [schema, its JSON, its marshal bytes]
        self._at_origin: dict[Origin | None, list[list]] = {}

    # -- building ---------------------------------------------------------------------------
    def add_rendered(self, target_key: int, resources: list) -> None:
        mine = self.by_target.setdefault(target_key, {})
        for res in resources:
            if res.kind != "CustomResourceDefinition":
                continue
            info = crd_info(res.node)
            if info is None:
                continue
            key = (info.group, info.kind)
            mine.setdefault(key, info)
            self.anywhere.setdefault(key, info)

    def add_folder(self, path: str, origin: Origin | None, root: str | None) -> None:
        """CRD manifests and JSON schemas under ``path`` (a folder or one file)."""
        files = [path] if os.path.isfile(path) else sorted(
            os.path.join(d, f) for d, _, fs in os.walk(path) for f in fs
            if f.endswith((".yaml", ".yml", ".json")))
        for f in files:
            real = os.path.realpath(f)
            if root and not real.startswith(os.path.realpath(root) + os.sep):
                continue                    # a symlink out of the repository: never read
            if not os.path.isfile(real):
                continue
            if f.endswith(".json"):
                self._add_json(f, path)
            else:
                self._add_yaml(f)

    def _add_yaml(self, path: str, into: dict | None = None) -> None:
        into = self.config_crds if into is None else into
        from ...core.yaml_reader import load_file
        for doc in load_file(path):
            if doc is None or not doc.is_map:
                continue
            docs = [doc]
            items = doc.get("items")
            kind = doc.str_at("kind") or ""
            if kind.endswith("List") and items is not None and items.is_seq:
                docs = [d for d in items.v if d.is_map]
            for d in docs:
                if d.str_at("kind") == "CustomResourceDefinition":
                    info = crd_info(d, path)
                    if info is not None:
                        into.setdefault((info.group, info.kind), info)

    def _add_json(self, path: str, folder: str) -> None:
        try:
            with open(path, "rb") as fh:
                data = json.loads(fh.read().decode("utf-8"))
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise OverlayLintError(f"cannot read JSON schema: {exc}", path) from None
        except RecursionError:
            raise OverlayLintError("cannot read JSON schema: nested too deeply", path) from None
        if isinstance(data, dict) and data.get("kind") == "CustomResourceDefinition":
            from ...core.node import from_data
            info = crd_info(from_data(data, Origin(path, 1, 1)), path)
            if info is not None:
                self.config_crds.setdefault((info.group, info.kind), info)
            return
        if not isinstance(data, dict):
            return
        gvks = data.get("x-kubernetes-group-version-kind")
        if isinstance(gvks, list) and gvks:
            for g in gvks:
                if isinstance(g, dict) and g.get("kind") and g.get("version"):
                    self.config_schemas.setdefault(
                        (g.get("group", ""), g["version"], g["kind"].lower()), (data, path))
            return
        rel = os.path.relpath(path, folder if os.path.isdir(folder) else os.path.dirname(folder))
        m = _CATALOG_NAME.fullmatch(rel)
        if m is None:
            raise OverlayLintError("JSON schema: cannot tell which kind it is for; name it "
                                   "<group>/<kind>_<version>.json or add "
                                   "x-kubernetes-group-version-kind", path)
        self.config_schemas.setdefault((m.group("group") or "", m.group("version"),
                                        m.group("kind").lower()), (data, path))

    def scan_repository(self, files: list[str]) -> None:
        """Start looking for CRDs in YAML files the run did not render (a changed-files run
        renders only the affected envs; the CRD of a changed custom resource may live
        elsewhere). Only files that mention ``CustomResourceDefinition`` can hold one; each
        is parsed when a lookup first needs it (:meth:`_repo_crd`): a repository's other
        CRD files, often megabytes, are never parsed for a kind none of them defines."""
        from ...core.paths import read_head
        self._repo_files = []
        for path in files:
            try:
                head = read_head(path, _HEAD)
            except OSError:
                continue
            if b"CustomResourceDefinition" not in head:
                continue
            # a kind may be written with escapes in a double-quoted scalar, or the file be
            # longer than what was read: such a file is parsed whatever the kind
            whole = len(head) < _HEAD and _ESCAPES.search(head) is None
            self._repo_files.append([path, head if whole else None, None])

    def _repo_crd(self, key: tuple[str, str]) -> CrdInfo | None:
        """The CRD of ``key`` in the first scanned file (in the scan's order) defining it,
        as if every file had been parsed: a file is skipped unparsed only where its text
        lacks the group or the kind (a name without quotes, spaces or escapes is written
        with all its characters in a row). After :data:`_FILTERED_LOOKUPS` kinds, files are
        parsed without that test (each test reads the files' text once more)."""
        if key in self.repo_crds:
            return self.repo_crds[key]
        self._repo_lookups += 1
        group, kind = key
        names = (group.encode(), kind.encode()) if _PLAIN_NAME.fullmatch(group) and \
            _PLAIN_NAME.fullmatch(kind) and self._repo_lookups <= _FILTERED_LOOKUPS else ()
        found = None
        for entry in self._repo_files or ():
            path, head, infos = entry
            if infos is None:
                if head is not None and any(n not in head for n in names):
                    continue
                infos = {}
                try:
                    self._add_yaml(path, infos)
                except OverlayLintError:
                    pass        # not ours to report here: the file's own target does
                entry[1], entry[2] = None, infos
            found = infos.get(key)
            if found is not None:
                break
        self.repo_crds[key] = found
        return found

    # -- lookup -----------------------------------------------------------------------------
    def lookup(self, target_key: int, api_version: str, kind: str, k8s_version: tuple) -> Found:
        group, _, version = api_version.rpartition("/")
        key = (group, kind)
        if self.scan is not None and key not in self.anywhere and key not in self.config_crds \
                and well_known(group, kind) is None:
            scan, self.scan = self.scan, None
            self.scan_repository(scan())
        for table in (self.by_target.get(target_key, {}), self.anywhere, self.config_crds,
                      self.repo_crds):
            info = table.get(key) if table is not self.repo_crds else \
                self._repo_crd(key) if self._repo_files is not None else None
            # a v1beta1 CRD found in the repository (removed in 1.22) cannot be what a 1.22+
            # cluster serves: an old copy (test data, a vendored release) would make every
            # current version of its kind "not served"; a configured one is used as given
            if info is not None and not (info.legacy and tuple(k8s_version) >= (1, 22)
                                         and table is not self.config_crds):
                return self._from_crd(info, version, k8s_version)
        hit = self.config_schemas.get((group, version, kind.lower()))
        if hit is not None:
            data, path = hit
            return Found("schema", self._compile(("json", path), data, "jsonschema", k8s_version),
                         label=_display(path))
        extra = well_known(group, kind)
        if extra is not None:
            s = self._compile(("wellknown", group, kind), basic_schema(extra), "crd",
                              k8s_version, root=True)
            return Found("schema", s, label="well-known kind", basic=True)
        return Found("no-schema")

    def _from_crd(self, info: CrdInfo, version: str, k8s_version: tuple) -> Found:
        ver = info.versions.get(version)
        if ver is None or not ver.served:
            return Found("not-served", crd=info)
        if ver.raw is None:
            return Found("no-schema", crd=info)
        raw_schema: dict = ver.raw
        hit = self._by_version.get((id(ver), k8s_version))
        if hit is not None:
            s = hit[1]
        else:
            raw = raw_schema
            if ver.preserve_root:
                raw = dict(raw)
                raw["x-kubernetes-preserve-unknown-fields"] = True
            # the same CRD rendered by several envs compiles once
            fingerprint = self._fingerprint(ver, raw)
            s = self._compile(("crd", fingerprint), raw, "crd", k8s_version, root=True)
            self._by_version[(id(ver), k8s_version)] = (ver, s)   # ver kept: ids stay unique
        return Found("schema", s, label=f"CRD {info.name or info.kind} in "
                                        f"{_display(info.source)}", crd=info)

    def _fingerprint(self, ver: CrdVersion, raw: dict) -> str:
        """``raw`` (``ver``'s schema) as sorted JSON, the key its compiled schema is kept
        under. The same CRD rendered by several envs gives equal schemas from one place:
        there a schema seen before is found by its marshal bytes, a tenth of the JSON's
        cost (equal bytes are equal data of equal types, so the same JSON)."""
        if ver.key is None:
            seen = self._at_origin.setdefault(ver.origin, [])
            quick = _marshal(raw) if seen else None
            for entry in seen if quick is not None else ():
                if entry[2] is None:
                    entry[2] = _marshal(entry[0]) or b""
                if entry[2] == quick:
                    ver.key = entry[1]
                    break
            if ver.key is None:
                ver.key = json.dumps(raw, sort_keys=True, default=str)
                seen.append([raw, ver.key, quick])
        return ver.key

    def _compile(self, key: tuple, raw: dict, mode: str, k8s_version: tuple,
                 root: bool = False) -> Schema:
        ck = key + (k8s_version,)
        s = self._compiled.get(ck)
        if s is None:
            compiler = Compiler(mode, object_meta=self._object_meta(k8s_version))
            s = compiler.compile(raw)
            if root:
                s.embedded = True           # a resource: apiVersion, kind, ObjectMeta
                s._props_raw = dict(s._props_raw)
                for k in ("apiVersion", "kind"):
                    s._props_raw.setdefault(k, {"type": "string"})
                s._props_raw.setdefault("metadata", {"type": "object"})
            self._compiled[ck] = s
        return s


def _marshal(data: dict) -> bytes | None:
    try:
        return marshal.dumps(data)
    except ValueError:                  # a value marshal cannot hold
        return None


def _display(path: str) -> str:
    from ...core.errors import display_path
    return display_path(path) if path else ""
