"""Silent no-ops (issue 11): patch-no-match, patch-no-effect, unused-image-override,
replacement-no-target, unreferenced-manifest, deprecated-kustomize-field, duplicate-key.

Trees of our own, written per test. Where a claim is "this entry does nothing", kubectl
(the reference renderer) renders the tree with and without the entry and must print the
same; cases Kustomize itself refuses stay render errors, never findings.
"""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import KUBECTL, kubectl_kustomize
from lint_support import deployment, lint_json, run, write_tree

STS = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  serviceName: redis
  selector:
    matchLabels:
      app: redis
  template:
    metadata:
      labels:
        app: redis
    spec:
      containers:
        - name: redis
          image: redis:7.4.1
          resources:
            limits:
              memory: 256Mi
"""

NOOP_RULES = ("patch-no-match", "patch-no-effect", "unused-image-override",
              "replacement-no-target", "unreferenced-manifest", "deprecated-kustomize-field",
              "duplicate-key")


def tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (texts dedented) under ``root``."""
    return write_tree(root, {k: textwrap.dedent(v).lstrip("\n") for k, v in files.items()})


def app(root: Path, overlays: dict[str, str], base: str = "resources: [deploy.yaml, sts.yaml]\n",
        **extra: str) -> Path:
    """base/ (a Deployment ``api`` and a StatefulSet ``redis``) plus overlays/<env>."""
    files = {"base/kustomization.yaml": base, "base/deploy.yaml": deployment(),
             "base/sts.yaml": STS}
    for env, body in overlays.items():
        files[f"overlays/{env}/kustomization.yaml"] = body
    files.update({k.replace("__", "."): v for k, v in extra.items()})
    return tree(root, files)


def found(root: Path, rule: str, *args: str) -> set[tuple]:
    """(file, line, envs) of ``rule``'s findings; the run must have no input errors."""
    _, doc = lint_json(root, ".", "--rule", rule, *args)
    assert doc["errors"] == [], doc["errors"]
    return {(f["file"], f["line"], tuple(f["envs"])) for f in doc["findings"]}


def messages(root: Path, rule: str) -> list[str]:
    _, doc = lint_json(root, ".", "--rule", rule)
    return [f["message"] for f in doc["findings"]]


def same_without(root: Path, tmp: Path, env_dirs: list[str], file: str,
                 drop: tuple[int, int]) -> None:
    """kubectl renders every env dir the same with lines ``drop`` (1-based, inclusive) of
    ``file`` removed: the dropped entry did nothing (skips without kubectl)."""
    if KUBECTL is None:
        pytest.skip("kubectl is not on PATH")
    copy = tmp / "without"
    shutil.copytree(root, copy)
    lines = (copy / file).read_text().splitlines(keepends=True)
    del lines[drop[0] - 1:drop[1]]
    (copy / file).write_text("".join(lines))
    for d in env_dirs:
        before, after = kubectl_kustomize(root / d), kubectl_kustomize(copy / d)
        assert before[0] == 0, before[2]
        assert before == after, f"{d}: removing {file}:{drop} changed the render"


def differs_with(root: Path, tmp: Path, env_dir: str, file: str, old: str, new: str) -> None:
    """kubectl renders ``env_dir`` differently once ``old`` becomes ``new`` in ``file``:
    the entry is live, its value is what makes it a no-op."""
    if KUBECTL is None:
        pytest.skip("kubectl is not on PATH")
    copy = tmp / "changed"
    shutil.copytree(root, copy)
    text = (copy / file).read_text()
    assert old in text
    (copy / file).write_text(text.replace(old, new, 1))
    assert kubectl_kustomize(root / env_dir)[1] != kubectl_kustomize(copy / env_dir)[1]


def render_error(root: Path, rule: str) -> list[dict]:
    rc, doc = lint_json(root, ".", "--rule", rule)
    assert rc == 2 and doc["findings"] == []
    return doc["errors"]


# --- patch-no-match -------------------------------------------------------------------------

