"""Naming and metadata stages against `kubectl kustomize`, plus their provenance.

Covers namespace (cluster-scoped kinds, binding subjects, Namespace objects), prefixes and
suffixes with name references (ConfigMap, Secret, ServiceAccount, PVC, Service, Role refs in
workloads, bindings, Ingresses, HPAs, webhooks), labels/commonLabels/commonAnnotations,
``configurations:``/``crds:`` files and builtin ``transformers:``. Each differential case
writes a tree into tmp_path and compares our documents, in order, with kubectl's (read back
with PyYAML, an independent reader).
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import kubectl_documents, kubectl_kustomize, line_of, need_kubectl
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.kustomize.build import build
from overlay_lint.kustomize.transformer_config import TransformerConfig, merge_configs
from overlay_lint.kustomize.default_config import default_config
from overlay_lint.kustomize.types import FieldSpec

DEPLOY = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      serviceAccountName: runner
      imagePullSecrets:
      - name: pull
      containers:
      - name: app
        image: app:1
        env:
        - name: A
          valueFrom:
            configMapKeyRef: {name: conf, key: a}
        - name: B
          valueFrom:
            secretKeyRef: {name: creds, key: b}
        envFrom:
        - configMapRef: {name: conf}
        - secretRef: {name: creds}
      volumes:
      - name: c
        configMap: {name: conf}
      - name: s
        secret: {secretName: creds}
      - name: d
        persistentVolumeClaim: {claimName: data}
      - name: p
        projected:
          sources:
          - configMap: {name: conf}
          - secret: {name: creds}
"""

SUPPORT = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: conf
data: {a: "1"}
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
data: {b: YQ==}
---
apiVersion: v1
kind: Secret
metadata:
  name: pull
type: kubernetes.io/dockerconfigjson
data: {.dockerconfigjson: e30=}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: runner
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""

