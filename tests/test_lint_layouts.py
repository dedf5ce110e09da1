"""Discovery on the layouts teams use: envs, names, roles, groups, and `overlay-lint envs`.

Each test writes a small tree of its own in the shape of a real-world layout (no public
repository is copied) and checks what discovery makes of it, zero config.
"""
from __future__ import annotations

import json
import os

import pytest

from lint_support import deployment, lint_json, run, write_tree

KUST = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"


def envs_json(root, *args) -> list[dict]:
    rc, out, err = run(["envs", *args, "--format", "json"], root)
    assert rc == 0, err
    return json.loads(out)


def by_name(rows: list[dict], kind: str = "env") -> dict[str, dict]:
    return {r["name"]: r for r in rows if r["kind"] == kind}


def summary(rows: list[dict]) -> dict[str, tuple]:
    """``name -> (path, role, group, signal)`` of the envs."""
    return {r["name"]: (r["path"], r["role"], r["group"], r["signal"]) for r in rows
            if r["kind"] == "env"}


def test_deploy_overlays_layout(tmp_path):
    files = {"deploy/base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
             "deploy/base/d.yaml": deployment()}
    for env in ("dev", "staging", "production"):
        files[f"deploy/overlays/{env}/kustomization.yaml"] = KUST + "resources: [../../base]\n"
    write_tree(tmp_path, files)
    rows = envs_json(tmp_path)
    assert summary(rows) == {
        "dev": ("deploy/overlays/dev", "dev", "deploy/base", "overlays"),
        "staging": ("deploy/overlays/staging", None, "deploy/base", "overlays"),
        "production": ("deploy/overlays/production", "protected", "deploy/base", "overlays"),
    }
    assert by_name(rows, "base")["deploy/base"]["checked"] is False


def test_envs_folder_with_variant_components_and_yml_files(tmp_path):
    envs = ["qa", "integration-gpu", "load-non-gpu", "staging-us", "staging-eu", "prod-us",
            "prod-eu", "prod-asia", "dev-local", "sandbox", "eu-prod"]
    files = {"base/kustomization.yml": KUST + "resources: [deployment.yml]\n",
             "base/deployment.yml": deployment("inference")}
    for v in ("gpu", "non-gpu", "us", "eu"):
        files[f"variants/{v}/kustomization.yml"] = COMPONENT + "commonLabels:\n  v: x\n"
    for e in envs:
        variant = "gpu" if "gpu" in e and "non" not in e else "non-gpu"
        files[f"envs/{e}/kustomization.yml"] = (
            KUST + "resources: [../../base]\ncomponents:\n"
            f"  - ../../variants/{variant}\n")
    write_tree(tmp_path, files)
    rows = envs_json(tmp_path)
    got = summary(rows)
    assert set(got) == set(envs)                       # 11 envs, none called "base"
    assert {n: r[1] for n, r in got.items()} == {
        "qa": None, "integration-gpu": None, "load-non-gpu": None, "staging-us": None,
        "staging-eu": None, "prod-us": "protected", "prod-eu": "protected",
        "prod-asia": "protected", "eu-prod": "protected", "dev-local": "dev",
        "sandbox": "dev"}
    assert {r[2] for r in got.values()} == {"base"}    # one app
    assert {r[3] for r in got.values()} == {"root"}
    comps = by_name(rows, "component")
    assert set(comps) == {"variants/gpu", "variants/non-gpu", "variants/us", "variants/eu"}
    assert not any(r["kind"] == "env" and r["path"].startswith("variants/") for r in rows)

    # the lint itself: protected rules run in the prod envs
    write_tree(tmp_path, {"base/deployment.yml": deployment("inference", "ghcr.io/a/inf")})
    rc, doc = lint_json(tmp_path, ".", "--rule", "no-latest-in-prod")
    assert [f["envs"] for f in doc["findings"]] == [
        ["eu-prod", "prod-asia", "prod-eu", "prod-us"]]