PROD_PATCHES = """
resources: [../../base]
patches:
  - target:
      kind: Deployment
      name: judge
    patch: |-
      - op: replace
        path: /spec/replicas
        value: 3
  - path: memory.yaml
    target:
      kind: Deployment
      name: redis
  - target:
      kind: Deployment
      name: api
    patch: |-
      - op: replace
        path: /spec/replicas
        value: 5
"""
MEMORY = """
- op: replace
  path: /spec/template/spec/containers/0/resources/limits/memory
  value: 512Mi
"""


def test_patch_no_match_inline_and_file_at_the_entry_with_a_hint(tmp_path):
    root = app(tmp_path / "t", {"dev": "resources: [../../base]\n", "prod": PROD_PATCHES},
               **{"overlays/prod/memory__yaml": MEMORY})
    k = "overlays/prod/kustomization.yaml"
    assert found(root, "patch-no-match") == {(k, 3, ("prod",)), (k, 10, ("prod",))}
    msgs = messages(root, "patch-no-match")
    assert any("a StatefulSet named 'redis' exists" in m for m in msgs)
    assert any("kind: Deployment, name: judge" in m for m in msgs)
    same_without(root, tmp_path, ["overlays/prod"], k, (3, 13))   # both entries
    differs_with(root, tmp_path, "overlays/prod", k, "kind: Deployment\n      name: redis",
                 "kind: StatefulSet\n      name: redis")


def test_patch_no_match_patches_json6902_and_transformer_config(tmp_path):
    root = app(tmp_path, {"prod": """
        resources: [../../base]
        patchesJson6902:
          - target: {group: apps, version: v1, kind: Deployment, name: web}
            path: replicas.yaml
        transformers:
          - patcher.yaml
        """}, **{"overlays/prod/replicas__yaml": "- op: replace\n  path: /spec/replicas\n"
                                                    "  value: 4\n",
                 "overlays/prod/patcher__yaml": """
        apiVersion: builtin
        kind: PatchTransformer
        metadata:
          name: p
        target:
          kind: CronJob
        patch: '[{"op": "add", "path": "/metadata/labels/x", "value": "y"}]'
        """})
    got = found(root, "patch-no-match")
    assert got == {("overlays/prod/kustomization.yaml", 3, ("prod",)),
                   ("overlays/prod/patcher.yaml", 1, ("prod",))}


def test_patch_that_kustomize_refuses_stays_a_render_error(tmp_path):
    # a strategic-merge patch without target names its resource: no match is an error
    root = app(tmp_path, {"prod": """
        resources: [../../base]
        patchesStrategicMerge:
          - ghost.yaml
        """}, **{"overlays/prod/ghost__yaml": "apiVersion: apps/v1\nkind: Deployment\n"
                                                "metadata:\n  name: ghost\nspec:\n  replicas: 1\n"})
    errors = render_error(root, "patch-no-match")
    assert errors[0]["env"] == "prod" and "no resource matches" in errors[0]["message"]


def test_replicas_entry_matching_nothing_is_kustomizes_error_not_a_finding(tmp_path):
    root = app(tmp_path, {"prod": "resources: [../../base]\nreplicas:\n  - name: ghost\n"
                                  "    count: 2\n"})
    errors = render_error(root, "patch-no-match")
    assert (errors[0]["env"], errors[0]["line"]) == ("prod", 3)
    if KUBECTL is not None:
        assert kubectl_kustomize(root / "overlays/prod")[0] != 0


def test_base_patch_matching_nothing_is_one_finding_for_every_env(tmp_path):
    base = """
    resources: [deploy.yaml, sts.yaml]
    patches:
      - target: {kind: Ingress}
        patch: |-
          - op: add
            path: /metadata/labels/edge
            value: "true"
    """
    root = app(tmp_path / "t", {e: "resources: [../../base]\n" for e in ("dev", "staging", "prod")},
               base=textwrap.dedent(base).lstrip())
    assert found(root, "patch-no-match") == {
        ("base/kustomization.yaml", 3, ("dev", "staging", "prod"))}
    same_without(root, tmp_path, ["overlays/dev", "overlays/prod"], "base/kustomization.yaml",
                 (2, 7))


# a second base holding the Deployment alone (an env without redis)
API_ONLY = {"api-only/kustomization__yaml": "resources: [deploy.yaml]\n",
            "api-only/deploy__yaml": deployment()}

