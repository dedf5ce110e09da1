"""Every rule, failing and passing, on small real trees (rendered by our renderer)."""
from __future__ import annotations

import shutil

import pytest

from conftest import need_shared
from lint_support import app_tree, deployment, keys, lint_json

SEALED = """
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata:
  name: api-secrets
spec:
  encryptedData:
    TOKEN: AgBxyz
  template:
    data:
      PLAIN_TEMPLATE_KEY: "x"
"""


def env_ref_deploy(kind: str, name: str, key: str, optional: bool = False) -> str:
    ref = "secretKeyRef" if kind == "Secret" else "configMapKeyRef"
    opt = "\n                  optional: true" if optional else ""
    return deployment() + f"""          env:
            - name: X
              valueFrom:
                {ref}:
                  name: {name}
                  key: {key}{opt}
"""


# --- revision-history-limit (declarative) -----------------------------------------------------

def test_revision_history_limit(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment().replace(
        "  revisionHistoryLimit: 3\n", "")}, overlays={
        "dev": "", "prod": """
        patches:
          - patch: |-
              apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: api
              spec:
                revisionHistoryLimit: 7
        """})
    rc, doc = lint_json(tmp_path, ".", "--rule", "revision-history-limit")
    assert rc == 1
    # missing in the base: the Deployment's spec: line, in dev only (prod's patch sets it)
    # wrong value set by an inline patch: the line inside the patch block
    assert keys(doc) == {
        ("revision-history-limit", "base/deploy.yaml", 5, ("dev",)),
        ("revision-history-limit", "overlays/prod/kustomization.yaml", 10, ("prod",)),
    }
    assert "is 7; set it to 3" in next(f["message"] for f in doc["findings"] if f["line"] == 10)


def test_revision_history_limit_passes_and_ignores_statefulsets(tmp_path):
    sts = deployment().replace("Deployment", "StatefulSet").replace(
        "  revisionHistoryLimit: 3\n", "")
    app_tree(tmp_path, base={"deploy.yaml": deployment(), "sts.yaml": sts})
    rc, doc = lint_json(tmp_path, ".", "--rule", "revision-history-limit")
    assert (rc, doc["findings"]) == (0, [])


def test_revision_history_limit_parameter(tmp_path):
    app_tree(tmp_path, extra={".overlay-lint.yaml": """
        rules:
          revision-history-limit:
            value: 5
        """})
    rc, doc = lint_json(tmp_path, ".", "--rule", "revision-history-limit")
    assert keys(doc) == {("revision-history-limit", "base/deploy.yaml", 7, ("dev", "prod"))}
    assert "set it to 5" in doc["findings"][0]["message"]


# --- expected-workloads ---------------------------------------------------------------------

def test_expected_workloads_missing_and_extra(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment(), "worker.yaml": deployment("worker")},
             overlays={
                 "dev": "  - debug.yaml\n",
                 "staging": "",
                 "prod": """
                 patches:
                   - patch: |-
                       $patch: delete
                       apiVersion: apps/v1
                       kind: Deployment
                       metadata:
                         name: worker
                 """},
             extra={"overlays/dev/debug.yaml": deployment("debugger")})
    rc, doc = lint_json(tmp_path, ".", "--rule", "expected-workloads")
    assert keys(doc) == {
        # base workload deleted in prod: at prod's resources: line
        ("expected-workloads", "overlays/prod/kustomization.yaml", 1, ("prod",)),
        # dev-only workload: where it is defined
        ("expected-workloads", "overlays/dev/debug.yaml", 2, ("dev",)),
    }
    assert rc == 0      # a warning does not fail by default
    assert {f["severity"] for f in doc["findings"]} == {"warning"}
    rc, _ = lint_json(tmp_path, ".", "--rule", "expected-workloads", "--fail-on", "warning")
    assert rc == 1


def test_expected_workloads_passes_when_envs_agree(tmp_path):
    app_tree(tmp_path, overlays={"dev": "", "staging": "", "prod": ""})
    rc, doc = lint_json(tmp_path, ".", "--rule", "expected-workloads")
    assert (rc, doc["findings"]) == (0, [])


