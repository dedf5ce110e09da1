"""Each builtin, alone, in memory (like Kustomize's filters/*_test.go examples): resources
and a configuration as YAML text, the builtin configured and run, then the rendered
resources and the builtin's touched record. No file system, no build.

The expected outputs were checked against ``kubectl kustomize`` (Kustomize v5.5.0) with
the same resources and the same configuration as a ``transformers:`` document.
"""
from __future__ import annotations

import textwrap

import pytest

from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.yaml_reader import parse_documents
from overlay_lint.core.yaml_writer import dump_stream
from overlay_lint.kustomize import types as T
from overlay_lint.kustomize.builtins import Helpers, Where, run_transformers
from overlay_lint.kustomize.builtins.annotations import AnnotationsTransformer
from overlay_lint.kustomize.builtins.configmap_generator import ConfigMapGenerator
from overlay_lint.kustomize.builtins.images import ImageTagTransformer
from overlay_lint.kustomize.builtins.labels import LabelTransformer
from overlay_lint.kustomize.builtins.namespace import NamespaceTransformer
from overlay_lint.kustomize.builtins.patch import PatchTransformer
from overlay_lint.kustomize.builtins.patch_json6902 import PatchJson6902Transformer
from overlay_lint.kustomize.builtins.patch_strategic_merge import (
    PatchStrategicMergeTransformer)
from overlay_lint.kustomize.builtins.prefix import PrefixTransformer
from overlay_lint.kustomize.builtins.replacements import ReplacementTransformer
from overlay_lint.kustomize.builtins.replicas import ReplicaCountTransformer
from overlay_lint.kustomize.builtins.secret_generator import SecretGenerator
from overlay_lint.kustomize.builtins.suffix import SuffixTransformer
from overlay_lint.kustomize.decode import decode
from overlay_lint.kustomize.default_config import default_config
from overlay_lint.kustomize.loader import Loader
from overlay_lint.kustomize.resmap import ResMap, absorb
from overlay_lint.kustomize.resource import Resource
from overlay_lint.kustomize.touched import EMPTY_PATCH

SRC = "/mem/resources.yaml"
CFG = "/mem/config.yaml"
H = Helpers(Loader(), "/mem")   # inline configurations only: no file is ever read

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: 1
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
"""


def resources(text: str = DEPLOY) -> ResMap:
    return ResMap(Resource(d, SRC) for d in parse_documents(textwrap.dedent(text), SRC) if d)


def config(cls: type, text: str):
    """A builtin's configuration decoded as Kustomize decodes plugin configurations."""
    doc = parse_documents(textwrap.dedent(text), CFG)[0]
    assert doc is not None
    return decode(doc, cls, strict=False, where=cls.__name__)


def where(builtin: str) -> Where:
    return Where(builtin, "transformers", CFG, "/mem")


def rendered(rm: ResMap) -> str:
    return dump_stream(r.node for r in rm)


def changes(rec) -> list[tuple]:
    return [(c.resource.name, ".".join(map(str, c.path)), c.before, c.after, c.changed,
             c.origin.line if c.origin else None) for c in rec.changes]


def test_namespace_sets_namespaced_objects_and_default_subjects() -> None:
    rm = resources(DEPLOY + """\
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: reader
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read
subjects:
- kind: ServiceAccount
  name: default
- kind: ServiceAccount
  name: other
""")
    cfg = config(T.NamespaceConfig, "metadata:\n  namespace: shop\n")
    cfg = T.NamespaceConfig(cfg.metadata, default_config().namespace, o=cfg.o)
    (t,) = NamespaceTransformer.configure(cfg, where("NamespaceTransformer"), H)
    rec = t.transform(rm)
    ns = {r.kind: r.namespace for r in rm}
    assert ns == {"Deployment": "shop", "Service": "shop", "ClusterRole": "",
                  "RoleBinding": "shop"}
    binding = rm.items[3].node.value("subjects")
    assert binding == [{"kind": "ServiceAccount", "name": "default", "namespace": "shop"},
                       {"kind": "ServiceAccount", "name": "other"}]
    assert ("web", "metadata.namespace", None, "shop", True, 2) in changes(rec)
    assert [s.current.kind for s in rec.selected] == ["Deployment", "Service", "RoleBinding"]
    # every value it set points at the namespace line of the configuration
    assert rm.items[0].node.path("metadata", "namespace").o.line == 2


