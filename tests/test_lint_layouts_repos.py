"""Discovery on the shapes met in public GitOps repositories (tried by hand, never copied):
Helm charts, jsonnet and templated files beside kustomizations, Flux artifacts, Flux's
generated kustomization, remotes that are local folders, envs layered on envs.

Each test writes a small tree of its own in the shape of one repository and checks what
`overlay-lint envs` and `overlay-lint` make of it, zero config.
"""
from __future__ import annotations

import json

from lint_support import deployment, lint_json, run, write_tree

KUST = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"


def envs_rows(root, *args) -> list[dict]:
    rc, out, err = run(["envs", *args, "--format", "json"], root)
    assert rc == 0, err
    return json.loads(out)


def kinds(rows: list[dict]) -> dict[str, str]:
    return {r["path"]: r["kind"] for r in rows}


CHART = "apiVersion: v2\nname: guestbook\nversion: 0.1.0\n"
TEMPLATED_DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ template "guestbook.fullname" . }}
spec:
  replicas: {{ .Values.replicaCount }}
"""
TEMPLATED_SVC = """{{- if .Values.service.enabled }}
apiVersion: v1
kind: Service
metadata:
  name: guestbook
{{- end }}
"""
APPSET = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: guestbooks
spec:
  generators:
    - list:
        elements:
          - app: helm-guestbook
          - app: guestbook
  template:
    metadata:
      name: '{{app}}'
    spec:
      source:
        path: '{{app}}'
"""


def _examples_tree(tmp_path):
    """Shaped like argocd-example-apps: a folder per example, of every tool Argo CD runs."""
    write_tree(tmp_path, {
        "helm-guestbook/Chart.yaml": CHART,
        "helm-guestbook/values.yaml": "replicaCount: 1\nservice:\n  enabled: true\n",
        "helm-guestbook/values-production.yaml": "replicaCount: 3\n",
        "helm-guestbook/templates/deployment.yaml": TEMPLATED_DEPLOY,
        "helm-guestbook/templates/service.yaml": TEMPLATED_SVC,
        "helm-guestbook/charts/redis/Chart.yaml": CHART.replace("guestbook", "redis"),
        # the kustomized-helm plugin: a kustomization post-rendering `helm template`
        "plugins/kustomized-helm/Chart.yaml": CHART,
        "plugins/kustomized-helm/kustomization.yaml": "resources:\n- ./all.yaml\npatches:\n"
                                                      "- overlays/deployment.yaml\n",
        "plugins/kustomized-helm/overlays/deployment.yaml": deployment("guestbook-ui"),
        "jsonnet-guestbook/guestbook-ui.jsonnet": "local params = import 'params.libsonnet';\n",
        "jsonnet-guestbook/params.libsonnet": "{ replicas: 1 }\n",
        "guestbook/ui-deployment.yaml": deployment("guestbook-ui"),
        "tools/rendered.yaml": TEMPLATED_SVC,
        "ci/settings.yaml": "lint: true\nfoo: [bar]\n",
        "apps/appset.yaml": APPSET,
        "kustomize-guestbook/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "kustomize-guestbook/d.yaml": deployment("kustomize-guestbook"),
        "pre-post-sync/kustomization.yaml": KUST + "resources: [../kustomize-guestbook]\n",
    })


def test_helm_charts_jsonnet_and_templates_are_listed_not_checked(tmp_path):
    _examples_tree(tmp_path)
    rows = envs_rows(tmp_path)
    assert kinds(rows) == {
        "pre-post-sync": "env",
        "kustomize-guestbook": "base",
        "helm-guestbook": "helm-chart",               # its subchart is part of it
        "plugins/kustomized-helm": "helm-chart",      # never rendered: all.yaml is Helm's
        "jsonnet-guestbook": "jsonnet",
        "tools/rendered.yaml": "template",
        # values, Chart.yaml and the CI settings are no manifests: not listed at all
        "guestbook/ui-deployment.yaml": "standalone",
        "apps/appset.yaml": "standalone",             # {{ }} inside strings: a manifest
    }
    why = {r["path"]: r["why"] for r in rows}
    assert why["helm-guestbook"] == (
        "a Helm chart (Chart.yaml) deployed by Argo CD ApplicationSet guestbooks "
        "(apps/appset.yaml:16): Helm is not supported; not rendered or checked")
    assert "with a kustomization post-rendering it" in why["plugins/kustomized-helm"]
    # a plain folder Argo CD deploys: checked as it stands, and the role rules' gap is said
    assert why["guestbook/ui-deployment.yaml"] == (
        "deployed by Argo CD ApplicationSet guestbooks (apps/appset.yaml:16) as a plain "
        "folder (no kustomization): checked as it stands, no env, so the dev and production "
        "rules do not run on it")
    assert why["apps/appset.yaml"] == "YAML manifests no kustomization reads, checked as " \
        "they stand"
    assert all(not r["checked"] for r in rows if r["kind"] in ("helm-chart", "jsonnet",
                                                               "template"))
    rc, out, err = run(["envs"], tmp_path)
    assert out.splitlines()[-1].endswith(
        "; 2 loose manifests; not checked: 2 Helm charts, 1 jsonnet folder, "
        "1 templated manifest")

    rc, doc = lint_json(tmp_path, ".")
    # nothing of the chart, the plugin or the template is read: no error, no finding
    assert doc["errors"] == [] and rc in (0, 1)
    assert not [f for f in doc["findings"] if f["file"].startswith(
        ("helm-guestbook/", "plugins/", "tools/", "ci/"))]
    notes = [w["message"] for w in doc["warnings"] if w["message"].startswith("not checked")]
    assert notes == [
        "not checked, as overlay-lint renders Kustomize only: 2 Helm charts "
        "(helm-guestbook, plugins/kustomized-helm), 1 jsonnet folder (jsonnet-guestbook), "
        "1 templated manifest (tools/rendered.yaml) (`overlay-lint envs` lists them; "
        "`ignore-paths:` in the config leaves them out)"]
    rc, out, err = run([".", "--color", "never"], tmp_path)
    assert "warning: not checked, as overlay-lint renders Kustomize only: 2 Helm charts" \
        in out + err

    (tmp_path / ".overlay-lint.yaml").write_text(
        "ignore-paths: [helm-guestbook, plugins, jsonnet-guestbook, tools]\n")
    rc, doc = lint_json(tmp_path, ".")
    assert not [w for w in doc["warnings"] if w["message"].startswith("not checked")]
    assert "helm-chart" not in kinds(envs_rows(tmp_path)).values()


def test_a_manifest_that_does_not_parse_is_still_an_error(tmp_path):
    write_tree(tmp_path, {
        "loose/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n",
        "loose/values.yaml": "image: [unclosed\n"})        # no manifest: never an error
    rows = envs_rows(tmp_path)
    assert kinds(rows) == {"loose/broken.yaml": "standalone"}
    rc, doc = lint_json(tmp_path, ".")
    assert rc == 2 and [e["file"] for e in doc["errors"]] == ["loose/broken.yaml"]


def test_unvalidated_kinds_name_the_loose_manifests_once(tmp_path):
    write_tree(tmp_path, {"clusters/generator.yaml":
                          "apiVersion: source.extensions.fluxcd.io/v1beta1\n"
                          "kind: ArtifactGenerator\nmetadata:\n  name: gen\n"})
    rc, doc = lint_json(tmp_path, ".", "--select", "k8s-schema")
    assert [(u["kind"], u["envs"]) for u in doc["unvalidated"]] == [
        ("ArtifactGenerator", ["loose manifests"])]
    rc, out, err = run([".", "--select", "k8s-schema", "--color", "never"], tmp_path)
    line = next(ln for ln in out.splitlines() if "not schema-checked" in ln)
    assert line.endswith(": ArtifactGenerator source.extensions.fluxcd.io/v1beta1 "
                         "(loose manifests)")