FLUX_KS = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 10m
  path: {path}
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
"""


def test_flux_clusters_and_tenants(tmp_path):
    files = {
        "tenants/base/team-a/kustomization.yaml": KUST + "resources: [rbac.yaml]\n",
        "tenants/base/team-a/rbac.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n"
                                         "  name: team-a\n",
        "apps/base/podinfo/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "apps/base/podinfo/d.yaml": deployment("podinfo"),
        "infrastructure/controllers/kustomization.yaml": KUST + "resources: [ns.yaml]\n",
        "infrastructure/controllers/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n"
                                              "  name: infra\n",
    }
    for cluster in ("staging", "production"):
        files[f"tenants/{cluster}/kustomization.yaml"] = KUST + "resources: [../base/team-a]\n"
        # an app overlay that only Flux names (it builds on nothing local)
        files[f"apps/{cluster}/kustomization.yaml"] = KUST + "resources: [podinfo.yaml]\n"
        files[f"apps/{cluster}/podinfo.yaml"] = deployment("podinfo-" + cluster)
        files[f"clusters/{cluster}/apps.yaml"] = FLUX_KS.format(name="apps",
                                                                path=f"./apps/{cluster}")
        files[f"clusters/{cluster}/tenants.yaml"] = FLUX_KS.format(name="tenants",
                                                                   path=f"./tenants/{cluster}")
        files[f"clusters/{cluster}/infra.yaml"] = FLUX_KS.format(
            name="infra", path="./infrastructure/controllers")
    write_tree(tmp_path, files)
    rows = envs_json(tmp_path)
    got = summary(rows)
    assert got == {
        "apps/staging": ("apps/staging", None, "apps/staging", "flux"),
        "apps/production": ("apps/production", "protected", "apps/production", "flux"),
        "tenants/staging": ("tenants/staging", None, "tenants/base/team-a", "flux"),
        "tenants/production": ("tenants/production", "protected", "tenants/base/team-a",
                               "flux"),
        # its path names no tier; clusters/production deploys it: protected
        "controllers": ("infrastructure/controllers", "protected",
                        "infrastructure/controllers", "flux"),
    }
    why = by_name(rows)["apps/production"]["why"]
    assert why == "deployed by Flux Kustomization apps (clusters/production/apps.yaml:8)"
    # the Flux manifests themselves are checked as they stand
    assert {r["path"] for r in rows if r["kind"] == "standalone"} == {
        f"clusters/{c}/{f}.yaml" for c in ("staging", "production")
        for f in ("apps", "tenants", "infra")}


APPSET_LIST = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: {app}
spec:
  generators:
    - list:
        elements:
          - cluster: stone-prod-p01
            tier: production
          - cluster: stone-prod-p02
            tier: production
          - cluster: stone-stg-rh01
            tier: staging
  template:
    metadata:
      name: '{app}-{{{{cluster}}}}'
    spec:
      project: default
      source:
        repoURL: https://github.com/example/infra
        path: components/{app}/{{{{tier}}}}/{{{{cluster}}}}
      destination:
        server: https://kubernetes.default.svc
"""