COMPONENT = """
apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - target: {kind: StatefulSet, name: redis}
    patch: |-
      - op: replace
        path: /spec/template/spec/containers/0/resources/limits/memory
        value: 1Gi
  - target: {kind: CronJob}
    patch: |-
      - op: add
        path: /metadata/labels/team
        value: ops
  - target: {kind: Deployment, name: worker}
    patch: |-
      - op: replace
        path: /spec/replicas
        value: 2
"""


def test_component_patches_judged_over_the_envs_that_include_it(tmp_path):
    # the redis patch works in prod only (dev has no redis): not reported; a kind-wide
    # patch in a Component means "every CronJob, if any": not reported; a named target
    # that no includer has: one finding naming both envs
    root = app(tmp_path / "t", {
        "dev": "resources: [../../api-only]\ncomponents: [../../tuning]\n",
        "prod": "resources: [../../base]\ncomponents: [../../tuning]\n"},
        **API_ONLY, **{"tuning/kustomization__yaml": COMPONENT})
    assert found(root, "patch-no-match") == {("tuning/kustomization.yaml", 14, ("dev", "prod"))}
    assert found(root, "patch-no-effect") == set()


def test_nested_overlay_names_every_env_that_reads_the_entry(tmp_path):
    root = app(tmp_path, {
        "prod": "resources: [../../base]\npatches:\n  - target: {kind: Deployment, name: gone}\n"
                "    patch: '[{\"op\": \"replace\", \"path\": \"/spec/replicas\", \"value\": 1}]'\n",
        "prod-eu": "resources: [../prod]\nnamePrefix: eu-\n"})
    assert found(root, "patch-no-match") == {
        ("overlays/prod/kustomization.yaml", 3, ("prod", "prod-eu"))}


def test_a_failed_env_holds_back_a_component_line_not_a_kustomization_line(tmp_path):
    # prod does not render: the Component's named patch might match there (a Component
    # works on what includes it), so it is not judged; the base's patch does the same in
    # every env that includes the base, so dev's verdict stands
    base = ("resources: [deploy.yaml, sts.yaml]\npatches:\n  - target: {kind: Ingress}\n"
            "    patch: '[{\"op\": \"add\", \"path\": \"/metadata/labels/x\", \"value\": \"1\"}]'\n")
    root = app(tmp_path, {
        "dev": "resources: [../../base]\ncomponents: [../../tuning]\n",
        "prod": "resources: [../../base, missing.yaml]\ncomponents: [../../tuning]\n"},
        base=base, **{"tuning/kustomization__yaml": COMPONENT})
    rc, doc = lint_json(root, ".", "--rule", "patch-no-match")
    assert rc == 2 and [e["env"] for e in doc["errors"]] == ["prod"]
    assert {(f["file"], f["line"], tuple(f["envs"])) for f in doc["findings"]} == {
        ("base/kustomization.yaml", 3, ("dev",))}


def test_changed_files_run_does_not_judge_a_shared_line_from_one_env(tmp_path):
    # a Component patch that matches only in prod: a run selecting dev alone (its file
    # changed) must not call it a no-op
    root = app(tmp_path, {
        "dev": "resources: [../../api-only]\ncomponents: [../../tuning]\n",
        "prod": "resources: [../../base]\ncomponents: [../../tuning]\n"},
        **API_ONLY,
        **{"tuning/kustomization__yaml": COMPONENT.replace("name: worker", "name: redis")})
    rc, doc = lint_json(root, "overlays/dev/kustomization.yaml", "--rule", "patch-no-match")
    assert doc["findings"] == [] and doc["envs"] == ["dev"]


def test_changed_files_run_judges_a_base_entry_from_the_env_it_renders(tmp_path):
    base = ("resources: [deploy.yaml, sts.yaml]\nimages:\n  - name: nginx\n"
            "    newTag: \"1.27\"\n")
    root = app(tmp_path, {"dev": "resources: [../../base]\n",
                          "prod": "resources: [../../base]\n"}, base=base)
    rc, doc = lint_json(root, "overlays/dev/kustomization.yaml", "--rule",
                        "unused-image-override")
    assert doc["envs"] == ["dev"]
    assert [(f["file"], f["line"], f["envs"]) for f in doc["findings"]] == [
        ("base/kustomization.yaml", 3, ["dev"])]


