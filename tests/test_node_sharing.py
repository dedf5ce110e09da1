"""Kustomize's shared value nodes, judged against kubectl.

Kustomize's label and annotation transformers (commonLabels, labels, commonAnnotations) make
one value node per resource and key and put that very node in every mapping of the resource
that lacks the key (metadata, selector, pod template...). Later writes go into a node in
place (a strategic merge patch, a replacement, another label transformer, vars), so a write
to one of the places shows in all the places sharing it, in any later layer, component or
reuse of the base. A key the mapping already had is written in place instead (it shares
nothing new); a JSON6902 patch re-reads the whole object from JSON, which ends all sharing
in it; each resource gets its own node.

Each case renders here and with kubectl; the table of what kubectl renders is also written
out (WANT), so the cases fail without kubectl too.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import KUBECTL, kubectl_documents, line_of, write_files
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
"""
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n  v: fromcm\n"
CA = "commonAnnotations:\n  team: a\n"
CL = "commonLabels:\n  app: x\n"
OV = "resources:\n- ../base\n"
COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"


def indent(text: str, by: int) -> str:
    return "".join(" " * by + line + "\n" for line in text.splitlines())


def smp(extra_metadata: str = "", rest: str = "", kind: str = "Deployment",
        api: str = "apps/v1", name: str = "d") -> str:
    """A ``patches:`` entry holding a strategic merge patch of the object ``name``."""
    doc = (f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n"
           + indent(extra_metadata, 2) + rest)
    return "- patch: |-\n" + indent(doc, 4)


def json6902(ops: str) -> str:
    return "- target:\n    kind: Deployment\n  patch: |-\n" + indent(ops, 4)


def replacement(field_path: str) -> str:
    return ("replacements:\n- source:\n    kind: ConfigMap\n    name: src\n    fieldPath: data.v\n"
            "  targets:\n  - select:\n      kind: Deployment\n    fieldPaths:\n"
            f"    - {field_path}\n")


def base(kust: str, resources: str = "- d.yaml\n", deploy: str = DEPLOY) -> dict[str, str]:
    return {"base/kustomization.yaml": "resources:\n" + resources + kust, "base/d.yaml": deploy}


MD_ANN = "annotations:\n  team: b"
TPL_ANN = "spec:\n  template:\n    metadata:\n      annotations:\n        team: b\n"
MD_LAB = "labels:\n  app: yy"
WITH_CM = {"resources": "- d.yaml\n- cm.yaml\n"}

