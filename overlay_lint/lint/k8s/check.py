"""What the three rules run: schema validation, removed and deprecated APIs, per target.

Every rendered resource of every target (envs, leftover bases, loose manifests) is
checked against the Kubernetes version of its target (``settings.version_for``). A
``*List`` document among loose manifests is checked item by item (renders expand them).
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from collections.abc import Iterator

from ...core.node import Node, Origin
from ..model import Problem, RenderedTarget, RuleContext
from . import apis as apis_mod
from .openapi import Version, definitions, nearest_shipped, newest, text, version_of
from .settings import settings
from .validator import OBJECT_META, Compiler, Schema, validate

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")


# -- built-in schemas -----------------------------------------------------------------------

@lru_cache(maxsize=1)
def _enum_doc() -> dict:
    with open(os.path.join(DATA, "enums.json"), encoding="utf-8") as fh:
        return json.load(fh)


def enums_for(v: Version) -> dict[str, dict[str, list]]:
    """Allowed values per definition and field for version ``v`` (data/enums.json)."""
    doc = _enum_doc()
    known = [version_of(x) for x in doc["versions"]]
    v = min(max(v, known[0]), known[-1])
    out: dict[str, dict[str, list]] = {}
    for name, fields in doc["enums"].items():
        for prop, entries in fields.items():
            for lo, hi, values in entries:
                if version_of(lo) <= v <= version_of(hi):
                    out.setdefault(name, {})[prop] = values
    return out


@lru_cache(maxsize=None)
def builtin_compiler(v: Version) -> Compiler:
    """The compiler of one shipped version's definitions (built once per run)."""
    defs = definitions(v)
    relax = None
    top = newest()
    if top is not None and top != v:
        newest_defs = definitions(top)

        def relax(name: str, field_name: str) -> bool:
            # required here, not in the newest schema: a documentation fix (e.g. StatefulSet
            # serviceName, NetworkPolicy podSelector), never enforced by the API server
            d = newest_defs.get(name)
            return d is not None and field_name not in (d.get("required") or ())
    c = Compiler("builtin", defs, enums_for(v), relax)
    c.object_meta = c.definition(OBJECT_META)
    return c


def object_meta(v: Version) -> Schema | None:
    sv = nearest_shipped(v)
    return builtin_compiler(sv).object_meta if sv is not None else None


# -- helpers --------------------------------------------------------------------------------

def resources_of(target: RenderedTarget) -> Iterator[Any]:
    """The target's resources; ``*List`` documents (loose manifests) item by item."""
    from ...kustomize.resource import Resource
    for res in target.resources:
        node = res.node
        kind = node.get("kind")
        items = node.get("items")
        if kind is not None and type(kind.v) is str and kind.v.endswith("List") \
                and items is not None and items.is_seq:
            for item in items.v:
                if item.is_map and type(item.str_at("apiVersion")) is str \
                        and type(item.str_at("kind")) is str:
                    yield Resource(item, node.o[0] if node.o else None)
            continue
        yield res


def _sops_encrypted(res: Any) -> bool:
    """A SOPS-encrypted manifest (a top-level ``sops:`` mapping): its values are ciphertext
    (``ENC[...]``, not base64) until KSOPS or Flux decrypts it before the apply, and ``sops``
    itself is no field of the object."""
    sops = res.node.get("sops")
    return sops is not None and sops.is_map


def _origin(res: Any, key: str) -> Origin | None:
    n = res.node.get(key)
    if n is not None and n.o is not None:
        return n.o
    return res.node.o


def _label(res: Any) -> str:
    return f"{res.kind} {res.name}" if res.name else res.kind


class _Unvalidated:
    """Kinds no schema covered, once per kind, with the targets that render them."""

    def __init__(self) -> None:
        self.by_kind: dict[tuple[str, str], dict] = {}

    def add(self, target: RenderedTarget, api_version: str, kind: str, reason: str) -> None:
        e = self.by_kind.setdefault((api_version, kind), {
            "apiVersion": api_version, "kind": kind, "reason": reason, "envs": [],
            "resources": 0})
        e["resources"] += 1
        name = target.name if target.kind != "standalone" else "loose manifests"
        if name and name not in e["envs"]:
            e["envs"].append(name)

    def publish(self, ctx: RuleContext) -> None:
        sink = getattr(ctx, "unvalidated", None)
        if sink is None:
            return
        for key in sorted(self.by_kind):
            sink.append(self.by_kind[key])


# -- k8s-schema -----------------------------------------------------------------------------