RBAC = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules:
- apiGroups: [""]
  resources: [configmaps]
  resourceNames: [conf]
  verbs: [get]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: read
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
- {kind: ServiceAccount, name: runner}
- {kind: ServiceAccount, name: default}
- {kind: ServiceAccount, name: other, namespace: elsewhere}
- {kind: User, name: jane}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: viewer
rules: [{apiGroups: [""], resources: [pods], verbs: [list]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: view
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: viewer}
subjects:
- {kind: ServiceAccount, name: runner, namespace: old}
- {kind: ServiceAccount, name: default, namespace: kube-system}
"""

NETWORK = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  annotations:
    nginx.ingress.kubernetes.io/auth-secret: creds
spec:
  defaultBackend:
    service: {name: web, port: {number: 80}}
  tls:
  - secretName: creds
  rules:
  - http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service: {name: web, port: {number: 80}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: hook
webhooks:
- name: check.example.com
  clientConfig:
    service: {name: web, namespace: default, path: /check}
  admissionReviewVersions: [v1]
  sideEffects: None
---
apiVersion: apiregistration.k8s.io/v1
kind: APIService
metadata:
  name: v1.example.com
spec:
  group: example.com
  version: v1
  groupPriorityMinimum: 100
  versionPriority: 10
  service: {name: web, namespace: default}
---
apiVersion: v1
kind: Namespace
metadata:
  name: ns1
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions: [{name: v1, served: true, storage: true}]
  conversion:
    strategy: Webhook
    webhook:
      conversionReviewVersions: [v1]
      clientConfig:
        service: {name: web, namespace: default}
"""

JOBS = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: tick
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
          - name: c
            image: busybox
            envFrom: [{configMapRef: {name: conf}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: web
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: c, image: db}]
  volumeClaimTemplates:
  - metadata: {name: vol}
    spec: {accessModes: [ReadWriteOnce]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: db
spec:
  selector: {matchLabels: {app: db}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: np
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - podSelector: {matchLabels: {app: web}}
"""

FILES = {"deploy.yaml": DEPLOY, "support.yaml": SUPPORT, "rbac.yaml": RBAC,
         "network.yaml": NETWORK, "jobs.yaml": JOBS}
ALL = "resources: [deploy.yaml, support.yaml, rbac.yaml, network.yaml, jobs.yaml]\n"


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))


def _same(tmp_path: Path, files: dict[str, str], top: str = ".") -> list:
    need_kubectl()
    _write(tmp_path, files)
    want = kubectl_documents(tmp_path / top)
    got = [r.node.data() for r in build(str(tmp_path / top)).resources]
    for g, w in zip(got, want):
        assert g == w
    assert len(got) == len(want)
    return got


def _overlay(base_k: str, overlay_k: str, files: dict[str, str] | None = None) -> dict:
    out = {f"base/{k}": v for k, v in (files if files is not None else FILES).items()}
    out["base/kustomization.yaml"] = base_k
    out["overlay/kustomization.yaml"] = overlay_k
    return out


CASES: dict[str, dict[str, str]] = {
    "namespace_everything": {**FILES, "kustomization.yaml": ALL + "namespace: prod\n"},
    "prefix_suffix_references": {**FILES, "kustomization.yaml":
                                 ALL + "namePrefix: p-\nnameSuffix: -s\n"},
    "prefix_namespace_references": {**FILES, "kustomization.yaml":
                                    ALL + "namePrefix: p-\nnamespace: prod\n"},
    "overlay_prefix_over_base_prefix": _overlay(
        ALL + "namePrefix: base-\nnamespace: one\n",
        "resources: [../base]\nnamePrefix: top-\nnameSuffix: -x\nnamespace: two\n"),
    "common_labels_selectors_templates": {**FILES, "kustomization.yaml":
                                          ALL + "commonLabels:\n  team: blue\n  app: web\n"},
    "labels_pairs_only": {**FILES, "kustomization.yaml":
                          ALL + "labels:\n- pairs:\n    team: blue\n"},
    "labels_include_templates": {**FILES, "kustomization.yaml": ALL + """\
labels:
- pairs: {team: blue}
  includeTemplates: true
"""},
    "labels_include_selectors": {**FILES, "kustomization.yaml": ALL + """\
labels:
- pairs: {team: blue, env: dev}
  includeSelectors: true
- pairs: {owner: ops}
  fields:
  - path: spec/selector
    kind: Service
    create: true
  - path: metadata/annotations
    kind: ConfigMap
    create: true
"""},
    "labels_then_common_labels": {**FILES, "kustomization.yaml": ALL + """\
commonLabels: {app: common}
labels:
- pairs: {app: fromlabels, extra: "1"}
"""},
    "common_annotations": {**FILES, "kustomization.yaml": ALL + """\
commonAnnotations:
  owner: team@example.com
  note: ""
"""},
    "namespace_unnamed_base": _overlay(
        "resources: [deploy.yaml, support.yaml, rbac.yaml]\n",
        "resources: [../base]\nnamespace: staging\nnamePrefix: stg-\n"
        "commonLabels: {env: staging}\n"),
    "configurations_file": {
        "crd.yaml": """\
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  configRef: conf
  selector: {}
  template:
    metadata: {}
""",
        "support.yaml": SUPPORT,
        "conf.yaml": """\
nameReference:
- kind: ConfigMap
  version: v1
  fieldSpecs:
  - path: spec/configRef
    kind: Widget
commonLabels:
- path: spec/selector
  kind: Widget
  create: true
- path: spec/template/metadata/labels
  kind: Widget
  create: true
namespace:
- path: spec/ns
  kind: Widget
  create: true
""",
        "kustomization.yaml": "resources: [crd.yaml, support.yaml]\nconfigurations: [conf.yaml]\n"
                              "namePrefix: x-\ncommonLabels: {a: b}\nnamespace: nsx\n"},
    "crds_openapi": {
        "mycrd.json": """\
{
  "example.com/v1.Bee": {
    "Schema": {
      "properties": {
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": {"$ref": "k8s.io/meta.ObjectMeta"},
        "spec": {"$ref": "example.com/v1.BeeSpec"}
      }
    }
  },
  "example.com/v1.BeeSpec": {
    "Schema": {
      "properties": {
        "secretRef": {
          "x-kubernetes-object-ref-api-version": "v1",
          "x-kubernetes-object-ref-kind": "Secret",
          "$ref": "example.com/v1.Ref"
        },
        "hive": {
          "x-kubernetes-object-ref-api-version": "v1",
          "x-kubernetes-object-ref-kind": "ConfigMap",
          "x-kubernetes-object-ref-name-key": "hiveName"
        }
      }
    }
  },
  "example.com/v1.Ref": {"Schema": {"properties": {"name": {"type": "string"}}}}
}
""",
        "bee.yaml": """\
apiVersion: example.com/v1
kind: Bee
metadata:
  name: bee
spec:
  secretRef: {name: creds}
  hive: {hiveName: conf}
""",
        "support.yaml": SUPPORT,
        "kustomization.yaml": "crds: [mycrd.json]\nresources: [support.yaml, bee.yaml]\n"
                              "namePrefix: x-\n"},
    "builtin_transformers_inline_and_file": {
        **FILES,
        "ns.yaml": """\
apiVersion: builtin
kind: NamespaceTransformer
metadata:
  name: ns
  namespace: plugged
fieldSpecs:
- path: metadata/name
  kind: Namespace
  create: true
setRoleBindingSubjects: allServiceAccounts
""",
        "kustomization.yaml": ALL + """\
transformers:
- ns.yaml
- |-
  apiVersion: builtin
  kind: PrefixTransformer
  metadata:
    name: pre
  prefix: pre-
  fieldSpecs:
  - path: metadata/name
- |-
  apiVersion: builtin
  kind: LabelTransformer
  metadata:
    name: lab
  labels:
    plugged: "yes"
  fieldSpecs:
  - path: metadata/labels
    create: true
  - path: spec/template/metadata/labels
    kind: Deployment
    create: true
- |-
  apiVersion: builtin
  kind: AnnotationsTransformer
  metadata:
    name: ann
  annotations:
    a: b
  fieldSpecs:
  - path: metadata/annotations
    create: true
- |-
  apiVersion: builtin
  kind: SuffixTransformer
  metadata:
    name: suf
  suffix: -suf
  fieldSpecs:
  - path: metadata/name
"""},
    "builtin_namespace_unset_only": {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: keep\n"
                   "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n",
        "kustomization.yaml": """\
resources: [cm.yaml]
transformers:
- |-
  apiVersion: builtin
  kind: NamespaceTransformer
  metadata:
    name: ns
    namespace: fill
  unsetOnly: true
"""},
    "roleref_kind_disambiguates": {
        "rbac.yaml": """\
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: same}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: same}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb1}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: same}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb2}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: same}
""",
        "kustomization.yaml": "resources: [rbac.yaml]\nnamePrefix: p-\n"},
    "same_name_different_prefix_branches": {
        "a/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\n",
        "a/dep.yaml": DEPLOY.replace("name: web\n  labels", "name: a\n  labels"),
        "a/kustomization.yaml": "resources: [cm.yaml, dep.yaml]\nnamePrefix: a-\n",
        "b/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\n",
        "b/dep.yaml": DEPLOY.replace("name: web\n  labels", "name: b\n  labels"),
        "b/kustomization.yaml": "resources: [cm.yaml, dep.yaml]\nnamePrefix: b-\n",
        "kustomization.yaml": "resources: [a, b]\nnamePrefix: top-\n"},
    "cross_namespace_rolebinding_subject": {
        "a/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: bot}\n",
        "a/kustomization.yaml": "resources: [sa.yaml]\nnamespace: team-a\nnamePrefix: a-\n",
        "b/rb.yaml": """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
