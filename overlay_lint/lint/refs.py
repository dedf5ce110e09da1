"""Shared logic of secret-key-ref and configmap-key-ref: find references, resolve them.

A reference resolves in the rendered target it appears in, in the workload's namespace.
Providers of Secrets: ``Secret`` (data/stringData keys), Bitnami ``SealedSecret``
(``spec.encryptedData`` and ``spec.template.data`` keys), ``ExternalSecret``
(``spec.data[].secretKey``; any key when ``dataFrom`` is used), and the kinds listed in
secret-key-ref's ``producers`` parameter (cert-manager, OpenShift serving certificates,
the CSI secrets store, Vault, 1Password, ...). Providers of ConfigMaps: ``ConfigMap``
(data/binaryData keys) and the ``kube-root-ca.crt`` every namespace has.
"""
from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator

from ..core.errors import display_path
from ..core.node import Node
from ..core.record import dataclass
from .model import Problem, RenderedTarget, RuleContext, local_to, shown_name
from .workloads import containers, pod_spec

ANY = None  # a provider whose keys are not known: every key resolves


@dataclass
class KeyRef:
    name_node: Node
    key_node: Node | None       # None: the whole object is referenced (envFrom, volume)
    path: tuple                 # path of key_node (or name_node) in the resource
    how: str                    # secretKeyRef, envFrom, volume, ...


@dataclass
class Provider:
    what: str                   # "SealedSecret identity-service-secrets (file:line)"
    keys: set | None


def _optional(n: Node | None) -> bool:
    return n is not None and n.get("optional") is not None and n.get("optional").v is True


def find_refs(res, kind: str) -> Iterator[KeyRef]:
    """References to ``kind`` (Secret or ConfigMap) in a workload's pod spec."""
    found = pod_spec(res.node, res.kind)
    if found is None:
        return
    spath, spec = found
    key_ref, env_from, vol, proj = (("secretKeyRef", "secretRef", "secret", "secret")
                                    if kind == "Secret" else
                                    ("configMapKeyRef", "configMapRef", "configMap", "configMap"))
    for cpath, c in containers(spath, spec):
        env = c.get("env")
        for i, e in enumerate(env.v if env is not None and env.is_seq else []):
            r = e.path("valueFrom", key_ref)
            if r is None or not r.is_map or _optional(r) or r.get("name") is None:
                continue
            key = r.get("key")
            yield KeyRef(r.get("name"), key, cpath + ("env", i, "valueFrom", key_ref,
                                                       "key" if key is not None else "name"),
                         key_ref)
        ef = c.get("envFrom")
        for i, e in enumerate(ef.v if ef is not None and ef.is_seq else []):
            r = e.get(env_from)
            if r is None or not r.is_map or _optional(r) or r.get("name") is None:
                continue
            yield KeyRef(r.get("name"), None, cpath + ("envFrom", i, env_from, "name"),
                         f"envFrom.{env_from}")
    vols = spec.get("volumes")
    name_key = "secretName" if kind == "Secret" else "name"
    for i, v in enumerate(vols.v if vols is not None and vols.is_seq else []):
        sources = [(spath + ("volumes", i, vol), v.get(vol), name_key)]
        srcs = v.path("projected", "sources")
        for j, s in enumerate(srcs.v if srcs is not None and srcs.is_seq else []):
            sources.append((spath + ("volumes", i, "projected", "sources", j, proj),
                            s.get(proj), "name"))
        for vpath, src, nk in sources:
            if src is None or not src.is_map or _optional(src) or src.get(nk) is None:
                continue
            items = src.get("items")
            listed = [(k, it.get("key")) for k, it in
                      enumerate(items.v if items is not None and items.is_seq else [])
                      if it.get("key") is not None]
            if not listed:
                yield KeyRef(src.get(nk), None, vpath + (nk,), "volume")
            for k, key in listed:
                yield KeyRef(src.get(nk), key, vpath + ("items", k, "key"), "volume items")


def _keys(n: Node | None) -> set:
    return set(n.v) if n is not None and n.is_map else set()