APPSET_GIT = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: dev-clusters
spec:
  goTemplate: true
  generators:
    - git:
        repoURL: https://github.com/example/infra
        revision: HEAD
        directories:
          - path: components/*/development/*
          - path: components/billing/development/excluded
            exclude: true
  template:
    metadata:
      name: '{{.path.basename}}'
    spec:
      source:
        repoURL: https://github.com/example/infra
        path: '{{.path.path}}'
"""

APPLICATION = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: billing-legacy
spec:
  source:
    repoURL: https://github.com/example/infra
    path: legacy/billing
  syncPolicy:
    automated:
      selfHeal: true
"""


def test_argocd_monorepo_with_applicationsets(tmp_path):
    files = {"argocd/billing.yaml": APPSET_LIST.format(app="billing"),
             "argocd/search.yaml": APPSET_LIST.format(app="search"),
             "argocd/dev.yaml": APPSET_GIT,
             "argocd/legacy.yaml": APPLICATION,
             "legacy/billing/kustomization.yaml": KUST + "resources: [d.yaml]\n",
             "legacy/billing/d.yaml": deployment("legacy")}
    for app in ("billing", "search"):
        files[f"components/{app}/base/kustomization.yaml"] = KUST + "resources: [d.yaml]\n"
        files[f"components/{app}/base/d.yaml"] = deployment(app)
        for tier, clusters in (("development", ["stone-dev-01", "excluded"]),
                               ("staging", ["stone-stg-rh01"]),
                               ("production", ["stone-prod-p01", "stone-prod-p02"])):
            for c in clusters:
                files[f"components/{app}/{tier}/{c}/kustomization.yaml"] = \
                    KUST + "resources: [../../base]\n"
    write_tree(tmp_path, files)
    rows = envs_json(tmp_path)
    got = summary(rows)
    assert got == {
        "billing/development/stone-dev-01": (
            "components/billing/development/stone-dev-01", "dev", "components/billing/base",
            "argocd"),
        # excluded from the git generator, still a kustomization root on a local base
        "billing/development/excluded": (
            "components/billing/development/excluded", "dev", "components/billing/base",
            "root"),
        "billing/staging/stone-stg-rh01": (
            "components/billing/staging/stone-stg-rh01", None, "components/billing/base",
            "argocd"),
        "billing/production/stone-prod-p01": (
            "components/billing/production/stone-prod-p01", "protected",
            "components/billing/base", "argocd"),
        "billing/production/stone-prod-p02": (
            "components/billing/production/stone-prod-p02", "protected",
            "components/billing/base", "argocd"),
        "search/development/stone-dev-01": (
            "components/search/development/stone-dev-01", "dev", "components/search/base",
            "argocd"),
        "search/development/excluded": (
            "components/search/development/excluded", "dev", "components/search/base",
            "argocd"),
        "search/staging/stone-stg-rh01": (
            "components/search/staging/stone-stg-rh01", None, "components/search/base",
            "argocd"),
        "search/production/stone-prod-p01": (
            "components/search/production/stone-prod-p01", "protected",
            "components/search/base", "argocd"),
        "search/production/stone-prod-p02": (
            "components/search/production/stone-prod-p02", "protected",
            "components/search/base", "argocd"),
        "billing": ("legacy/billing", None, "legacy/billing", "argocd"),
    }
    assert by_name(rows)["search/production/stone-prod-p01"]["why"] == \
        "deployed by Argo CD ApplicationSet search (argocd/search.yaml:22)"


def test_several_apps_each_with_overlays(tmp_path):
    files = {}
    for app in ("shop", "payments"):
        files[f"{app}/base/kustomization.yaml"] = KUST + "resources: [d.yaml]\n"
        files[f"{app}/base/d.yaml"] = deployment(app)
        for env in ("dev", "prod"):
            files[f"{app}/overlays/{env}/kustomization.yaml"] = KUST + "resources: [../../base]\n"
    files["shop/overlays/prod-eu/kustomization.yaml"] = KUST + "resources: [../prod]\n"
    # an app built on another app's env is another app
    files["bundle/overlays/default/kustomization.yaml"] = \
        KUST + "resources: [../../../payments/overlays/prod]\n"
    write_tree(tmp_path, files)
    got = summary(envs_json(tmp_path))
    assert got == {
        "shop/dev": ("shop/overlays/dev", "dev", "shop/base", "overlays"),
        "shop/prod": ("shop/overlays/prod", "protected", "shop/base", "overlays"),
        "prod-eu": ("shop/overlays/prod-eu", "protected", "shop/base", "overlays"),
        "payments/dev": ("payments/overlays/dev", "dev", "payments/base", "overlays"),
        "payments/prod": ("payments/overlays/prod", "protected", "payments/base", "overlays"),
        "default": ("bundle/overlays/default", None, "payments/overlays/prod", "overlays"),
    }


def test_cross_env_rules_compare_envs_of_one_group_only(tmp_path):
    files = {}
    for app in ("shop", "payments"):
        files[f"{app}/base/kustomization.yaml"] = KUST + "resources: [d.yaml]\n"
        files[f"{app}/base/d.yaml"] = deployment(app)
    for app, envs in (("shop", ("dev", "prod-us")), ("payments", ("dev", "prod-us"))):
        for env in envs:
            files[f"{app}/{env}/kustomization.yaml"] = KUST + "resources: [../base]\n"
    files["shop/prod-us/kustomization.yaml"] = KUST + "resources: [../base, worker.yaml]\n"
    files["shop/prod-us/worker.yaml"] = deployment("worker")
    write_tree(tmp_path, files)
    _, doc = lint_json(tmp_path, ".", "--rule", "expected-workloads")
    # only shop's envs are compared with each other: payments has no worker, and that is fine
    assert [(f["file"], f["envs"]) for f in doc["findings"]] == [
        ("shop/prod-us/worker.yaml", ["shop/prod-us"])]
    assert "not in shop/dev" in doc["findings"][0]["message"]


def test_names_are_unique_and_readable():
    from overlay_lint.lint.envnames import unique_names
    assert unique_names(["a/overlays/prod", "b/overlays/prod", "c/overlays/dev"]) == \
        ["a/prod", "b/prod", "dev"]
    assert unique_names(["x/overlays/prod", "x/envs/prod"]) == \
        ["x/overlays/prod", "x/envs/prod"]
    assert unique_names(["k/production/p01", "m/production/p01", "m/staging/s01"]) == \
        ["k/production/p01", "m/production/p01", "s01"]
    assert unique_names(["."], "repo") == ["repo"]


@pytest.mark.parametrize("path, role", [
    ("overlays/prod", "protected"), ("envs/prod-us", "protected"), ("eu-prod", "protected"),
    ("production-eu", "protected"), ("clusters/prd-01", "protected"), ("live", "protected"),
    ("components/x/production/stone-p01", "protected"), ("x/stone-prod-p01", "protected"),
    ("overlays/dev", "dev"), ("envs/development", "dev"), ("local", "dev"),
    ("sandbox-eu", "dev"), ("us-dev", "dev"), ("components/x/development/c1", "dev"),
    ("envs/staging", "none"), ("envs/non-prod", "none"), ("envs/pre-prod", "none"),
    ("envs/preprod", "none"), ("prod-tools/overlays/staging", "none"),
    ("prod-tools/overlays/default", "none"), ("apps/product-catalog", "none"),
    ("production/app/overlays/qa", "none"), ("envs/integration-gpu", "none"),
    # `local` names a tier as a whole folder name only: these are tools and clusters
    ("apps/kube-system/local-path-provisioner/app", "none"),
    ("namespaces/openshift-local-storage", "none"), ("clusters/local.hub/acs", "none"),
    ("overlays/local-dev", "dev"), ("envs/local/eu", "dev"),
    # a tier folder holding the overlays of several apps: its whole name decides
    ("groups/prod/overlays/vault-operator", "protected"),
    ("environments/dev/overlays/api", "dev"), ("groups/non-prod/overlays/vault", "none"),
    ("groups/staging/overlays/prod-mirror", "protected"), ("apps/overlays/api", "none"),
])
def test_roles_from_path_segments(path, role):
    from overlay_lint.lint.envnames import RoleMatcher
    assert RoleMatcher().role(path) == role


def test_configured_globs_roles_and_groups(tmp_path):
    files = {".overlay-lint.yaml": (
        "envs:\n"
        "  - path: regions/*/live-*\n"
        "    group: regions\n"
        "  - path: regions/eu/canary\n"
        "    name: eu-canary\n"
        "    role: protected\n"
        "roles:\n"
        "  protected: ['live-*']\n")}
    for region in ("eu", "us"):
        files[f"regions/{region}/base/kustomization.yaml"] = KUST + "resources: [d.yaml]\n"
        files[f"regions/{region}/base/d.yaml"] = deployment()
        files[f"regions/{region}/live-a/kustomization.yaml"] = KUST + "resources: [../base]\n"
    files["regions/eu/canary/kustomization.yaml"] = KUST + "resources: [../base]\n"
    write_tree(tmp_path, files)
    got = summary(envs_json(tmp_path))
    assert got == {
        "eu/live-a": ("regions/eu/live-a", "protected", "regions", "config"),
        "us/live-a": ("regions/us/live-a", "protected", "regions", "config"),
        "eu-canary": ("regions/eu/canary", "protected", "regions/eu/base", "config"),
    }