subjects:
- {kind: ServiceAccount, name: bot, namespace: team-a}
""",
        "b/kustomization.yaml": "resources: [rb.yaml]\nnamespace: team-b\n",
        "kustomization.yaml": "resources: [a, b]\n"},
    "builtin_transformers_delegated": {
        "dep.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - name: c
        image: nginx
""",
        "psm.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      containers:
      - name: c
        env: [{name: A, value: b}]
""",
        "tdir/kustomization.yaml": "resources: [t.yaml]\n",
        "tdir/t.yaml": "apiVersion: builtin\nkind: PrefixTransformer\nmetadata:\n  name: pre\n"
                       "prefix: dir-\nfieldSpecs:\n- path: metadata/name\n",
        "kustomization.yaml": """\
resources: [dep.yaml]
transformers:
- tdir
- |-
  apiVersion: builtin
  kind: ImageTagTransformer
  metadata:
    name: img
  imageTag:
    name: nginx
    newTag: "1.25"
  fieldSpecs:
  - path: spec/template/spec/containers[]/image
- |-
  apiVersion: builtin
  kind: ReplicaCountTransformer
  metadata:
    name: rep
  replica:
    name: d
    count: 5
  fieldSpecs:
  - path: spec/replicas
    kind: Deployment
    create: true