FLUX_ARTIFACT_KS = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: {name}
  namespace: flux-system
spec:
  interval: 1h
  sourceRef:
    kind: {kind}
    name: {source}
  path: {path}
"""
GENERATOR = """apiVersion: source.extensions.fluxcd.io/v1beta1
kind: ArtifactGenerator
metadata:
  name: flux-system
  namespace: flux-system
spec:
  sources:
    - alias: monorepo
      kind: GitRepository
      name: flux-system
  artifacts:
    - name: infrastructure
      copy:
        - from: "@monorepo/infrastructure/**"
          to: "@artifact/"
    - name: apps
      copy:
        - from: "@monorepo/apps/base/**"
          to: "@artifact/base/"
        - from: "@monorepo/apps/{cluster}/**"
          to: "@artifact/env/"
"""


def test_flux_external_artifact_paths_resolve_through_the_artifact_generator(tmp_path):
    """Shaped like flux2-kustomize-helm-example: each cluster folder declares an
    ArtifactGenerator cutting the repository into artifacts, and Flux Kustomizations
    whose paths are inside those artifacts."""
    files = {
        "apps/base/podinfo/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "apps/base/podinfo/d.yaml": deployment("podinfo"),
        "infrastructure/controllers/kustomization.yaml": KUST + "resources: [ns.yaml]\n",
        "infrastructure/controllers/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n"
                                              "  name: infra\n",
        # what the artifact path read as a repository path would wrongly name
        "env/kustomization.yaml": KUST + "resources: [ns.yaml]\n",
        "env/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: other\n",
        "controllers/kustomization.yaml": KUST + "resources: [ns.yaml]\n",
        "controllers/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: o2\n",
        # installed from an upstream OCI artifact: another source, nothing to resolve here
        "clusters/production/kyverno.yaml": FLUX_ARTIFACT_KS.format(
            name="kyverno", kind="OCIRepository", source="kyverno", path="./"),
    }
    for cluster in ("staging", "production"):
        files[f"apps/{cluster}/kustomization.yaml"] = KUST + "resources: [../base/podinfo]\n"
        files[f"clusters/{cluster}/artifacts.yaml"] = GENERATOR.format(cluster=cluster)
        files[f"clusters/{cluster}/apps.yaml"] = FLUX_ARTIFACT_KS.format(
            name="apps", kind="ExternalArtifact", source="apps", path="./env")
        files[f"clusters/{cluster}/infra.yaml"] = FLUX_ARTIFACT_KS.format(
            name="infra-controllers", kind="ExternalArtifact", source="infrastructure",
            path="./controllers")
    write_tree(tmp_path, files)
    rows = envs_rows(tmp_path)
    got = {r["path"]: (r["kind"], r["role"], r["signal"]) for r in rows
           if r["kind"] in ("env", "base") and r["checked"] or r["kind"] == "env"}
    assert got == {
        "apps/staging": ("env", None, "flux"),
        "apps/production": ("env", "protected", "flux"),
        "infrastructure/controllers": ("env", "protected", "flux"),
        # never claimed by the artifact paths ./env and ./controllers
        "env": ("base", None, "base"),
        "controllers": ("base", None, "base"),
    }
    why = {r["path"]: r["why"] for r in rows}
    assert why["apps/staging"] == ("deployed by Flux Kustomization apps via ExternalArtifact "
                                   "apps (clusters/staging/apps.yaml:11)")
    rc, out, err = run(["envs"], tmp_path)
    assert "not resolved" not in err


def test_flux_external_artifact_without_its_generator_is_a_warning(tmp_path):
    write_tree(tmp_path, {
        "clusters/production/apps.yaml": FLUX_ARTIFACT_KS.format(
            name="apps", kind="ExternalArtifact", source="apps", path="./production"),
        "production/kustomization.yaml": KUST + "resources: [ns.yaml]\n",
        "production/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n",
        "apps/base/kustomization.yaml": KUST + "resources: [ns.yaml]\n",
        "apps/base/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: y\n",
        "apps/production/kustomization.yaml": KUST + "resources: [../base]\n"})
    rows = envs_rows(tmp_path)
    got = {r["path"]: (r["kind"], r["signal"]) for r in rows if r["kind"] != "standalone"}
    assert got == {"apps/production": ("env", "root"), "apps/base": ("base", "included"),
                   "production": ("base", "base")}         # not the artifact's ./production
    rc, out, err = run(["envs"], tmp_path)
    assert err == ("warning: 1 Flux Kustomization path not resolved in this repository, so "
                   "not used to find envs: Flux Kustomization apps "
                   "(clusters/production/apps.yaml:11) deploys ./production of "
                   "ExternalArtifact apps, which no ArtifactGenerator in the linted files "
                   "produces\n")
    rc, doc = lint_json(tmp_path, ".")
    assert any("not resolved" in w["message"] for w in doc["warnings"])


def test_flux_generated_kustomization_deploys_the_kustomizations_below(tmp_path):
    """A bootstrapped Flux repository: the flux-system Kustomization syncs
    clusters/<name>, a folder without kustomization.yaml, so Flux generates one listing
    its manifests and the kustomizations below it."""
    files = {}
    for cluster in ("staging", "production"):
        files[f"clusters/{cluster}/flux-system/kustomization.yaml"] = \
            KUST + "resources: [gotk-sync.yaml]\n"
        files[f"clusters/{cluster}/flux-system/gotk-sync.yaml"] = FLUX_ARTIFACT_KS.format(
            name="flux-system", kind="GitRepository", source="flux-system",
            path=f"./clusters/{cluster}")
        files[f"clusters/{cluster}/addons/kustomization.yaml"] = \
            KUST + "resources: [ns.yaml, metrics]\n"
        files[f"clusters/{cluster}/addons/ns.yaml"] = \
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: addons\n"
        files[f"clusters/{cluster}/addons/metrics/kustomization.yaml"] = \
            KUST + "resources: [ns.yaml]\n"
        files[f"clusters/{cluster}/addons/metrics/ns.yaml"] = \
            "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: metrics\n"
    # a tenant's Kustomization without path (the root of the tenant's own branch or
    # repository): never the whole repository here
    files["tenants/team/sync.yaml"] = FLUX_ARTIFACT_KS.format(
        name="team", kind="GitRepository", source="team", path="./").replace(
        "  path: ./\n", "")
    files["tools/kustomization.yaml"] = KUST + "resources: [ns.yaml]\n"
    files["tools/ns.yaml"] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tools\n"
    write_tree(tmp_path, files)
    rows = envs_rows(tmp_path)
    got = {r["path"]: (r["role"], r["signal"]) for r in rows if r["kind"] == "env"}
    assert got == {f"clusters/{c}/{d}": ("protected" if c == "production" else None, "flux")
                   for c in ("staging", "production") for d in ("flux-system", "addons")}
    assert {r["path"]: r["kind"] for r in rows}["tools"] == "base"
    why = {r["path"]: r["why"] for r in rows}
    assert why["clusters/production/addons"] == (
        "deployed by Flux Kustomization flux-system "
        "(clusters/production/flux-system/gotk-sync.yaml:11), in the kustomization Flux "
        "generates for clusters/production/")
    # included by addons: rendered with it, never an env of its own
    assert {r["path"]: r["kind"] for r in rows}["clusters/production/addons/metrics"] == "base"


def test_a_remote_that_is_a_local_folder_is_no_identity(tmp_path):
    """Cloned from a mirror (`git clone /srv/mirror/repo`): the Applications' repoURL is
    the real one, and their paths are this repository's."""
    write_tree(tmp_path, {
        ".git/config": '[remote "origin"]\n\turl = /srv/mirrors/example/infra\n',
        "argocd/billing.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
                               "metadata:\n  name: billing\nspec:\n  source:\n"
                               "    repoURL: https://github.com/example/infra.git\n"
                               "    path: billing/live\n",
        "billing/live/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "billing/live/d.yaml": deployment("billing")})
    rows = envs_rows(tmp_path)
    assert [(r["path"], r["signal"], r["role"]) for r in rows if r["kind"] == "env"] == [
        ("billing/live", "argocd", "protected")]


def test_an_env_layered_on_a_sibling_env_of_its_tier_is_no_crossing(tmp_path):
    """Shaped like an operator catalog and like region overlays: `prod-eu` on `../prod`,
    `tls` on `../plain` (variants without a role) are deliberate layerings; `qa` on
    `../prod` and `staging` on `../dev` carry one tier's change into another."""
    files = {"base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
             "base/d.yaml": deployment()}
    layered = {"dev": "../../base", "staging": "../dev", "prod": "../../base",
               "prod-eu": "../prod", "qa": "../prod", "plain": "../../base",
               "tls": "../plain"}
    for env, on in layered.items():
        files[f"overlays/{env}/kustomization.yaml"] = KUST + f"resources:\n  - {on}\n"
    write_tree(tmp_path, files)
    rc, doc = lint_json(tmp_path, ".", "--select", "overlay-isolation")
    assert sorted((f["file"], f["envs"][0]) for f in doc["findings"]) == [
        ("overlays/qa/kustomization.yaml", "qa"),
        ("overlays/staging/kustomization.yaml", "staging")]


def test_one_remote_base_is_one_error_line_and_a_way_out(tmp_path):
    """Shaped like an operator catalog: a base several overlays share installs an upstream
    release file by URL. One error line (not one per env), and the hint to skip it."""
    files = {"op/base/kustomization.yaml": KUST + "resources:\n"
                                              "  - https://example.com/release/install.yaml\n"}
    for env in ("dev", "stable", "prod"):
        files[f"op/overlays/{env}/kustomization.yaml"] = KUST + "resources: [../../base]\n"
    write_tree(tmp_path, files)
    rc, out, err = run([".", "--color", "never"], tmp_path)
    lines = err.splitlines()
    assert rc == 2 and len(lines) == 2, err
    assert lines[0].startswith("op/base/kustomization.yaml:4: error: remote resource ")
    assert lines[0].endswith("(envs dev, stable, prod)")
    assert lines[1] == ("overlay-lint: 3 targets use what overlay-lint does not render "
                        "(remote, Helm, plugins); `--unsupported skip` (or `unsupported: "
                        "skip` in the config) reports them as skipped and checks the rest")
    rc, out, err = run([".", "--unsupported", "skip"], tmp_path)
    assert rc == 0 and err == ""
    rc, doc = lint_json(tmp_path, ".")
    assert [e["env"] for e in doc["errors"]] == ["dev", "stable", "prod"]   # JSON: per env


def test_an_env_on_a_base_in_its_own_subfolder_joins_that_base_s_group(tmp_path):
    """Shaped like microservices-demo: `kustomize/` builds on `kustomize/base` (a subfolder)
    with components, and test variants in `kustomize/tests/*` build on the same base; an
    aggregate listing two sub-apps of its own folder is an app of its own."""
    comp = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
    write_tree(tmp_path, {
        "kustomize/base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "kustomize/base/d.yaml": deployment("frontend"),
        "kustomize/components/tag/kustomization.yaml": comp,
        "kustomize/kustomization.yaml": KUST + "resources: [base]\n"
                                               "components: [components/tag]\n",
        "kustomize/tests/spanner/kustomization.yaml": KUST + "resources: [../../base]\n",
        "kustomize/tests/redis/kustomization.yaml": KUST + "resources: [../../base]\n",
        "shop/frontend/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "shop/frontend/d.yaml": deployment("shop-frontend"),
        "shop/backend/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "shop/backend/d.yaml": deployment("shop-backend"),
        "shop/kustomization.yaml": KUST + "resources: [frontend, backend]\n",
        "shop-dev/kustomization.yaml": KUST + "resources: [../shop/frontend]\n"})
    rows = envs_rows(tmp_path)
    assert {r["path"]: r["group"] for r in rows if r["kind"] == "env"} == {
        "kustomize": "kustomize/base", "kustomize/tests/spanner": "kustomize/base",
        "kustomize/tests/redis": "kustomize/base",
        "shop": "shop",                      # an aggregate: not grouped with shop-dev
        "shop-dev": "shop/frontend"}


def test_a_changed_files_run_names_only_the_charts_it_touches(tmp_path):
    """A pre-commit run on an env's file must not repeat the chart warning at every
    commit; a change inside a chart says that it was not checked."""
    _examples_tree(tmp_path)

    def not_checked(*files):
        rc, doc = lint_json(tmp_path, ".", "--files", *files)
        return [w["message"] for w in doc["warnings"] if w["message"].startswith("not checked")]
    assert not_checked("kustomize-guestbook/d.yaml") == []
    assert not_checked("helm-guestbook/templates/service.yaml", "tools/rendered.yaml") == [
        "not checked, as overlay-lint renders Kustomize only: 1 Helm chart (helm-guestbook), "
        "1 templated manifest (tools/rendered.yaml) (`overlay-lint envs` lists them; "
        "`ignore-paths:` in the config leaves them out)"]


def test_a_path_of_unknown_parameters_only_names_no_folder(tmp_path):
    """Shaped like an argocd-autopilot repository before its first app: the project's
    ApplicationSet deploys '{{ srcPath }}' from config files that do not exist yet, and a
    Flux path is all substitution. Neither says which folder is deployed."""
    autopilot = APPSET.replace("    - list:\n        elements:\n          - app: helm-guestbook\n"
                               "          - app: guestbook\n",
                               "    - git:\n        files:\n"
                               "          - path: apps/**/testing/config.json\n").replace(
        "path: '{{app}}'", "path: '{{ srcPath }}'")
    write_tree(tmp_path, {
        "projects/testing.yaml": autopilot,
        "clusters/sync.yaml": FLUX_ARTIFACT_KS.format(name="all", kind="GitRepository",
                                                      source="flux-system",
                                                      path="./${CLUSTER}"),
        "tools/kustomization.yaml": KUST + "resources: [ns.yaml]\n",
        "tools/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tools\n",
        "bootstrap/root.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: argocd\n"})
    rows = envs_rows(tmp_path)
    assert {r["path"]: (r["kind"], r["signal"]) for r in rows} == {
        "tools": ("base", "base"), "projects/testing.yaml": ("standalone", "loose"),
        "clusters/sync.yaml": ("standalone", "loose"),
        "bootstrap/root.yaml": ("standalone", "loose")}
    assert {r["why"] for r in rows if r["kind"] == "standalone"} == {
        "YAML manifests no kustomization reads, checked as they stand"}


def test_a_linted_subfolder_keeps_what_the_repository_s_deployments_say(tmp_path):
    """`overlay-lint infrastructure/` in a Flux repository: the clusters' Kustomizations
    outside the linted folder still make its kustomizations envs, protected by
    clusters/production."""
    files = {"infrastructure/controllers/kustomization.yaml": KUST + "resources: [ns.yaml]\n",
             "infrastructure/controllers/ns.yaml": "apiVersion: v1\nkind: Namespace\n"
                                                   "metadata:\n  name: infra\n"}
    for cluster in ("staging", "production"):
        files[f"clusters/{cluster}/infra.yaml"] = FLUX_ARTIFACT_KS.format(
            name="infra", kind="GitRepository", source="flux-system",
            path="./infrastructure/controllers")
    write_tree(tmp_path, files)
    (tmp_path / ".git").mkdir()
    rows = envs_rows(tmp_path, "infrastructure")
    assert [(r["path"], r["kind"], r["role"], r["signal"]) for r in rows] == [
        ("infrastructure/controllers", "env", "protected", "flux")]
    rc, doc = lint_json(tmp_path, "infrastructure")
    assert doc["protected"] == ["controllers"] and doc["warnings"] == []


def test_a_root_in_a_base_folder_is_a_base_not_an_env(tmp_path):
    """Shaped like a platform repository: one folder per namespace under
    `cluster-scope/base`, each on a shared Component; the cluster overlays list the
    namespaces they run. A namespace folder no cluster lists any more is a building block
    left over, not an env (and `local-storage` is no dev env)."""
    comp = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
    files = {"cluster-scope/components/admins/kustomization.yaml": comp + "resources: [rb.yaml]\n",
             "cluster-scope/components/admins/rb.yaml":
                 "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n"
                 "  name: admins\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n"
                 "  kind: ClusterRole\n  name: admin\n",
             "cluster-scope/overlays/prod/infra/kustomization.yaml":
                 KUST + "resources:\n  - ../../../base/core/namespaces/argocd\n"}
    for ns in ("argocd", "local-storage", "website-prod"):
        files[f"cluster-scope/base/core/namespaces/{ns}/kustomization.yaml"] = (
            KUST + f"namespace: {ns}\nresources: [namespace.yaml]\n"
            "components: [../../../../components/admins]\n")
        files[f"cluster-scope/base/core/namespaces/{ns}/namespace.yaml"] = (
            f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n")
    write_tree(tmp_path, files)
    rows = {r["path"]: r for r in envs_rows(tmp_path)}
    assert [(p, r["role"]) for p, r in rows.items() if r["kind"] == "env"] == [
        ("cluster-scope/overlays/prod/infra", "protected")]
    for ns in ("local-storage", "website-prod"):
        row = rows[f"cluster-scope/base/core/namespaces/{ns}"]
        assert (row["kind"], row["checked"], row["role"]) == ("base", True, None)
    assert rows["cluster-scope/base/core/namespaces/argocd"]["checked"] is False


def test_local_in_a_tool_s_name_is_no_dev_tier(tmp_path):
    """Shaped like a Flux homelab (`kubernetes/apps/<namespace>/<app>/app`, each app's
    `ks.yaml`): `local-path-provisioner` is a storage tool, not a dev env; a folder named
    `local` still is dev, and a `local` the config lists matches its forms too."""
    flux_ks = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
               "metadata:\n  name: {name}\nspec:\n  path: ./kubernetes/apps/kube-system/{name}/app\n"
               "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")
    files = {}
    for app in ("local-path-provisioner", "coredns"):
        files[f"kubernetes/apps/kube-system/{app}/ks.yaml"] = flux_ks.format(name=app)
        files[f"kubernetes/apps/kube-system/{app}/app/kustomization.yaml"] = (
            KUST + "resources: [d.yaml]\n")
        files[f"kubernetes/apps/kube-system/{app}/app/d.yaml"] = deployment(app)
    files["overlays/local/kustomization.yaml"] = KUST + "resources: [../../base]\n"
    files["base/kustomization.yaml"] = KUST + "resources: [d.yaml]\n"
    files["base/d.yaml"] = deployment("web")
    write_tree(tmp_path, files)
    roles = {r["path"]: r["role"] for r in envs_rows(tmp_path) if r["kind"] == "env"}
    assert roles == {"kubernetes/apps/kube-system/local-path-provisioner/app": None,
                     "kubernetes/apps/kube-system/coredns/app": None,
                     "overlays/local": "dev"}
    (tmp_path / ".overlay-lint.yaml").write_text("roles:\n  dev: [dev, local]\n")
    roles = {r["path"]: r["role"] for r in envs_rows(tmp_path) if r["kind"] == "env"}
    assert roles["kubernetes/apps/kube-system/local-path-provisioner/app"] == "dev"


def test_secrets_of_references_a_tool_fills_in_are_not_plain(tmp_path):
    """Shaped like a homelab's bootstrap kustomization: Secrets whose values are 1Password
    references (`op inject` fills them in before the apply) hold no secret; one real value
    beside a reference still does."""
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\nstringData:\n{data}"
    write_tree(tmp_path, {
        "bootstrap/kustomization.yaml": KUST + "resources: [secret.yaml]\n",
        "bootstrap/secret.yaml": "---\n" + "---\n".join([
            secret.format(name="onepassword", data="  token: |-\n"
                          "    op://operations/1password/OP_SERVICE_ACCOUNT_TOKEN\n"),
            secret.format(name="tunnel", data="  TUNNEL_ID: '{{ op://kubernetes/cf/ID }}'\n"
                          "  DB: ${DB_PASSWORD}\n  VAULT: <path:secret/data/db#password>\n"),
            secret.format(name="mixed", data="  token: op://kubernetes/x/y\n"
                          "  password: hunter2\n")])})
    rc, doc = lint_json(tmp_path, ".", "--select", "no-plain-secrets")
    assert [(f["line"], f["message"].split(" holds")[0]) for f in doc["findings"]] == [
        (20, "Secret mixed")]


def _rendered(directory, root=None) -> list:
    import yaml
    rc, out, err = run(["render", "--root", str(root or directory), str(directory)], directory)
    assert rc == 0, err
    return [d for d in yaml.safe_load_all(out) if d is not None]


CRONJOB = """apiVersion: batch/v1beta1
kind: CronJob
metadata:
  name: report
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: report
              image: report:1.0
              env:
{env}"""


def test_a_cronjob_of_batch_v1beta1_merges_lists_as_kubectl_does(tmp_path):
    """Shaped like an older app repository: `batch/v1beta1` CronJobs in the base, an
    overlay's strategic merge patch restating the container's env without one entry.
    Kustomize (kyaml's v1.21 schema) merges the list by name: the entry stays."""
    from conftest import kubectl_documents
    write_tree(tmp_path, {
        "base/kustomization.yaml": KUST + "resources: [cronjob.yaml]\n",
        "base/cronjob.yaml": CRONJOB.format(env="                - {name: MODE, value: full}\n"
                                                "                - {name: RELEASES, value: '4'}\n"),
        "overlays/test/kustomization.yaml": KUST + "resources: [../../base]\n"
                                             "patches:\n  - path: cronjob.yaml\n",
        "overlays/test/cronjob.yaml": CRONJOB.format(
            env="                - {name: MODE, value: quick}\n"),
        "webhooks/kustomization.yaml": KUST + "resources: [hook.yaml]\npatches:\n"
                                       "  - path: patch.yaml\n",
        "webhooks/hook.yaml": "apiVersion: admissionregistration.k8s.io/v1beta1\n"
                              "kind: ValidatingWebhookConfiguration\nmetadata:\n  name: h\n"
                              "webhooks:\n  - {name: a, sideEffects: None}\n"
                              "  - {name: b, sideEffects: None}\n",
        "webhooks/patch.yaml": "apiVersion: admissionregistration.k8s.io/v1beta1\n"
                               "kind: ValidatingWebhookConfiguration\nmetadata:\n  name: h\n"
                               "webhooks:\n  - {name: a, sideEffects: Some}\n"})
    docs = _rendered(tmp_path / "overlays/test", tmp_path)
    env = docs[0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "MODE", "value": "quick"}, {"name": "RELEASES", "value": "4"}]
    hooks = _rendered(tmp_path / "webhooks")[0]["webhooks"]
    assert [h["name"] for h in hooks] == ["a", "b"]
    assert docs == kubectl_documents(tmp_path / "overlays/test")
    assert _rendered(tmp_path / "webhooks") == kubectl_documents(tmp_path / "webhooks")


def test_a_json6902_path_without_its_leading_slash_renders_as_kubectl_does(tmp_path):
    """Shaped like an Argo Workflows overlay: `path: spec/spec/workflowSpec/...` works with
    Kustomize, whose json-patch drops what comes before the first '/' (the author doubled
    `spec` until it did). A path with no '/' at all names no field: kubectl fails too."""
    from conftest import kubectl_documents, kubectl_kustomize
    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: sync\n"
          "data:\n  kind: adviser\n  level: INFO\n")
    op = ("patches:\n  - target: {kind: ConfigMap}\n    patch: |-\n"
          "      - {op: replace, path: %s, value: package-extract}\n"
          "      - {op: remove, path: x/data/level}\n")
    write_tree(tmp_path, {
        "ok/kustomization.yaml": KUST + "resources: [cm.yaml]\n" + op % "data/data/kind",
        "ok/cm.yaml": cm,
        "bad/kustomization.yaml": KUST + "resources: [cm.yaml]\n" + op % "data",
        "bad/cm.yaml": cm})
    docs = _rendered(tmp_path / "ok")
    assert docs[0]["data"] == {"kind": "package-extract"}
    assert docs == kubectl_documents(tmp_path / "ok")
    rc, out, err = run(["render", "bad"], tmp_path)
    assert rc == 2 and err.startswith("bad/kustomization.yaml:7:")
    assert "'data' must be a JSON pointer starting with '/'" in err
    assert kubectl_kustomize(tmp_path / "bad")[0] != 0