@pytest.mark.parametrize("config, msg", [
    ("envs:\n  - path: nowhere/*\n", "env path 'nowhere/*' matches no kustomization directory"),
    ("envs:\n  - path: 'c/*'\n", "'c/x' is a Component"),
    ("envs:\n  - path: 'a/*'\n    name: x\n", "cannot take one name"),
    ("envs:\n  - path: '../*'\n", "must stay inside the folder of the config file"),
])
def test_configured_env_globs_errors(tmp_path, config, msg):
    write_tree(tmp_path, {".overlay-lint.yaml": config,
                          "a/b/kustomization.yaml": KUST + "resources: []\n",
                          "c/x/kustomization.yaml": COMPONENT})
    rc, _, err = run(["envs"], tmp_path)
    line = 3 if "name: x" in config else 2
    assert rc == 2 and err.startswith(f".overlay-lint.yaml:{line}: ") and msg in err, err


def test_envs_text_output(tmp_path):
    files = {"base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
             "base/d.yaml": deployment(),
             "app.yaml": APPLICATION.replace("legacy/billing", "overlays/prod")}
    for env in ("dev", "prod"):
        files[f"overlays/{env}/kustomization.yaml"] = KUST + "resources: [../../base]\n"
    write_tree(tmp_path, files)
    rc, out, err = run(["envs"], tmp_path)
    assert rc == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "ROLE", "GROUP", "PATH", "WHY"]
    assert lines[1].split()[:5] == ["dev", "env", "dev", "base", "overlays/dev"]
    assert lines[1].endswith("a kustomization directly under an overlays/ folder")
    assert lines[2].split()[:5] == ["prod", "env", "protected", "base", "overlays/prod"]
    assert lines[2].endswith("deployed by Argo CD Application billing-legacy (app.yaml:8)")
    assert lines[3].split()[:5] == ["base", "base", "-", "-", "base"]
    assert lines[4].split()[:5] == ["app.yaml", "standalone", "-", "-", "app.yaml"]
    assert lines[-1] == ("2 envs in 1 group; protected: prod; dev: dev; 0 bases checked alone; "
                         "0 components; 1 loose manifest")