# name -> (files, the top directory); the render of `top` is compared with kubectl's
CASES: dict[str, dict[str, str]] = {
    "ca; overlay patch of metadata annotation": {
        **base(CA), "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_ANN)},
    "ca; overlay patch of template annotation": {
        **base(CA), "ov/kustomization.yaml": OV + "patches:\n" + smp(rest=TPL_ANN)},
    "ca; overlay JSON6902 replace of metadata annotation": {
        **base(CA), "ov/kustomization.yaml": OV + "patches:\n" + json6902(
            "- op: replace\n  path: /metadata/annotations/team\n  value: b")},
    "ca; overlay JSON6902 elsewhere, then patch of metadata annotation": {
        **base(CA), "ov/kustomization.yaml": OV + "patches:\n" + json6902(
            "- op: add\n  path: /spec/replicas\n  value: 2") + smp(MD_ANN)},
    "ca; overlay JSON6902 adds another template annotation, then patch": {
        **base(CA), "ov/kustomization.yaml": OV + "patches:\n" + json6902(
            "- op: add\n  path: /spec/template/metadata/annotations/other\n  value: o")
        + smp(MD_ANN)},
    "ca; base patchesJson6902 after it, overlay patch": {
        **base(CA + "patchesJson6902:\n- target:\n    group: apps\n    version: v1\n"
                    "    kind: Deployment\n    name: d\n  patch: |-\n    - op: add\n"
                    "      path: /spec/replicas\n      value: 2\n"),
        "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_ANN)},
    "ca, template already annotated; overlay patch of metadata": {
        **base(CA, deploy=DEPLOY.replace(
            "  template:\n", "  template:\n    metadata:\n      annotations:\n        team: z\n")),
        "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_ANN)},
    "ca; overlay namePrefix and patch": {
        **base(CA), "ov/kustomization.yaml": OV + "namePrefix: p-\npatches:\n" + smp(MD_ANN)},
    "ca; overlay nameSuffix and template patch": {
        **base(CA), "ov/kustomization.yaml": OV + "nameSuffix: -s\npatches:\n"
        + smp(rest=TPL_ANN)},
    "ca; overlay namespace and patch": {
        **base(CA), "ov/kustomization.yaml": OV + "namespace: nn\npatches:\n" + smp(MD_ANN)},
    "ca; overlay images and patch": {
        **base(CA), "ov/kustomization.yaml": OV + "images:\n- name: nginx\n  newTag: '2'\n"
        "patches:\n" + smp(MD_ANN)},
    "ca; overlay replacement into metadata annotation": {
        **base(CA, **WITH_CM), "base/cm.yaml": CM,
        "ov/kustomization.yaml": OV + replacement("metadata.annotations.team")},
    "ca; overlay replacement into template annotation": {
        **base(CA, **WITH_CM), "base/cm.yaml": CM,
        "ov/kustomization.yaml": OV + replacement("spec.template.metadata.annotations.team")},
    "ca and a replacement in the same kustomization": {
        **base(CA + replacement("metadata.annotations.team"), **WITH_CM),
        "base/cm.yaml": CM, "ov/kustomization.yaml": OV},
    "ca holding a var": {
        **base("commonAnnotations:\n  team: $(V)\nvars:\n- name: V\n  objRef:\n"
               "    kind: ConfigMap\n    name: src\n    apiVersion: v1\n  fieldref:\n"
               "    fieldpath: data.v\n", **WITH_CM),
        "base/cm.yaml": CM, "ov/kustomization.yaml": OV},
    "ca; overlay ca with the same key": {
        **base(CA), "ov/kustomization.yaml": OV + "commonAnnotations:\n  team: b\n"},
    "ca; component patch": {
        **base(CA), "comp/kustomization.yaml": COMPONENT + "patches:\n" + smp(MD_ANN),
        "ov/kustomization.yaml": OV + "components:\n- ../comp\n"},
    "component ca; overlay patch": {
        "base/kustomization.yaml": "resources:\n- d.yaml\ncomponents:\n- ../comp\n",
        "base/d.yaml": DEPLOY, "comp/kustomization.yaml": COMPONENT + CA,
        "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_ANN)},
    "ca on two deployments; overlay patch of one": {
        **base(CA, resources="- d.yaml\n- e.yaml\n"),
        "base/e.yaml": DEPLOY.replace("name: d", "name: e"),
        "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_ANN)},
    "ca; a middle layer; overlay patch": {
        **base(CA), "mid/kustomization.yaml": OV,
        "ov/kustomization.yaml": "resources:\n- ../mid\npatches:\n" + smp(MD_ANN)},
    "ca; overlay patch removes the metadata annotation": {
        **base(CA), "ov/kustomization.yaml": OV + "patches:\n" + smp("annotations:\n  team: null")},
    "ca; overlay patchesStrategicMerge": {
        **base(CA), "ov/p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
                                 "  annotations:\n    team: b\n",
        "ov/kustomization.yaml": OV + "patchesStrategicMerge:\n- p.yaml\n"},
    "ca; overlay patch selecting by target (copied per target)": {
        **base(CA), "ov/kustomization.yaml": OV + "patches:\n- target:\n    kind: Deployment\n  "
        + smp(MD_ANN, name="any")[2:]},
    "ca; three overlays reuse one base build": {
        **base(CA),
        "a/kustomization.yaml": "namePrefix: a-\n" + OV + "patches:\n" + smp(MD_ANN),
        "b/kustomization.yaml": "namePrefix: b-\n" + OV + "patches:\n" + smp(rest=TPL_ANN),
        "c/kustomization.yaml": "namePrefix: c-\n" + OV + "patches:\n"
        + smp(rest=TPL_ANN.replace("team: b", "team: e")),
        "ov/kustomization.yaml": "resources:\n- ../a\n- ../b\n- ../c\n"},
    "cl; overlay patch of metadata label": {
        **base(CL), "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_LAB)},
    "cl; overlay patch of selector": {
        **base(CL), "ov/kustomization.yaml": OV + "patches:\n" + smp(
            rest="spec:\n  selector:\n    matchLabels:\n      app: yy\n")},
    "cl; overlay labels (metadata only)": {
        **base(CL), "ov/kustomization.yaml": OV + "labels:\n- pairs:\n    app: yy\n"},
    "cl; overlay labels with templates": {
        **base(CL), "ov/kustomization.yaml": OV + "labels:\n- pairs:\n    app: yy\n"
                                                  "  includeTemplates: true\n"},
    "labels with templates in base; overlay patch": {
        **base("labels:\n- pairs:\n    app: x\n  includeTemplates: true\n"),
        "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_LAB)},
    "labels with selectors in base; overlay template patch": {
        **base("labels:\n- pairs:\n    app: x\n  includeSelectors: true\n"),
        "ov/kustomization.yaml": OV + "patches:\n" + smp(
            rest="spec:\n  template:\n    metadata:\n      labels:\n        app: yy\n")},
    "cl; overlay replacement into metadata label": {
        **base(CL, **WITH_CM), "base/cm.yaml": CM,
        "ov/kustomization.yaml": OV + replacement("metadata.labels.app")},
    "cl; overlay replacement into selector": {
        **base(CL, **WITH_CM), "base/cm.yaml": CM,
        "ov/kustomization.yaml": OV + replacement("spec.selector.matchLabels.app")},
    "cl, template already labelled; overlay patch of metadata": {
        **base(CL, deploy=DEPLOY.replace(
            "  template:\n", "  template:\n    metadata:\n      labels:\n        app: x\n")),
        "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_LAB)},
    "cl; overlay JSON6902 replace of metadata label": {
        **base(CL), "ov/kustomization.yaml": OV + "patches:\n" + json6902(
            "- op: replace\n  path: /metadata/labels/app\n  value: yy")},
    "cl; overlay namePrefix and patch": {
        **base(CL), "ov/kustomization.yaml": OV + "namePrefix: p-\npatches:\n" + smp(MD_LAB)},
    "cl and ca; overlay patch of both": {
        **base(CL + CA), "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_LAB + "\n" + MD_ANN)},
    "cl on a Service; overlay patch of its label": {
        **base(CL, resources="- s.yaml\n"),
        "base/s.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n"
                       "  - port: 80\n",
        "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_LAB, kind="Service", api="v1",
                                                          name="s")},
    "cl with two keys; overlay labels of one": {
        **base("commonLabels:\n  app: x\n  tier: t\n"),
        "ov/kustomization.yaml": OV + "labels:\n- pairs:\n    tier: u\n"},
    "cl; overlay cl with the same key": {
        **base(CL), "ov/kustomization.yaml": OV + "commonLabels:\n  app: yy\n"},
    "cl and ca with the same key: two nodes": {
        **base("commonLabels:\n  k: v\ncommonAnnotations:\n  k: v\n"),
        "ov/kustomization.yaml": OV + "patches:\n" + smp("labels:\n  k: w")},
    "cl and labels with the same key in one kustomization": {
        **base(CL + "labels:\n- pairs:\n    app: yy\n"), "ov/kustomization.yaml": OV},
    "cl; overlay patch replaces the selector": {
        **base(CL), "ov/kustomization.yaml": OV + "patches:\n" + smp(
            rest="spec:\n  selector:\n    matchLabels:\n      $patch: replace\n      app: yy\n")},
    "cl; overlay patch removes the metadata label": {
        **base(CL), "ov/kustomization.yaml": OV + "patches:\n" + smp("labels:\n  app: null")},
    "cl; component labels": {
        **base(CL), "comp/kustomization.yaml": COMPONENT + "labels:\n- pairs:\n    app: zz\n",
        "ov/kustomization.yaml": OV + "components:\n- ../comp\n"},
    "cl; overlay namespace and labels": {
        **base(CL), "ov/kustomization.yaml": OV + "namespace: nn\nlabels:\n- pairs:\n"
                                                  "    app: zz\n"},
    "cl on a StatefulSet; overlay patch": {
        **base(CL, deploy=DEPLOY.replace("Deployment", "StatefulSet")),
        "ov/kustomization.yaml": OV + "patches:\n" + smp(MD_LAB, kind="StatefulSet")},
    "cl; overlay JSON6902 with a test op only, then patch": {
        **base(CL), "ov/kustomization.yaml": OV + "patches:\n" + json6902(
            "- op: test\n  path: /metadata/name\n  value: d") + smp(MD_LAB)},
    "cl; overlay JSON6902 of another object, then patch": {
        **base(CL, **WITH_CM), "base/cm.yaml": CM,
        "ov/kustomization.yaml": OV + "patches:\n- target:\n    kind: ConfigMap\n  patch: |-\n"
        "    - op: add\n      path: /data/w\n      value: w\n" + smp(MD_LAB)},
    "cl; overlay replacement with a delimiter into metadata label": {
        **base(CL, **WITH_CM), "base/cm.yaml": CM,
        "ov/kustomization.yaml": OV + replacement("metadata.labels.app")
        + "    options:\n      delimiter: '-'\n      index: 1\n"},
    "ca; overlay patch writes a number into the template annotation": {
        **base(CA), "ov/kustomization.yaml": OV + "patches:\n" + smp(
            rest="spec:\n  template:\n    metadata:\n      annotations:\n        team: 5\n")},
    "ca; overlay patch writes a boolean into the template annotation": {
        **base(CA), "ov/kustomization.yaml": OV + "patches:\n" + smp(
            rest="spec:\n  template:\n    metadata:\n      annotations:\n        team: true\n")},
    "cl; overlay patch and labels of the same key": {
        **base(CL), "ov/kustomization.yaml": OV + "labels:\n- pairs:\n    app: zz\n"
        "  includeSelectors: true\npatches:\n" + smp(
            rest="spec:\n  template:\n    metadata:\n      labels:\n        app: qq\n")},
}

# What kubectl (Kustomize v5.5.0) renders, per resource: metadata annotations and labels,
# selector (matchLabels, or a Service's selector), pod template annotations and labels.
A, B = {"team": "a"}, {"team": "b"}
X, Y = {"app": "x"}, {"app": "yy"}
CMV = {"team": "fromcm"}
WANT: dict[str, dict[str, tuple]] = {
    "ca; overlay patch of metadata annotation": {"d": (B, None, None, B, None)},
    "ca; overlay patch of template annotation": {"d": (B, None, None, B, None)},
    "ca; overlay JSON6902 replace of metadata annotation": {"d": (B, None, None, A, None)},
    "ca; overlay JSON6902 elsewhere, then patch of metadata annotation":
        {"d": (B, None, None, A, None)},
    "ca; overlay JSON6902 adds another template annotation, then patch":
        {"d": (B, None, None, {"other": "o", "team": "a"}, None)},
    "ca; base patchesJson6902 after it, overlay patch": {"d": (B, None, None, A, None)},
    "ca, template already annotated; overlay patch of metadata": {"d": (B, None, None, A, None)},
    "ca; overlay namePrefix and patch": {"p-d": (B, None, None, B, None)},
    "ca; overlay nameSuffix and template patch": {"d-s": (B, None, None, B, None)},
    "ca; overlay namespace and patch": {"d": (B, None, None, B, None)},
    "ca; overlay images and patch": {"d": (B, None, None, B, None)},
    "ca; overlay replacement into metadata annotation": {"d": (CMV, None, None, CMV, None)},
    "ca; overlay replacement into template annotation": {"d": (CMV, None, None, CMV, None)},
    "ca and a replacement in the same kustomization": {"d": (CMV, None, None, CMV, None)},
    "ca holding a var": {"d": (CMV, None, None, CMV, None)},
    "ca; overlay ca with the same key": {"d": (B, None, None, B, None)},
    "ca; component patch": {"d": (B, None, None, B, None)},
    "component ca; overlay patch": {"d": (B, None, None, B, None)},
    "ca on two deployments; overlay patch of one":
        {"d": (B, None, None, B, None), "e": (A, None, None, A, None)},
    "ca; a middle layer; overlay patch": {"d": (B, None, None, B, None)},
    "ca; overlay patch removes the metadata annotation": {"d": (None, None, None, A, None)},
    "ca; overlay patchesStrategicMerge": {"d": (B, None, None, B, None)},
    "ca; overlay patch selecting by target (copied per target)": {"d": (B, None, None, B, None)},
    "ca; three overlays reuse one base build": {
        "a-d": (B, None, None, B, None), "b-d": (B, None, None, B, None),
        "c-d": ({"team": "e"}, None, None, {"team": "e"}, None)},
    "cl; overlay patch of metadata label": {"d": (None, Y, Y, None, Y)},
    "cl; overlay patch of selector": {"d": (None, Y, Y, None, Y)},
    "cl; overlay labels (metadata only)": {"d": (None, Y, Y, None, Y)},
    "cl; overlay labels with templates": {"d": (None, Y, Y, None, Y)},
    "labels with templates in base; overlay patch": {"d": (None, Y, None, None, Y)},
    "labels with selectors in base; overlay template patch": {"d": (None, Y, Y, None, Y)},
    "cl; overlay replacement into metadata label":
        {"d": (None, {"app": "fromcm"}, {"app": "fromcm"}, None, {"app": "fromcm"})},
    "cl; overlay replacement into selector":
        {"d": (None, {"app": "fromcm"}, {"app": "fromcm"}, None, {"app": "fromcm"})},
    "cl, template already labelled; overlay patch of metadata": {"d": (None, Y, Y, None, X)},
    "cl; overlay JSON6902 replace of metadata label": {"d": (None, Y, X, None, X)},
    "cl; overlay namePrefix and patch": {"p-d": (None, Y, Y, None, Y)},
    "cl and ca; overlay patch of both": {"d": (B, Y, Y, B, Y)},
    "cl on a Service; overlay patch of its label": {"s": (None, Y, Y, None, None)},
    "cl with two keys; overlay labels of one": {
        "d": (None, {"app": "x", "tier": "u"}, {"app": "x", "tier": "u"}, None,
              {"app": "x", "tier": "u"})},
    "cl; overlay cl with the same key": {"d": (None, Y, Y, None, Y)},
    "cl and ca with the same key: two nodes": {
        "d": ({"k": "v"}, {"k": "w"}, {"k": "w"}, {"k": "v"}, {"k": "w"})},
    "cl and labels with the same key in one kustomization": {"d": (None, X, X, None, X)},
    "cl; overlay patch replaces the selector": {"d": (None, X, Y, None, X)},
    "cl; overlay patch removes the metadata label": {"d": (None, {}, X, None, X)},
    "cl; component labels": {"d": (None, {"app": "zz"}, {"app": "zz"}, None, {"app": "zz"})},
    "cl; overlay namespace and labels":
        {"d": (None, {"app": "zz"}, {"app": "zz"}, None, {"app": "zz"})},
    "cl on a StatefulSet; overlay patch": {"d": (None, Y, Y, None, Y)},
    "cl; overlay JSON6902 with a test op only, then patch": {"d": (None, Y, X, None, X)},
    "cl; overlay JSON6902 of another object, then patch": {"d": (None, Y, Y, None, Y)},
    "cl; overlay replacement with a delimiter into metadata label":
        {"d": (None, {"app": "x-fromcm"}, {"app": "x-fromcm"}, None, {"app": "x-fromcm"})},
    "cl; overlay patch and labels of the same key":
        {"d": (None, {"app": "zz"}, {"app": "zz"}, None, {"app": "zz"})},
    # the metadata copy becomes a string when Kustomize drops its build annotations (a new
    # node); the template keeps the number the patch wrote into the shared node
    "ca; overlay patch writes a number into the template annotation":
        {"d": ({"team": "5"}, None, None, {"team": 5}, None)},
    "ca; overlay patch writes a boolean into the template annotation":
        {"d": ({"team": "true"}, None, None, {"team": True}, None)},
}


def summary(docs: list) -> dict[str, tuple]:
    out = {}
    for d in docs:
        if d.get("kind") == "ConfigMap":
            continue
        md = d["metadata"]
        spec = d.get("spec") or {}
        sel = spec.get("selector")
        if isinstance(sel, dict) and "matchLabels" in sel:
            sel = sel["matchLabels"]
        tmd = (spec.get("template") or {}).get("metadata") or {}
        out[md["name"]] = (md.get("annotations"), md.get("labels"), sel,
                           tmd.get("annotations"), tmd.get("labels"))
    return out


def rendered(directory: Path) -> list:
    text = dump_stream(r.node for r in build(str(directory)).resources)
    return [d for d in yaml.safe_load_all(text) if d is not None]


def test_every_case_has_its_kubectl_outcome() -> None:
    assert sorted(CASES) == sorted(WANT)


@pytest.mark.parametrize("name", list(CASES))
def test_sharing_renders_as_kubectl_renders(tmp_path: Path, name: str) -> None:
    write_files(tmp_path, CASES[name])
    got = rendered(tmp_path / "ov")
    assert summary(got) == WANT[name]
    if KUBECTL is not None:
        want = kubectl_documents(tmp_path / "ov")
        assert summary(want) == WANT[name], "kubectl renders another outcome: fix WANT"
        assert got == want


def _resource(tmp_path: Path, name: str = "d"):
    return next(r for r in build(str(tmp_path / "ov")).resources if r.name == name)


def test_a_value_changed_through_sharing_is_at_the_line_that_changed_it(tmp_path: Path) -> None:
    write_files(tmp_path, CASES["cl; overlay labels (metadata only)"])
    res = _resource(tmp_path)
    kust = tmp_path / "ov" / "kustomization.yaml"
    line = line_of(kust, "app: yy")
    for path in (("metadata", "labels", "app"), ("spec", "selector", "matchLabels", "app"),
                 ("spec", "template", "metadata", "labels", "app")):
        o = res.origin_of(*path)
        assert (o.file, o.line) == (str(kust), line), path


def test_a_patch_through_sharing_is_at_the_patch_line(tmp_path: Path) -> None:
    write_files(tmp_path, CASES["ca; overlay patch of template annotation"])
    res = _resource(tmp_path)
    kust = tmp_path / "ov" / "kustomization.yaml"
    line = line_of(kust, "team: b")
    for path in (("metadata", "annotations", "team"),
                 ("spec", "template", "metadata", "annotations", "team")):
        o = res.origin_of(*path)
        assert (o.file, o.line) == (str(kust), line), path


def test_a_value_json6902_unshared_keeps_its_own_line(tmp_path: Path) -> None:
    write_files(tmp_path, CASES["ca; overlay JSON6902 elsewhere, then patch of metadata annotation"])
    res = _resource(tmp_path)
    patched = res.origin_of("metadata", "annotations", "team")
    kept = res.origin_of("spec", "template", "metadata", "annotations", "team")
    assert patched.file == str(tmp_path / "ov" / "kustomization.yaml")
    base = tmp_path / "base" / "kustomization.yaml"
    assert (kept.file, kept.line) == (str(base), line_of(base, "team: a"))


def test_a_base_kept_for_reuse_is_not_changed_by_its_users(tmp_path: Path) -> None:
    """The reused build is copied with its sharing; a write through one copy reaches no
    other copy (nor the kept build)."""
    files = CASES["ca; three overlays reuse one base build"]
    write_files(tmp_path, {**files, "ov/kustomization.yaml": "resources:\n- ../a\n- ../b\n- ../c\n"
                           "- ../e\n", "e/kustomization.yaml": "namePrefix: e-\n" + OV})
    got = summary(rendered(tmp_path / "ov"))
    assert got["e-d"] == (A, None, None, A, None)
    assert got["c-d"] == ({"team": "e"}, None, None, {"team": "e"}, None)