def test_expected_workloads_configured_list(tmp_path):
    app_tree(tmp_path, extra={".overlay-lint.yaml": """
        rules:
          expected-workloads:
            workloads: [api, billing]
        """})
    _, doc = lint_json(tmp_path, ".", "--rule", "expected-workloads")
    assert keys(doc) == {("expected-workloads", "overlays/dev/kustomization.yaml", 1, ("dev",)),
                         ("expected-workloads", "overlays/prod/kustomization.yaml", 1, ("prod",))}
    assert all("'billing'" in f["message"] for f in doc["findings"])


def test_expected_workloads_compares_envs_of_one_app_only(tmp_path):
    app_tree(tmp_path / "a", base={"deploy.yaml": deployment("a")})
    app_tree(tmp_path / "b", base={"deploy.yaml": deployment("b")})
    rc, doc = lint_json(tmp_path, ".", "--rule", "expected-workloads")
    assert (rc, doc["findings"]) == (0, [])
    assert sorted(doc["envs"]) == ["a/dev", "a/prod", "b/dev", "b/prod"]


# --- dev-replicas ---------------------------------------------------------------------------

def test_dev_replicas(tmp_path):
    sts = deployment("db", "postgres:16").replace("Deployment", "StatefulSet")
    app_tree(tmp_path, base={"deploy.yaml": deployment(), "sts.yaml": sts}, overlays={
        "dev": """
        replicas:
          - name: api
            count: 1
          - name: db
            count: 3
        """, "prod": ""})
    rc, doc = lint_json(tmp_path, ".", "--rule", "dev-replicas")
    assert rc == 1
    assert keys(doc) == {("dev-replicas", "overlays/dev/kustomization.yaml", 7, ("dev",))}


def test_dev_replicas_base_value_and_parameter(tmp_path):
    app_tree(tmp_path, overlays={"development": "", "prod": ""})
    _, doc = lint_json(tmp_path, ".", "--rule", "dev-replicas")
    # inherited from the base: the base line; "development" is a dev env by default
    assert keys(doc) == {("dev-replicas", "base/deploy.yaml", 6, ("development",))}
    (tmp_path / ".overlay-lint.yaml").write_text("rules:\n  dev-replicas:\n    count: 2\n")
    rc, doc = lint_json(tmp_path, ".", "--rule", "dev-replicas")
    assert (rc, doc["findings"]) == (0, [])


# --- dev-image-tags -------------------------------------------------------------------------

def test_dev_image_tags(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment(), "web.yaml": deployment(
        "web", "ghcr.io/acme/web:1.4.2"), "redis.yaml": deployment("redis", "redis:7.4.1")},
        overlays={"dev": """
        images:
          - name: ghcr.io/acme/api
            newTag: dev-8c1d2e4
        """, "prod": ""})
    rc, doc = lint_json(tmp_path, ".", "--rule", "dev-image-tags")
    assert rc == 1
    # web keeps the base tag (first party: same prefix as the retagged api); redis is
    # third party
    assert keys(doc) == {("dev-image-tags", "base/web.yaml", 18, ("dev",))}


def test_dev_image_tags_passes_and_configured_prefixes(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment(), "redis.yaml": deployment(
        "redis", "redis:7.4.1")}, overlays={"dev": """
        images:
          - name: ghcr.io/acme/api
            newTag: dev
        """, "prod": ""})
    rc, doc = lint_json(tmp_path, ".", "--rule", "dev-image-tags")
    assert (rc, doc["findings"]) == (0, [])
    (tmp_path / ".overlay-lint.yaml").write_text(
        "rules:\n  dev-image-tags:\n    first-party: [redis]\n")
    _, doc = lint_json(tmp_path, ".", "--rule", "dev-image-tags")
    assert keys(doc) == {("dev-image-tags", "base/redis.yaml", 18, ("dev",))}


# --- prod-no-dev-images ---------------------------------------------------------------------