def test_namespace_without_a_namespace_is_no_transformer() -> None:
    cfg = config(T.NamespaceConfig, "metadata: {name: x}\n")
    assert NamespaceTransformer.configure(cfg, where("NamespaceTransformer"), H) == []


def test_prefix_and_suffix_rename_and_remember_the_written_id() -> None:
    rm = resources(DEPLOY + """\
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
""")
    specs = default_config().name_prefix
    pre = config(T.PrefixConfig, "prefix: dev-\n")
    suf = config(T.SuffixConfig, "suffix: -v2\n")
    (p,) = PrefixTransformer.configure(T.PrefixConfig(pre.prefix, specs, pre.o),
                                       where("PrefixTransformer"), H)
    (s,) = SuffixTransformer.configure(T.SuffixConfig(suf.suffix, specs, suf.o),
                                       where("SuffixTransformer"), H)
    recs = run_transformers(rm, [p, s])
    assert [r.name for r in rm] == ["dev-web-v2", "dev-web-v2", "widgets.example.com"]
    assert [r.org_id().name for r in rm] == ["web", "web", "widgets.example.com"]
    assert changes(recs[1])[0][1:4] == ("metadata.name", "dev-web", "dev-web-v2")
    name = rm.items[0].node.path("metadata", "name")
    assert (name.o.file, name.o.line) == (SRC, 4)  # the line defining the object
    assert name.parts["prefix"] == pre.prefix.o and name.parts["suffix"] == suf.suffix.o


def test_prefix_needs_field_specs() -> None:
    cfg = config(T.PrefixConfig, "prefix: x-\n")
    with pytest.raises(OverlayLintError, match="'fieldSpecs' is required"):
        PrefixTransformer.configure(cfg, where("PrefixTransformer"), H)


def test_labels_go_where_the_field_specs_say() -> None:
    rm = resources()
    cfg = config(T.LabelConfig, """\
labels:
  team: shop
fieldSpecs:
- path: metadata/labels
  create: true
- path: spec/selector
  kind: Service
  create: true
""")
    (t,) = LabelTransformer.configure(cfg, where("LabelTransformer"), H)
    rec = t.transform(rm)
    assert rm.items[0].node.value("metadata", "labels") == {"app": "web", "team": "shop"}
    assert rm.items[0].node.value("spec", "selector", "matchLabels") == {"app": "web"}
    assert rm.items[1].node.value("spec", "selector") == {"app": "web", "team": "shop"}
    assert ("web", "spec.selector.team", None, "shop", True, 2) in changes(rec)


def test_label_with_an_empty_name_is_refused_at_its_line() -> None:
    cfg = config(T.LabelConfig, 'labels:\n  a: b\n  "": c\n')
    with pytest.raises(OverlayLintError) as exc:
        LabelTransformer.configure(cfg, where("LabelTransformer"), H)
    assert exc.value.line == 3 and "empty name" in exc.value.message


def test_annotations_on_objects_and_pod_templates() -> None:
    rm = resources()
    cfg = config(T.AnnotationsConfig, "annotations:\n  owner: team-a\n")
    cfg = T.AnnotationsConfig(cfg.annotations, default_config().common_annotations, cfg.o)
    (t,) = AnnotationsTransformer.configure(cfg, where("AnnotationsTransformer"), H)
    rec = t.transform(rm)
    dep = rm.items[0].node
    assert dep.value("metadata", "annotations") == {"owner": "team-a"}
    assert dep.value("spec", "template", "metadata", "annotations") == {"owner": "team-a"}
    assert rm.items[1].node.value("metadata", "annotations") == {"owner": "team-a"}
    assert {c[1] for c in changes(rec)} == {"metadata.annotations.owner",
                                            "spec.template.metadata.annotations.owner"}


def test_patch_strategic_merge_with_a_target_and_its_record() -> None:
    rm = resources()
    cfg = config(T.Patch, """\
target:
  kind: Deployment
patch: |-
  apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: ignored
  spec:
    replicas: 1
    template:
      spec:
        containers:
        - name: web
          image: nginx:1.27
""")
    (t,) = PatchTransformer.configure(cfg, where("PatchTransformer"), H)
    rec = t.transform(rm)
    assert rm.items[0].node.value("spec", "template", "spec", "containers") == [
        {"name": "web", "image": "nginx:1.27"}]
    assert sorted(changes(rec)) == [
        ("web", "spec.replicas", 1, 1, False, 9),
        ("web", "spec.template.spec.containers.0.image", "nginx:1.25", "nginx:1.27", True,
         14)]
    assert rec.changed


