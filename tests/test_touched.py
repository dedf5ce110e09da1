"""``BuildResult.touched``: what each builtin entry matched and changed (touched.py).

Trees of our own (inline, patch files, transformer configurations, components, bases) and
the seeded no-ops of ../shared/fixtures/aether-noops, whose answer key gives the line each
record must point at.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SHARED, write_files
from overlay_lint.kustomize.build import build
from overlay_lint.kustomize.loader import Loader
from overlay_lint.kustomize.touched import EMPTY_PATCH

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.25
        resources:
          limits:
            memory: 128Mi
"""


def _tree(tmp_path: Path, kust: str, **files: str) -> Path:
    """app/ with the kustomization, deploy.yaml and ``files`` (``x__yaml`` is x.yaml)."""
    write_files(tmp_path, {"app/kustomization.yaml": kust, "app/deploy.yaml": DEPLOY,
                           **{f"app/{k.replace('__', '.')}": v for k, v in files.items()}})
    return tmp_path / "app"


def _records(directory: Path, field: str | None = None):
    result = build(str(directory), Loader(str(directory.parent)))
    return [t for t in result.touched if field is None or t.field == field], result


def test_patch_without_match_has_no_selection_and_points_at_the_entry(tmp_path) -> None:
    d = _tree(tmp_path, """\
resources: [deploy.yaml]
patches:
- target: {kind: Deployment, name: api}
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 3
- path: bump.yaml
  target: {kind: StatefulSet}
""", bump__yaml="- op: replace\n  path: /spec/replicas\n  value: 5\n")
    recs, result = _records(d, "patches")
    assert [(r.builtin, r.origin.line, r.selected, r.changes) for r in recs] == [
        ("PatchTransformer", 3, [], []), ("PatchTransformer", 8, [], [])]
    assert recs[1].patch_file == str(d / "bump.yaml")
    assert recs[0].file == str(d / "kustomization.yaml") and recs[0].directory == str(d)
    assert result.resources[0].node.value("spec", "replicas") == 2


def test_strategic_merge_patch_records_each_value_at_its_line(tmp_path) -> None:
    d = _tree(tmp_path, """\
resources: [deploy.yaml]
patches:
- path: limits.yaml
""", limits__yaml="""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        resources:
          limits:
            memory: 256Mi
""")
    (rec,), result = _records(d, "patches")
    assert [s.current.name for s in rec.selected] == ["web"]
    got = {(c.path, c.before, c.after, c.changed, c.origin.line) for c in rec.changes}
    assert got == {
        (("spec", "replicas"), 2, 2, False, 6),
        (("spec", "template", "spec", "containers", 0, "resources", "limits", "memory"),
         "128Mi", "256Mi", True, 13)}
    assert all(c.origin.file == str(d / "limits.yaml") for c in rec.changes)
    assert rec.changed


def test_json6902_no_effect_points_at_the_value_line(tmp_path) -> None:
    d = _tree(tmp_path, """\
resources: [deploy.yaml]
patchesJson6902:
- target: {group: apps, version: v1, kind: Deployment, name: web}
  patch: |-
    - op: replace
      path: /spec/template/spec/containers/0/image
      value: nginx:1.25
    - op: add
      path: /spec/template/spec/containers/0/args
      value: [-v]
""")
    (rec,), _ = _records(d, "patchesJson6902")
    assert rec.builtin == "PatchJson6902Transformer" and rec.origin.line == 3
    assert [(c.path, c.changed, c.origin.line) for c in rec.changes] == [
        (("spec", "template", "spec", "containers", 0, "image"), False, 7),
        (("spec", "template", "spec", "containers", 0, "args"), True, 10)]


def test_empty_patch_file_with_target_is_a_visible_no_op(tmp_path) -> None:
    d = _tree(tmp_path, """\
resources: [deploy.yaml]
patches:
- path: empty.yaml
  target: {kind: Deployment}
""", empty__yaml="")   # no bytes: a comment alone is refused, as Kustomize does
    (rec,), _ = _records(d, "patches")
    assert rec.notes == [EMPTY_PATCH] and rec.patch_file == str(d / "empty.yaml")
    assert rec.selected == [] and rec.changes == []


def test_images_entries_matched_unmatched_and_unchanged(tmp_path) -> None:
    d = _tree(tmp_path, """\
resources: [deploy.yaml]
images:
- name: nginx
  newTag: "1.27"
- name: ngnix
  newTag: "1.27"
- name: nginx
  newTag: "1.27"
""")
    recs, _ = _records(d, "images")
    assert [(r.origin.line, len(r.selected), [(c.before, c.after, c.changed, c.origin.line)
                                                for c in r.changes]) for r in recs] == [
        (3, 1, [("nginx:1.25", "nginx:1.27", True, 4)]),
        (5, 0, []),
        (7, 1, [("nginx:1.27", "nginx:1.27", False, 8)])]
    assert recs[0].changes[0].path == ("spec", "template", "spec", "containers", 0, "image")


def test_replicas_labels_namespace_prefix_records(tmp_path) -> None:
    d = _tree(tmp_path, """\
resources: [deploy.yaml]
namespace: shop
namePrefix: p-
commonLabels:
  team: a
replicas:
- name: web
  count: 2
""")
    recs, _ = _records(d)
    by = {r.field: r for r in recs}
    assert [r.field for r in recs] == ["namespace", "namePrefix", "commonLabels", "replicas"]
    ns = by["namespace"]
    assert ns.builtin == "NamespaceTransformer" and ns.origin.line == 2
    assert [(c.path, c.before, c.after, c.changed) for c in ns.changes] == [
        (("metadata", "namespace"), None, "shop", True)]
    assert [(c.path, c.before, c.after) for c in by["namePrefix"].changes] == [
        (("metadata", "name"), "web", "p-web")]
    labels = by["commonLabels"]
    assert {c.path for c in labels.changes} >= {("metadata", "labels", "team"),
                                                ("spec", "selector", "matchLabels", "team")}
    assert all(c.origin.line == 5 for c in labels.changes)
    rep = by["replicas"]
    assert rep.selected[0].written.name == "web" and rep.selected[0].current.name == "p-web"
    assert [(c.before, c.after, c.changed, c.origin.line) for c in rep.changes] == [
        (2, 2, False, 8)]


