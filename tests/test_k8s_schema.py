"""k8s-schema: rendered resources against the Kubernetes schema, reported at the source line."""
from __future__ import annotations

import json
import textwrap

import pytest

from lint_support import app_tree, deployment, lint_json, run, write_tree


def schema_findings(doc: dict, rule: str = "k8s-schema") -> dict[tuple[str, int], dict]:
    return {(f["file"], f["line"]): f for f in doc["findings"] if f["rule"] == rule}


def crd(kind: str, spec_schema: str, unserved: str = "") -> str:
    """A CustomResourceDefinition of ``kind`` (group acme.io, plural ``<kind>s``) serving
    v1, whose ``spec`` has the schema ``spec_schema`` (YAML); ``unserved`` names a further
    version listed as not served."""
    plural = kind.lower() + "s"
    text = f"""\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {plural}.acme.io
spec:
  group: acme.io
  scope: Namespaced
  names: {{kind: {kind}, plural: {plural}}}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
{textwrap.indent(spec_schema, " " * 14)}"""
    if unserved:
        text += f"""\
    - name: {unserved}
      served: false
      storage: false
      schema:
        openAPIV3Schema: {{type: object}}
"""
    return text


BASE_DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  revisionHistoryLimit: 3
  progressDeadlineSecond: 900
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0.0
          ports:
            - containerPort: "8080"
"""


def test_typo_and_wrong_type_in_a_base_file_once_for_every_env(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": BASE_DEPLOY},
             overlays={"dev": "", "staging": "", "prod": ""})
    rc, doc = lint_json(tmp_path, ".")
    got = schema_findings(doc)
    assert set(got) == {("base/deploy.yaml", 7), ("base/deploy.yaml", 18)}
    typo = got[("base/deploy.yaml", 7)]
    assert typo["envs"] == ["dev", "staging", "prod"]
    assert "unknown field 'progressDeadlineSecond' in spec" in typo["message"]
    assert "did you mean 'progressDeadlineSeconds'" in typo["message"]
    assert typo["col"] == 3 and typo["field_path"] == "spec.progressDeadlineSecond"
    port = got[("base/deploy.yaml", 18)]
    assert "containerPort must be an integer, not the string '8080'" in port["message"]
    assert port["col"] == 15 and port["value"] == "8080"   # the key of the value
    assert rc == 1


def test_strategic_merge_patch_file_inline_patch_and_json6902(tmp_path):
    app_tree(tmp_path, overlays={"dev": """
        patches:
          - path: pull.yaml
          - patch: |-
              apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: api
              spec:
                template:
                  spec:
                    topologySpreadConstraint:
                      - maxSkew: 1
          - target: {kind: Deployment, name: api}
            patch: |-
              - op: add
                path: /spec/minReadySeconds
                value: 10s
          - target: {kind: Deployment, name: api}
            path: ops.yaml
        """}, extra={
        "overlays/dev/pull.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          imagePullPolicy: always
""",
        "overlays/dev/ops.yaml": """\
- op: add
  path: /spec/template/spec/containers/0/resources
  value:
    limits:
      memory: 1GB
""",
    })
    rc, doc = lint_json(tmp_path, ".")
    got = schema_findings(doc)
    k = "overlays/dev/kustomization.yaml"
    assert set(got) == {("overlays/dev/pull.yaml", 10), (k, 13), (k, 19),
                        ("overlays/dev/ops.yaml", 5)}, got
    assert "imagePullPolicy is the string 'always', not one of: Always, IfNotPresent, Never" \
        in got[("overlays/dev/pull.yaml", 10)]["message"]
    assert "unknown field 'topologySpreadConstraint'" in got[(k, 13)]["message"]
    assert "minReadySeconds must be an integer" in got[(k, 19)]["message"]
    assert "not a Kubernetes quantity" in got[("overlays/dev/ops.yaml", 5)]["message"]
    assert all(f["envs"] == ["dev"] for f in got.values())


def test_json6902_value_of_the_wrong_shape_points_at_the_value_line(tmp_path):
    ingress = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  tls:
    - hosts: [a.example.com]
      secretName: tls
  rules:
    - host: a.example.com
      http:
        paths:
          - path: /
            pathType: prefix
            backend:
              service: {name: web, port: {number: 80}}