def test_the_overlays_of_a_tier_folder_take_its_role(tmp_path):
    """Shaped like a GitOps standards template: `groups/<tier>/overlays/<app>` hold each
    tier's variant of an operator, the clusters compose the groups. The app folders name
    no tier; the tier folder above `overlays/` does."""
    files = {"components/vault-operator/kustomization.yaml": KUST + "resources: [d.yaml]\n",
             "components/vault-operator/d.yaml": deployment("vault-operator")}
    for tier in ("prod", "non-prod"):
        files[f"groups/{tier}/overlays/vault-operator/kustomization.yaml"] = (
            KUST + "resources: [../../../../components/vault-operator]\n")
    write_tree(tmp_path, files)
    roles = {r["name"]: r["role"] for r in envs_rows(tmp_path) if r["kind"] == "env"}
    assert roles == {"prod/vault-operator": "protected", "non-prod/vault-operator": None}


def test_encrypted_secrets_and_old_crd_copies_are_not_schema_findings(tmp_path):
    """Shaped like an app repository with KSOPS and a tooling repository with test data: a
    SOPS-encrypted Secret (ciphertext in `data`, a `sops:` block) is decrypted before the
    apply; a `v1beta1` CRD kept as a test fixture cannot be what a current cluster serves,
    so the `v1` Tasks of the envs are not "not served"."""
    sops = ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: gpg-keys\n"
            "data:\n  key.asc: ENC[AES256_GCM,data:q8Vb,iv:3Q==,tag:Zw==,type:str]\n"
            "sops:\n  kms: []\n  lastmodified: '2021-06-14T10:00:00Z'\n  version: 3.7.1\n")
    old_crd = ("apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\n"
               "metadata:\n  name: tasks.tekton.dev\nspec:\n  group: tekton.dev\n"
               "  names:\n    kind: Task\n    plural: tasks\n  scope: Namespaced\n"
               "  version: v1alpha1\n")
    task = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: publish\nspec: {}\n"
    write_tree(tmp_path, {
        "app/overlays/prod/kustomization.yaml": KUST + "resources: [task.yaml]\n",
        "app/overlays/prod/task.yaml": task,
        "app/overlays/prod/gpg-keys.enc.yaml": sops,
        "tools/koparse/testdata/release.yaml": old_crd})
    rc, doc = lint_json(tmp_path, ".", "--select", "k8s-schema")
    assert doc["findings"] == []
    # a current CRD in the repository still decides
    (tmp_path / "tools/koparse/testdata/release.yaml").write_text(
        old_crd.replace("v1beta1", "v1").replace(
            "  version: v1alpha1\n",
            "  versions:\n    - name: v1alpha1\n      served: true\n      storage: true\n"
            "      schema:\n        openAPIV3Schema: {type: object}\n"))
    rc, doc = lint_json(tmp_path, ".", "--select", "k8s-schema")
    assert [f["message"] for f in doc["findings"]] == [
        "Task publish: CRD tasks.tekton.dev serves no version 'v1' of Task (served: v1alpha1)"]


