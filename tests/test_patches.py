"""Patch stages (patchesStrategicMerge, patches, patchesJson6902) against `kubectl kustomize`.

Each case writes a small kustomization tree into tmp_path, renders it natively and with
kubectl, reads both back as plain data (kubectl's output with PyYAML, an independent reader)
and compares documents in order. Provenance tests check where patched values point.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import kubectl_documents, kubectl_kustomize, line_of, need_kubectl
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.kustomize.build import build

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
    tier: front
  finalizers: [a.example/one, b.example/two]
spec:
  replicas: 2
  revisionHistoryLimit: 10
  selector:
    matchLabels:
      app: web
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: app
        image: app:1
        args: ["--a", "--b", "--c"]
        env:
        - name: MODE
          value: base
        - name: LEVEL
          value: "1"
        ports:
        - containerPort: 8080
          protocol: TCP
        - containerPort: 8080
          protocol: UDP
      - name: sidecar
        image: sidecar:1
      volumes:
      - name: data
        emptyDir: {}
      - name: conf
        configMap:
          name: conf
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - name: http
    port: 80
    protocol: TCP
  - name: dns
    port: 53
    protocol: UDP
"""

WIDGET = """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: gadget
spec:
  parts:
  - name: a
    size: 1
  - name: b
    size: 2
  tags: [x, y]
"""

OTHER = DEPLOY.replace("name: web\n  labels", "name: api\n  labels")


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text) if rel.endswith("kustomization.yaml") else text)


def _ours(directory: Path) -> list:
    return [r.node.data() for r in build(str(directory)).resources]


def _same(tmp_path: Path, files: dict[str, str]) -> list:
    need_kubectl()
    _write(tmp_path, files)
    want = kubectl_documents(tmp_path)
    got = _ours(tmp_path)
    assert got == want
    return got


BASE = {"deploy.yaml": DEPLOY, "service.yaml": SERVICE, "widget.yaml": WIDGET}
RES = "resources: [deploy.yaml, service.yaml, widget.yaml]\n"