def test_envs_warns_when_nothing_is_protected(tmp_path):
    write_tree(tmp_path, {"base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
                          "base/d.yaml": deployment(),
                          "overlays/qa/kustomization.yaml": KUST + "resources: [../../base]\n"})
    rc, out, err = run(["envs"], tmp_path)
    assert rc == 0 and "warning: no env is protected" in err
    (tmp_path / "overlays/qa/kustomization.yaml").unlink()
    rc, out, err = run(["envs"], tmp_path)
    assert rc == 0 and "warning: no env found" in err


def test_deep_tree_is_walked_without_recursion(tmp_path):
    p = str(tmp_path / "deep")
    os.mkdir(p)
    for _ in range(1500):   # os.walk recursed once per level and crashed here
        p = os.path.join(p, "d")
        os.mkdir(p)
    with open(os.path.join(p, "kustomization.yaml"), "w") as fh:
        fh.write(KUST + "resources: []\n")
    try:
        rc, out, err = run(["envs", "--format", "json"], tmp_path)
        assert rc == 0
        assert [r["kind"] for r in json.loads(out)] == ["base"]
    finally:   # shutil.rmtree (pytest's clean-up) recurses once per level too
        os.remove(os.path.join(p, "kustomization.yaml"))
        while p != str(tmp_path):
            os.rmdir(p)
            p = os.path.dirname(p)