def test_an_env_layered_on_the_env_its_name_extends_is_a_variant(tmp_path):
    """Shaped like a homelab's bootstrap: `overlays/local` is the layer every local cluster
    shares, `local.home` and `local.hub` are clusters on it (no dev tier by their names).
    A variant named after the env it extends is no crossing; `qa` on `../local` is."""
    files = {"bootstrap/base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
             "bootstrap/base/d.yaml": deployment("gitops")}
    for env, on in {"local": "../../base", "local.home": "../local", "local.hub": "../local",
                    "qa": "../local"}.items():
        files[f"bootstrap/overlays/{env}/kustomization.yaml"] = KUST + f"resources: [{on}]\n"
    write_tree(tmp_path, files)
    roles = {r["name"]: r["role"] for r in envs_rows(tmp_path) if r["kind"] == "env"}
    assert roles == {"local": "dev", "local.home": None, "local.hub": None, "qa": None}
    rc, doc = lint_json(tmp_path, ".", "--select", "overlay-isolation")
    assert [f["envs"] for f in doc["findings"]] == [["qa"]]


def test_a_folded_scalar_with_more_indented_lines_reads_as_kubectl_reads_it(tmp_path):
    """Shaped like a Flux homelab's MutatingAdmissionPolicy: CEL expressions written as
    `>-` blocks whose inner lines are indented further. go-yaml (and so kubectl) reads the
    line break before a more-indented line as two; the YAML specification as one. The
    render follows kubectl."""
    from conftest import kubectl_documents
    write_tree(tmp_path, {
        "kustomization.yaml": KUST + "resources: [policy.yaml]\n",
        "policy.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: policy\ndata:\n"
                       "  match: >-\n    object.spec.containers.exists(c,\n"
                       "      c.image.startsWith(\"docker.io/\")\n    )\n"
                       "  nested: >-\n    a\n      b\n\n      c\n    d\n"
                       "  plain: >-\n    one\n    two\n"})
    data = _rendered(tmp_path)[0]["data"]
    assert data == {
        "match": 'object.spec.containers.exists(c,\n\n  c.image.startsWith("docker.io/")\n)',
        "nested": "a\n\n  b\n\n  c\nd", "plain": "one two"}
    assert [{"data": data}] == [{"data": d["data"]} for d in kubectl_documents(tmp_path)]