def test_prod_no_dev_images(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment(), "w.yaml": deployment(
        "w", "ghcr.io/acme-dev/w:1.0")}, overlays={"dev": "", "production": """
        images:
          - name: ghcr.io/acme/api
            newTag: dev-3f2a1c9
        """})
    rc, doc = lint_json(tmp_path, ".", "--rule", "prod-no-dev-images")
    assert rc == 1
    assert keys(doc) == {
        ("prod-no-dev-images", "overlays/production/kustomization.yaml", 5, ("production",)),
        ("prod-no-dev-images", "base/w.yaml", 18, ("production",)),     # dev registry org
    }


def test_prod_no_dev_images_passes(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment("api", "ghcr.io/acme/api:dev")},
             overlays={"dev": "", "prod": """
             images:
               - name: ghcr.io/acme/api
                 newTag: 2.1.0
             """})
    rc, doc = lint_json(tmp_path, ".", "--rule", "prod-no-dev-images")
    assert (rc, doc["findings"]) == (0, [])


# --- no-latest-in-prod ----------------------------------------------------------------------

def test_no_latest_in_prod(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment(), "r.yaml": deployment("r", "redis:7"),
                             "n.yaml": deployment("n", "nginx")},
             overlays={"dev": "", "prod": """
             images:
               - name: redis
                 newTag: latest
             """})
    rc, doc = lint_json(tmp_path, ".", "--rule", "no-latest-in-prod")
    assert rc == 1
    assert keys(doc) == {("no-latest-in-prod", "overlays/prod/kustomization.yaml", 5, ("prod",)),
                         ("no-latest-in-prod", "base/n.yaml", 18, ("prod",))}   # untagged


def test_no_latest_in_prod_passes_and_require_digest(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment("api", "ghcr.io/acme/api:latest")},
             overlays={"dev": "", "prod": """
             images:
               - name: ghcr.io/acme/api
                 newTag: 2.1.0
             """})
    rc, doc = lint_json(tmp_path, ".", "--rule", "no-latest-in-prod")
    assert (rc, doc["findings"]) == (0, [])      # latest only in dev: fine
    (tmp_path / ".overlay-lint.yaml").write_text(
        "rules:\n  no-latest-in-prod:\n    require-digest: true\n")
    _, doc = lint_json(tmp_path, ".", "--rule", "no-latest-in-prod")
    assert keys(doc) == {("no-latest-in-prod", "overlays/prod/kustomization.yaml", 5, ("prod",))}


# --- overlay-isolation ----------------------------------------------------------------------

def test_overlay_isolation(tmp_path):
    app_tree(tmp_path, overlays={
        "dev": "components:\n  - debug\n",
        "staging": "  - ../dev/extra.yaml\ncomponents:\n  - ../dev/debug\n",
        "prod": ""}, extra={
        "overlays/dev/debug/kustomization.yaml": """
            apiVersion: kustomize.config.k8s.io/v1alpha1
            kind: Component
            patches:
              - path: p.yaml
            """,
        "overlays/dev/debug/p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                     "  name: api\nspec:\n  minReadySeconds: 1\n",
        "overlays/dev/extra.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"})
    rc, doc = lint_json(tmp_path, ".", "--rule", "overlay-isolation")
    # staging's file entry is refused by Kustomize's load restrictor (a render error), but
    # both crossings are still reported from the kustomization file itself
    assert keys(doc) == {
        ("overlay-isolation", "overlays/staging/kustomization.yaml", 3, ("staging",)),
        ("overlay-isolation", "overlays/staging/kustomization.yaml", 5, ("staging",)),
    }
    assert rc == 2 and doc["errors"][0]["env"] == "staging"


def test_overlay_isolation_passes_with_shared_component(tmp_path):
    comp = """
        apiVersion: kustomize.config.k8s.io/v1alpha1
        kind: Component
        commonAnnotations:
          debug: "true"
        """
    app_tree(tmp_path, overlays={"dev": "components:\n  - ../../components/debug\n",
                                 "staging": "components:\n  - ../../components/debug\n"},
             extra={"components/debug/kustomization.yaml": comp})
    rc, doc = lint_json(tmp_path, ".", "--rule", "overlay-isolation")
    assert (rc, doc["findings"]) == (0, [])