# --- patch-no-effect ------------------------------------------------------------------------

def test_json6902_value_already_there_is_reported_at_the_value_line(tmp_path):
    root = app(tmp_path / "t", {"prod": """
        resources: [../../base]
        patches:
          - target: {group: apps, version: v1, kind: StatefulSet, name: redis}
            patch: |-
              - op: replace
                path: /spec/template/spec/containers/0/resources/limits/memory
                value: 256Mi
        """})
    assert found(root, "patch-no-effect") == {("overlays/prod/kustomization.yaml", 7, ("prod",))}
    assert "already has spec.template.spec.containers[name=redis].resources.limits.memory = " \
           "\"256Mi\"" in messages(root, "patch-no-effect")[0]
    same_without(root, tmp_path, ["overlays/prod"], "overlays/prod/kustomization.yaml", (2, 7))
    differs_with(root, tmp_path, "overlays/prod", "overlays/prod/kustomization.yaml",
                 "value: 256Mi", "value: 1Gi")


SMP_SAME = """
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: redis
spec:
  serviceName: redis
  template:
    spec:
      containers:
        - name: redis
          resources:
            limits:
              memory: 256Mi
"""


def test_strategic_merge_file_restating_the_base_one_finding_at_its_first_value(tmp_path):
    root = app(tmp_path / "t", {"staging": "resources: [../../base]\npatches:\n"
                                           "  - path: redis.yaml\n"},
               **{"overlays/staging/redis__yaml": SMP_SAME})
    assert found(root, "patch-no-effect") == {("overlays/staging/redis.yaml", 6, ("staging",))}
    assert "all 2 values it sets (spec.serviceName, spec.template.spec.containers[name=redis]" \
           ".resources.limits.memory)" in messages(root, "patch-no-effect")[0]
    same_without(root, tmp_path, ["overlays/staging"], "overlays/staging/kustomization.yaml",
                 (2, 3))