"""
    app_tree(tmp_path, base={"ingress.yaml": ingress}, overlays={"dev": """
        patches:
          - target: {kind: Ingress, name: web}
            patch: |-
              - op: replace
                path: /spec/tls/0/hosts
                value: dev.example.com
        """})
    _, doc = lint_json(tmp_path, ".")
    got = schema_findings(doc)
    assert set(got) == {("base/ingress.yaml", 14), ("overlays/dev/kustomization.yaml", 8)}
    assert "pathType is the string 'prefix', not one of: Exact, ImplementationSpecific, " \
           "Prefix" in got[("base/ingress.yaml", 14)]["message"]
    assert got[("base/ingress.yaml", 14)]["envs"] == ["dev"]
    hosts = got[("overlays/dev/kustomization.yaml", 8)]
    assert "spec.tls[0].hosts must be a list, not the string 'dev.example.com'" in hosts["message"]


def test_missing_required_field_points_at_the_item_and_the_parent(tmp_path):
    bad = deployment().replace("        - name: api\n          image:", "        - image:")
    bad = bad.replace("  selector:\n    matchLabels:\n      app: api\n", "")
    app_tree(tmp_path, base={"deploy.yaml": bad}, overlays={"dev": ""})
    _, doc = lint_json(tmp_path, ".")
    got = schema_findings(doc)
    lines = {ln: f["message"] for (_, ln), f in got.items()}
    text = (tmp_path / "base/deploy.yaml").read_text().splitlines()
    spec_line = text.index("spec:") + 1
    item_line = next(i for i, ln in enumerate(text, 1) if ln.strip().startswith("- image:"))
    assert "required field 'selector' is missing in spec" in lines[spec_line]
    assert "required field 'name' is missing in spec.template.spec.containers[0]" \
        in lines[item_line]


def test_loose_manifest_and_list_kinds_are_checked_as_they_stand(tmp_path):
    write_tree(tmp_path, {
        "apps/app.yaml": """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: a
    data:
      port: 8080
  - apiVersion: v1
    kind: Service
    metadata:
      name: s
    spec:
      type: Loadbalancer
      ports: [{port: 80}]
""",
    })
    _, doc = lint_json(tmp_path, ".")
    got = schema_findings(doc)
    assert set(got) == {("apps/app.yaml", 9), ("apps/app.yaml", 15)}
    assert "data.port must be a string, not the number 8080" in got[("apps/app.yaml", 9)]["message"]
    assert "not one of: ClusterIP, ExternalName, LoadBalancer, NodePort" \
        in got[("apps/app.yaml", 15)]["message"]


def test_what_the_api_server_accepts_is_not_flagged(tmp_path):
    ok = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  creationTimestamp: null
  annotations: {a: "1"}
spec:
  replicas: 2.0
  revisionHistoryLimit: 3
  strategy:
    rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      tolerations:
        - operator: Exists
          effect: ""
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0.0
          imagePullPolicy:
          args: ["--port=${PORT}"]
          resources:
            limits: {cpu: 500m, memory: 128Mi}
            requests: {cpu: 0.25, memory: 1e8}
          livenessProbe:
            httpGet: {path: /, port: http}
          env:
            - name: REPLICAS
              value: ${REPLICAS}
status:
  replicas: 3
  conditions:
    - lastUpdateTime: null
"""
    secret = """\
apiVersion: v1
kind: Secret
metadata:
  name: s
data:
  a: aGVsbG8=
  b: |
    aGVs
    bG8=
"""
    sts = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16
"""
    app_tree(tmp_path, base={"deploy.yaml": ok, "secret.yaml": secret, "sts.yaml": sts},
             overlays={"dev": "", "prod": ""},
             extra={".overlay-lint.yaml": 'kubernetes:\n  versions: {prod: "1.25"}\n'})
    _, doc = lint_json(tmp_path, ".", "--rule", "k8s-schema")
    # prod runs 1.25, whose schema still lists StatefulSet serviceName as required; the API
    # server never required it (the schema dropped it in 1.33): not flagged
    assert doc["findings"] == [], doc["findings"]


def test_crd_in_the_repository_checks_its_custom_resources(tmp_path):
    widgets = crd("Widget", """\
type: object
required: [size]
properties:
  size: {type: integer, minimum: 1}
  color: {type: string, enum: [red, blue]}
  memory: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
  extra:
    type: object
    x-kubernetes-preserve-unknown-fields: true