# --- secret-key-ref / configmap-key-ref -----------------------------------------------------

def test_secret_key_ref(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": env_ref_deploy("Secret", "api-secrets", "MISSING"),
                             "sealed.yaml": SEALED},
             overlays={"dev": "namespace: dev\n", "prod": "namespace: prod\n"})
    rc, doc = lint_json(tmp_path, ".", "--rule", "secret-key-ref")
    assert rc == 1
    assert keys(doc) == {("secret-key-ref", "base/deploy.yaml", 24, ("dev", "prod"))}


@pytest.mark.parametrize("key", ["TOKEN", "PLAIN_TEMPLATE_KEY"])
def test_secret_key_ref_passes(tmp_path, key):
    app_tree(tmp_path, base={"deploy.yaml": env_ref_deploy("Secret", "api-secrets", key),
                             "sealed.yaml": SEALED})
    rc, doc = lint_json(tmp_path, ".", "--rule", "secret-key-ref")
    assert (rc, doc["findings"]) == (0, [])


def test_secret_key_ref_optional_and_namespace(tmp_path):
    # optional: exempt. A Secret in another namespace does not resolve.
    app_tree(tmp_path, base={
        "deploy.yaml": env_ref_deploy("Secret", "api-secrets", "NOPE", optional=True)
        .replace("name: X", "name: Y") + """            - name: Z
              valueFrom:
                secretKeyRef:
                  name: other
                  key: K
""", "sealed.yaml": SEALED, "other.yaml": """
        apiVersion: bitnami.com/v1alpha1
        kind: SealedSecret
        metadata:
          name: other
          namespace: elsewhere
        spec:
          encryptedData:
            K: AgB
        """}, overlays={"dev": ""})
    _, doc = lint_json(tmp_path, ".", "--rule", "secret-key-ref")
    assert keys(doc) == {("secret-key-ref", "base/deploy.yaml", 29, ("dev",))}   # the name: line
    assert "not rendered" in doc["findings"][0]["message"]


def test_secret_volume_items_and_envfrom(tmp_path):
    dep = deployment() + """          envFrom:
            - secretRef:
                name: api-secrets
      volumes:
        - name: s
          secret:
            secretName: api-secrets
            items:
              - key: TOKEN
                path: t
              - key: ABSENT
                path: a
"""
    app_tree(tmp_path, base={"deploy.yaml": dep, "sealed.yaml": SEALED})
    _, doc = lint_json(tmp_path, ".", "--rule", "secret-key-ref")
    assert keys(doc) == {("secret-key-ref", "base/deploy.yaml", 29, ("dev", "prod"))}


def test_configmap_key_ref_with_generated_configmap(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": env_ref_deploy("ConfigMap", "settings", "COLOR")},
             overlays={"dev": """
             configMapGenerator:
               - name: settings
                 literals:
                   - COLOR=blue
             """, "prod": """
             configMapGenerator:
               - name: settings
                 literals:
                   - SIZE=big
             """})
    rc, doc = lint_json(tmp_path, ".", "--rule", "configmap-key-ref")
    assert rc == 1
    # the generated ConfigMap has a hashed name; the reference was rewritten to it
    assert keys(doc) == {("configmap-key-ref", "base/deploy.yaml", 24, ("prod",))}


