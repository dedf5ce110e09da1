"""removed-api and deprecated-api: per env Kubernetes version, at the apiVersion line."""
from __future__ import annotations

from lint_support import app_tree, lint_json, run

HPA = """\
apiVersion: autoscaling/v2beta2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 1
  maxReplicas: 3
"""
PDB = """\
apiVersion: policy/v1beta1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: api}
"""


def by_rule(doc: dict) -> dict[str, list[tuple]]:
    out: dict[str, list[tuple]] = {}
    for f in doc["findings"]:
        out.setdefault(f["rule"], []).append((f["file"], f["line"], tuple(f["envs"]),
                                              f["severity"], f["message"]))
    return out


def test_removed_in_the_env_pinned_to_a_new_version_deprecated_in_the_old_one(tmp_path):
    app_tree(tmp_path, base={"hpa.yaml": HPA}, overlays={"dev": "", "prod": ""},
             extra={".overlay-lint.yaml": 'kubernetes:\n  versions: {dev: "1.25", prod: "1.26"}\n'})
    rc, doc = lint_json(tmp_path, ".", "--rule", "removed-api", "--rule", "deprecated-api",
                        "--rule", "k8s-schema")
    got = by_rule(doc)
    assert set(got) == {"removed-api", "deprecated-api"}, got
    [(file, line, envs, sev, msg)] = got["removed-api"]
    assert (file, line, envs, sev) == ("base/hpa.yaml", 1, ("prod",), "error")
    assert msg == ("HorizontalPodAutoscaler api: autoscaling/v2beta2 HorizontalPodAutoscaler is "
                   "no longer served by Kubernetes 1.26 (removed in 1.26); use autoscaling/v2 "
                   "HorizontalPodAutoscaler")
    [(file, line, envs, sev, msg)] = got["deprecated-api"]
    assert (file, line, envs, sev) == ("base/hpa.yaml", 1, ("dev",), "warning")
    assert "deprecated since Kubernetes 1.23, not served from 1.26; use autoscaling/v2" in msg
    assert doc["unvalidated"] == []       # a removed API is removed-api's, not "unvalidated"
    assert rc == 1


def test_versions_older_than_the_schemas_come_from_the_lifecycle_table(tmp_path):
    app_tree(tmp_path, base={"pdb.yaml": PDB}, overlays={"dev": "", "staging": "", "prod": ""},
             extra={".overlay-lint.yaml": 'kubernetes:\n  version: "1.24"\n'
                                          '  versions: {protected: "v1.25.3", staging: "1.20"}\n'})
    rc, doc = lint_json(tmp_path, ".", "--rule", "removed-api", "--rule", "deprecated-api")
    got = by_rule(doc)
    [(_, _, envs, _, msg)] = got["removed-api"]
    assert envs == ("prod",)                          # the role `protected` pins prod to 1.25
    assert "(removed in 1.25); use policy/v1 PodDisruptionBudget" in msg
    [(_, _, envs, _, msg)] = got["deprecated-api"]
    assert envs == ("dev",)                           # 1.24: served, deprecated since 1.21
    assert "deprecated since Kubernetes 1.21, not served from 1.25" in msg
    # staging (1.20): served and not deprecated yet
    assert rc == 1


def test_default_version_is_the_newest_and_a_pdb_v1beta1_is_removed(tmp_path):
    app_tree(tmp_path, base={"pdb.yaml": PDB}, overlays={"dev": ""})
    _, doc = lint_json(tmp_path, ".", "--rule", "removed-api")
    from overlay_lint.lint.k8s.openapi import newest, text
    [f] = doc["findings"]
    assert f"no longer served by Kubernetes {text(newest())} (removed in 1.25)" in f["message"]


def test_removed_api_without_replacement(tmp_path):
    psp = "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata:\n  name: p\nspec: {}\n"
    app_tree(tmp_path, base={"psp.yaml": psp}, overlays={"dev": ""})
    _, doc = lint_json(tmp_path, ".", "--rule", "removed-api")
    [f] = doc["findings"]
    assert "PodSecurityPolicy is no longer served" in f["message"]
    assert "no direct replacement" in f["message"]


def test_explain_and_rules_list_the_new_rules(tmp_path):
    for rule in ("k8s-schema", "removed-api", "deprecated-api"):
        rc, out, _ = run(["explain", rule], tmp_path)
        assert rc == 0 and "Failing" in out and "Passing" in out


def test_version_per_group_and_env_name_the_most_specific_wins(tmp_path):
    # both envs build on base/ (their group); prod also has its own entry
    app_tree(tmp_path, base={"hpa.yaml": HPA}, overlays={"dev": "", "prod": ""},
             extra={".overlay-lint.yaml": 'kubernetes:\n  version: "1.30"\n'
                                          '  versions: {base: "1.25", prod: "1.27"}\n'})
    _, doc = lint_json(tmp_path, ".", "--rule", "removed-api", "--rule", "deprecated-api")
    got = by_rule(doc)
    assert [f[2] for f in got["deprecated-api"]] == [("dev",)]     # group: 1.25
    assert [f[2] for f in got["removed-api"]] == [("prod",)]       # env name: 1.27


def test_endpoints_are_deprecated_from_1_33(tmp_path):
    ep = ("apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: db\nsubsets:\n"
          "  - addresses: [{ip: 10.0.0.1}]\n    ports: [{port: 5432}]\n")
    app_tree(tmp_path, base={"ep.yaml": ep}, overlays={"dev": "", "prod": ""},
             extra={".overlay-lint.yaml": 'kubernetes:\n  versions: {dev: "1.32", prod: "1.33"}\n'})
    _, doc = lint_json(tmp_path, ".", "--rule", "deprecated-api", "--rule", "k8s-schema")
    [f] = doc["findings"]
    assert (f["rule"], f["envs"]) == ("deprecated-api", ["prod"])
    assert f["message"].endswith("v1 Endpoints is deprecated since Kubernetes 1.33; use "
                                 "discovery.k8s.io/v1 EndpointSlice")
