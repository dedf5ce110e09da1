"""Rule ``env-parity``: envs that must match differ only where the config allows it."""
from __future__ import annotations

import json
from pathlib import Path

from lint_support import run, write_tree

AETHER_ALLOW = """\
rules:
  env-parity:
    envs: [staging, prod]
    allow:
      - spec.replicas
      - "**.containers[*].image:tag"
      - "**.resources"
      - "Ingress:spec.rules[*].host"
      - "Ingress:spec.tls"
      - '**.labels["aether.io/environment"]'
      - '**.annotations["aether.io/*"]'
      - "ConfigMap/app-env:data"
"""


def _findings(cwd: Path, *args: str) -> tuple[int, list[tuple], str]:
    rc, out, err = run([*args, "--format", "json"], cwd)
    doc = json.loads(out)
    return rc, [(f["file"], f["line"], f["envs"], f["message"]) for f in doc["findings"]], err


def test_no_config_no_findings(shared):
    rc, found, err = _findings(shared / "fixtures/aether-clean", "infra", "--rule",
                               "env-parity")
    assert (rc, found) == (0, []), err


def test_aether_staging_and_prod(shared, tmp_path):
    cfg = tmp_path / "parity.yaml"
    cfg.write_text(AETHER_ALLOW)
    rc, found, err = _findings(shared / "fixtures/aether-clean", "infra", "--config", str(cfg),
                               "--rule", "env-parity")
    assert rc == 1, err
    s, k = "infra/overlays/staging/", "infra/overlays/prod/"
    assert [(f, line) for f, line, _, _ in found] == [
        (f"{k}kustomization.yaml", 55),           # minio from another registry: not a tag
        (f"{k}pdb.yaml", 2),                       # PodDisruptionBudgets only prod has
        (f"{k}pdb.yaml", 16),
        (f"{s}patches/gateway.yaml", 8),           # minReadySeconds only staging sets
        (f"{s}patches/gateway.yaml", 14),          # an env var only staging has
        (f"{s}smoke-tests/cronjob.yaml", 1),       # staging's smoke tests
        (f"{s}smoke-tests/kustomization.yaml", 9),
    ]
    assert all(envs == ["staging", "prod"] for _, _, envs, _ in found)
    by_line = {(f, line): m for f, line, _, m in found}
    assert by_line[(f"{s}patches/gateway.yaml", 8)] == (
        "Deployment gateway spec.minReadySeconds differs: 10 in staging, (absent) in prod; "
        "staging and prod must match (env-parity): set the same value or allow the path")
    assert by_line[(f"{k}pdb.yaml", 2)].endswith(
        "render it in both or allow 'PodDisruptionBudget/gateway:'")
    # allowing them (a kind, a kind/name glob, a path) leaves only the other image
    cfg.write_text(AETHER_ALLOW + "      - 'PodDisruptionBudget:'\n"
                                  "      - 'CronJob/smoke-*:'\n      - 'ConfigMap/smoke-*:'\n"
                                  "      - spec.minReadySeconds\n"
                                  "      - 'Deployment/gateway:**.env'\n")
    rc, found, _ = _findings(shared / "fixtures/aether-clean", "infra", "--config", str(cfg),
                             "--rule", "env-parity")
    assert [(f, line) for f, line, _, _ in found] == [(f"{k}kustomization.yaml", 55)]


def _app(tmp: Path, prod_extra: str = "", staging_extra: str = "",
         config: str = "") -> Path:
    deploy = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 1
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app: api
  template:
    metadata:
      labels:
        app: api
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0.0
          env:
            - name: MODE
              value: normal