def test_patch_json6902_inline_and_a_target_that_selects_nothing() -> None:
    rm = resources()
    cfg = config(T.Patch, """\
target: {kind: Service, name: web}
patch: |-
  - op: add
    path: /spec/type
    value: NodePort
""")
    none = config(T.Patch, """\
target: {kind: StatefulSet}
patch: '[{"op": "remove", "path": "/spec/replicas"}]'
""")
    ts = [*PatchTransformer.configure(cfg, where("PatchTransformer"), H),
          *PatchTransformer.configure(none, where("PatchTransformer"), H)]
    recs = run_transformers(rm, ts)
    assert rm.items[1].node.value("spec", "type") == "NodePort"
    assert changes(recs[0]) == [("web", "spec.type", None, "NodePort", True, 5)]
    assert recs[1].selected == [] and recs[1].changes == []


def test_patch_json6902_transformer_and_json_op() -> None:
    rm = resources()
    cfg = config(T.PatchJson6902Config, """\
target: {group: apps, version: v1, kind: Deployment, name: web}
jsonOp: |-
  - op: replace
    path: /spec/replicas
    value: 3
""")
    patch = T.Patch(path=cfg.path, patch=cfg.json_op, target=cfg.target, o=cfg.o)
    (t,) = PatchJson6902Transformer.configure(patch, where("PatchJson6902Transformer"), H)
    rec = t.transform(rm)
    assert rm.items[0].node.value("spec", "replicas") == 3
    assert changes(rec) == [("web", "spec.replicas", 1, 3, True, 5)]


def test_patch_strategic_merge_inline_item_finds_the_resource_by_its_id() -> None:
    rm = resources()
    cfg = config(T.PatchStrategicMergeConfig, """\
paths:
- |-
  apiVersion: v1
  kind: Service
  metadata:
    name: web
  spec:
    type: ClusterIP
""")
    (t,) = PatchStrategicMergeTransformer.configure(
        cfg, where("PatchStrategicMergeTransformer"), H)
    rec = t.transform(rm)
    assert rm.items[1].node.value("spec") == {"selector": {"app": "web"}, "type": "ClusterIP"}
    assert [s.current.kind for s in rec.selected] == ["Service"]
    assert EMPTY_PATCH not in rec.notes


def test_replicas_by_name_and_no_match_is_an_error() -> None:
    rm = resources()
    cfg = config(T.ReplicaCountConfig, "replica:\n  name: web\n  count: 4\n")
    cfg = T.ReplicaCountConfig(cfg.replica, default_config().replicas, cfg.o)
    (t,) = ReplicaCountTransformer.configure(cfg, where("ReplicaCountTransformer"), H)
    rec = t.transform(rm)
    assert rm.items[0].node.path("spec", "replicas").v == 4
    assert changes(rec) == [("web", "spec.replicas", 1, 4, True, 3)]
    missing = T.ReplicaCountConfig(T.Replica(T.Str("api", None), T.Int(2, None)),
                                   default_config().replicas)
    (m,) = ReplicaCountTransformer.configure(missing, where("ReplicaCountTransformer"), H)
    with pytest.raises(OverlayLintError, match="no object named 'api'"):
        m.transform(rm)


def test_images_rewrite_tags_and_keep_the_origin_of_each_part() -> None:
    rm = resources()
    cfg = config(T.ImageTagConfig, "imageTag:\n  name: nginx\n  newTag: \"1.27\"\n")
    other = config(T.ImageTagConfig, "imageTag:\n  name: redis\n  newName: valkey\n")
    ts = [*ImageTagTransformer.configure(cfg, where("ImageTagTransformer"), H),
          *ImageTagTransformer.configure(other, where("ImageTagTransformer"), H)]
    recs = run_transformers(rm, ts)
    image = rm.items[0].node.path("spec", "template", "spec", "containers", 0, "image")
    assert image.v == "nginx:1.27"
    assert image.parts["tag"].line == 3 and image.parts["name"].file == SRC
    assert changes(recs[0]) == [("web", "spec.template.spec.containers.0.image",
                                 "nginx:1.25", "nginx:1.27", True, 3)]
    assert recs[1].selected == []  # an entry naming no image: visible in its record