def schema_problems(ctx: RuleContext) -> Iterator[Problem]:
    run = _SchemaRun(ctx)
    for i, t in enumerate(run.targets):
        yield from run.target(i, t)
    run.unvalidated.publish(ctx)


class _SchemaRun:
    """One k8s-schema run: the CRDs of every target, then each target's resources."""

    def __init__(self, ctx: RuleContext) -> None:
        from .crds import CrdIndex
        self.ctx = ctx
        self.conf = settings(ctx.config)
        self.table = apis_mod.table()
        self.targets = list(ctx.rendered())
        self.index = CrdIndex(object_meta)
        for i, t in enumerate(self.targets):
            self.index.add_rendered(i, t.resources)
        for path, where in self.conf.crd_paths:
            if not _inside(path, ctx.repo_root):
                from ...core.errors import at
                raise at(where, f"CRD folder '{os.path.relpath(path)}' is outside the lint "
                                f"root ({ctx.repo_root}); nothing is read there")
            self.index.add_folder(path, where, ctx.repo_root)
        self.index.scan = self._repository_yaml
        self.report_missing = bool(ctx.params.get("report-unvalidated"))
        self.unvalidated = _Unvalidated()

    def _repository_yaml(self) -> list[str]:
        from ..discovery import walk
        return walk([self.ctx.repo_root], self.ctx.config).yamls

    def target(self, i: int, t: RenderedTarget) -> Iterator[Problem]:
        v = self.conf.version_for(t, self.ctx.config)
        for res in resources_of(t):
            av, kind = res.api_version, res.kind
            if not av or not kind or _sops_encrypted(res):
                continue
            status = self.table.status(av, kind, v)
            if status.state == "removed":
                continue                      # removed-api reports it
            if status.state == "custom":
                yield from self._custom(i, t, res, v)
            elif status.state == "not-yet":
                first = f" (first served in {text(status.first)})" if status.first else ""
                yield Problem(_origin(res, "apiVersion"),
                              f"{_label(res)}: {av} {kind} is not served by Kubernetes "
                              f"{text(v)}{first}", t, res, ("apiVersion",), av)
            elif status.state == "unknown":
                yield _unknown_api(t, res, self.table, v)
            else:                             # served or deprecated
                yield from self._builtin(t, res, v)

    def _builtin(self, t: RenderedTarget, res: Any, v: Version) -> Iterator[Problem]:
        shipped = nearest_shipped(v)
        if shipped is None:
            return
        av, kind = res.api_version, res.kind
        name = definitions(shipped).definition_of(av, kind, self.table.definition_hint(av, kind))
        schema = builtin_compiler(shipped).definition(name) if name is not None else None
        if schema is None:
            self.unvalidated.add(t, av, kind, f"no schema shipped for Kubernetes {text(v)}")
            return
        yield from _validate(t, res, schema, "")

    def _custom(self, i: int, t: RenderedTarget, res: Any, v: Version) -> Iterator[Problem]:
        av, kind = res.api_version, res.kind
        found = self.index.lookup(i, av, kind, v)
        if found.state == "schema" and found.schema is not None:
            yield from _validate(t, res, found.schema, "" if found.basic else found.label)
        elif found.state == "not-served" and found.crd is not None:
            crd = found.crd
            served = sorted(n for n, cv in crd.versions.items() if cv.served)
            yield Problem(_origin(res, "apiVersion"),
                          f"{_label(res)}: CRD {crd.name or crd.kind} serves no version "
                          f"'{av.rpartition('/')[2]}' of {kind} (served: "
                          f"{', '.join(served) or 'none'})", t, res, ("apiVersion",), av)
        else:
            reason = ("its CRD has no schema for this version" if found.crd is not None
                      else "no CRD or schema found")
            self.unvalidated.add(t, av, kind, reason)
            if self.report_missing:
                yield Problem(_origin(res, "kind"),
                              f"{_label(res)}: no schema for {kind} ({av}); add its CRD to "
                              "the repository or to kubernetes.crds", t, res, ("kind",), kind)


def _inside(path: str, root: str) -> bool:
    real, top = os.path.realpath(path), os.path.realpath(root)
    return real == top or real.startswith(top + os.sep)


