#!/usr/bin/env python3
"""Generate the Kubernetes data tables of ``overlay_lint/lint/k8s/data`` from the schemas
shipped in ``kubernetes-validate`` (no network):

- ``enums.json``: allowed values of string fields. The JSON schemas carry them only in
  prose ("Image pull policy. One of Always, Never, IfNotPresent."; "Valid options are
  ExternalName, ClusterIP, NodePort, and LoadBalancer."), so this script reads each
  field's description with a few strict sentence patterns and keeps a field only when the
  whole list parses as plain values. Fields whose prose is known to list fewer values
  than the API server accepts are in ``NOT_ENFORCED`` with the reason.
- ``served.json``: for every apiVersion/kind with a schema, the shipped versions that
  serve it (as ranges).

Usage: ``python scripts/gen_k8s_data.py`` (writes both files), ``--check`` (exit 1 when the
files differ from what the installed schemas give; tests/test_k8s_data.py does the same).
"""
from __future__ import annotations

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(os.path.dirname(HERE), "overlay_lint", "lint", "k8s", "data")

# Fields whose description lists values the API server does not limit itself to (found by
# reviewing the generated table against the API validation code):
NOT_ENFORCED = {
    # status fields written by controllers; address types also include InternalDNS/ExternalDNS
    "io.k8s.api.core.v1.NodeAddress.type": "kubelet also reports InternalDNS and ExternalDNS",
}

# kinds every group version lists that are API machinery, not resources one writes
NOT_RESOURCES = {"DeleteOptions", "WatchEvent", "Status", "APIGroup", "APIResourceList",
                 "APIVersions"}

_TOKEN = r"(?:\"[A-Za-z*][\w./*-]*\"|'[A-Za-z*][\w./*-]*'|`[A-Za-z*][\w./*-]*`|[A-Za-z][\w-]*)"
_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)"
_LIST = rf"(?P<list>{_TOKEN}(?:{_SEP}{_TOKEN})+)"
_END = r"(?=\s*(?:\.(?:\s|$)|$|\n))"
_LEADS = [
    r"\b[Oo]ne of:?\s+",
    r"\b(?:[Vv]alid|[Aa]llowed|[Aa]cceptable|[Ss]upported|[Pp]ossible) (?:enum )?"
    r"(?:values|options|operators)(?: are| is)?:?\s+(?:either\s+)?",
    r"\b[Mm]ust be(?: one of:?)?\s+(?:either\s+)?",
    r"\b[Cc]an be(?: one of:?)?\s+(?:either\s+)?",
    r"\bSupports\s+",
]
_INLINE = [re.compile(lead + _LIST + _END) for lead in _LEADS]
# "Valid values are:" followed by bullets: `- "Allow" (default): ...`, `- FailJob: ...`,
# `- TerminatingOrFailed means ...`, or lines/sentences `Localhost - a profile ...`
_BULLET_LEAD = re.compile(r"\b(?:[Vv]alid|[Aa]llowed|[Ss]upported|[Pp]ossible) "
                          r"(?:values|options)(?: are)?:\s*")
_DASH_ITEM = re.compile(r"(?:^|\n|;)\s*-\s+[\"`]?([A-Z][A-Za-z0-9]*)[\"`]?(?=\s*(?:\(|:|\s+means\b))")
_NAME_DASH = re.compile(r"(?:^|\n|\.)\s*([A-Z][A-Za-z0-9]*) - ")
# "PathType can be one of the following values: * Exact: ... * Prefix: ..."
_STAR_LEAD = re.compile(r"\bcan be one of the following values:\s*")
_STAR_ITEM = re.compile(r"(?:^|\n|\.)\s*\*\s+([A-Z][A-Za-z0-9]*):")
# a list that goes on in a second sentence: "Valid operators are In, NotIn, Exists,
# DoesNotExist. Gt, and Lt."
_MORE = re.compile(rf"\.\s+(?P<list>{_TOKEN}(?:{_SEP}{_TOKEN})*)\.(?:\s|$)")


def _plain(tok: str) -> str:
    return tok[1:-1] if tok[0] in "\"'`" else tok


def values_from(desc: str) -> list[str] | None:
    """The allowed values a description states, or None when it states none clearly."""
    for rx in _INLINE:
        m = rx.search(desc)
        if m:
            toks = re.findall(_TOKEN, m.group("list"))
            more = _MORE.match(desc, m.end())
            if more and all(t[0] in "\"'`" or t[0].isupper() or t in ("and", "or")
                            for t in re.findall(_TOKEN, more.group("list"))):
                toks += re.findall(_TOKEN, more.group("list"))
            vals = [_plain(t) for t in toks if t not in ("and", "or")]
            # bare lowercase words other than a single token are prose, not values,
            # unless every value is lowercase (e.g. "noexec, nodev, and nosuid")
            bare = [t for t in toks if t[0] not in "\"'`" and t not in ("and", "or")]
            if bare and any(t[0].isupper() for t in bare) and any(t[0].islower() for t in bare):
                continue
            if len(vals) >= 2 and len(set(vals)) == len(vals):
                return sorted(vals)
    m = _BULLET_LEAD.search(desc)
    if m:
        rest = desc[m.end():]
        vals = _DASH_ITEM.findall("\n" + rest) or _NAME_DASH.findall("\n" + rest)
        if len(vals) >= 2 and len(set(vals)) == len(vals):
            return sorted(vals)
    m = _STAR_LEAD.search(desc)
    if m:
        vals = _STAR_ITEM.findall("\n" + desc[m.end():])
        if len(vals) >= 2 and len(set(vals)) == len(vals):
            return sorted(vals)
    return None