""", unserved="v0")
    widget = """\
apiVersion: acme.io/v1
kind: Widget
metadata:
  name: w
  labels: {app: w}
spec:
  size: 0
  color: green
  memory: 256Mi
  colour: red
  extra:
    anything: {goes: [1, 2]}
---
apiVersion: acme.io/v1
kind: Widget
metadata:
  name: w2
  lables: {app: w}
spec:
  memory: 2
---
apiVersion: acme.io/v0
kind: Widget
metadata:
  name: w3
"""
    write_tree(tmp_path, {"crds/kustomization.yaml": "resources: [widgets.yaml]\n",
                          "crds/widgets.yaml": widgets,
                          "app/kustomization.yaml": "resources: [widget.yaml]\n",
                          "app/widget.yaml": widget})
    _, doc = lint_json(tmp_path, ".")
    got = {ln: f["message"] for (file, ln), f in schema_findings(doc).items()
           if file == "app/widget.yaml"}
    assert set(got) == {7, 8, 10, 18, 19, 22}, got
    assert "spec.size is 0, less than the minimum 1" in got[7]
    assert "spec.color is the string 'green', not one of: blue, red" in got[8]
    assert "unknown field 'colour' in spec" in got[10]
    assert "(CRD widgets.acme.io in crds/widgets.yaml)" in got[10]
    assert "unknown field 'lables' in metadata (did you mean 'labels'?)" in got[18]
    assert "required field 'size' is missing in spec" in got[19]
    assert "serves no version 'v0' of Widget (served: v1)" in got[22]
    assert doc["unvalidated"] == []


def test_kinds_without_schema_are_listed_once_not_reported(tmp_path):
    gadget = "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g{n}\nspec: {{}}\n"
    sealed = ("apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: s\n"
              "spec:\n  encryptedData: {a: AgB}\n")
    app_tree(tmp_path, base={"g1.yaml": gadget.format(n=1), "g2.yaml": gadget.format(n=2),
                             "sealed.yaml": sealed},
             overlays={"dev": "", "prod": ""})
    rc, doc = lint_json(tmp_path, ".", "--rule", "k8s-schema")
    assert rc == 0 and doc["findings"] == []
    assert doc["unvalidated"] == [{"apiVersion": "example.com/v1", "kind": "Gadget",
                                   "reason": "no CRD or schema found", "envs": ["dev", "prod"],
                                   "resources": 4}]
    import jsonschema
    from overlay_lint.lint.schema_check import packaged_schema
    jsonschema.validate(doc, packaged_schema("findings.schema.json"))
    rc, out, _ = run([".", "--rule", "k8s-schema", "--color", "never"], tmp_path)
    assert out.splitlines()[-2] == ("1 kind not schema-checked (no CRD or schema in the "
                                    "repository or kubernetes.crds): Gadget example.com/v1 "
                                    "(dev, prod)")
    # the switch: each such resource becomes a finding at its kind line
    (tmp_path / ".overlay-lint.yaml").write_text(
        "rules:\n  k8s-schema: {report-unvalidated: true}\n")
    rc, doc = lint_json(tmp_path, ".", "--rule", "k8s-schema")
    assert {(f["file"], f["line"]) for f in doc["findings"]} == {("base/g1.yaml", 2),
                                                                 ("base/g2.yaml", 2)}
    assert rc == 1


def test_well_known_kinds_get_the_basics(tmp_path):
    app = """\
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: web
  namespace: argocd
  label: {a: b}
spec:
  project: default
operation: {sync: {}}
synPolicy: {}
"""
    write_tree(tmp_path, {"argocd/app.yaml": app})
    _, doc = lint_json(tmp_path, ".")
    got = schema_findings(doc)
    assert set(got) == {("argocd/app.yaml", 6), ("argocd/app.yaml", 10)}
    assert "unknown field 'label' in metadata (did you mean 'labels'?)" \
        in got[("argocd/app.yaml", 6)]["message"]
    assert doc["unvalidated"] == []


def test_crd_folders_and_json_schemas_from_the_config(tmp_path):
    schema = {"type": "object", "properties": {
        "spec": {"type": "object", "additionalProperties": False,
                 "properties": {"replicas": {"type": "integer"}}}}}
    write_tree(tmp_path, {
        "schemas/acme.io/gizmo_v1.json": json.dumps(schema),
        "vendor/crds/thing.yaml": crd("Thing",
                                      "{type: object, properties: {size: {type: integer}}}\n"),
        "app/kustomization.yaml": "resources: [r.yaml]\n",
        "app/r.yaml": """\