def test_an_env_flux_deploys_reads_files_outside_its_folder_as_flux_does(tmp_path):
    """Shaped like a Flux monorepo: a cluster overlay lists the app's `ks.yaml` files
    kept beside the apps (`../../base/<app>/ks.yaml`) and a patch from a shared folder.
    Kustomize's default load restrictor refuses files outside the kustomization's folder;
    Flux builds every kustomization with LoadRestrictionsNone, so the cluster renders
    there. An env only Flux deploys renders as Flux renders it (what
    `kubectl kustomize --load-restrictor LoadRestrictionsNone` prints); an env Argo CD
    deploys keeps the restrictor (Argo CD's default), and so does `render` unless asked."""
    import subprocess
    import yaml
    from conftest import kubectl_kustomize, need_kubectl
    flux = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            "metadata:\n  name: {name}\n  namespace: flux-system\nspec:\n  path: {path}\n"
            "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")
    app = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: lab\n"
           "spec:\n  source:\n    path: apps/overlays/lab\n")
    overlay = (KUST + "resources:\n  - ../../base/web/ks.yaml\n  - ../../base/web/app\n"
               "patches:\n  - path: ../../shared/replicas.yaml\n"
               "    target: {kind: Deployment}\n")
    write_tree(tmp_path, {
        "clusters/main/cluster.yaml": flux.format(name="cluster",
                                                  path="./apps/overlays/main"),
        "clusters/argo/lab.yaml": app,
        "apps/overlays/main/kustomization.yaml": overlay,
        "apps/overlays/lab/kustomization.yaml": overlay,
        "apps/base/web/ks.yaml": flux.format(name="web", path="./apps/base/web/app"),
        "apps/base/web/app/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "apps/base/web/app/d.yaml": deployment("web"),
        "apps/shared/replicas.yaml": "- {op: replace, path: /spec/replicas, value: 2}\n"})
    rc, doc = lint_json(tmp_path)
    errors = [(e["file"], e["env"]) for e in doc["errors"]]
    assert errors == [("apps/overlays/lab/kustomization.yaml", "lab")], doc["errors"]
    assert "load restrictor" in doc["errors"][0]["message"]
    envs = {r["path"]: r["signal"] for r in envs_rows(tmp_path) if r["kind"] == "env"}
    assert envs["apps/overlays/main"] == "flux" and envs["apps/overlays/lab"] == "argocd"

    main = tmp_path / "apps/overlays/main"
    rc, out, err = run(["render", "--load-restrictor", "LoadRestrictionsNone", str(main)],
                       tmp_path)
    assert rc == 0, err
    docs = [d for d in yaml.safe_load_all(out) if d is not None]
    assert [(d["kind"], d["metadata"]["name"]) for d in docs] == [
        ("Deployment", "web"), ("Kustomization", "web")]
    assert docs[0]["spec"]["replicas"] == 2
    p = subprocess.run([need_kubectl(), "kustomize", "--load-restrictor",
                        "LoadRestrictionsNone", str(main)],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert docs == [d for d in yaml.safe_load_all(p.stdout) if d is not None]
    # without the option, both refuse the same file
    rc, out, err = run(["render", str(main)], tmp_path)
    assert rc == 2 and "ks.yaml' is not in or below" in err
    assert kubectl_kustomize(main)[0] != 0


def test_the_config_sets_the_load_restrictor_for_every_target(tmp_path):
    """Shaped like a homelab deployed by Flux and, for one tool, by Argo CD, whose bases
    share a `../../.config/` transformer configuration: with both tools, a base checked
    alone keeps Kustomize's restrictor; `load-restrictor: none` renders it as the
    deploying tool does; `root-only` keeps the restrictor even for a Flux env."""
    flux = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            "metadata:\n  name: apps\n  namespace: flux-system\nspec:\n"
            "  path: ./apps/overlays/home\n"
            "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")
    write_tree(tmp_path, {
        "clusters/home/apps.yaml": flux,
        "clusters/home/tool.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\n"
                                   "metadata:\n  name: tool\nspec:\n  source:\n"
                                   "    path: tools/tool\n",
        "tools/tool/kustomization.yaml": KUST + "resources: [cm.yaml]\n",
        "tools/tool/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\n",
        "apps/overlays/home/kustomization.yaml": KUST + "resources: [../../base/web]\n",
        "apps/base/web/kustomization.yaml": KUST + "resources: [d.yaml]\n"
                                            "configurations: [../../.config/names.yaml]\n",
        "apps/base/web/d.yaml": deployment("web"),
        "apps/base/db/kustomization.yaml": KUST + "resources: [d.yaml]\n"
                                           "configurations: [../../.config/names.yaml]\n",
        "apps/base/db/d.yaml": deployment("db"),
        "apps/.config/names.yaml": "nameReference: []\n"})
    rc, doc = lint_json(tmp_path)
    assert [e["env"] for e in doc["errors"]] == ["apps/base/db"], doc["errors"]
    (tmp_path / ".overlay-lint.yaml").write_text("load-restrictor: none\n")
    rc, doc = lint_json(tmp_path)
    assert doc["errors"] == [] and rc == 0
    (tmp_path / ".overlay-lint.yaml").write_text("load-restrictor: root-only\n")
    rc, doc = lint_json(tmp_path)
    assert sorted(e["env"] for e in doc["errors"]) == ["apps/base/db", "home"]
    (tmp_path / ".overlay-lint.yaml").write_text("load-restrictor: off\n")
    rc, out, err = run(["."], tmp_path)
    assert rc == 2 and err.startswith(".overlay-lint.yaml:1:"), err


