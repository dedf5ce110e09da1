"""Shared value nodes in fields a ``configurations:`` file adds, and with ``buildMetadata``.

commonLabels, labels and commonAnnotations put one value node per resource and key in every
place their field specs name, custom ones (``configurations:``, a ``labels`` entry's
``fields``) included; a later write to one place shows in all (tests/test_node_sharing.py
has the builtin places). With ``buildMetadata`` in the top kustomization (any option),
Kustomize records each transformer's work in an annotation after every transformer of
every kustomization, with SetAnnotations: ``metadata.annotations`` is written anew, so its
values stop sharing with the other places (which still share among themselves); labels
are not touched. Each case renders here and with kubectl; WANT (the team annotation and
app label in metadata, in the configured ``spec.extra`` and in the pod template) is what
kubectl rendered, so the cases fail without kubectl too.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import KUBECTL, kubectl_documents, write_files
from overlay_lint.core.yaml_writer import dump_stream
from overlay_lint.kustomize.build import build

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: c
        image: nginx
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: src
data:
  v: fromcm
"""
CFG = """commonLabels:
- path: spec/extra/labels
  create: true
- path: spec/template/spec/containers[]/env-labels
  create: true
commonAnnotations:
- path: spec/extra/annotations
  create: true
"""
PATCH = """patches:
- patch: |-
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: d
      labels:
        app: yy
      annotations:
        team: b
"""
REPLACE = """replacements:
- source: {kind: ConfigMap, name: src, fieldPath: data.v}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [metadata.labels.app, spec.template.metadata.annotations.team]
"""
BASE_CL_CA = "configurations: [cfg.yaml]\ncommonLabels: {app: x}\ncommonAnnotations: {team: a}\n"
OV = "resources: [../base]\n"


def case(base: str, overlay: str) -> dict[str, str]:
    return {"base/d.yaml": DEPLOY, "base/cfg.yaml": CFG, "ov/cfg.yaml": CFG,
            "base/kustomization.yaml": "resources: [d.yaml]\n" + base,
            "ov/kustomization.yaml": OV + overlay}