def test_replacement_without_target_and_var_records(tmp_path) -> None:
    d = _tree(tmp_path, """\
resources: [deploy.yaml]
replacements:
- source: {kind: Deployment, name: web, fieldPath: spec.replicas}
  targets:
  - select: {kind: StatefulSet}
    fieldPaths: [spec.replicas]
- source: {kind: Deployment, name: web, fieldPath: metadata.name}
  targets:
  - select: {kind: Deployment}
    fieldPaths: [spec.template.spec.containers.0.name]
""")
    recs, _ = _records(d, "replacements")
    assert [(r.builtin, r.origin.line, len(r.selected)) for r in recs] == [
        ("ReplacementTransformer", 3, 0), ("ReplacementTransformer", 7, 1)]
    assert [(c.before, c.after, c.changed, c.origin.line) for c in recs[1].changes] == [
        ("web", "web", False, 10)]


def test_transformer_configuration_records_point_into_the_config(tmp_path) -> None:
    d = _tree(tmp_path, """\
resources: [deploy.yaml]
transformers:
- image.yaml
""", image__yaml="""\
apiVersion: builtin
kind: ImageTagTransformer
metadata:
  name: img
imageTag:
  name: redis
  newTag: "7"
""")
    (rec,), _ = _records(d, "transformers")
    assert rec.builtin == "ImageTagTransformer"
    assert rec.file == str(d / "image.yaml") and rec.selected == []


def test_generator_and_base_records_come_in_build_order(tmp_path) -> None:
    write_files(tmp_path, {
        "base/kustomization.yaml": "resources: [deploy.yaml]\nconfigMapGenerator:\n"
                                   "- name: cfg\n  literals: [A=1]\n",
        "base/deploy.yaml": DEPLOY,
        "app/kustomization.yaml": "resources: [../base]\nconfigMapGenerator:\n"
                                  "- name: cfg\n  behavior: merge\n  literals: [A=1, B=2]\n",
    })
    recs, result = _records(tmp_path / "app")
    assert [(r.builtin, os.path.basename(os.path.dirname(r.file)), r.origin.line)
            for r in recs] == [("ConfigMapGenerator", "base", 3),
                               ("ConfigMapGenerator", "app", 3)]
    merge = recs[1]
    assert {(c.path, c.before, c.after, c.changed) for c in merge.changes} == {
        (("data", "A"), "1", "1", False), (("data", "B"), None, "2", True)}
    rendered = result.rendered(merge.selected[0].uid)
    assert rendered is not None and rendered.name.startswith("cfg-")


def test_aether_noops_records_point_at_the_answer_key_lines() -> None:
    import json
    root = SHARED / "fixtures" / "aether-noops"
    if not root.is_dir():
        pytest.skip("../shared is not here")
    want = json.loads((root / "expected-findings.json").read_text())
    found: set[tuple[str, str, int]] = set()
    for env in ("dev", "staging", "prod"):
        result = build(str(root / "infra" / "overlays" / env), Loader(str(root)))
        for t in result.touched:
            if t.builtin in ("PatchTransformer", "PatchJson6902Transformer",
                             "PatchStrategicMergeTransformer"):
                if not t.selected:
                    found.add(("patch-no-match", t.origin.file, t.origin.line))
                elif not t.changed:
                    for c in t.changes:
                        found.add(("patch-no-effect", c.origin.file, c.origin.line))
            elif t.builtin == "ImageTagTransformer" and not t.selected:
                found.add(("unused-image-override", t.origin.file, t.origin.line))
            elif t.builtin in ("ReplacementTransformer", "Var") and not t.selected:
                found.add(("replacement-no-target", t.origin.file, t.origin.line))
    expected = {(f["rule"], str(root / f["file"]), f["line"]) for f in want
                if f["rule"] in ("patch-no-match", "patch-no-effect", "unused-image-override",
                                 "replacement-no-target")}
    assert found == expected


def test_repeated_kustomization_keys_render_as_kubectl_and_are_recorded(tmp_path) -> None:
    from conftest import kubectl_kustomize, need_kubectl
    import yaml
    from overlay_lint.core.yaml_writer import dump_stream
    d = _tree(tmp_path, """\
resources: [deploy.yaml]
namespace: a
Namespace: b
namePrefix: x-
namePrefix: y-
images:
- name: nginx
  newTag: "1"
  NewTag: "2"
""")
    result = build(str(d), Loader(str(tmp_path)))
    # exact repeats: the last wins; spellings of one field: the one sorting last wins
    assert sorted((k.key, k.origin.line, k.first.line, k.kept.line)
                  for k in result.duplicates) == [
        ("Namespace", 3, 2, 2), ("NewTag", 9, 8, 8), ("namePrefix", 5, 4, 5)]
    assert all(k.file == str(d / "kustomization.yaml") for k in result.duplicates)
    need_kubectl()
    code, want, err = kubectl_kustomize(d)
    assert code == 0, err
    got = dump_stream(r.node for r in result.resources)
    assert list(yaml.safe_load_all(got)) == list(yaml.safe_load_all(want))
    again = build(str(d), Loader(str(tmp_path)))  # the cached file: the same records
    assert len(again.duplicates) == 3