PRODUCER_KEYS = {"kind", "apiVersion", "name", "annotation", "if-annotation", "keys"}


def check_producers(specs: list) -> list[dict]:
    """The ``producers`` parameter, checked: a list of mappings, each with a ``kind``."""
    from ..core.errors import OverlayLintError
    for i, s in enumerate(specs):
        bad = None
        if not isinstance(s, dict) or not isinstance(s.get("kind"), str):
            bad = "must be a mapping with a 'kind'"
        elif set(s) - PRODUCER_KEYS:
            bad = f"unknown key '{sorted(set(s) - PRODUCER_KEYS)[0]}' (keys: " \
                  f"{', '.join(sorted(PRODUCER_KEYS))})"
        elif not all(isinstance(s.get(k, ""), str) for k in ("apiVersion", "name", "annotation")):
            bad = "apiVersion, name and annotation are strings"
        elif not all(isinstance(x, str) for k in ("keys", "if-annotation")
                     for x in (s.get(k) or [])):
            bad = "keys and if-annotation are lists of strings"
        if bad:
            raise OverlayLintError(f"rule secret-key-ref: producers[{i}] {bad}")
    return specs


def _values_at(node: Node, path: str) -> list:
    """Values at a dotted path; ``[]`` after a key steps into every item of a list."""
    cur = [node]
    for part in path.split("."):
        each = part.endswith("[]")
        key = part[:-2] if each else part
        nxt = []
        for n in cur:
            v = n.get(key) if n.is_map else None
            if v is None:
                continue
            nxt += [x for x in v.v] if each and v.is_seq else ([] if each else [v])
        cur = nxt
    return [n.v for n in cur if isinstance(n.v, str) and n.v]


def _produced(res, specs: list[dict]) -> list[tuple[str, set | None]]:
    """``(secret name, keys or ANY)`` a resource makes exist, per the ``producers`` list."""
    out: list[tuple[str, set | None]] = []
    for s in specs:
        if s["kind"] != res.kind or not fnmatch.fnmatchcase(res.api_version,
                                                             s.get("apiVersion") or "*"):
            continue
        ann = res.annotations
        if s.get("if-annotation") and not any(a in ann for a in s["if-annotation"]):
            continue
        if s.get("annotation"):
            names = [ann[s["annotation"]]] if ann.get(s["annotation"]) else []
        else:
            names = _values_at(res.node, s.get("name") or "metadata.name")
        keys = set(s["keys"]) if s.get("keys") else ANY
        out += [(n, keys) for n in names]
    return out


def providers(target: RenderedTarget, kind: str,
              producers: list[dict] | None = None) -> dict[tuple, Provider]:
    """``(namespace, name) -> Provider`` for Secrets or ConfigMaps in a rendered target;
    ``producers`` (secret-key-ref's parameter) lists other kinds that make Secrets."""
    out: dict[tuple, Provider] = {}

    def add(ns: str, name: str, prov, what: str) -> None:
        key = (ns, name)
        if key in out and out[key].keys is not ANY and prov is not ANY:
            out[key].keys |= prov  # e.g. a SealedSecret and the Secret it unseals to
        elif key in out and prov is ANY:
            out[key].keys = ANY
        elif key not in out:
            out[key] = Provider(what, prov)

    for res in target.resources:
        rk, av = res.kind, res.api_version
        ns = res.cur_id().effective_ns
        loc = f"{display_path(res.node.o[0])}:{res.node.o[1]}" if res.node.o else ""
        prov = None
        name = res.name
        if kind == "Secret":
            if rk == "Secret" and av == "v1":
                if res.node.str_at("type") == "kubernetes.io/service-account-token":
                    prov = ANY
                else:
                    prov = _keys(res.node.get("data")) | _keys(res.node.get("stringData"))
            elif rk == "SealedSecret" and av.startswith("bitnami.com/"):
                prov = _keys(res.node.path("spec", "encryptedData")) | \
                    _keys(res.node.path("spec", "template", "data"))
            elif rk == "ExternalSecret" and av.startswith("external-secrets.io/"):
                name = res.node.str_at("spec", "target", "name") or name
                data = res.node.path("spec", "data")
                prov = ANY if res.node.path("spec", "dataFrom") is not None else {
                    d.str_at("secretKey") for d in (data.v if data is not None and data.is_seq
                                                    else []) if d.str_at("secretKey")}
            else:
                for pname, keys in _produced(res, producers or []):
                    add(ns, pname, keys, f"{rk} {res.name} ({loc})")
                continue
        else:
            if rk != "ConfigMap" or av != "v1":
                continue
            prov = _keys(res.node.get("data")) | _keys(res.node.get("binaryData"))
        if name:
            add(ns, name, prov, f"{rk} {name} ({loc})")
    return out