def test_unreadable_folder_is_a_visible_warning(tmp_path, monkeypatch):
    from overlay_lint.lint import discovery
    write_tree(tmp_path, {"ok/kustomization.yaml": KUST + "resources: []\n",
                          "locked/kustomization.yaml": KUST + "resources: []\n"})
    locked = tmp_path / "locked"
    os.chmod(locked, 0)
    if os.access(locked, os.R_OK):     # root reads anything: refuse it the way a
        real = os.scandir              # permission error would
        def scandir(path):
            if os.path.abspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)
        monkeypatch.setattr(discovery.os, "scandir", scandir)
    try:
        rc, out, err = run(["envs"], tmp_path)
        assert rc == 0
        assert "warning: locked: cannot read this folder (Permission denied); what it holds " \
               "was not checked" in err
    finally:
        os.chmod(locked, 0o755)


def test_yaml_that_kubectl_reads_is_read(tmp_path):
    """libyaml 0.1.7 (ruamel.yaml.clib) refuses `[--bind=:8081]`; go-yaml reads it."""
    from conftest import kubectl_kustomize
    dep = deployment("proxy").replace("          image: ghcr.io/acme/api:1.0.0\n",
                                      "          image: ghcr.io/acme/proxy:latest\n"
                                      "          args: [--bind=:8081, --upstream=http://a:80]\n")
    write_tree(tmp_path, {"base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
                          "base/d.yaml": dep,
                          "overlays/prod/kustomization.yaml": KUST + "resources: [../../base]\n"})
    rc, doc = lint_json(tmp_path, ".", "--rule", "no-latest-in-prod")
    assert doc["errors"] == []
    assert [(f["file"], f["line"], f["envs"]) for f in doc["findings"]] == [
        ("base/d.yaml", 18, ["prod"])]
    rc, out, err = run(["render", "overlays/prod"], tmp_path)
    assert rc == 0 and "- --bind=:8081\n" in out
    krc, kout, _ = kubectl_kustomize(tmp_path / "overlays/prod")
    if krc == 0:
        import yaml
        assert yaml.safe_load(out) == yaml.safe_load(kout)


@pytest.mark.parametrize("text, line", [
    ("x: [a:b, :c]\n", 1),          # go-yaml refuses a plain scalar starting with ':' too
    ("x: [a:b]\ny: [\n", 3),        # broken elsewhere: the error says where
])
def test_yaml_fallback_keeps_go_yaml_errors(tmp_path, text, line):
    from overlay_lint.core.errors import OverlayLintError
    from overlay_lint.core.yaml_reader import parse_documents
    with pytest.raises(OverlayLintError) as exc:
        parse_documents(text, "f.yaml")
    assert exc.value.line == line


# --- what was checked: skipped envs, protected envs, warnings ---------------------------------

def _helm_tree(tmp_path):
    files = {"base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
             "base/d.yaml": deployment("api", "ghcr.io/acme/api:latest")}
    for env in ("dev", "staging", "prod"):
        files[f"overlays/{env}/kustomization.yaml"] = KUST + "resources: [../../base]\n"
    files["overlays/staging/kustomization.yaml"] += (
        "helmCharts:\n  - name: redis\n    repo: https://charts.example.com\n")
    return write_tree(tmp_path, files)


def test_unsupported_env_is_an_error_by_default(tmp_path):
    _helm_tree(tmp_path)
    rc, doc = lint_json(tmp_path, ".")
    assert rc == 2
    assert [(e["file"], e["line"], e["env"]) for e in doc["errors"]] == [
        ("overlays/staging/kustomization.yaml", 4, "staging")]
    assert doc["skipped"] == []