def test_replacement_copies_a_value_and_records_it() -> None:
    rm = resources()
    cfg = config(T.ReplacementConfig, """\
replacements:
- source: {kind: Deployment, name: web, fieldPath: spec.template.spec.containers.0.image}
  targets:
  - select: {kind: Service}
    fieldPaths: [metadata.annotations.image]
    options: {create: true}
""")
    (t,) = ReplacementTransformer.configure(cfg, where("ReplacementTransformer"), H)
    rec = t.transform(rm)
    assert rm.items[1].node.value("metadata", "annotations") == {"image": "nginx:1.25"}
    assert changes(rec) == [("web", "metadata.annotations.image", None, "nginx:1.25", True,
                             5)]
    # the value keeps the origin of its source
    assert rm.items[1].node.path("metadata", "annotations", "image").o.file == SRC


def test_configmap_generator_literals_and_merge_behavior() -> None:
    rm = ResMap()
    first = config(T.ConfigMapGeneratorConfig,
                   "metadata: {name: cfg}\nname: cfg\nliterals: [A=1, B=x]\n")
    (g,) = ConfigMapGenerator.configure(first, Where("ConfigMapGenerator", "generators",
                                                     None, "/mem"), H)
    res = g.generate()
    rec = g.entry.record()
    absorb(rm, res, g.entry.origin, rec)
    assert rm.items[0].node.value() == {"apiVersion": "v1", "kind": "ConfigMap",
                                        "metadata": {"name": "cfg"},
                                        "data": {"A": "1", "B": "x"}}
    assert res.state.needs_hash and res.state.generated_by.line == 2
    merge = config(T.ConfigMapGeneratorConfig,
                   "name: cfg\nbehavior: merge\nliterals: [B=y, C=z]\n"
                   "options: {disableNameSuffixHash: true}\n")
    (m,) = ConfigMapGenerator.configure(merge, Where("ConfigMapGenerator", "generators", None,
                                                     "/mem"), H)
    rec2 = m.entry.record()
    absorb(rm, m.generate(), m.entry.origin, rec2)
    assert rm.items[0].node.value("data") == {"A": "1", "B": "y", "C": "z"}
    assert {(c[1], c[2], c[3], c[4]) for c in changes(rec2)} == {
        ("data.A", "1", "1", False), ("data.B", "x", "y", True), ("data.C", None, "z", True)}
    assert not rm.items[0].state.needs_hash  # both must want the hash


def test_generator_behavior_typo_creates_and_is_noted_a_missing_name_is_refused() -> None:
    h = Helpers(Loader(), "/mem")
    typo = config(T.ConfigMapGeneratorConfig, "name: cfg\nbehavior: merg\nliterals: [A=1]\n")
    (gen,) = ConfigMapGenerator.configure(typo, where("ConfigMapGenerator"), h)
    rm = ResMap()
    absorb(rm, gen.generate(), gen.entry.origin)   # nothing to merge into: created
    assert [r.name for r in rm] == ["cfg"]
    (note,) = h.ignored
    assert note.origin.line == 2 and "behavior 'merg' is not create" in note.message
    with pytest.raises(OverlayLintError, match="must have a name"):
        ConfigMapGenerator.configure(config(T.ConfigMapGeneratorConfig, "literals: [A=1]\n"),
                                     where("ConfigMapGenerator"), H)


def test_secret_generator_encodes_and_types() -> None:
    cfg = config(T.SecretGeneratorConfig, "name: s\ntype: kubernetes.io/tls\n"
                                          "literals: [tls.key=secret]\n")
    (g,) = SecretGenerator.configure(cfg, where("SecretGenerator"), H)
    assert g.generate().node.value() == {
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
        "type": "kubernetes.io/tls", "data": {"tls.key": "c2VjcmV0"}}
    empty = config(T.SecretGeneratorConfig, "name: e\n")
    (e,) = SecretGenerator.configure(empty, where("SecretGenerator"), H)
    assert e.generate().node.value("data") == {}  # Kustomize always writes data


def test_rendered_output_is_yaml() -> None:
    rm = resources()
    (t,) = PrefixTransformer.configure(T.PrefixConfig(T.Str("a-", None),
                                                      default_config().name_prefix),
                                       where("PrefixTransformer"), H)
    t.transform(rm)
    assert "name: a-web" in rendered(rm)