def test_an_env_folder_named_overlay_takes_the_role_its_cluster_names(tmp_path):
    """Shaped like an ACM/OpenShift fleet repository: one kustomization per cluster in
    `clusters/<tier>/<cluster fqdn>/overlay`. The env folder is named like a container of
    envs but holds none: the cluster's name (`*.dev.*`) and the tier folder above decide."""
    files = {}
    for tier, fqdn in (("dev", "oak.dev.example.com"), ("prod", "elm.prod.example.com"),
                       ("staging", "ash.example.com")):
        files[f"clusters/{tier}/{fqdn}/overlay/kustomization.yaml"] = (
            KUST + "resources: [../../../../base]\n")
    files["base/kustomization.yaml"] = KUST + "resources: [d.yaml]\n"
    files["base/d.yaml"] = deployment("web")
    files["groups/prod/overlays/kustomization.yaml"] = KUST + "resources: [../../../base]\n"
    write_tree(tmp_path, files)
    roles = {r["path"]: r["role"] for r in envs_rows(tmp_path) if r["kind"] == "env"}
    assert roles == {"clusters/dev/oak.dev.example.com/overlay": "dev",
                     "clusters/prod/elm.prod.example.com/overlay": "protected",
                     "clusters/staging/ash.example.com/overlay": None,
                     "groups/prod/overlays": "protected"}