@pytest.mark.parametrize("how", ["flag", "config"])
def test_unsupported_skip_names_the_env_everywhere(tmp_path, how):
    _helm_tree(tmp_path)
    args = ["--unsupported", "skip"] if how == "flag" else []
    if how == "config":
        (tmp_path / ".overlay-lint.yaml").write_text("unsupported: skip\n")
    rc, doc = lint_json(tmp_path, ".", *args)
    assert rc == 1 and doc["errors"] == []              # decided by the findings
    assert [(s["env"], s["file"], s["line"]) for s in doc["skipped"]] == [
        ("staging", "overlays/staging/kustomization.yaml", 4)]
    assert "helmCharts" in doc["skipped"][0]["message"]
    assert doc["envs"] == ["dev", "prod"] and doc["protected"] == ["prod"]
    rc, doc = lint_json(tmp_path, ".", "--select", "overlay-isolation", *args)
    assert rc == 0 and doc["findings"] == [] and len(doc["skipped"]) == 1

    where = "overlays/staging/kustomization.yaml:4"
    rc, out, err = run([".", "--color", "never", *args], tmp_path)
    assert f"{where}: skipped: staging not checked: " in out and err == ""
    assert out.splitlines()[-1].endswith("; protected: prod; 1 skipped (unsupported)")
    outputs = {fmt: run([".", "--format", fmt, *args], tmp_path)[1]
               for fmt in ("sarif", "github", "junit", "markdown")}
    sarif = json.loads(outputs["sarif"])
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["level"], n["locations"][0]["physicalLocation"]["region"]["startLine"])
            for n in notes] == [("warning", 4)]
    assert notes[0]["message"]["text"].startswith("staging not checked: ")
    assert "::warning file=overlays/staging/kustomization.yaml,line=4," in outputs["github"]
    assert '<skipped message="overlays/staging/kustomization.yaml:4: not checked: ' \
        in outputs["junit"]
    assert "### Not checked (unsupported)" in outputs["markdown"] and \
        "`staging`" in outputs["markdown"]


def test_warning_when_no_env_is_protected(tmp_path):
    files = {"base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
             "base/d.yaml": deployment()}
    for env in ("dev", "qa"):
        files[f"overlays/{env}/kustomization.yaml"] = KUST + "resources: [../../base]\n"
    write_tree(tmp_path, files)
    rc, doc = lint_json(tmp_path, ".", "--select", "no-latest-in-prod")
    assert rc == 0 and doc["protected"] == []
    assert [w["message"][:40] for w in doc["warnings"]] == [
        "no env is protected among 2 envs (dev, q"]
    rc, out, _ = run([".", "--select", "no-latest-in-prod", "--color", "never"], tmp_path)
    assert rc == 0 and out.startswith("warning: no env is protected among 2 envs (dev, qa): "
                                      "the production rules did not run")
    assert out.splitlines()[-1] == ("0 findings in 2 envs (dev, qa); no protected env checked; "
                                    "1 warning")
    # a repository without production envs, on purpose
    (tmp_path / ".overlay-lint.yaml").write_text("roles:\n  protected: []\n")
    rc, doc = lint_json(tmp_path, ".")
    assert doc["warnings"] == []


def test_warning_when_no_env_is_found(tmp_path):
    write_tree(tmp_path, {"app/kustomization.yaml": KUST + "resources: [d.yaml]\n",
                          "app/d.yaml": deployment()})
    rc, doc = lint_json(tmp_path, ".")
    assert doc["envs"] == [] and doc["warnings"][0]["message"].startswith("no env found")


def test_long_env_lists_are_shortened(tmp_path):
    files = {"base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
             "base/d.yaml": deployment("api", "ghcr.io/acme/api:latest")}
    for i in range(12):
        files[f"envs/prod-{i:02d}/kustomization.yaml"] = KUST + "resources: [../../base]\n"
    write_tree(tmp_path, files)
    rc, out, _ = run([".", "--select", "no-latest-in-prod", "--color", "never"], tmp_path)
    first = out.splitlines()[0]
    assert first.endswith("(12 envs: prod-00, prod-01, prod-02, … (+9))"), first
    assert out.splitlines()[-1].startswith(
        "1 finding (1 error) in 12 envs: prod-00, prod-01, prod-02, … (+9); protected: 12 envs")
    rc, doc = lint_json(tmp_path, ".", "--select", "no-latest-in-prod")
    assert len(doc["findings"][0]["envs"]) == 12           # JSON keeps them all