def check_refs(ctx: RuleContext, kind: str) -> Iterator[Problem]:
    external = list(ctx.params.get("external", []))
    producers = check_producers(list(ctx.params.get("producers", [])))
    for target in ctx.rendered():
        provs = None
        for res in target.resources:
            for ref in find_refs(res, kind):
                name = ref.name_node.v
                if not isinstance(name, str) or not name:
                    continue
                if provs is None:
                    provs = providers(target, kind, producers)
                ns = res.cur_id().effective_ns
                prov = provs.get((ns, name))
                if prov is None and kind == "ConfigMap" and name == "kube-root-ca.crt":
                    continue
                if prov is None:
                    if not _report_missing(ctx, target, provs, ns, name, external, kind,
                                           producers):
                        continue
                    o = ref.name_node.o
                    where = _where(target, ns) if local_to(o, target) else \
                        "the same env and namespace"
                    yield Problem(o,
                                  f"{res.kind} {shown_name(res, o, target)} reads {kind} "
                                  f"'{name}' ({ref.how}), "
                                  f"which is not rendered in {where}; add it (as a "
                                  f"{'SealedSecret' if kind == 'Secret' else 'ConfigMap'}) or "
                                  f"mark the reference optional: true",
                                  target, res, ref.path[:-1] + ("name",), name)
                    continue
                if ref.key_node is None or prov.keys is ANY:
                    continue
                key = ref.key_node.v
                if key in prov.keys:
                    continue
                yield Problem(ref.key_node.o,
                              f"{res.kind} {shown_name(res, ref.key_node.o, target)} reads key "
                              f"'{key}' of {kind} '{name}' "
                              f"({ref.how}), but {prov.what} has no such key; add the key or "
                              "fix the reference", target, res, ref.path,
                              f"{name}/{key}")


def _report_missing(ctx: RuleContext, target: RenderedTarget, provs: dict, ns: str,
                    name: str, external: list[str], kind: str, producers: list) -> bool:
    """Whether an object that is not rendered at all is a finding.

    A base or a loose manifest may rely on an overlay (or the cluster) to provide it: only
    a rendered env is complete. ``missing-objects: auto`` (default) reports it only when
    the env provides objects of that kind in that namespace itself (so a missing one is a
    mistake, not something another app or an operator creates); ``report`` always,
    ``ignore`` never.
    """
    if not target.is_env or any(fnmatch.fnmatchcase(name, p) for p in external):
        return False
    mode = ctx.params.get("missing-objects", "auto")
    if mode == "report":
        return True
    if mode == "ignore":
        return False
    if not any(k[0] == ns for k in provs):
        return False
    return not any(name in names for t, names in _names_by_target(ctx, kind, producers)
                   if t is not target)


def _names_by_target(ctx: RuleContext, kind: str, producers: list) -> list:
    """``(target, names of its objects of kind)`` for every checked target (cached)."""
    cache = ctx.__dict__.setdefault("_provider_names", {})
    if kind not in cache:
        cache[kind] = [(t, {name for (_, name) in providers(t, kind, producers)})
                       for t in ctx.rendered()]
    return cache[kind]


def _where(target: RenderedTarget, ns: str) -> str:
    if target.kind == "env":
        return f"env '{target.name}' (namespace {ns})"
    if target.kind == "base":
        return f"base {os.path.relpath(target.target.dir)} (namespace {ns})"
    return f"namespace {ns}"