def test_gator_suites_and_admission_reviews_are_test_inputs_not_objects(tmp_path):
    """Shaped like a Gatekeeper policy library: each policy folder holds a kustomization
    listing its ConstraintTemplate, a gator test `Suite` beside it and samples, among them
    `AdmissionReview` requests in `admission.k8s.io/v1beta1`. A Suite is gator's
    configuration, never applied (no unreferenced-manifest); an AdmissionReview is a
    webhook's request payload, never served by the API server in any version (no
    removed-api). An old API in an ordinary sample still is reported."""
    template = ("apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n"
                "metadata:\n  name: k8sallowedrepos\nspec:\n  crd:\n    spec:\n"
                "      names:\n        kind: K8sAllowedRepos\n")
    write_tree(tmp_path, {
        "library/allowedrepos/kustomization.yaml": "resources:\n  - template.yaml\n",
        "library/allowedrepos/template.yaml": template,
        "library/allowedrepos/suite.yaml": (
            "kind: Suite\napiVersion: test.gatekeeper.sh/v1alpha1\nmetadata:\n"
            "  name: allowedrepos\ntests:\n  - name: repos\n    template: template.yaml\n"),
        "library/allowedrepos/samples/update.yaml": (
            "kind: AdmissionReview\napiVersion: admission.k8s.io/v1beta1\nrequest:\n"
            "  operation: UPDATE\n"),
        "library/allowedrepos/samples/old.yaml": (
            "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: old\n")})
    rc, doc = lint_json(tmp_path)
    found = {(f["rule"], f["file"]) for f in doc["findings"]}
    assert found == {("removed-api", "library/allowedrepos/samples/old.yaml")}, found


def test_a_patch_targeting_the_namespace_set_later_is_told_so(tmp_path):
    """Shaped like an operator catalog: the base Subscription is written in its own
    namespace, each channel overlay sets `namespace: openshift-operators` and patches the
    channel with a target naming that namespace. Patches run before `namespace:`, so the
    target matches nothing (kubectl keeps the base channel); the hint names the namespace
    as written (with which kubectl applies the patch), not the other kinds of that name."""
    from conftest import kubectl_documents
    sub = ("apiVersion: operators.coreos.com/v1alpha1\nkind: Subscription\nmetadata:\n"
           "  name: streams\n  namespace: streams\nspec:\n  channel: patch-me\n")
    group = ("apiVersion: operators.coreos.com/v1\nkind: OperatorGroup\nmetadata:\n"
             "  name: streams\n  namespace: streams\n")
    overlay = (KUST + "namespace: openshift-operators\nresources: [../../base]\npatches:\n"
               "  - target: {kind: Subscription, name: streams, namespace: %s}\n"
               "    patch: |-\n      - {op: replace, path: /spec/channel, value: stable}\n")
    write_tree(tmp_path, {
        "base/kustomization.yaml": KUST + "resources: [sub.yaml, group.yaml]\n",
        "base/sub.yaml": sub, "base/group.yaml": group,
        "overlays/stable/kustomization.yaml": overlay % "openshift-operators",
        "fixed/stable/kustomization.yaml": overlay % "streams"})
    rc, doc = lint_json(tmp_path, "overlays")
    [f] = [f for f in doc["findings"] if f["rule"] == "patch-no-match"]
    assert "Subscription 'streams' is put in namespace 'openshift-operators' only after " \
           "patches run" in f["message"] and "target namespace 'streams', as written" \
           in f["message"] and "OperatorGroup" not in f["message"], f["message"]
    assert kubectl_documents(tmp_path / "overlays/stable")[1]["spec"]["channel"] == "patch-me"
    assert kubectl_documents(tmp_path / "fixed/stable")[1]["spec"]["channel"] == "stable"


def test_a_fleet_bundle_of_a_helm_chart_is_listed_with_its_post_renderers(tmp_path):
    """Shaped like a Rancher Fleet repository: a bundle's `fleet.yaml` names a Helm chart
    (`helm.chart`, a URL) and per-cluster `kustomize.dir` overlays that patch the chart's
    output; they list no resources of their own (kubectl fails on them alone). Such a
    bundle is listed as a Helm chart, not rendered; a bundle of plain kustomize overlays
    (no `helm.chart`) still has its envs."""
    fleet_helm = ("namespace: shop\nhelm:\n  chart: https://example.com/shop-0.1.0.tgz\n"
                  "targetCustomizations:\n  - name: prod\n    clusterSelector:\n"
                  "      matchLabels: {env: prod}\n    kustomize:\n      dir: overlays/prod\n")
    fleet_kust = ("namespace: shop\nhelm:\n  releaseName: shop\ntargetCustomizations:\n"
                  "  - name: prod\n    kustomize:\n      dir: overlays/prod\n")
    patch = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n"
             "spec:\n  replicas: 3\n")
    write_tree(tmp_path, {
        "charted/fleet.yaml": fleet_helm,
        "charted/overlays/prod/kustomization.yaml": KUST + "patches:\n  - path: d.yaml\n",
        "charted/overlays/prod/d.yaml": patch,
        "plain/fleet.yaml": fleet_kust,
        "plain/base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "plain/base/d.yaml": deployment("shop"),
        "plain/overlays/prod/kustomization.yaml": KUST + "resources: [../../base]\n"})
    rows = {r["path"]: r for r in envs_rows(tmp_path)}
    assert rows["charted"]["kind"] == "helm-chart"
    assert "Fleet bundle of a Helm chart" in rows["charted"]["why"]
    assert "charted/overlays/prod" not in rows
    assert rows["plain/overlays/prod"]["kind"] == "env"
    rc, doc = lint_json(tmp_path)
    assert doc["errors"] == [], doc["errors"]


def test_a_kind_of_another_group_is_named_with_its_group_not_a_close_name(tmp_path):
    """Shaped like an older OpenShift app repository: BuildConfigs written with the
    group-less `apiVersion: v1` of OpenShift 3, and a Deployment left in `v1`. The core
    group serves neither; the hint names where the kind lives (`build.openshift.io`,
    `apps/v1`), not a core kind of a similar name (`ConfigMap`). A misspelt core kind
    still gets the close name."""
    write_tree(tmp_path, {
        "base/kustomization.yaml": KUST + "resources: [build.yaml, app.yaml]\n",
        "base/build.yaml": "apiVersion: v1\nkind: BuildConfig\nmetadata:\n  name: api\n"
                           "spec: {}\n",
        "base/app.yaml": "apiVersion: v1\nkind: Deployment\nmetadata:\n  name: api\n"
                         "spec: {}\n---\napiVersion: v1\nkind: ConfigMapp\nmetadata:\n"
                         "  name: api\n"})
    rc, doc = lint_json(tmp_path)
    msgs = sorted(f["message"].split(" serves no kind ")[1] for f in doc["findings"]
                  if f["rule"] == "k8s-schema")
    assert msgs == [
        "'BuildConfig' in v1 (BuildConfig is a kind of the build.openshift.io group)",
        "'ConfigMapp' in v1 (did you mean 'ConfigMap'?)",
        "'Deployment' in v1 (Deployment is served in apps/v1)"], msgs