def _string_type(p: dict) -> str | None:
    """'string' for a string field, 'items' for a list of strings, else None."""
    def is_str(t) -> bool:
        return t == "string" or (isinstance(t, list) and "string" in t and "integer" not in t)
    if "format" in p:          # e.g. byte: the prose is about the decoded content
        return None
    if is_str(p.get("type")) and "$ref" not in p:
        return "string"
    items = p.get("items")
    if isinstance(items, dict) and is_str(items.get("type")) and "$ref" not in items:
        return "items"
    return None


def schema_dirs() -> list[tuple[tuple[int, int], str]]:
    sys.path.insert(0, os.path.dirname(HERE))
    from overlay_lint.lint.k8s.openapi import schema_root, shipped_versions
    root = schema_root()
    return [(v, os.path.join(root, f"v{v[0]}.{v[1]}.0-local", "_definitions.json"))
            for v in shipped_versions()]


def _ranges(versions: list[tuple[int, int]], present: list[tuple[int, int]]) -> list[list[str]]:
    """Consecutive runs of ``present`` within the ordered ``versions``, as [from, to]."""
    out: list[list[str]] = []
    run: list = []
    for v in versions:
        if v in present:
            run.append(v)
        elif run:
            out.append([f"{run[0][0]}.{run[0][1]}", f"{run[-1][0]}.{run[-1][1]}"])
            run = []
    if run:
        out.append([f"{run[0][0]}.{run[0][1]}", f"{run[-1][0]}.{run[-1][1]}"])
    return out


def generate() -> tuple[dict, dict]:
    """(enums, served) as written to the data files."""
    per_field: dict[tuple[str, str], dict[tuple[int, int], tuple]] = {}
    per_gvk: dict[str, list] = {}
    def_names: dict[str, str] = {}
    versions = []
    for v, path in schema_dirs():
        versions.append(v)
        with open(path, "rb") as fh:
            defs = json.load(fh)["$defs"]
        for name, d in defs.items():
            for gvk in d.get("x-kubernetes-group-version-kind") or ():
                g, ver, k = gvk.get("group", ""), gvk.get("version", ""), gvk.get("kind", "")
                if k.endswith("List") or k in NOT_RESOURCES:
                    continue
                key = f"{g + '/' if g else ''}{ver} {k}"
                per_gvk.setdefault(key, []).append(v)
                if def_names.setdefault(key, name) != name:
                    raise SystemExit(f"{key}: definition renamed between versions")
            for prop, p in (d.get("properties") or {}).items():
                if f"{name}.{prop}" in NOT_ENFORCED or not isinstance(p, dict):
                    continue
                if _string_type(p) is None:
                    continue
                vals = values_from(p.get("description", ""))
                if vals:
                    per_field.setdefault((name, prop), {})[v] = tuple(vals)
    enums: dict[str, dict[str, list]] = {}
    for (name, prop), by_v in sorted(per_field.items()):
        entries: list = []
        for v in versions:
            vals = by_v.get(v)
            if vals is None:
                continue
            if entries and entries[-1][2] == list(vals) and entries[-1][1] == _prev(versions, v):
                entries[-1][1] = f"{v[0]}.{v[1]}"
            else:
                entries.append([f"{v[0]}.{v[1]}", f"{v[0]}.{v[1]}", list(vals)])
        enums.setdefault(name, {})[prop] = entries
    served = {k: _ranges(versions, vs) for k, vs in sorted(per_gvk.items())}
    names = {k: def_names[k] for k in sorted(per_gvk)}
    meta = {"versions": [f"{a}.{b}" for a, b in versions]}
    return ({"_about": "Generated by scripts/gen_k8s_data.py from the field descriptions of "
                       "the kubernetes-validate schemas: definition -> field -> "
                       "[[from, to, values]].", **meta, "enums": enums},
            {"_about": "Generated by scripts/gen_k8s_data.py from the kubernetes-validate "
                       "schemas: apiVersion kind -> [[first, last]] shipped versions serving it, "
                       "and its definition name.",
             **meta, "served": served, "definitions": names})


def _prev(versions: list, v: tuple) -> str:
    i = versions.index(v)
    p = versions[i - 1] if i else v
    return f"{p[0]}.{p[1]}"


def dump(doc: dict) -> str:
    return json.dumps(doc, indent=1, sort_keys=False) + "\n"


def main(argv: list[str]) -> int:
    enums, served = generate()
    files = {"enums.json": dump(enums), "served.json": dump(served)}
    if "--check" in argv:
        bad = [n for n, text in files.items()
               if not os.path.isfile(os.path.join(DATA, n))
               or open(os.path.join(DATA, n), encoding="utf-8").read() != text]
        for n in bad:
            print(f"{n} is out of date; run scripts/gen_k8s_data.py", file=sys.stderr)
        return 1 if bad else 0
    for n, text in files.items():
        with open(os.path.join(DATA, n), "w", encoding="utf-8") as fh:
            fh.write(text)
        print(f"wrote {os.path.join(DATA, n)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