def test_multi_document_patch_reports_only_the_document_that_changes_nothing(tmp_path):
    both = SMP_SAME + "---\n" + textwrap.dedent("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: api
        spec:
          replicas: 4
        """).lstrip()
    root = app(tmp_path, {"prod": "resources: [../../base]\npatchesStrategicMerge:\n"
                                  "  - sizing.yaml\n"}, **{"overlays/prod/sizing__yaml": both})
    assert found(root, "patch-no-effect") == {("overlays/prod/sizing.yaml", 6, ("prod",))}


def test_patch_changing_one_value_of_several_is_not_reported(tmp_path):
    root = app(tmp_path, {"prod": "resources: [../../base]\npatches:\n  - path: redis.yaml\n"},
               **{"overlays/prod/redis__yaml": SMP_SAME.replace("serviceName: redis",
                                                                "serviceName: cache")})
    assert found(root, "patch-no-effect") == set()


def test_restated_element_that_moves_in_its_list_is_an_effect(tmp_path):
    # Kustomize puts the patch's list elements first: restating the second env var moves
    # it, so the render differs (env order matters for $(VAR) references)
    base_deploy = deployment().replace("          image: ghcr.io/acme/api:1.0.0\n",
                                       "          image: ghcr.io/acme/api:1.0.0\n"
                                       "          env:\n            - name: A\n"
                                       "              value: \"1\"\n            - name: B\n"
                                       "              value: \"2\"\n")
    patch = """
    apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: api
    spec:
      template:
        spec:
          containers:
            - name: api
              env:
                - name: B
                  value: "2"
    """
    root = app(tmp_path / "t", {"prod": "resources: [../../base]\npatches:\n  - path: env.yaml\n"},
               **{"base/deploy__yaml": base_deploy, "overlays/prod/env__yaml": patch})
    assert found(root, "patch-no-effect") == set()
    if KUBECTL is not None:
        copy = tmp_path / "nopatch"
        shutil.copytree(root, copy)
        (copy / "overlays/prod/kustomization.yaml").write_text("resources: [../../base]\n")
        assert kubectl_kustomize(root / "overlays/prod") != \
            kubectl_kustomize(copy / "overlays/prod")


def test_patch_setting_no_value_and_empty_patch_file_are_reported_at_the_entry(tmp_path):
    root = app(tmp_path, {"prod": """
        resources: [../../base]
        patches:
          - patch: |-
              apiVersion: apps/v1
              kind: Deployment
              metadata:
                name: api
          - path: empty.yaml
            target: {kind: Deployment}
          - target: {kind: Deployment, name: api}
            patch: |-
              - op: test
                path: /spec/replicas
                value: 2
        """}, **{"overlays/prod/empty__yaml": ""})  # a comment alone: refused, as by Kustomize
    assert found(root, "patch-no-effect") == {("overlays/prod/kustomization.yaml", 3, ("prod",)),
                                              ("overlays/prod/kustomization.yaml", 8, ("prod",))}


def test_pins_by_design_component_and_kind_wide_patch_are_not_reported(tmp_path):
    component = """
    apiVersion: kustomize.config.k8s.io/v1alpha1
    kind: Component
    patches:
      - target: {kind: StatefulSet, name: redis}
        patch: '[{"op": "replace", "path": "/spec/serviceName", "value": "redis"}]'
    """
    root = app(tmp_path, {"prod": """
        resources: [../../base]
        components: [../../pin]
        patches:
          - target: {kind: StatefulSet}
            patch: '[{"op": "replace", "path": "/spec/serviceName", "value": "redis"}]'
        """}, **{"pin/kustomization__yaml": component})
    assert found(root, "patch-no-effect") == set()


# --- unused-image-override -------------------------------------------------------------------

def test_unused_image_override_at_the_name_line_with_a_close_name(tmp_path):
    root = app(tmp_path / "t", {"prod": """
        resources: [../../base]
        images:
          - name: ghcr.io/acme/apii
            newTag: 2.0.0
          - name: redis
            newTag: 7.4.1
        imageTags:
          - name: postgres
            newTag: "16"
        """})
    assert found(root, "unused-image-override") == {
        ("overlays/prod/kustomization.yaml", 3, ("prod",)),
        ("overlays/prod/kustomization.yaml", 8, ("prod",))}
    assert "did you mean 'ghcr.io/acme/api'?" in messages(root, "unused-image-override")[0]
    same_without(root, tmp_path, ["overlays/prod"], "overlays/prod/kustomization.yaml", (3, 4))
    differs_with(root, tmp_path, "overlays/prod", "overlays/prod/kustomization.yaml",
                 "acme/apii", "acme/api")


def test_image_entry_in_shared_base_and_in_component(tmp_path):
    base = "resources: [deploy.yaml, sts.yaml]\nimages:\n  - name: nginx\n    newTag: \"1.27\"\n"
    component = ("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nimages:\n"
                 "  - name: redis\n    newTag: 7.4.2\n")
    root = app(tmp_path, {
        "dev": "resources: [../../api-only]\ncomponents: [../../cache]\n",
        "prod": "resources: [../../base]\ncomponents: [../../cache]\n"}, base=base,
        **API_ONLY, **{"cache/kustomization__yaml": component})
    # nginx: no image anywhere; redis: used in prod, so the component entry stays
    assert found(root, "unused-image-override") == {("base/kustomization.yaml", 3, ("prod",))}


# --- replacement-no-target -------------------------------------------------------------------

REPLACE = """
replacements:
  - source: {kind: StatefulSet, name: redis, fieldPath: metadata.name}
    targets:
      - select: {kind: CronJob, name: backup}
        fieldPaths: [spec.jobTemplate.spec.template.spec.containers.0.args.0]
"""
CRON = """
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          containers:
            - name: backup
              image: ghcr.io/acme/backup:1.0.0
              args: [placeholder]
"""


def test_base_replacement_for_an_overlay_resource_is_one_finding(tmp_path):
    base = "resources: [deploy.yaml, sts.yaml]\n" + textwrap.dedent(REPLACE).lstrip()
    root = app(tmp_path / "t", {"dev": "resources: [../../base]\n",
                                "staging": "resources: [../../base, cron.yaml]\n"}, base=base,
               **{"overlays/staging/cron__yaml": CRON})
    assert found(root, "replacement-no-target") == {
        ("base/kustomization.yaml", 3, ("dev", "staging"))}
    same_without(root, tmp_path, ["overlays/dev", "overlays/staging"], "base/kustomization.yaml",
                 (2, 6))


def test_replacement_in_the_overlay_that_has_the_target_is_fine(tmp_path):
    root = app(tmp_path, {"staging": "resources: [../../base, cron.yaml]\n"
                                     + textwrap.dedent(REPLACE).lstrip()},
               **{"overlays/staging/cron__yaml": CRON})
    assert found(root, "replacement-no-target") == set()


def test_replacement_errors_kustomize_reports_stay_render_errors(tmp_path):
    missing_field = REPLACE.replace("fieldPath: metadata.name", "fieldPath: spec.nope")
    root = app(tmp_path / "a", {"staging": "resources: [../../base, cron.yaml]\n"
                                           + textwrap.dedent(missing_field).lstrip()},
               **{"overlays/staging/cron__yaml": CRON})
    assert "missing" in render_error(root, "replacement-no-target")[0]["message"]
    no_target_field = REPLACE.replace("containers.0.args.0", "containers.0.command.0")
    root = app(tmp_path / "b", {"staging": "resources: [../../base, cron.yaml]\n"
                                           + textwrap.dedent(no_target_field).lstrip()},
               **{"overlays/staging/cron__yaml": CRON})
    assert "unable to find" in render_error(root, "replacement-no-target")[0]["message"]


def test_var_never_substituted_is_reported_and_a_used_one_is_not(tmp_path):
    kust = """
    resources: [../../base]
    vars:
      - name: REDIS_SERVICE
        objref: {kind: StatefulSet, name: redis, apiVersion: apps/v1}
        fieldref: {fieldpath: spec.serviceName}
      - name: API_NAME
        objref: {kind: Deployment, name: api, apiVersion: apps/v1}
    """
    root = app(tmp_path, {"prod": kust})
    assert found(root, "replacement-no-target") == {
        ("overlays/prod/kustomization.yaml", 3, ("prod",)),
        ("overlays/prod/kustomization.yaml", 6, ("prod",))}
    used = deployment().replace("          image: ghcr.io/acme/api:1.0.0\n",
                                "          image: ghcr.io/acme/api:1.0.0\n"
                                "          args: [--redis=$(REDIS_SERVICE)]\n")
    (root / "base/deploy.yaml").write_text(textwrap.dedent(used).lstrip())
    assert found(root, "replacement-no-target") == {
        ("overlays/prod/kustomization.yaml", 6, ("prod",))}


# --- unreferenced-manifest ------------------------------------------------------------------

HPA = """
# Scale the api on CPU.
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 4
"""


def test_manifest_no_kustomization_lists_is_reported_at_kind(tmp_path):
    root = app(tmp_path, {"prod": "resources: [../../base, pdb.yaml]\n"}, **{
        "overlays/prod/hpa__yaml": HPA,
        "overlays/prod/pdb__yaml": "apiVersion: policy/v1\nkind: PodDisruptionBudget\n"
                                   "metadata:\n  name: api\nspec:\n  minAvailable: 1\n",
        # not manifests, or not forgotten:
        "overlays/prod/ops__yaml": "- op: replace\n  path: /spec/replicas\n  value: 2\n",
        "overlays/prod/limits-patch__yaml": SMP_SAME,
        "overlays/prod/partial__yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                       "  name: api\nspec:\n  replicas: 3\n",
        "overlays/prod/settings__yaml": "logLevel: debug\nport: 8080\n",
        "overlays/prod/skaffold__yaml": "apiVersion: skaffold/v4beta6\nkind: Config\n"
                                        "metadata:\n  name: app\n",
        "overlays/prod/local__yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: l\n"
                                     "  annotations:\n"
                                     "    config.kubernetes.io/local-config: \"true\"\n",
        "docs/example.yaml": HPA,            # not inside any kustomization's folder
    })
    assert found(root, "unreferenced-manifest") == {("overlays/prod/hpa.yaml", 3, ())}
    _, doc = lint_json(root, ".", "--rule", "unreferenced-manifest")
    assert "kustomization at overlays/prod" in doc["findings"][0]["message"]


def test_manifest_listed_or_deployed_by_a_tool_is_not_reported(tmp_path):
    pdb = ("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: api\n"
           "spec:\n  minAvailable: 1\n")
    root = app(tmp_path, {
        "prod": "resources: [../../base, extras/pdb.yaml]\n# - hpa-later.yaml  (not yet)\n"},
        **{"overlays/prod/extras/pdb__yaml": pdb,
           "overlays/prod/extras/hpa__yaml": HPA,       # a plain folder Argo CD deploys
           "overlays/prod/hpa-later__yaml": HPA,        # commented out on purpose
           "overlays/prod/hpa-skaffold__yaml": HPA,     # Skaffold applies it
           "overlays/prod/hpa-tilt__yaml": HPA,         # Tilt applies it
           "overlays/prod/hpa__yaml": HPA,              # Flux builds the kustomization only
           "deploy/extras-app__yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata:
              name: extras
            spec:
              source:
                path: overlays/prod/extras
            """,
           "deploy/flux__yaml": """
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata:
              name: prod
            spec:
              path: ./overlays/prod
            """,
           "skaffold__yaml": """
            apiVersion: skaffold/v4beta6
            kind: Config
            metadata:
              name: dev
            manifests:
              rawYaml:
                - overlays/prod/hpa-sk*.yaml
            """,
           "Tiltfile": "k8s_yaml(['overlays/prod/hpa-tilt.yaml'])\n",
           # the root Application next to the kustomization it bootstraps
           "overlays/prod/root-app__yaml": """
            apiVersion: argoproj.io/v1alpha1
            kind: Application
            metadata:
              name: root
            spec:
              source:
                path: overlays/prod
            """,
           })
    assert found(root, "unreferenced-manifest") == {("overlays/prod/hpa.yaml", 3, ())}