def test_an_app_including_a_setup_env_deployed_alone_is_not_in_its_group(tmp_path):
    """Shaped like a platform monorepo deployed by Argo CD Applications: the API's base
    includes the database setup job (`../../../ops/db-setup`, plain resources), which an
    Application also deploys alone; another Application deploys the API base directly and
    overlays build on it. The setup job is its own group; the API (base and overlays) is
    another: no "Deployment api rendered only in ..." against the setup job, no layering
    across their folders."""
    app = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {n}\n"
           "spec:\n  source:\n    path: {p}\n")
    job = ("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: db-setup\nspec:\n  template:\n"
           "    spec:\n      restartPolicy: Never\n      containers:\n"
           "        - {name: setup, image: 'ghcr.io/acme/setup:1.0'}\n")
    write_tree(tmp_path, {
        "argocd/dev/db.yaml": app.format(n="db-dev", p="ops/db-setup"),
        "argocd/prod/api.yaml": app.format(n="api-prod", p="apps/api/base"),
        "ops/db-setup/kustomization.yaml": KUST + "resources: [job.yaml]\n",
        "ops/db-setup/job.yaml": job,
        "apps/api/base/kustomization.yaml": KUST + "resources:\n  - ../../../ops/db-setup\n"
                                            "  - d.yaml\n",
        "apps/api/base/d.yaml": deployment("api"),
        "apps/api/overlays/dev/kustomization.yaml": KUST + "resources: [../../base]\n",
        "apps/api/overlays/staging/kustomization.yaml": KUST + "resources: [../../base]\n"})
    groups = {r["path"]: r["group"] for r in envs_rows(tmp_path) if r["kind"] == "env"}
    assert groups == {"ops/db-setup": "ops/db-setup", "apps/api/base": "apps/api/base",
                      "apps/api/overlays/dev": "apps/api/base",
                      "apps/api/overlays/staging": "apps/api/base"}, groups
    rc, doc = lint_json(tmp_path)
    rules = {f["rule"] for f in doc["findings"]}
    assert not rules & {"expected-workloads", "overlay-isolation"}, doc["findings"]


def test_the_envs_of_a_flux_monorepo_diff_as_flux_builds_them(tmp_path):
    """Two Flux clusters of one monorepo, each listing the app's `ks.yaml` kept beside
    the app (outside the cluster's folder): `overlay-lint diff` renders both as Flux does
    (it refused them for Kustomize's default load restrictor) and shows what differs."""
    flux = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            "metadata:\n  name: {name}\n  namespace: flux-system\nspec:\n  path: {path}\n"
            "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")
    overlay = (KUST + "resources:\n  - ../../base/web/ks.yaml\n  - ../../base/web/app\n"
               "replicas:\n  - {name: web, count: %d}\n")
    write_tree(tmp_path, {
        "clusters/eu/apps.yaml": flux.format(name="apps", path="./apps/clusters/eu"),
        "clusters/us/apps.yaml": flux.format(name="apps", path="./apps/clusters/us"),
        "apps/clusters/eu/kustomization.yaml": overlay % 2,
        "apps/clusters/us/kustomization.yaml": overlay % 3,
        "apps/base/web/ks.yaml": flux.format(name="web", path="./apps/base/web/app"),
        "apps/base/web/app/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "apps/base/web/app/d.yaml": deployment("web")})
    rc, out, err = run(["diff", "eu", "us"], tmp_path)
    assert rc in (0, 1) and "load restrictor" not in err, err
    assert "replicas" in out and "2" in out and "3" in out, out


def test_a_command_word_of_another_linter_is_answered_with_the_commands(tmp_path):
    """Run as a new user used to `<tool> lint` would: `overlay-lint lint` names no folder.
    The error says how overlay-lint is run; a missing path stays a plain error."""
    write_tree(tmp_path, {"base/kustomization.yaml": KUST + "resources: [d.yaml]\n",
                          "base/d.yaml": deployment("web")})
    rc, out, err = run(["lint"], tmp_path)
    assert rc == 2 and err.startswith("lint: no such file or directory (overlay-lint lints "
                                      "the folders it is given, `.` by default; its commands "
                                      "are render, envs, diff, rules and explain)"), err
    rc, out, err = run(["base/missing"], tmp_path)
    assert rc == 2 and err.strip() == "base/missing: no such file or directory", err


def test_in_a_repository_only_flux_deploys_every_target_renders_as_flux_builds(tmp_path):
    """Shaped like a Flux Operator homelab: the cluster's Flux Kustomization reads an OCI
    artifact CI pushes from this repository (a source overlay-lint cannot place in the
    checkout), so its overlay is an env by the `overlays/` signal only; the overlay lists
    each app's `ks.yaml` across folders, and an app base not deployed yet reads a shared
    `../../.config/` configuration. No Argo CD here: Flux builds all of it without the
    restrictor, and so does lint (kubectl with `--load-restrictor LoadRestrictionsNone`
    renders both)."""
    import subprocess
    from conftest import need_kubectl
    flux = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
            "metadata:\n  name: {name}\n  namespace: flux-system\nspec:\n  path: {path}\n"
            "  sourceRef:\n    kind: {kind}\n    name: flux-system\n")
    write_tree(tmp_path, {
        "kubernetes/clusters/home/ks.yaml": flux.format(
            name="cluster", path="./apps/overlays/home", kind="OCIRepository"),
        "kubernetes/apps/overlays/home/kustomization.yaml": (
            KUST + "resources:\n  - ../../base/web/ks.yaml\n"),
        "kubernetes/apps/base/web/ks.yaml": flux.format(
            name="web", path="./apps/base/web/app", kind="GitRepository"),
        "kubernetes/apps/base/web/app/kustomization.yaml": KUST + "resources: [d.yaml]\n",
        "kubernetes/apps/base/web/app/d.yaml": deployment("web"),
        "kubernetes/apps/base/db/app/kustomization.yaml": (
            KUST + "resources: [d.yaml]\nconfigurations: [../../../.config/names.yaml]\n"),
        "kubernetes/apps/base/db/app/d.yaml": deployment("db"),
        "kubernetes/apps/.config/names.yaml": "nameReference: []\n"})
    rc, doc = lint_json(tmp_path)
    assert doc["errors"] == [] and rc == 0, doc["errors"]
    for d in ("kubernetes/apps/overlays/home", "kubernetes/apps/base/db/app"):
        p = subprocess.run([need_kubectl(), "kustomize", "--load-restrictor",
                            "LoadRestrictionsNone", str(tmp_path / d)],
                           capture_output=True, text=True, timeout=120)
        assert p.returncode == 0, p.stderr


def test_secrets_generated_from_sops_encrypted_files_are_not_plain(tmp_path):
    """Shaped like a Flux homelab: each app's `secretGenerator` reads Helm values from a
    SOPS-encrypted file (`values.yaml=values.enc.yaml`), which Flux decrypts at build
    time. The generated Secret's data is the file in base64, SOPS's `ENC[AES256_GCM,` MAC
    with it, wherever it falls (three files put it at each offset modulo 3); a generator
    reading a plain file is still reported, at its entry."""
    def sops_file(pad: str) -> str:
        return (f"{pad}apiKey: ENC[AES256_GCM,data:q1w2e3,iv:abc,tag:def,type:str]\n"
                "sops:\n  lastmodified: \"2025-01-01T00:00:00Z\"\n"
                "  mac: ENC[AES256_GCM,data:zz99,iv:ghi,tag:jkl,type:str]\n"
                "  version: 3.9.0\n")
    files = {"apps/base/kustomization.yaml": KUST + "secretGenerator:\n"
             + "".join(f"  - name: values-{i}\n    files: [values.yaml=v{i}.enc.yaml]\n"
                       for i in range(3))
             + "  - name: plain\n    files: [values.yaml=plain.yaml]\n"}
    for i in range(3):
        files[f"apps/base/v{i}.enc.yaml"] = sops_file("#" * i)
    files["apps/base/plain.yaml"] = "apiKey: s3cr3t-v4lue\n"
    write_tree(tmp_path, files)
    rc, doc = lint_json(tmp_path)
    found = [(f["file"], f["line"]) for f in doc["findings"] if f["rule"] == "no-plain-secrets"]
    assert found == [("apps/base/kustomization.yaml", 10)], found