def test_missing_object_reported_only_when_env_manages_its_own(tmp_path):
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: own\ndata:\n  A: b\n"
    app_tree(tmp_path, base={"deploy.yaml": env_ref_deploy("ConfigMap", "typo", "A")},
             overlays={"dev": "  - cm.yaml\n", "prod": ""}, extra={"overlays/dev/cm.yaml": cm})
    _, doc = lint_json(tmp_path, ".", "--rule", "configmap-key-ref")
    # dev renders its own ConfigMaps, so a missing one is a mistake; prod renders none
    # (created outside the repository)
    assert keys(doc) == {("configmap-key-ref", "base/deploy.yaml", 23, ("dev",))}
    (tmp_path / ".overlay-lint.yaml").write_text(
        "rules:\n  configmap-key-ref:\n    missing-objects: report\n")
    _, doc = lint_json(tmp_path, ".", "--rule", "configmap-key-ref")
    assert keys(doc) == {("configmap-key-ref", "base/deploy.yaml", 23, ("dev", "prod"))}


# --- no-plain-secrets (declarative) ---------------------------------------------------------

def test_no_plain_secrets(tmp_path):
    secret = "# creds\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  A: Yg==\n"
    tls = "# tls\napiVersion: v1\nkind: Secret\nmetadata:\n  name: t\ntype: kubernetes.io/tls\n" \
        "data:\n  tls.crt: Yg==\n"
    empty = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: e\n"
    app_tree(tmp_path, base={"deploy.yaml": deployment(), "s.yaml": secret, "t.yaml": tls,
                             "e.yaml": empty}, overlays={"dev": """
             secretGenerator:
               - name: gen
                 literals:
                   - PASSWORD=hunter2
             """, "prod": ""})
    rc, doc = lint_json(tmp_path, ".", "--rule", "no-plain-secrets")
    assert rc == 1
    assert keys(doc) == {
        ("no-plain-secrets", "base/s.yaml", 3, ("dev", "prod")),
        ("no-plain-secrets", "base/t.yaml", 3, ("dev", "prod")),
        ("no-plain-secrets", "overlays/dev/kustomization.yaml", 4, ("dev",)),  # generator
    }
    (tmp_path / ".overlay-lint.yaml").write_text(
        "rules:\n  no-plain-secrets:\n    allowed-types: [kubernetes.io/tls]\n")
    _, doc = lint_json(tmp_path, ".", "--rule", "no-plain-secrets")
    assert ("no-plain-secrets", "base/t.yaml", 3, ("dev", "prod")) not in keys(doc)


# --- argocd-self-heal -----------------------------------------------------------------------

APP = """
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {name}
spec:
  source:
    path: overlays/{env}
  syncPolicy:
    automated:
      prune: true{heal}
"""


def test_argocd_self_heal(tmp_path):
    app_tree(tmp_path, extra={
        "argocd/prod.yaml": APP.format(name="p", env="prod", heal="\n      selfHeal: false"),
        "argocd/dev.yaml": APP.format(name="d", env="dev", heal=""),
        "argocd/prod2.yaml": APP.format(name="p2", env="prod", heal=""),
    })
    rc, doc = lint_json(tmp_path, ".", "--rule", "argocd-self-heal")
    assert rc == 1
    assert keys(doc) == {("argocd-self-heal", "argocd/prod.yaml", 11, ("prod",)),
                         ("argocd-self-heal", "argocd/prod2.yaml", 9, ("prod",))}


def test_argocd_self_heal_passes(tmp_path):
    app_tree(tmp_path, extra={
        "argocd/prod.yaml": APP.format(name="p", env="prod", heal="\n      selfHeal: true")})
    rc, doc = lint_json(tmp_path, ".", "--rule", "argocd-self-heal")
    assert (rc, doc["findings"]) == (0, [])


# --- on a copy of the fixture ---------------------------------------------------------------

def test_fixing_the_broken_fixture_clears_each_finding(tmp_path):
    src = need_shared() / "fixtures" / "aether-broken"
    root = tmp_path / "tree"
    shutil.copytree(src, root)
    k = root / "infra/overlays/dev/kustomization.yaml"
    k.write_text(k.read_text().replace("count: 2", "count: 1"))
    p = root / "infra/overlays/prod/kustomization.yaml"
    p.write_text(p.read_text().replace("newTag: dev-3f2a1c9", "newTag: 2.1.0"))
    _, doc = lint_json(root, "infra")
    rules = sorted(f["rule"] for f in doc["findings"])
    assert "dev-replicas" not in rules and rules.count("prod-no-dev-images") == 1
    assert len(rules) == 9