def test_a_base_line_shows_the_name_as_written_not_one_envs_rendered_name(tmp_path):
    files = {"base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
             "base/d.yaml": deployment("api", replicas=3)}
    for env in ("dev-eu", "dev-us"):
        files[f"overlays/{env}/kustomization.yaml"] = (
            KUST + f"resources: [../../base]\nnamePrefix: {env}-\n")
    files["overlays/dev-us/kustomization.yaml"] += "replicas:\n  - name: api\n    count: 4\n"
    write_tree(tmp_path, files)
    rc, doc = lint_json(tmp_path, ".", "--select", "dev-replicas,revision-history-limit")
    got = {(f["file"], f["line"]): (f["message"], f["envs"]) for f in doc["findings"]}
    # the base line both envs share: the base's name
    assert got[("base/d.yaml", 6)] == (
        "Deployment api runs 3 replicas in a dev env; set the count to 1", ["dev-eu"])
    # the overlay's own line: the name this env renders
    assert got[("overlays/dev-us/kustomization.yaml", 7)][0].startswith(
        "Deployment dev-us-api runs 4 replicas")


def test_applicationset_files_generator_reads_only_inside_the_repository(tmp_path):
    outside = tmp_path / "outside"
    write_tree(outside, {"leak.json": '{"env": "prod"}'})
    repo = tmp_path / "repo"
    appset = APPSET_GIT.replace(
        "        directories:\n          - path: components/*/development/*\n"
        "          - path: components/billing/development/excluded\n            exclude: true\n",
        "        files:\n          - path: '../outside/*.json'\n          - path: 'cfg/*.json'\n"
    ).replace("path: '{{.path.path}}'", "path: 'envs/{{.env}}'")
    write_tree(repo, {"appset.yaml": appset, "cfg/a.json": '{"env": "qa"}',
                      "base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
                      "base/d.yaml": deployment(),
                      "envs/qa/kustomization.yaml": KUST + "resources: [../../base]\n"})
    (repo / ".git").mkdir()
    (repo / "escape.json").symlink_to(outside / "leak.json")
    rows = envs_json(repo)
    assert summary(rows)["qa"][3] == "argocd"     # from cfg/a.json, inside the repository
    from audit_support import audited
    for args in (["envs"], ["."]):
        a = audited(args, repo)
        assert a.outside(repo) == [], a.outside(repo)


def test_templated_kustomization_is_not_rendered(tmp_path):
    write_tree(tmp_path, {
        "hack/templates/app/kustomization.yaml": KUST + "namespace: {{ .Namespace }}\n"
                                                 "resources:\n  - {{ .Base }}\n",
        "broken/kustomization.yaml": KUST + "resources: [\n"})
    rows = envs_json(tmp_path)
    assert {r["path"]: r["signal"] for r in rows} == {"hack/templates/app": "template",
                                                      "broken": "base"}
    rc, doc = lint_json(tmp_path, ".")
    assert [e["file"] for e in doc["errors"]] == ["broken/kustomization.yaml"]


def test_pointers_into_other_repositories_match_nothing(tmp_path):
    other = APPLICATION.replace("https://github.com/example/infra",
                                "https://github.com/someone/else.git")
    flux_other = FLUX_KS.format(name="ext", path="./apps").replace(
        "    name: flux-system", "    name: upstream")
    source = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n"
              "  name: upstream\n  namespace: flux-system\nspec:\n"
              "  url: ssh://git@github.com/someone/upstream\n")
    write_tree(tmp_path, {
        ".git/config": '[remote "origin"]\n\turl = git@github.com:example/infra.git\n',
        "argocd/legacy.yaml": APPLICATION, "argocd/other.yaml": other.replace(
            "name: billing-legacy", "name: other").replace("legacy/billing", "shared/lib"),
        "clusters/prod/ext.yaml": flux_other, "clusters/prod/src.yaml": source,
        "legacy/billing/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "legacy/billing/d.yaml": deployment("legacy"),
        "shared/lib/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "shared/lib/d.yaml": deployment("lib"),
        "apps/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "apps/d.yaml": deployment("apps")})
    got = {r["path"]: (r["kind"], r["signal"]) for r in envs_json(tmp_path)
           if r["kind"] != "standalone"}
    assert got == {"legacy/billing": ("env", "argocd"),        # https form of our origin
                   "shared/lib": ("base", "base"),              # another repository's path
                   "apps": ("base", "base")}                    # a GitRepository elsewhere