- |-
  apiVersion: builtin
  kind: PatchTransformer
  metadata:
    name: p
  target:
    kind: Deployment
  patch: |-
    - op: add
      path: /metadata/annotations
      value: {patched: "yes"}
- |-
  apiVersion: builtin
  kind: PatchStrategicMergeTransformer
  metadata:
    name: psm
  paths:
  - psm.yaml
- |-
  apiVersion: builtin
  kind: PatchJson6902Transformer
  metadata:
    name: j
  target:
    kind: Deployment
    name: d
  jsonOp: '[{"op": "add", "path": "/metadata/annotations/j", "value": "x"}]'
- |-
  apiVersion: builtin
  kind: ReplacementTransformer
  metadata:
    name: r
  replacements:
  - source: {kind: Deployment, fieldPath: metadata.name}
    targets:
    - select: {kind: Deployment}
      fieldPaths: [metadata.annotations.me]
      options: {create: true}
"""},
    "diamond_namespaces_generated_references": {
        "base/kustomization.yaml": "resources: [r.yaml]\nconfigMapGenerator:\n- name: cfg\n"
                                   "  literals: [x=y]\n",
        "base/r.yaml": """\
apiVersion: v1
kind: ServiceAccount
metadata: {name: sa}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: crb}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cr}
subjects:
- {kind: ServiceAccount, name: sa, namespace: default}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: cr}
rules:
- {apiGroups: [""], resources: [configmaps], resourceNames: [cfg], verbs: [get]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  template:
    spec:
      serviceAccountName: sa
      containers: [{name: c, image: x, envFrom: [{configMapRef: {name: cfg}}]}]
""",
        "a/kustomization.yaml": "resources: [../base]\nnamespace: ns-a\nnamePrefix: a-\n",
        "b/kustomization.yaml": "resources: [../base]\nnamespace: ns-b\nnamePrefix: b-\n",
        "kustomization.yaml": "resources: [a, b]\n"},
    "configured_prefix_kinds_replace_default": {
        # a configuration naming kinds for metadata/name swallows the kind-less default
        # when Kustomize merges configs in its order: only those kinds get the prefix
        "conf.yaml": "namePrefix:\n- path: metadata/name\n  kind: ConfigMap\n",
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\n",
        "deploy.yaml": DEPLOY,
        "kustomization.yaml": "resources: [cm.yaml, deploy.yaml]\nnamePrefix: p-\n"
                              "configurations: [conf.yaml]\n"},
    "legacy_prefix_suffix_transformer": {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: conf}\n",
        "deploy.yaml": DEPLOY,
        "kustomization.yaml": """\
resources: [cm.yaml, deploy.yaml]
transformers:
- |-
  apiVersion: builtin
  kind: PrefixSuffixTransformer
  metadata:
    name: ps
  prefix: pre-
  suffix: -suf
  fieldSpecs:
  - path: metadata/name
"""},}


@pytest.mark.parametrize("case", sorted(CASES))
def test_parity(tmp_path: Path, case: str) -> None:
    top = "overlay" if "overlay/kustomization.yaml" in CASES[case] else "."
    _same(tmp_path, CASES[case], top)


def test_namespace_skips_cluster_scoped_and_renames_namespace(tmp_path: Path) -> None:
    got = _same(tmp_path, CASES["namespace_everything"])
    by = {(d["kind"], d["metadata"]["name"]): d for d in got}
    assert "namespace" not in by[("ClusterRole", "viewer")]["metadata"]
    assert ("Namespace", "prod") in by  # the v1 Namespace object is renamed
    assert by[("APIService", "v1.example.com")]["spec"]["service"]["namespace"] == "prod"
    subjects = by[("RoleBinding", "read")]["subjects"]
    assert subjects[1] == {"kind": "ServiceAccount", "name": "default", "namespace": "prod"}


# --- errors ------------------------------------------------------------------------------------

ERROR_CASES = {
    "empty_label_name": {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        "kustomization.yaml": "resources: [cm.yaml]\ncommonLabels:\n  \"\": x\n"},
    "empty_annotation_name": {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        "kustomization.yaml": "resources: [cm.yaml]\ncommonAnnotations:\n  \"\": x\n"},
    "ambiguous_reference": {
        "sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: bot, namespace: a}\n"
                   "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: bot, "
                   "namespace: b}\n",
        "crb.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
                    "metadata: {name: crb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, "
                    "kind: ClusterRole, name: view}\nsubjects:\n"
                    "- {kind: ServiceAccount, name: bot}\n",
        "kustomization.yaml": "resources: [sa.yaml, crb.yaml]\nnamePrefix: p-\n"},
    "namespace_conflict": {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n"
                   "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: y}\n",
        "kustomization.yaml": "resources: [cm.yaml]\nnamespace: z\n"},
    "crd_manifest_in_crds": {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        "crd.yaml": "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
                    "metadata: {name: x}\n",
        "kustomization.yaml": "crds: [crd.yaml]\nresources: [cm.yaml]\n"},
    "blank_subject_namespace": {
        "rb.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
                   "metadata: {name: rb}\nroleRef: {apiGroup: rbac.authorization.k8s.io, "
                   "kind: Role, name: r}\nsubjects:\n- kind: ServiceAccount\n  name: sa\n"
                   "  namespace:\n",
        "kustomization.yaml": "resources: [rb.yaml]\n"},
    "numeric_label_value": {
        "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        "kustomization.yaml": "resources: [cm.yaml]\ncommonLabels:\n  version: 1\n"},
}


@pytest.mark.parametrize("case", sorted(ERROR_CASES))
def test_errors_where_kustomize_fails(tmp_path: Path, case: str) -> None:
    need_kubectl()
    _write(tmp_path, ERROR_CASES[case])
    code, _out, _err = kubectl_kustomize(tmp_path)
    assert code != 0
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert exc.value.file and exc.value.line


def test_non_builtin_transformer_refused_at_entry(tmp_path: Path) -> None:
    _write(tmp_path, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
                      "fn.yaml": "apiVersion: example.com/v1\nkind: Mutator\nmetadata:\n"
                                 "  name: m\n  annotations:\n    config.kubernetes.io/function: "
                                 "'container: {image: evil}'\n",
                      "kustomization.yaml": "resources: [cm.yaml]\ntransformers:\n"
                                            "- fn.yaml\n"})
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert exc.value.file == str(tmp_path / "kustomization.yaml")
    assert exc.value.line == 3
    assert "never executed" in exc.value.message


def test_inline_exec_plugin_refused(tmp_path: Path) -> None:
    _write(tmp_path, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
                      "kustomization.yaml": "resources: [cm.yaml]\ntransformers:\n- |-\n"
                                            "  apiVersion: someteam.example.com/v1\n"
                                            "  kind: ChartInflator\n  metadata:\n"
                                            "    name: x\n"})
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert exc.value.line == 3 and "not supported" in exc.value.message


def test_conflicting_configuration_is_located(tmp_path: Path) -> None:
    _write(tmp_path, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
                      "conf.yaml": "commonLabels:\n- path: metadata/labels\n  create: false\n",
                      "kustomization.yaml": "resources: [cm.yaml]\nconfigurations:\n"
                                            "- conf.yaml\n"})
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert exc.value.line == 3 and "conflicting" in exc.value.message


# --- provenance -----------------------------------------------------------------------------

def _res(result, kind: str, name: str):
    return next(r for r in result.resources if r.kind == kind and r.name == name)


def test_provenance_namespace_and_labels(tmp_path: Path) -> None:
    files = _overlay("resources: [deploy.yaml, support.yaml]\n", """\
resources: [../base]
namespace: prod
namePrefix: p-
commonLabels:
  team: blue
labels:
- pairs:
    tier: web
  includeTemplates: true
commonAnnotations:
  owner: ops
""", {"deploy.yaml": DEPLOY, "support.yaml": SUPPORT})
    _write(tmp_path, files)
    result = build(str(tmp_path / "overlay"))
    kfile = tmp_path / "overlay" / "kustomization.yaml"
    dep = _res(result, "Deployment", "p-web")
    ns = dep.node.path("metadata", "namespace")
    assert ns.o[:2] == (str(kfile), line_of(kfile, "namespace: prod"))
    team = dep.node.path("spec", "template", "metadata", "labels", "team")
    assert team.v == "blue" and team.o[:2] == (str(kfile), line_of(kfile, "team: blue"))
    sel = dep.node.path("spec", "selector", "matchLabels", "team")
    assert sel.o[1] == line_of(kfile, "team: blue")
    tier = dep.node.path("spec", "template", "metadata", "labels", "tier")
    assert tier.o[1] == line_of(kfile, "tier: web")
    assert dep.node.path("spec", "selector", "matchLabels", "tier") is None
    owner = dep.node.path("metadata", "annotations", "owner")
    assert owner.o[1] == line_of(kfile, "owner: ops")
    # an untouched label keeps the base line
    app = dep.node.path("metadata", "labels", "app")
    assert app.o[0] == str(tmp_path / "base" / "deploy.yaml")


def test_provenance_references_keep_reference_line(tmp_path: Path) -> None:
    _write(tmp_path, {**FILES, "kustomization.yaml": ALL + "namePrefix: p-\n"})
    result = build(str(tmp_path))
    dep = _res(result, "Deployment", "p-web")
    deploy = tmp_path / "deploy.yaml"
    ref = dep.node.path("spec", "template", "spec", "volumes", 0, "configMap", "name")
    assert ref.v == "p-conf"
    assert ref.o[:2] == (str(deploy), line_of(deploy, "configMap: {name: conf}"))
    sa = dep.node.path("spec", "template", "spec", "serviceAccountName")
    assert sa.v == "p-runner" and sa.o[1] == line_of(deploy, "serviceAccountName")
    name = dep.node.path("metadata", "name")
    kfile = tmp_path / "kustomization.yaml"
    assert name.o[0] == str(deploy)  # the base name line; the prefix is a recorded part
    assert name.parts["prefix"][:2] == (str(kfile), line_of(kfile, "namePrefix"))


def test_provenance_subject_namespace_from_namespace_line(tmp_path: Path) -> None:
    _write(tmp_path, {**FILES, "kustomization.yaml": ALL + "namespace: prod\n"})
    result = build(str(tmp_path))
    rb = _res(result, "RoleBinding", "read")
    kfile = tmp_path / "kustomization.yaml"
    ns = rb.node.path("subjects", 0, "namespace")
    assert ns.v == "prod" and ns.o[:2] == (str(kfile), line_of(kfile, "namespace: prod"))


def test_provenance_builtin_transformer_values(tmp_path: Path) -> None:
    case = CASES["builtin_transformers_inline_and_file"]
    _write(tmp_path, case)
    result = build(str(tmp_path))
    dep = _res(result, "Deployment", "pre-web-suf")
    kfile = tmp_path / "kustomization.yaml"
    lab = dep.node.path("metadata", "labels", "plugged")
    assert lab.o[:2] == (str(kfile), line_of(kfile, 'plugged: "yes"'))
    ns = dep.node.path("metadata", "namespace")
    nsfile = tmp_path / "ns.yaml"
    assert ns.o[:2] == (str(nsfile), line_of(nsfile, "namespace: plugged"))


# --- configuration data -----------------------------------------------------------------------

def test_merge_configs_dedupes_and_shares_defaults() -> None:
    base = default_config()
    assert merge_configs(base, base) is base
    extra = TransformerConfig(common_labels=(FieldSpec("metadata/labels", create=True),
                                             FieldSpec("spec/sel", kind="Widget")))
    merged = merge_configs(base, extra)
    assert len(merged.common_labels) == len(base.common_labels) + 1
    assert merged.name_reference is base.name_reference
    assert merged.images is base.images


@pytest.mark.parametrize("options", ["originAnnotations", "managedByLabel",
                                     "originAnnotations, managedByLabel"])
def test_build_metadata_renders_as_kubectl(tmp_path: Path, options: str) -> None:
    """buildMetadata: the origin annotation (files by their path from the top
    kustomization, generated objects by the kustomization and builtin that made them) and
    the managed-by label, byte for byte as kubectl writes them; objects carry build
    annotations while patched (a JSON6902 `add` under metadata/annotations works)."""
    from conftest import write_files
    from overlay_lint.core.yaml_writer import dump_stream
    write_files(tmp_path, {
        "base/kustomization.yaml": "resources: [cm.yaml, sub]\nconfigMapGenerator:\n"
                                   "- name: gen\n  literals: [A=1]\n",
        "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
        "base/sub/kustomization.yaml": "resources: [svc.yaml]\n",
        "base/sub/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
        "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\n"
                                   "kind: Component\nresources: [extra.yaml]\n",
        "comp/extra.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: x\n",
        "app/kustomization.yaml": f"resources: [../base]\ncomponents: [../comp]\n"
                                  f"buildMetadata: [{options}]\nnamePrefix: p-\n"
                                  "patches:\n- target: {kind: Service}\n  patch: |-\n"
                                  "    - op: add\n      path: /metadata/annotations/x\n"
                                  "      value: 'y'\n",
    })
    need_kubectl()
    code, want, err = kubectl_kustomize(tmp_path / "app")
    assert code == 0, err
    got = dump_stream(r.node for r in build(str(tmp_path / "app")).resources)
    assert got == want


def test_transformer_annotations_are_refused_not_rendered_differently(tmp_path: Path) -> None:
    from conftest import write_files
    from overlay_lint.core.errors import UnsupportedError
    write_files(tmp_path, {"kustomization.yaml": "resources: [cm.yaml]\nbuildMetadata:\n"
                                                 "- transformerAnnotations\n",
                           "cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    with pytest.raises(UnsupportedError, match="transformerAnnotations") as exc:
        build(str(tmp_path))
    assert exc.value.line == 3


def test_annotation_values_that_are_mappings_or_lists_render_empty(tmp_path: Path) -> None:
    # found by the long fuzzer (a SealedSecret with a line deleted nested `metadata:` under
    # annotations): Kustomize rewrites annotations as strings, a mapping or list as ""
    from conftest import write_files
    from overlay_lint.core.yaml_writer import dump_stream
    write_files(tmp_path, {
        "kustomization.yaml": "resources: [r.yaml]\n",
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  annotations:\n"
                  "    plain: x\n    m: {k: v}\n    l: [1, 2]\n    n: 5\n"})
    need_kubectl()
    code, want, err = kubectl_kustomize(tmp_path)
    assert code == 0, err
    assert dump_stream(r.node for r in build(str(tmp_path)).resources) == want