def test_locations_of_json6902_value_and_new_name(tmp_path):
    app_tree(tmp_path, overlays={"dev": "", "prod": """
    images:
      - name: ghcr.io/acme/api
        newName: registry.example.com/acme-dev/api
        newTag: 2.0.0
    patches:
      - target:
          kind: Deployment
          name: api
        patch: |-
          - op: replace
            path: /spec/revisionHistoryLimit
            value: 12
    """})
    _, doc = lint_json(tmp_path, ".", "--rule", "prod-no-dev-images",
                       "--rule", "revision-history-limit")
    assert keys(doc) == {
        # the JSON6902 op's value: line inside the inline patch
        ("revision-history-limit", "overlays/prod/kustomization.yaml", 14, ("prod",)),
        # a dev repository set by newName: the newName: line
        ("prod-no-dev-images", "overlays/prod/kustomization.yaml", 5, ("prod",)),
    }


def test_deleted_file_argument_selects_envs(tmp_path):
    app_tree(tmp_path, overlays={"dev": "", "prod": "  - gone.yaml\n"},
             extra={"overlays/prod/gone.yaml": "apiVersion: v1\nkind: ConfigMap\n"
                                               "metadata:\n  name: g\n"})
    (tmp_path / "overlays/prod/gone.yaml").unlink()   # staged deletion: prod now fails
    rc, doc = lint_json(tmp_path, "overlays/prod/gone.yaml")
    assert doc["envs"] == ["prod"] and rc == 2


# --- false positives seen on real repositories ----------------------------------------------

SERVING_CERT_SVC = """
apiVersion: v1
kind: Service
metadata:
  name: api
  annotations:
    service.beta.openshift.io/serving-cert-secret-name: api-tls
spec:
  ports: [{port: 443}]
"""

TLS_VOLUME = """      volumes:
        - name: tls
          secret:
            secretName: api-tls
            items:
              - key: {key}
                path: tls.crt
"""


@pytest.mark.parametrize("key, found", [("tls.crt", False), ("ca.crt", True)])
def test_secret_producers_openshift_serving_cert(tmp_path, key, found):
    deploy = deployment() + TLS_VOLUME.format(key=key)
    app_tree(tmp_path, base={"deploy.yaml": deploy, "svc.yaml": SERVING_CERT_SVC,
                             "sealed.yaml": SEALED})
    rc, doc = lint_json(tmp_path, ".", "--select", "secret-key-ref")
    assert bool(doc["findings"]) is found, doc["findings"]
    if found:   # the serving certificate has tls.crt and tls.key only
        assert "Service api" in doc["findings"][0]["message"]


def test_secret_producers_are_configurable(tmp_path):
    deploy = env_ref_deploy("Secret", "db-creds", "PASSWORD")
    crd = ("apiVersion: acme.io/v1\nkind: VaultSecret\nmetadata:\n  name: db\n"
           "spec:\n  target:\n    secretName: db-creds\n")
    app_tree(tmp_path, base={"deploy.yaml": deploy, "vault.yaml": crd, "sealed.yaml": SEALED})
    rc, doc = lint_json(tmp_path, ".", "--select", "secret-key-ref")
    assert ["'db-creds'" in f["message"] and "not rendered" in f["message"]
            for f in doc["findings"]] == [True]
    (tmp_path / ".overlay-lint.yaml").write_text(
        "rules:\n  secret-key-ref:\n    producers:\n      - kind: VaultSecret\n"
        "        apiVersion: acme.io/*\n        name: spec.target.secretName\n")
    rc, doc = lint_json(tmp_path, ".", "--select", "secret-key-ref")
    assert (rc, doc["findings"]) == (0, [])
    (tmp_path / ".overlay-lint.yaml").write_text(
        "rules:\n  secret-key-ref:\n    producers:\n      - kind: VaultSecret\n"
        "        path: x\n")
    rc, doc = lint_json(tmp_path, ".", "--select", "secret-key-ref")
    assert rc == 2 and "producers[0] unknown key 'path'" in doc["errors"][0]["message"]