"""
    (tmp / ".git").mkdir(parents=True, exist_ok=True)
    return write_tree(tmp, {
        "base/kustomization.yaml": "resources:\n  - deploy.yaml\nconfigMapGenerator:\n"
                                   "  - name: cfg\n    literals:\n      - A=1\n",
        "base/deploy.yaml": deploy,
        "overlays/staging/kustomization.yaml": "namespace: shop-staging\nnamePrefix: stg-\n"
                                               "resources:\n  - ../../base\n" + staging_extra,
        "overlays/prod/kustomization.yaml": "namespace: shop-prod\nresources:\n"
                                            "  - ../../base\n" + prod_extra,
        ".overlay-lint.yaml": config or "rules:\n  env-parity:\n    envs: [staging, prod]\n"
                                        "    allow: ['**.image:tag', spec.replicas]\n",
    })


def test_names_namespaces_and_hashes_are_never_findings(tmp_path):
    root = _app(tmp_path, prod_extra="configMapGenerator:\n  - name: cfg\n    behavior: merge\n"
                                     "    literals:\n      - B=2\n"
                                     "images:\n  - name: ghcr.io/acme/api\n    newTag: 1.1.0\n"
                                     "replicas:\n  - name: api\n    count: 3\n")
    rc, found, err = _findings(root, ".", "--rule", "env-parity")
    # prefix, namespace, hash suffix and the reference to the hashed name: no finding;
    # the new tag and the replicas are allowed; the generator's new literal is not
    assert rc == 1, err
    assert [(f, line) for f, line, _, _ in found] == [("overlays/prod/kustomization.yaml", 8)]
    assert found[0][3].startswith('ConfigMap cfg data.B differs: (absent) in staging, "2" in prod')


def test_tag_only_means_the_same_image(tmp_path):
    root = _app(tmp_path, prod_extra="images:\n  - name: ghcr.io/acme/api\n"
                                     "    newName: docker.io/acme/api\n    newTag: 1.1.0\n")
    rc, found, _ = _findings(root, ".", "--rule", "env-parity")
    assert [(f, line) for f, line, _, _ in found] == [("overlays/prod/kustomization.yaml", 6)]
    assert "image differs: ghcr.io/acme/api:1.0.0 in staging, docker.io/acme/api:1.1.0" \
        in found[0][3]


def test_one_line_many_differences_is_one_finding(tmp_path):
    root = _app(tmp_path, prod_extra="commonAnnotations:\n  team: core\n")
    rc, found, _ = _findings(root, ".", "--rule", "env-parity")
    assert [(f, line) for f, line, _, _ in found] == [("overlays/prod/kustomization.yaml", 5)]
    assert found[0][3].endswith("(and 2 more differences from this line)")


def test_glob_envs_and_reference(tmp_path):
    cfg = ("rules:\n  env-parity:\n    envs: ['staging', 'prod*']\n")
    root = _app(tmp_path, config=cfg)
    write_tree(root, {"overlays/prod-eu/kustomization.yaml":
                      "namespace: shop-prod-eu\nresources:\n  - ../../base\n"
                      "patches:\n  - patch: |-\n      - op: replace\n"
                      "        path: /spec/template/spec/containers/0/env/0/value\n"
                      "        value: degraded\n    target:\n      kind: Deployment\n"})
    rc, found, _ = _findings(root, ".", "--rule", "env-parity")
    assert [(f, line, envs) for f, line, envs, _ in found] == [
        ("overlays/prod-eu/kustomization.yaml", 8, ["staging", "prod-eu"])]


def test_bad_allow_entry_is_a_located_error(tmp_path):
    root = _app(tmp_path, config="rules:\n  env-parity:\n    envs: [staging, prod]\n"
                                 "    allow:\n      - spec.replicas\n      - 'spec.x[\"a'\n")
    rc, out, err = run([".", "--rule", "env-parity"], root)
    assert rc == 2
    assert err.startswith(".overlay-lint.yaml:6: error: rule 'env-parity': bad 'allow' entry "
                          "'spec.x[\"a'")     # input errors are on stderr


def test_a_name_matching_no_env_is_a_finding_at_its_line(tmp_path):
    root = _app(tmp_path, config="rules:\n  env-parity:\n    envs:\n      - staging\n"
                                 "      - production\n")
    rc, found, _ = _findings(root, ".", "--rule", "env-parity")
    assert rc == 1
    assert [(f, line, m) for f, line, _, m in found] == [
        (".overlay-lint.yaml", 5, "env-parity names 'production', which matches no env, so "
                                  "nothing is compared with it; the envs are staging, prod "
                                  "(`overlay-lint envs`)")]


def test_envs_of_different_groups_are_compared_when_named(tmp_path):
    (tmp_path / ".git").mkdir()
    pod = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n"
           "  MODE: {mode}\n")
    write_tree(tmp_path, {
        "blue/base/kustomization.yaml": "resources: [cm.yaml]\n",
        "blue/base/cm.yaml": pod.format(mode="a"),
        "blue/overlays/staging/kustomization.yaml": "resources: [../../base]\n",
        "green/base/kustomization.yaml": "resources: [cm.yaml]\n",
        "green/base/cm.yaml": pod.format(mode="b"),
        "green/overlays/prod/kustomization.yaml": "resources: [../../base]\n",
        ".overlay-lint.yaml": "rules:\n  env-parity:\n    envs: [staging, prod]\n",
    })
    rc, found, _ = _findings(tmp_path, ".", "--rule", "env-parity")
    assert [(f, line) for f, line, _, _ in found] == [("green/base/cm.yaml", 6)]
    assert found[0][3].startswith("ConfigMap settings data.MODE differs: a in staging, b in prod")