def test_folders_no_kustomization_reads_from_are_not_its_files(tmp_path):
    # a repository-wide kustomization: examples/, tests/ and a Helm chart below it hold
    # manifests that are not its business
    root = tree(tmp_path, {
        "kustomization.yaml": "resources: [manifests/api.yaml]\n",
        "manifests/api.yaml": deployment(),
        "manifests/forgotten.yaml": HPA,
        "examples/demo/app.yaml": HPA,
        "tests/e2e/kind.yaml": HPA,
        "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
        "charts/web/templates/hpa.yaml": HPA,
    })
    assert found(root, "unreferenced-manifest") == {("manifests/forgotten.yaml", 3, ())}


def test_manifest_read_by_a_kustomization_outside_the_linted_folder(tmp_path):
    root = app(tmp_path, {"prod": "resources: [../../base, extras/hpa.yaml]\n"},
               **{"overlays/prod/extras/hpa__yaml": HPA,
                  "overlays/prod/extras/kustomization__yaml": "resources: []\n"})
    rc, doc = lint_json(root, "overlays/prod/extras", "--rule", "unreferenced-manifest")
    assert doc["findings"] == []


def test_unreferenced_manifest_config_ignore(tmp_path):
    root = app(tmp_path, {"prod": "resources: [../../base]\n"},
               **{"overlays/prod/hpa__yaml": HPA, ".overlay-lint__yaml": """
            ignore:
              - rules: [unreferenced-manifest]
                paths: ["overlays/*/hpa.yaml"]
                reason: applied by the autoscaling pipeline
            """})
    assert found(root, "unreferenced-manifest") == set()