CASES: dict[str, dict[str, str]] = {
    # patched containers come first in patch order, new ones included, the rest follow
    "smp_merge_containers_order": {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n",
        "p.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  revisionHistoryLimit: 5
  template:
    spec:
      containers:
      - name: sidecar
        image: sidecar:2
      - name: new
        image: new:1
      - name: app
        env:
        - name: LEVEL
          value: "2"
        - name: EXTRA
          value: x
""",
    },
    # null deletes, empty value `key:` disappears, explicit null stays
    "smp_null_and_empty": {
        "kustomization.yaml": "resources: [cm.yaml]\npatchesStrategicMerge:\n- p.yaml\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n"
                   "    a: x\n    b: y\ndata:\n  k: v\n  gone: z\nempty:\nexplicit: null\n",
        "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n"
                  "    b: null\ndata:\n  gone: null\n  new: n\n",
    },
    # element-level $patch: delete, map-level $patch: replace, list-level $patch: replace
    "smp_directives": {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n",
        "p.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  strategy:
    $patch: replace
    type: Recreate
  template:
    spec:
      containers:
      - name: sidecar
        $patch: delete
      volumes:
      - $patch: replace
      - name: only
        emptyDir: {}
""",
    },
    # $retainKeys, $setElementOrder and $deleteFromPrimitiveList are plain fields to kyaml;
    # `$patch: replace` on a list element is undone when the list is reassembled
    "smp_apiserver_only_directives": {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n",
        "p.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  strategy:
    $retainKeys: [type]
    type: Recreate
  template:
    spec:
      $setElementOrder/containers:
      - name: sidecar
      - name: app
      containers:
      - name: app
        $patch: replace
        image: replaced
      - name: sidecar
        $deleteFromPrimitiveList/args: ["--b"]
""",
    },
    # primitive merge list (finalizers), multi-key ports, Service ports by port+protocol
    "smp_primitive_and_multikey": {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n- path: s.yaml\n",
        "p.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  finalizers: [c.example/three, a.example/one]
spec:
  template:
    spec:
      containers:
      - name: app
        args: ["--only"]
        ports:
        - containerPort: 8080
          protocol: UDP
          name: udp
        - containerPort: 9090
""",
        "s.yaml": """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 53
    protocol: UDP
    targetPort: 5353
  - port: 443
    name: https
""",
    },
    # custom resources have no schema: their lists are replaced
    "smp_crd_lists_replaced": {
        "kustomization.yaml": RES + "patches:\n- path: w.yaml\n",
        "w.yaml": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gadget\n"
                  "spec:\n  parts:\n  - name: b\n    size: 3\n  tags: [z]\n",
    },
    # top-level $patch: delete removes the resource
    "smp_delete_resource": {
        "kustomization.yaml": RES + "patchesStrategicMerge:\n- |-\n  apiVersion: v1\n"
                                    "  kind: Service\n  metadata:\n    name: web\n"
                                    "  $patch: delete\n",
    },
    # with a target the SMP patch applies to every selected resource; its name is ignored
    "smp_target_all_selected": {
        "kustomization.yaml": "resources: [deploy.yaml, other.yaml]\npatches:\n"
                              "- target:\n    kind: Deployment\n  patch: |-\n"
                              "    apiVersion: apps/v1\n    kind: Deployment\n"
                              "    metadata:\n      name: ignored\n      namespace: ignored\n"
                              "    spec:\n      replicas: 7\n",
        "deploy.yaml": DEPLOY, "other.yaml": OTHER,
    },
    # allowNameChange/allowKindChange
    "smp_allow_name_change": {
        "kustomization.yaml": "resources: [deploy.yaml]\npatches:\n- path: p.yaml\n"
                              "  target:\n    name: web\n  options:\n    allowNameChange: true\n",
        "deploy.yaml": DEPLOY,
        "p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web-renamed\n",
    },
    # several documents in one patchesStrategicMerge file, plus an inline entry
    "psm_multi_doc_and_inline": {
        "kustomization.yaml": RES + "patchesStrategicMerge:\n- multi.yaml\n- |-\n"
                                    "  apiVersion: apps/v1\n  kind: Deployment\n"
                                    "  metadata:\n    name: web\n  spec:\n    replicas: 9\n",
        "multi.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                      "spec:\n  paused: true\n---\napiVersion: v1\nkind: Service\nmetadata:\n"
                      "  name: web\nspec:\n  type: NodePort\n",
    },
    # JSON6902 as YAML ops inline, JSON ops in a file, escaping, append, move/copy/test
    "json6902_ops": {
        "kustomization.yaml": RES + """\
patches:
- target:
    kind: Deployment
    name: web
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 4
    - op: add
      path: /metadata/annotations/example.com~1owner
      value: team-a
    - op: add
      path: /spec/template/spec/containers/0/args/-
      value: --d
    - op: add
      path: /spec/template/spec/containers/0/args/-1
      value: --last
    - op: remove
      path: /spec/template/spec/volumes/1
    - op: copy
      from: /spec/template/spec/containers/0/image
      path: /metadata/labels/image
    - op: move
      from: /metadata/labels/tier
      path: /metadata/labels/layer
    - op: test
      path: /spec/revisionHistoryLimit
      value: 10
patchesJson6902:
- target:
    version: v1
    kind: Service
    name: web
  path: ops.json
""",
        "ops.json": '[{"op": "add", "path": "/spec/ports/0", "value": {"name": "first", '
                    '"port": 1}}, {"op": "replace", "path": "/spec/selector", '
                    '"value": {"app": "other"}}]\n',
    },
    # a `patches` JSON6902 patch can add to annotations the resource does not have yet
    "json6902_annotations_exist_during_patch": {
        "kustomization.yaml": "resources: [cm.yaml]\npatches:\n- target:\n    kind: ConfigMap\n"
                              "  patch: |-\n    - op: add\n      path: /metadata/annotations/x\n"
                              "      value: q\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n",
    },
    # patches run before namespace/prefix; patchesJson6902 after them (target by new name)
    "stage_order": {
        "kustomization.yaml": RES + """\
namePrefix: pre-
patches:
- path: p.yaml
patchesJson6902:
- target:
    group: apps
    version: v1
    kind: Deployment
    name: pre-web
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 3
""",
        "p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                  "spec:\n  minReadySeconds: 5\n",
    },
    # patched env with a duplicated name in the base collapses like Kustomize does
    "smp_duplicate_keys_in_base": {
        "kustomization.yaml": "resources: [d.yaml]\npatches:\n- path: p.yaml\n",
        "d.yaml": DEPLOY.replace("- name: LEVEL\n          value: \"1\"",
                                 "- name: MODE\n          value: again"),
        "p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
                  "  template:\n    spec:\n      containers:\n      - name: app\n"
                  "        image: app:2\n",
    },
    # YAML ops are read with YAML 1.1 (plain yes/On/n are booleans); annotations end as strings
    "json6902_yaml11_and_annotations": {
        "kustomization.yaml": "resources: [cm.yaml]\npatches:\n- target:\n    kind: ConfigMap\n"
                              "  patch: |-\n    - op: add\n      path: /flags\n"
                              "      value: {a: yes, b: 'no', c: On, d: n, e: yEs}\n"
                              "    - op: add\n      path: /metadata/annotations/q\n"
                              "      value: 5\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  k: v\n",
    },
    # with a target, the patch's labels/annotations become strings first (null -> "null");
    # without one, a null label deletes it
    "smp_labels_with_and_without_target": {
        "kustomization.yaml": "resources: [cm.yaml, cm2.yaml]\npatches:\n- path: p.yaml\n"
                              "- path: p2.yaml\n  target:\n    name: c2\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n"
                   "    a: x\n    b: y\n",
        "cm2.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c2\n  labels:\n"
                    "    a: x\n    b: y\n  annotations:\n    keep: me\n",
        "p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n"
                  "    b: null\n    c: 5\n",
        "p2.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c2\n  labels:\n"
                   "    b: null\n    c: 5\n  annotations: null\n",
    },    # an empty patch file with a target is a JSON6902 patch with no operations
    "empty_patch_file_with_target": {
        "kustomization.yaml": RES + "patches:\n- path: empty.yaml\n  target:\n    kind: Service\n",
        "empty.yaml": "",
    },
    # Kustomize's json-patch drops whatever comes before a pointer's first '/' (path and
    # from alike): `spec/replicas` reads as `/replicas`, `x/metadata/...` as `/metadata/...`
    "json6902_pointer_without_leading_slash": {
        "kustomization.yaml": RES + "patches:\n- target:\n    kind: Deployment\n  patch: |-\n"
                              "    - op: replace\n      path: spec/replicas\n      value: 5\n"
                              "    - op: add\n      path: x/metadata/labels/copy\n"
                              "      value: y\n"
                              "    - op: copy\n      from: metadata/name\n"
                              "      path: spec/spec/template/metadata/labels/name\n",
    },
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_patch_parity(tmp_path: Path, case: str) -> None:
    files = dict(BASE)
    files.update(CASES[case])
    _same(tmp_path, files)


def test_smp_order_is_kustomize_order(tmp_path: Path) -> None:
    got = _same(tmp_path, {**BASE, **CASES["smp_merge_containers_order"]})
    dep = next(d for d in got if d["kind"] == "Deployment")
    names = [c["name"] for c in dep["spec"]["template"]["spec"]["containers"]]
    assert names == ["sidecar", "new", "app"]
    env = [e["name"] for e in dep["spec"]["template"]["spec"]["containers"][2]["env"]]
    assert env == ["LEVEL", "EXTRA", "MODE"]


@pytest.mark.parametrize("files", [
    # SMP without target and no resource with its id
    {"kustomization.yaml": RES + "patches:\n- path: p.yaml\n",
     "p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: nope\n"},
    # JSON6902 path through a missing parent
    {"kustomization.yaml": RES + "patches:\n- target:\n    kind: Service\n  patch: |-\n"
                                 "    - op: add\n      path: /spec/nothing/here\n      value: 1\n"},
    # JSON6902 remove of a missing key
    {"kustomization.yaml": RES + "patches:\n- target:\n    kind: Service\n  patch: |-\n"
                                 "    - op: remove\n      path: /spec/nothing\n"},
    # JSON6902 without target
    {"kustomization.yaml": RES + "patches:\n- patch: |-\n"
                                 "    - op: remove\n      path: /spec/selector\n"},
    # an empty patch file without a target
    {"kustomization.yaml": RES + "patches:\n- path: empty.yaml\n", "empty.yaml": ""},
    # with a target, a patch file or inline patch that is not empty but holds no document
    # (only a file of no bytes is an empty list of operations: the case above)
    *({"kustomization.yaml": RES + "patches:\n- path: none.yaml\n  target:\n    kind: Service\n",
       "none.yaml": text} for text in ("\n", "# nothing yet\n", "---\n", "~\n", " ")),
    *({"kustomization.yaml": RES + f"patches:\n- patch: {text!r}\n  target:\n    kind: Service\n"}
      for text in ("null", "---", "# nothing yet\n")),
    # several SMP documents with a target
    {"kustomization.yaml": RES + "patches:\n- path: multi.yaml\n  target:\n    kind: Service\n",
     "multi.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n"
                   "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"},
    # a JSON6902 path with no '/' at all names no field
    {"kustomization.yaml": RES + "patches:\n- target:\n    kind: Service\n  patch: |-\n"
                                 "    - op: remove\n      path: spec\n"},
    # unknown directive value
    {"kustomization.yaml": RES + "patches:\n- path: p.yaml\n",
     "p.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
               "  $patch: explode\n"},
])
def test_errors_where_kustomize_fails(tmp_path: Path, files: dict[str, str]) -> None:
    need_kubectl()
    _write(tmp_path, {**BASE, **files})
    code, _out, _err = kubectl_kustomize(tmp_path)
    assert code != 0
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert exc.value.file and exc.value.line


def test_json6902_missing_path_points_at_path_line(tmp_path: Path) -> None:
    _write(tmp_path, {**BASE, "kustomization.yaml": RES + """\
patches:
- target:
    kind: Service
  patch: |-
    - op: replace
      path: /spec/type
      value: NodePort
    - op: add
      path: /spec/foo/bar
      value: 1
"""})
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert exc.value.file == str(tmp_path / "kustomization.yaml")
    assert exc.value.line == 10  # the second op's `path:` line
    assert "/spec/foo/bar does not exist" in exc.value.message


# --- provenance ---------------------------------------------------------------------------

def _res(result, kind: str, name: str):
    return next(r for r in result.resources if r.kind == kind and r.name == name)


def test_provenance_smp_file(tmp_path: Path) -> None:
    _write(tmp_path, {**BASE, **CASES["smp_merge_containers_order"]})
    dep = _res(build(str(tmp_path)), "Deployment", "web")
    patch, base = tmp_path / "p.yaml", tmp_path / "deploy.yaml"
    rhl = dep.node.path("spec", "revisionHistoryLimit")
    assert rhl.v == 5 and rhl.o[:2] == (str(patch), line_of(patch, "revisionHistoryLimit"))
    # untouched values keep the base line
    rep = dep.node.path("spec", "replicas")
    assert rep.o[:2] == (str(base), line_of(base, "replicas: 2"))
    containers = dep.node.path("spec", "template", "spec", "containers")
    by_name = {c.v["name"].v: c for c in containers.v}
    # a merged container keeps the base container's origin, its patched image the patch's
    assert by_name["sidecar"].o[:2] == (str(base), line_of(base, "- name: sidecar"))
    assert by_name["sidecar"].v["image"].o[:2] == (str(patch), line_of(patch, "sidecar:2"))
    # a container created by the patch points into the patch
    assert by_name["new"].o[:2] == (str(patch), line_of(patch, "- name: new"))
    assert by_name["app"].v["image"].o[:2] == (str(base), line_of(base, "image: app:1"))


def test_provenance_inline_json6902_value_line(tmp_path: Path) -> None:
    _write(tmp_path, {**BASE, **CASES["json6902_ops"]})
    result = build(str(tmp_path))
    dep = _res(result, "Deployment", "web")
    kfile = tmp_path / "kustomization.yaml"
    rep = dep.node.path("spec", "replicas")
    assert rep.v == 4 and rep.o[:2] == (str(kfile), line_of(kfile, "value: 4"))
    owner = dep.node.path("metadata", "annotations", "example.com/owner")
    assert owner.o[:2] == (str(kfile), line_of(kfile, "value: team-a"))
    # a moved value keeps where it came from
    layer = dep.node.path("metadata", "labels", "layer")
    assert layer.v == "front"
    assert layer.o[:2] == (str(tmp_path / "deploy.yaml"), line_of(tmp_path / "deploy.yaml",
                                                                   "tier: front"))
    svc = _res(result, "Service", "web")
    first = svc.node.path("spec", "ports", 0)
    assert first.o[0] == str(tmp_path / "ops.json")


def test_provenance_inline_smp_lines(tmp_path: Path) -> None:
    _write(tmp_path, {**BASE, **CASES["psm_multi_doc_and_inline"]})
    dep = _res(build(str(tmp_path)), "Deployment", "web")
    kfile = tmp_path / "kustomization.yaml"
    assert dep.node.path("spec", "replicas").o[:2] == (str(kfile), line_of(kfile, "replicas: 9"))
    multi = tmp_path / "multi.yaml"
    assert dep.node.path("spec", "paused").o[:2] == (str(multi), line_of(multi, "paused"))
    # the name is restored from the resource, not taken from the patch
    base = tmp_path / "deploy.yaml"
    assert dep.node.path("metadata", "name").o[:2] == (str(base), line_of(base, "name: web"))


def test_patch_applied_to_many_targets_is_not_shared(tmp_path: Path) -> None:
    _write(tmp_path, {**BASE, **CASES["smp_target_all_selected"]})
    result = build(str(tmp_path))
    a, b = (_res(result, "Deployment", n) for n in ("web", "api"))
    ra, rb = a.node.path("spec", "replicas"), b.node.path("spec", "replicas")
    assert ra.v == rb.v == 7 and ra is not rb
    assert ra.o == rb.o  # both point at the one patch line


# --- schema -------------------------------------------------------------------------------

def test_schema_merge_keys_come_from_kubernetes_validate() -> None:
    from overlay_lint.kustomize import schema
    pod = ("spec", "template", "spec")
    assert schema.merge_info("apps/v1", "Deployment", *pod, "containers") == ("merge", ["name"])
    assert schema.merge_info("apps/v1", "Deployment", *pod, "containers", "[]", "ports") == \
        ("merge", ["containerPort", "protocol"])
    assert schema.merge_info("v1", "Service", "spec", "ports") == ("merge", ["port", "protocol"])
    assert schema.merge_info("apps/v1", "Deployment", "metadata", "finalizers") == ("merge", [])
    assert schema.merge_info("apps/v1", "Deployment", *pod, "containers", "[]", "args") == ("", [])
    # custom resources and unknown versions have no schema: their lists are replaced
    assert schema.schema_for("example.com/v1", "Widget") is None
    assert schema.schema_for("extensions/v1beta1", "Deployment") is None


def test_schema_is_loaded_lazily() -> None:
    import subprocess
    import sys
    code = ("import sys, overlay_lint.kustomize.build, overlay_lint.kustomize.builtins.patch as p, "
            "overlay_lint.kustomize.schema as s; assert s._defs is None; "
            "assert 'kubernetes_validate' not in sys.modules; "
            "s.schema_for('apps/v1', 'Deployment'); assert s._defs")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_builtin_transformer_configs_are_decoded_leniently(tmp_path) -> None:
    """Kustomize decodes plugin configurations without strict mode: unknown fields in a
    `transformers:` configuration are ignored, where the same field in a kustomization
    entry is an error (issue 10: `replica: {name, count, extra}` was refused)."""
    from conftest import write_files
    write_files(tmp_path, {
        "d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
                  "  replicas: 1\n  template:\n    spec:\n      containers:\n"
                  "      - name: web\n        image: nginx:1\n",
        "kustomization.yaml": textwrap.dedent("""\
            resources: [d.yaml]
            transformers:
            - |-
              apiVersion: builtin
              kind: ReplicaCountTransformer
              metadata: {name: r}
              replica: {name: web, count: 3, extra: true}
              fieldSpecs: [{path: spec/replicas, kind: Deployment, create: true}]
            - |-
              apiVersion: builtin
              kind: ImageTagTransformer
              metadata: {name: i}
              imageTag: {name: nginx, newTag: "2", bogus: 1}
            - |-
              apiVersion: builtin
              kind: PatchTransformer
              metadata: {name: p}
              target: {kind: Deployment, weird: x}
              patch: '[{"op": "add", "path": "/metadata/labels", "value": {"a": "b"}}]'
            """)})
    need_kubectl()
    code, want, err = kubectl_kustomize(tmp_path)
    assert code == 0, err
    from overlay_lint.core.yaml_writer import dump_stream
    assert dump_stream(r.node for r in build(str(tmp_path)).resources) == want
