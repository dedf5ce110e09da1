#!/usr/bin/env python3
"""Generate ``overlay_lint/lint/k8s/data/lifecycle.json``: when each pre-release Kubernetes
API (apiVersion + kind) was introduced, deprecated and removed, and its replacement.

Source: the ``zz_generated.prerelease-lifecycle.go`` files of ``k8s.io/api`` (the
``kubernetes/api`` repository), generated from the ``+k8s:prerelease-lifecycle-gen`` tags
of each type. They are what the API server itself uses to warn about deprecated APIs and
to stop serving removed ones; the Kubernetes deprecation guide is written from the same
tags. Types deleted from ``k8s.io/api`` after their removal (e.g. ``autoscaling/v2beta2``)
are found in older release tags, so every ``v0.N.0`` tag from v0.19.0 (the first with the
generator) to the newest, and the default branch, are read; the newest mention wins.

Usage: ``python scripts/gen_k8s_lifecycle.py PATH_TO_A_CLONE_OF_kubernetes/api``
(reads it with ``git show``, writes nothing else, needs no network). The test suite checks
the table against the schemas of ``kubernetes-validate`` (tests/test_k8s_data.py).
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(os.path.dirname(HERE), "overlay_lint", "lint", "k8s", "data", "lifecycle.json")

_FUNC = re.compile(r"func \(in \*(\w+)\) APILifecycle(Introduced|Deprecated|Removed|Replacement)"
                   r"\(\) [^{]*\{\s*return ([^\n]+)\n")
_GVK = re.compile(r'Group: "([^"]*)", Version: "([^"]*)", Kind: "([^"]*)"')
_GROUP = re.compile(r'const GroupName = "([^"]*)"')


# Not in k8s.io/api's tags. APIs served by the aggregation layers
# (k8s.io/apiextensions-apiserver, k8s.io/kube-aggregator): from the Kubernetes
# deprecation guide, "v1.22" section.
SUPPLEMENT = [
    {"apiVersion": "apiextensions.k8s.io/v1beta1", "kind": "CustomResourceDefinition",
     "introduced": "1.7", "deprecated": "1.16", "removed": "1.22",
     "replacement": {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition"}},
    {"apiVersion": "apiregistration.k8s.io/v1beta1", "kind": "APIService",
     "introduced": "1.7", "deprecated": "1.19", "removed": "1.22",
     "replacement": {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService"}},
    # GA kinds the API server warns about without a lifecycle tag (registry warnings):
    # "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice"
    # (KEP-4974) and "v1 ComponentStatus is deprecated in v1.19+". Never removed.
    {"apiVersion": "v1", "kind": "Endpoints", "introduced": "1.0", "deprecated": "1.33",
     "replacement": {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice"}},
    {"apiVersion": "v1", "kind": "ComponentStatus", "introduced": "1.0", "deprecated": "1.19"},
]


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True,
                          check=True).stdout


def refs(repo: str) -> list[str]:
    tags = [t for t in git(repo, "tag").split() if re.fullmatch(r"v0\.\d+\.0", t)]
    tags = sorted((t for t in tags if int(t.split(".")[1]) >= 19), key=lambda t: int(t.split(".")[1]))
    return tags + ["HEAD"]


def read_ref(repo: str, ref: str) -> dict[tuple[str, str], dict]:
    out: dict[tuple[str, str], dict] = {}
    files = [f for f in git(repo, "ls-tree", "-r", "--name-only", ref).splitlines()
             if f.endswith("zz_generated.prerelease-lifecycle.go")]
    for f in files:
        pkg = os.path.dirname(f)                      # e.g. policy/v1beta1
        version = os.path.basename(pkg)
        try:
            reg = git(repo, "show", f"{ref}:{pkg}/register.go")
        except subprocess.CalledProcessError:
            continue
        m = _GROUP.search(reg)
        if m is None:
            continue
        group = m.group(1)
        api_version = f"{group}/{version}" if group else version
        for kind, what, value in _FUNC.findall(git(repo, "show", f"{ref}:{f}")):
            if kind.endswith("List"):
                continue
            e = out.setdefault((api_version, kind), {})
            if what == "Replacement":
                g = _GVK.search(value)
                if g:
                    e["replacement"] = {"apiVersion": f"{g.group(1)}/{g.group(2)}" if g.group(1)
                                        else g.group(2), "kind": g.group(3)}
            else:
                nums = re.findall(r"\d+", value)
                if len(nums) == 2:
                    e[what.lower()] = f"{nums[0]}.{nums[1]}"
    return out


def generate(repo: str) -> dict:
    table: dict[tuple[str, str], dict] = {}
    for ref in refs(repo):
        table.update(read_ref(repo, ref))     # newer refs win
    for e in SUPPLEMENT:         # adds what the tags do not say, never overrides them
        known = table.setdefault((e["apiVersion"], e["kind"]), {})
        for k, v in e.items():
            if k not in ("apiVersion", "kind"):
                known.setdefault(k, v)
    apis = []
    for (api_version, kind), e in sorted(table.items()):
        if "deprecated" not in e and "removed" not in e:
            continue                          # GA types carry only "introduced"
        apis.append({"apiVersion": api_version, "kind": kind, **e})
    head = git(repo, "rev-parse", "HEAD").strip()
    return {"_about": "Generated by scripts/gen_k8s_lifecycle.py from the prerelease-lifecycle "
                      "tags of k8s.io/api (release tags v0.19.0 and later, and "
                      f"{head[:12]}): introduced/deprecated/removed Kubernetes versions and "
                      "the replacement of each pre-release API.",
            "apis": apis}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not os.path.isdir(argv[0]):
        print(__doc__, file=sys.stderr)
        return 2
    doc = generate(argv[0])
    with open(OUT, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1)
        fh.write("\n")
    print(f"wrote {OUT} ({len(doc['apis'])} APIs)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