# --- deprecated-kustomize-field --------------------------------------------------------------

def test_deprecated_fields_at_their_key_with_the_edit_fix_replacement(tmp_path):
    root = app(tmp_path, {
        "dev": "resources: [../../base]\n",
        "prod": """
            bases: [../../base]
            commonLabels:
              team: core
            patchesStrategicMerge:
              - replicas.yaml
            patchesJson6902:
              - target: {group: apps, version: v1, kind: Deployment, name: api}
                patch: '[{"op": "replace", "path": "/spec/replicas", "value": 3}]'
            imageTags:
              - name: redis
                newTag: 7.4.2
            vars:
              - name: API
                objref: {kind: Deployment, name: api, apiVersion: apps/v1}
            """}, base="resources: [deploy.yaml, sts.yaml]\nbases: []\nvars:\n",
        **{"overlays/prod/replicas__yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                           "  name: api\nspec:\n  replicas: 4\n"})
    _, doc = lint_json(root, ".", "--rule", "deprecated-kustomize-field")
    got = {(f["file"], f["line"], f["field_path"], f["severity"], tuple(f["envs"]))
           for f in doc["findings"]}
    k = "overlays/prod/kustomization.yaml"
    assert got == {(k, 1, "bases", "warning", ("prod",)), (k, 2, "commonLabels", "warning", ("prod",)),
                   (k, 4, "patchesStrategicMerge", "warning", ("prod",)),
                   (k, 6, "patchesJson6902", "warning", ("prod",)),
                   (k, 9, "imageTags", "warning", ("prod",)), (k, 12, "vars", "warning", ("prod",)),
                   # an empty list is not null: Kustomize warns about it too
                   ("base/kustomization.yaml", 2, "bases", "warning", ("dev", "prod"))}
    msgs = {f["field_path"]: f["message"] for f in doc["findings"] if f["file"] == k}
    assert "`- path: replicas.yaml`" in msgs["patchesStrategicMerge"]
    assert "includeSelectors: true" in msgs["commonLabels"] and "team: core" in msgs["commonLabels"]
    assert "'resources:'" in msgs["bases"] and "'images:'" in msgs["imageTags"]
    assert "replacements" in msgs["vars"]


# --- duplicate-key --------------------------------------------------------------------------

def test_duplicate_keys_at_the_second_occurrence_naming_the_value_kustomize_keeps(tmp_path):
    root = app(tmp_path, {"prod": """
        resources: [../../base]
        namePrefix: a-
        images:
          - name: redis
            newTag: 7.4.1
            newtag: 7.4.2
        commonAnnotations:
          Team: x1
          team: x2
        namePrefix: b-
        """})
    _, doc = lint_json(root, ".", "--rule", "duplicate-key")
    assert doc["errors"] == []
    got = {(f["file"], f["line"], f["envs"][0]): f["message"] for f in doc["findings"]}
    k = "overlays/prod/kustomization.yaml"
    assert set(got) == {(k, 6, "prod"), (k, 10, "prod")}     # Team/team: map keys differ
    assert "'namePrefix' is set twice in this mapping (also at line 2); Kustomize keeps only " \
           "the value at line 10" in got[(k, 10, "prod")]
    assert "'newtag' repeats 'newTag' (line 5)" in got[(k, 6, "prod")]
    assert "keeps only the value at line 6" in got[(k, 6, "prod")]


def test_three_occurrences_name_the_last_one_as_kept(tmp_path):
    root = app(tmp_path, {"prod": "resources: [../../base]\nnamePrefix: a-\nnamePrefix: b-\n"
                                  "namePrefix: c-\n"})
    _, doc = lint_json(root, ".", "--rule", "duplicate-key")
    assert sorted((f["line"], f["message"].split("; ")[1]) for f in doc["findings"]) == [
        (3, "Kustomize keeps only the value at line 4 and ignores the other: keep one"),
        (4, "Kustomize keeps only the value at line 4 and ignores the other: keep one")]


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
def test_kustomize_keeps_the_last_key_and_the_case_variant_sorting_last(tmp_path):
    """What the duplicate-key message claims, checked against kubectl."""
    root = tree(tmp_path, {"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
                           "kustomization.yaml": "resources: [cm.yaml]\nnameSuffix: -a\n"
                                                 "nameprefix: p-\nnamePrefix: q-\n"
                                                 "nameSuffix: -b\n"})
    rc, out, _ = kubectl_kustomize(root)
    assert rc == 0 and "name: p-x-b" in out


# --- all rules ------------------------------------------------------------------------------

def test_every_noop_rule_is_explained(tmp_path):
    for rule in NOOP_RULES:
        rc, out, _ = run(["explain", rule], tmp_path)
        text = out.lower()
        assert rc == 0 and "why" in text and "failing" in text and "passing" in text \
            and "fix" in text, rule