apiVersion: acme.io/v1
kind: Gizmo
metadata:
  name: g
spec:
  replicas: two
---
apiVersion: acme.io/v1
kind: Thing
metadata:
  name: t
spec:
  sise: 1
""",
        ".overlay-lint.yaml": "kubernetes:\n  crds: [schemas, vendor/crds]\n",
    })
    _, doc = lint_json(tmp_path, ".")
    got = schema_findings(doc)
    assert set(got) == {("app/r.yaml", 6), ("app/r.yaml", 13)}, got
    assert "(schemas/acme.io/gizmo_v1.json)" in got[("app/r.yaml", 6)]["message"]
    assert "unknown field 'sise' in spec (did you mean 'size'?)" in got[("app/r.yaml", 13)]["message"]
    # vendor/crds is not rendered by any kustomization: its CRD is not checked as a resource
    assert not [f for f in doc["findings"] if f["file"].startswith("vendor/")]


@pytest.mark.parametrize("config, line, msg", [
    ("kubernetes:\n  version: 1.30\n", 2, "is not of type 'string'"),
    ('kubernetes:\n  versions: {prod: "latest"}\n', 2, "does not match"),
    ('kubernetes:\n  crds: [../outside]\n', 2, "outside the repository"),
    ('kubernetes:\n  crds: [missing]\n', 2, "does not exist"),
    ('kubernetes:\n  clusters: {}\n', 2, "unknown key 'clusters'"),
])
def test_bad_kubernetes_config_is_a_located_error(tmp_path, config, line, msg):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    app_tree(repo, extra={".overlay-lint.yaml": config})
    rc, _, err = run(["."], repo)
    assert rc == 2, err
    assert err.startswith(f".overlay-lint.yaml:{line}:") and msg in err, err


def test_apis_not_served_by_the_env_version(tmp_path):
    vap = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: p
spec:
  validations: [{expression: "true"}]
---
apiVersion: apps/v1
kind: Deploymnet
metadata:
  name: x
---
apiVersion: apps/v2
kind: Deployment
metadata:
  name: y
"""
    app_tree(tmp_path, base={"r.yaml": vap}, overlays={"dev": ""},
             extra={".overlay-lint.yaml": 'kubernetes:\n  version: "1.29"\n'})
    _, doc = lint_json(tmp_path, ".", "--rule", "k8s-schema")
    got = {ln: f["message"] for (_, ln), f in schema_findings(doc).items()}
    assert set(got) == {1, 9, 13}, got
    assert "is not served by Kubernetes 1.29 (first served in 1.30)" in got[1]
    assert "Kubernetes 1.29 serves no kind 'Deploymnet' in apps/v1 (did you mean " \
           "'Deployment'?)" in got[9]
    assert "Kubernetes 1.29 serves no apps/v2 Deployment; apps serves apps/v1" in got[13]


def test_crd_patterns_run_as_go_regexps_in_linear_time(tmp_path):
    things = crd("Thing", """\
type: object
properties:
  name: {type: string, pattern: '^(a|aa)+$'}
  host: {type: string, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$'}
  odd: {type: string, pattern: '(?P<x'}
""")
    thing = ("apiVersion: acme.io/v1\nkind: Thing\nmetadata:\n  name: t\nspec:\n"
             f"  name: {'a' * 60}!\n  host: Bad_Host\n  odd: anything\n")
    write_tree(tmp_path, {"k/kustomization.yaml": "resources: [crd.yaml, thing.yaml]\n",
                          "k/crd.yaml": things, "k/thing.yaml": thing})
    import time
    t = time.perf_counter()
    _, doc = lint_json(tmp_path, ".", "--rule", "k8s-schema")
    assert time.perf_counter() - t < 20      # a backtracking engine takes hours on line 6
    got = {ln: f["message"] for (_, ln), f in schema_findings(doc).items()}
    assert set(got) == {6, 7}, got            # an invalid pattern is skipped, not an error
    assert "does not match the pattern '^(a|aa)+$'" in got[6]