def _validate(t: RenderedTarget, res: Any, schema: Schema, source: str) -> Iterator[Problem]:
    suffix = f" ({source})" if source else ""
    loose = t.kind == "standalone"
    try:
        failures = validate(res.node, schema)
    except RecursionError:      # a hostile CRD schema or document, deeper than Python goes
        yield Problem(_origin(res, "kind"), f"{_label(res)}: not schema-checked: the "
                      f"resource or its schema{suffix} is nested too deeply", t, res, ("kind",))
        return
    for f in failures:
        if f.path[:1] in (("apiVersion",), ("kind",)) and len(f.path) == 1:
            continue                        # how the schema was chosen; not a field problem
        if loose and f.code == "required":
            # a manifest no kustomization reads may be a patch fragment merged by another
            # tool (kubebuilder's commented-out CRD patches): only what it says is checked
            continue
        yield Problem(f.origin, f"{_label(res)}: {f.message}{suffix}", t, res, f.path, f.value)


def _unknown_api(t: RenderedTarget, res: Any, table: Any, v: Version) -> Problem:
    import difflib
    av, kind = res.api_version, res.kind
    kinds = table.kinds_of(av, v)
    if kinds:
        from .wellknown import WELL_KNOWN
        # the kind in another group first (a group-less OpenShift `v1` BuildConfig): a
        # close name of this group's kinds (`ConfigMap`) would point the wrong way
        elsewhere = sorted({a for (a, k) in table.served if k == kind and a != av
                            and table.serves(a, k, v)})
        groups = sorted(g for g, known in WELL_KNOWN.items() if kind in known)
        close = difflib.get_close_matches(kind, kinds, n=1, cutoff=0.6)
        hint = (f" ({kind} is served in {', '.join(elsewhere)})" if elsewhere else
                f" ({kind} is a kind of the {groups[0]} group)" if groups else
                f" (did you mean '{close[0]}'?)" if close else "")
        return Problem(_origin(res, "kind"), f"{_label(res)}: Kubernetes {text(v)} serves no "
                       f"kind '{kind}' in {av}{hint}", t, res, ("kind",), kind)
    group = av.rpartition("/")[0]
    served = sorted({a for (a, k) in table.served if a.rpartition("/")[0] == group
                     and table.serves(a, k, v)})
    also = f"; {group or 'the core group'} serves {', '.join(served)}" if served else ""
    return Problem(_origin(res, "apiVersion"), f"{_label(res)}: Kubernetes {text(v)} serves no "
                   f"{av} {kind}{also}", t, res, ("apiVersion",), av)


# -- removed-api / deprecated-api -----------------------------------------------------------

def _replacement(rep: str) -> str:
    return f"; use {rep}" if rep else ""


def _with_state(ctx: RuleContext, state: str) -> Iterator[
        tuple[RenderedTarget, Any, str, str, Version, apis_mod.ApiStatus]]:
    """``(target, resource, apiVersion, kind, version, status)`` of each rendered resource
    whose apiVersion/kind is in ``state`` (removed, deprecated) in its env's version."""
    conf = settings(ctx.config)
    table = apis_mod.table()
    for t in ctx.rendered():
        v = conf.version_for(t, ctx.config)
        for res in resources_of(t):
            av, kind = res.api_version, res.kind
            if not av or not kind or (kind == "AdmissionReview" and
                                      av.startswith("admission.k8s.io/")):
                continue   # a webhook's request payload (gator test inputs): never served
            st = table.status(av, kind, v)
            if st.state == state:
                yield t, res, av, kind, v, st


def removed_problems(ctx: RuleContext) -> Iterator[Problem]:
    for t, res, av, kind, v, st in _with_state(ctx, "removed"):
        when = f" (removed in {text(st.removed_in)})" if st.removed_in else ""
        rep = _replacement(st.replacement) or \
            "; it has no direct replacement (see the Kubernetes deprecation guide)"
        yield Problem(_origin(res, "apiVersion"),
                      f"{_label(res)}: {av} {kind} is no longer served by Kubernetes "
                      f"{text(v)}{when}{rep}", t, res, ("apiVersion",), av)


def deprecated_problems(ctx: RuleContext) -> Iterator[Problem]:
    for t, res, av, kind, v, st in _with_state(ctx, "deprecated"):
        until = f", not served from {text(st.removed_in)}" if st.removed_in else ""
        since = f" since Kubernetes {text(st.deprecated_in)}" if st.deprecated_in else ""
        yield Problem(_origin(res, "apiVersion"),
                      f"{_label(res)}: {av} {kind} is deprecated{since}"
                      f"{until}{_replacement(st.replacement)}",
                      t, res, ("apiVersion",), av)


__all__ = ["schema_problems", "removed_problems", "deprecated_problems", "Node"]