CASES = {
    "configured fields share; overlay patch": case(BASE_CL_CA, PATCH),
    "labels with selectors and configured fields; overlay patch": case(
        "configurations: [cfg.yaml]\nlabels:\n- pairs: {app: x}\n  includeSelectors: true\n"
        "commonAnnotations: {team: a}\n", PATCH),
    "labels with fields of its own; overlay patch": case(
        "configurations: [cfg.yaml]\nlabels:\n- pairs: {app: x}\n  fields:\n"
        "  - path: spec/other/labels\n    create: true\n", PATCH),
    "overlay configurations, labels and annotations after its patch": case(
        "commonLabels: {app: x}\n", "configurations: [cfg.yaml]\ncommonLabels: {app: z}\n"
        "commonAnnotations: {team: a}\n" + PATCH),
    "overlay originAnnotations: patch of metadata annotation": case(
        BASE_CL_CA, "buildMetadata: [originAnnotations]\ncommonLabels: {tier: t}\n" + PATCH),
    "overlay originAnnotations: replacement into template annotation": case(
        BASE_CL_CA, "buildMetadata: [originAnnotations]\n" + REPLACE),
    "overlay configurations and labels, replacement": case(
        "commonLabels: {app: x}\ncommonAnnotations: {team: a}\n",
        "configurations: [cfg.yaml]\nlabels:\n- pairs: {app: q}\n  includeSelectors: true\n"
        + REPLACE),
    "overlay commonAnnotations over configured fields, replacement": case(
        BASE_CL_CA, "configurations: [cfg.yaml]\ncommonAnnotations: {team: c, other: o}\n"
        + REPLACE),
    "overlay originAnnotations: labels fields, replacement and patch": case(
        "configurations: [cfg.yaml]\nlabels:\n- pairs: {app: x}\n  includeTemplates: true\n"
        "  fields:\n  - path: spec/more/labels\n    create: true\ncommonAnnotations: {team: a}\n",
        "buildMetadata: [originAnnotations]\n" + REPLACE + PATCH),
    "overlay managedByLabel: patch of metadata annotation": case(
        "configurations: [cfg.yaml]\ncommonAnnotations: {team: a}\n",
        "buildMetadata: [managedByLabel]\n" + PATCH),
    "overlay originAnnotations: two annotation transformers": case(
        "", "buildMetadata: [originAnnotations]\ntransformers:\n- |-\n"
        "  apiVersion: builtin\n  kind: AnnotationsTransformer\n  metadata:\n    name: a1\n"
        "  annotations:\n    team: a\n  fieldSpecs:\n  - path: metadata/annotations\n"
        "    create: true\n  - path: spec/extra/annotations\n    create: true\n- |-\n"
        "  apiVersion: builtin\n  kind: AnnotationsTransformer\n  metadata:\n    name: a2\n"
        "  annotations:\n    team: z\n  fieldSpecs:\n  - path: metadata/annotations\n"
        "    create: true\n"),
}
# (team in metadata, in spec.extra, in the template; app in metadata, spec.extra, template)
WANT = {
    "configured fields share; overlay patch": ("b", "b", "b", "yy", "yy", "yy"),
    "labels with selectors and configured fields; overlay patch":
        ("b", "b", "b", "yy", "yy", "yy"),
    "labels with fields of its own; overlay patch": ("b", None, None, "yy", None, None),
    "overlay configurations, labels and annotations after its patch":
        ("a", "a", "a", "z", "z", "z"),
    "overlay originAnnotations: patch of metadata annotation":
        ("b", "a", "a", "yy", "yy", "yy"),
    "overlay originAnnotations: replacement into template annotation":
        ("a", "fromcm", "fromcm", "fromcm", "fromcm", "fromcm"),
    "overlay configurations and labels, replacement":
        ("fromcm", None, "fromcm", "fromcm", "q", "fromcm"),
    "overlay commonAnnotations over configured fields, replacement":
        ("fromcm", "fromcm", "fromcm", "fromcm", "fromcm", "fromcm"),
    "overlay originAnnotations: labels fields, replacement and patch":
        ("b", "fromcm", "fromcm", "fromcm", None, "fromcm"),
    "overlay managedByLabel: patch of metadata annotation": ("b", "a", "a", "yy", None, None),
    "overlay originAnnotations: two annotation transformers": ("z", "a", None, None, None, None),
}


def summary(docs: list) -> tuple:
    d = next(d for d in docs if d["kind"] == "Deployment")
    md, spec = d["metadata"], d.get("spec") or {}
    extra = spec.get("extra") or {}
    tmd = (spec.get("template") or {}).get("metadata") or {}

    def get(m: dict | None, k: str) -> str | None:
        return (m or {}).get(k)
    return (get(md.get("annotations"), "team"), get(extra.get("annotations"), "team"),
            get(tmd.get("annotations"), "team"), get(md.get("labels"), "app"),
            get(extra.get("labels"), "app"), get(tmd.get("labels"), "app"))


def test_every_case_has_its_kubectl_outcome() -> None:
    assert sorted(CASES) == sorted(WANT)


@pytest.mark.parametrize("name", list(CASES))
def test_configured_sharing_renders_as_kubectl_renders(tmp_path: Path, name: str) -> None:
    write_files(tmp_path, CASES[name])
    text = dump_stream(r.node for r in build(str(tmp_path / "ov")).resources)
    assert summary([d for d in yaml.safe_load_all(text) if d]) == WANT[name]
    if KUBECTL:
        want = kubectl_documents(tmp_path / "ov")
        assert summary(want) == WANT[name], "kubectl renders another outcome: fix WANT"
        assert [d for d in yaml.safe_load_all(text) if d] == want