def test_changed_files_run_still_finds_the_crd_of_a_changed_custom_resource(tmp_path):
    widgets = crd("Widget", "{type: object, properties: {size: {type: integer}}}\n")
    widget = "apiVersion: acme.io/v1\nkind: Widget\nmetadata:\n  name: w\nspec:\n  sise: 1\n"
    write_tree(tmp_path, {"platform/crds/kustomization.yaml": "resources: [widgets.yaml]\n",
                          "platform/crds/widgets.yaml": widgets})
    app_tree(tmp_path / "app", base={"widget.yaml": widget}, overlays={"dev": "", "prod": ""})
    (tmp_path / ".git").mkdir()
    rc, doc = lint_json(tmp_path, "--files", "app/base/widget.yaml")
    got = schema_findings(doc)
    assert set(got) == {("app/base/widget.yaml", 6)}, doc
    assert "unknown field 'sise' in spec" in got[("app/base/widget.yaml", 6)]["message"]
    assert "(CRD widgets.acme.io in platform/crds/widgets.yaml)" in \
        got[("app/base/widget.yaml", 6)]["message"]


def _size_crd(group: str, kind: str, minimum: int) -> str:
    """A CRD serving v1 of ``kind`` (both written as given) whose spec.size has ``minimum``."""
    return (f"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
            f"metadata:\n  name: widgets\nspec:\n  group: {group}\n"
            f"  scope: Namespaced\n  names:\n    kind: {kind}\n    plural: widgets\n"
            "  versions:\n    - name: v1\n      served: true\n      storage: true\n"
            "      schema:\n        openAPIV3Schema:\n          type: object\n"
            "          properties:\n            spec:\n              type: object\n"
            f"              properties: {{size: {{type: integer, minimum: {minimum}}}}}\n")


@pytest.mark.parametrize("group, kind", [
    ("acme.io", '"Wid\\x67et"'),                 # the kind's g as an escape
    ("acme.io", '"Wid\\u0067et"'),
    ('"ac\\\n      me.io"', "Widget"),          # the group's line broken by a backslash
])
def test_repository_crd_spelled_with_escapes_is_found_first(tmp_path, group, kind):
    """A CRD in a file no linted target renders is found in the repository's YAML files,
    the first file defining the kind winning, also where the file spells the kind or the
    group with escapes (files whose text lacks the kind are not parsed for it)."""
    write_tree(tmp_path, {
        "app/kustomization.yaml": "resources: [widget.yaml]\n",
        "app/widget.yaml": "apiVersion: acme.io/v1\nkind: Widget\nmetadata:\n  name: w\n"
                           "spec:\n  size: 0\n",
        "vendor/a-other-group.yaml": _size_crd("acme.example", "Widget", 3),
        "vendor/b-broken.yaml": "kind: CustomResourceDefinition\nspec: [\n",
        "vendor/c-escaped.yaml": _size_crd(group, kind, 1),
        "vendor/d-gizmo.yaml": _size_crd("acme.io", "Gizmo", 9),
        "vendor/e-plain.yaml": _size_crd("acme.io", "Widget", 5),
    })
    (tmp_path / ".git").mkdir()
    _, doc = lint_json(tmp_path, "app", "--rule", "k8s-schema")
    got = schema_findings(doc)
    assert set(got) == {("app/widget.yaml", 6)}, doc
    assert "spec.size is 0, less than the minimum 1 (CRD widgets in vendor/c-escaped.yaml)" in got[("app/widget.yaml", 6)]["message"]


def test_hostile_schemas_are_located_errors_not_crashes(tmp_path):
    depth = 3000                          # deeper than Python's recursion limit
    deep = ('{"type": "object", "properties": {"spec": '
            + '{"type": "array", "items": ' * depth + "{}" + "}" * depth + "}}")
    write_tree(tmp_path, {
        "schemas/acme.io/gizmo_v1.json": deep,
        "app/kustomization.yaml": "resources: [r.yaml]\n",
        "app/r.yaml": "apiVersion: acme.io/v1\nkind: Gizmo\nmetadata:\n  name: g\nspec: [[[1]]]\n",
        ".overlay-lint.yaml": "kubernetes:\n  crds: [schemas]\n",
    })
    rc, doc = lint_json(tmp_path, ".", "--rule", "k8s-schema")
    assert not [e for e in doc["errors"] if "internal" in e["message"]], doc["errors"]
    assert rc in (1, 2)
    located = [e for e in doc["errors"] if e["file"]] + doc["findings"]
    assert located, doc