@pytest.mark.parametrize("data, flagged", [
    ("data:\n  A: Yg==\n", True),
    ("stringData:\n  A: ''\n  B: hunter2\n", True),
    ("stringData:\n  A: ''\n  B:\n", False),                       # all empty: a placeholder
    ("data:\n  A: ENC[AES256_GCM,data:abc=,iv:x,tag:y,type:str]\n", False),
    ("data:\n  A: Yg==\nsops:\n  age: []\n  version: 3.8.1\n", False),   # a SOPS file
])
def test_no_plain_secrets_skips_sops_and_empty(tmp_path, data, flagged):
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n" + data
    app_tree(tmp_path, base={"deploy.yaml": deployment(), "s.yaml": secret})
    rc, doc = lint_json(tmp_path, ".", "--select", "no-plain-secrets")
    assert bool(doc["findings"]) is flagged


HPA = """
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: api
  minReplicas: {min}
  maxReplicas: 5
"""


def test_dev_replicas_scale_to_zero_and_autoscalers(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment(replicas=3)
                             + "---\n" + deployment("worker", replicas=3)},
             overlays={"dev": "replicas:\n  - name: worker\n    count: 0\n",
                       "prod": ""},
             extra={"overlays/dev/hpa.yaml": HPA.format(min=2)})
    p = tmp_path / "overlays/dev/kustomization.yaml"
    p.write_text(p.read_text().replace("  - ../../base\n", "  - ../../base\n  - hpa.yaml\n"))
    rc, doc = lint_json(tmp_path, ".", "--select", "dev-replicas")
    # worker scaled to 0: fine; api is the HPA's: its minReplicas is what counts
    assert [(f["file"], f["line"], f["message"]) for f in doc["findings"]] == [
        ("overlays/dev/hpa.yaml", 10, "HorizontalPodAutoscaler api keeps at least 2 replicas "
                                      "of api in a dev env; set minReplicas to 1")]
    (tmp_path / "overlays/dev/hpa.yaml").write_text(HPA.format(min=1))
    assert lint_json(tmp_path, ".", "--select", "dev-replicas")[1]["findings"] == []
    (tmp_path / ".overlay-lint.yaml").write_text(
        "rules:\n  dev-replicas:\n    allow-zero: false\n")
    _, doc = lint_json(tmp_path, ".", "--select", "dev-replicas")
    assert [f["line"] for f in doc["findings"]] == [6]      # worker's count: 0


def test_kubectl_patch_fragments_are_not_manifests(tmp_path):
    fragment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
                "  template:\n    spec:\n      containers:\n        - name: api\n"
                "          resources:\n            limits: {cpu: '2'}\n")
    smp = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
           "  selector: {matchLabels: {app: api}}\n  template:\n    spec:\n      containers:\n"
           "        - name: sidecar\n          image: x:1\n          $patch: delete\n")
    real = deployment("loose").replace("  revisionHistoryLimit: 3\n", "")
    app_tree(tmp_path, extra={"scripts/scale-up.yaml": fragment, "scripts/smp.yaml": smp,
                              "scripts/real.yaml": real})
    _, doc = lint_json(tmp_path, ".", "--select", "revision-history-limit")
    assert [f["file"] for f in doc["findings"]] == ["scripts/real.yaml"]


def test_patch_files_of_a_broken_kustomization_are_not_loose(tmp_path):
    patch = deployment().replace("  revisionHistoryLimit: 3\n", "")
    app_tree(tmp_path, overlays={"dev": "", "prod": "patches:\n  - path: p.yaml\n  - [\n"},
             extra={"overlays/prod/p.yaml": patch})
    rc, doc = lint_json(tmp_path, ".", "--select", "revision-history-limit")
    assert rc == 2 and [e["file"] for e in doc["errors"]] == ["overlays/prod/kustomization.yaml"]
    assert doc["findings"] == []
