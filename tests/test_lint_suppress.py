"""Suppressions (inline comments, annotation, config ignores) and baselines."""
from __future__ import annotations

import json
import shutil

import pytest

from conftest import need_shared
from lint_support import app_tree, deployment, keys, lint_json, run


def _broken_copy(tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(need_shared() / "fixtures" / "aether-broken", root)
    return root


def _edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_inline_disable_on_the_finding_line(tmp_path):
    root = _broken_copy(tmp_path)
    _edit(root / "infra/overlays/dev/kustomization.yaml", "    count: 2",
          "    count: 2  # overlay-lint: disable=dev-replicas -- load test until Friday")
    rc, doc = lint_json(root, "infra")
    assert "dev-replicas" not in {f["rule"] for f in doc["findings"]}
    assert len(doc["findings"]) == 10 and doc["summary"]["suppressed"] == 1


def test_inline_disable_names_other_rule_does_not_suppress(tmp_path):
    root = _broken_copy(tmp_path)
    _edit(root / "infra/overlays/dev/kustomization.yaml", "    count: 2",
          "    count: 2  # overlay-lint: disable=dev-image-tags")
    _, doc = lint_json(root, "infra")
    assert "dev-replicas" in {f["rule"] for f in doc["findings"]}


def test_disable_next_line_inside_inline_patch_and_files(tmp_path):
    root = _broken_copy(tmp_path)
    _edit(root / "infra/overlays/prod/kustomization.yaml", "  - name: redis\n",
          "  - name: redis\n    # overlay-lint: disable-next-line=no-latest-in-prod,prod-no-dev-images\n")
    _edit(root / "infra/k3s/minio/secret.yaml", "kind: Secret",
          "kind: Secret  # overlay-lint: disable=all -- rotated, sealed in PR 42")
    _, doc = lint_json(root, "infra")
    rules = {f["rule"] for f in doc["findings"]}
    assert "no-latest-in-prod" not in rules and "no-plain-secrets" not in rules
    assert len(doc["findings"]) == 9


def test_annotation_on_a_resource(tmp_path):
    root = _broken_copy(tmp_path)
    _edit(root / "infra/k3s/github-worker/deployment.yaml", "  labels:\n",
          "  annotations:\n    overlay-lint.io/disable: \"revision-history-limit, dev-replicas\"\n"
          "  labels:\n")
    _, doc = lint_json(root, "infra")
    assert not any(f["rule"] == "revision-history-limit" and "github-worker" in f["file"]
                   for f in doc["findings"])
    # the other Deployments are still checked
    assert sum(f["rule"] == "revision-history-limit" for f in doc["findings"]) == 2


def test_annotation_added_by_an_overlay_only_suppresses_that_env(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment().replace(
        "  revisionHistoryLimit: 3\n", "")}, overlays={"dev": """
        commonAnnotations:
          overlay-lint.io/disable: revision-history-limit
        """, "prod": ""})
    _, doc = lint_json(tmp_path, ".", "--rule", "revision-history-limit")
    assert keys(doc) == {("revision-history-limit", "base/deploy.yaml", 5, ("prod",))}


def test_config_ignores(tmp_path):
    root = _broken_copy(tmp_path)
    (root / ".overlay-lint.yaml").write_text(
        "ignore:\n"
        "  - rules: [no-plain-secrets]\n"
        "    paths: [infra/k3s/minio/**]\n"
        "    reason: sealed in the next release\n"
        "  - rules: [revision-history-limit]\n"
        "    resources: [Deployment/github-worker]\n"
        "    envs: [dev, staging]\n"
        "  - resources: [Deployment/*/identity-service]\n"
        "    rules: [secret-key-ref]\n"
        "ignore-paths: [infra/overlays/staging/patches]\n")
    _, doc = lint_json(root, "infra")
    got = {(f["rule"], f["file"]): f["envs"] for f in doc["findings"]}
    assert ("no-plain-secrets", "infra/k3s/minio/secret.yaml") not in got
    # ignored only in dev and staging: prod still shows it
    assert got[("revision-history-limit", "infra/k3s/github-worker/deployment.yaml")] == ["prod"]
    assert ("secret-key-ref", "infra/k3s/identity-service/deployment.yaml") not in got
    assert ("revision-history-limit", "infra/overlays/staging/patches/gateway.yaml") not in got
    assert len(doc["findings"]) == 8


def test_baseline_reports_only_new_findings(tmp_path):
    root = _broken_copy(tmp_path)
    rc, _, err = run(["infra", "--write-baseline", "baseline.json"], root)
    assert rc == 0 and "wrote 11 findings" in err
    base = json.loads((root / "baseline.json").read_text())
    assert len(base["findings"]) == 11 and all(len(e["fingerprint"]) == 32
                                               for e in base["findings"])
    rc, doc = lint_json(root, "infra", "--baseline", "baseline.json")
    assert (rc, doc["findings"], doc["summary"]["baselined"]) == (0, [], 11)

    # edit lines above baselined findings: they must stay known
    for rel in ("infra/overlays/dev/kustomization.yaml", "infra/k3s/github-worker/deployment.yaml",
                "infra/overlays/prod/patches/resources.yaml", "infra/k3s/minio/secret.yaml"):
        p = root / rel
        p.write_text("# a new comment line\n# and another\n" + p.read_text())
    _edit(root / "infra/overlays/prod/kustomization.yaml", "images:\n",
          "images:\n  - name: ghcr.io/aether/github-worker\n    newTag: 1.2.4\n")
    rc, doc = lint_json(root, "infra", "--baseline", "baseline.json")
    assert (rc, doc["findings"]) == (0, [])

    # a new violation is reported
    _edit(root / "infra/overlays/dev/kustomization.yaml", "  - name: identity-service\n    count: 1",
          "  - name: identity-service\n    count: 4")
    rc, doc = lint_json(root, "infra", "--baseline", "baseline.json")
    assert rc == 1
    assert keys(doc) == {("dev-replicas", "infra/overlays/dev/kustomization.yaml", 54, ("dev",))}


def test_baseline_counts_duplicates(tmp_path):
    from overlay_lint.lint.findings import Finding
    from overlay_lint.lint.baseline import apply_baseline
    from collections import Counter
    a = Finding("r", "error", "m", "f.yaml", 3)
    b = Finding("r", "error", "m", "f.yaml", 9)       # same fingerprint, other line
    left, dropped = apply_baseline([a, b], Counter({a.fingerprint(): 1}))
    assert (left, dropped) == ([b], 1)


@pytest.mark.parametrize("content, msg", [
    ("not json", "baseline is not valid JSON"),
    ('{"x": 1}', "not an overlay-lint baseline"),
])
def test_bad_baseline_is_an_input_error(tmp_path, content, msg):
    app_tree(tmp_path)
    (tmp_path / "b.json").write_text(content)
    rc, out, err = run([".", "--baseline", "b.json"], tmp_path)
    assert rc == 2 and msg in err and err.startswith("b.json")


def test_suppression_comment_added_between_runs_in_one_process(tmp_path):
    app_tree(tmp_path)
    assert lint_json(tmp_path, ".", "--rule", "dev-replicas")[0] == 1
    p = tmp_path / "base/deploy.yaml"
    p.write_text(p.read_text().replace("replicas: 2", "replicas: 2  # overlay-lint: disable=all"))
    assert lint_json(tmp_path, ".", "--rule", "dev-replicas")[0] == 0


@pytest.mark.parametrize("line, want", [
    ("x: 1  # overlay-lint: disable=a,b -- reason", ("disable", ("a", "b"))),
    ("# overlay-lint: disable-next-line = all", ("disable-next-line", ("all",))),
    ("x#overlay-lint:disable=a--why", ("disable", ("a",))),
    ('x: "overlay-lint: disable=a"', None),          # not in a comment
    ("# overlay-lint: enable=a", None),
    ("# overlay-lint: disable=a!b", None),
])
def test_suppression_comment_parsing(line, want):
    from overlay_lint.lint.suppress import parse_directive
    d = parse_directive(line)
    assert (None if d is None else (d.kind, d.rules)) == want


def test_suppression_comment_parsing_is_linear():
    import time
    from overlay_lint.lint.suppress import parse_directive
    # a 3 KB line took 85 s with the old regex; these are 100-1000x longer
    hostile = ["#overlay-lint:disable=" + " " * 300_000 + "!",
               "# overlay-lint: disable=" + "a-" * 150_000 + "#",
               "#overlay-lint:" * 100_000, "# overlay-lint: disable=!" * 50_000]
    start = time.process_time()
    for text in hostile:
        parse_directive(text)
    assert time.process_time() - start < 2


def test_unknown_rule_in_a_suppression_is_a_warning(tmp_path):
    deploy = deployment().replace("  replicas: 2", "  replicas: 2  # overlay-lint: disable=dev-replica")
    deploy = deploy.replace("kind: Deployment\nmetadata:\n",
                            "kind: Deployment\nmetadata:\n  annotations:\n"
                            "    overlay-lint.io/disable: revision-history-limt\n")
    app_tree(tmp_path, base={"deploy.yaml": deploy})
    (tmp_path / ".overlay-lint.yaml").write_text("ignore:\n  - rules: [no-such-rule]\n")
    rc, doc = lint_json(tmp_path, ".")
    assert rc == 1            # a warning, not a failure: dev-replicas still reports
    got = sorted((w["file"], w["line"], w["message"].split(";")[0]) for w in doc["warnings"])
    assert got == [
        (".overlay-lint.yaml", 2, "unknown rule 'no-such-rule' in an ignore entry"),
        ("base/deploy.yaml", 5,
         "unknown rule 'revision-history-limt' in annotation overlay-lint.io/disable"),
        ("base/deploy.yaml", 8, "unknown rule 'dev-replica' in suppression comment")]
    assert "dev-replicas" in {f["rule"] for f in doc["findings"]}


def test_report_unused_suppressions(tmp_path):
    deploy = deployment().replace(
        "  replicas: 2", "  replicas: 2  # overlay-lint: disable=dev-replicas -- used")
    deploy = deploy.replace("  revisionHistoryLimit: 3",
                            "  # overlay-lint: disable-next-line=revision-history-limit\n"
                            "  revisionHistoryLimit: 3")                 # nothing to drop
    deploy = deploy.replace("kind: Deployment\nmetadata:\n",
                            "kind: Deployment\nmetadata:\n  annotations:\n"
                            "    overlay-lint.io/disable: no-latest-in-prod\n")   # unused
    app_tree(tmp_path, base={"deploy.yaml": deploy})
    rc, doc = lint_json(tmp_path, ".")
    assert rc == 0 and doc["findings"] == [] and doc["warnings"] == []
    rc, doc = lint_json(tmp_path, ".", "--report-unused-suppressions")
    got = sorted((f["rule"], f["severity"], f["line"], f["message"]) for f in doc["findings"])
    assert got == [
        ("unused-suppression", "warning", 5, "annotation overlay-lint.io/disable of "
         "'no-latest-in-prod' suppresses nothing here; remove it"),
        ("unused-suppression", "warning", 9, "suppression comment of "
         "'revision-history-limit' suppresses nothing here; remove it")]
    assert rc == 0
    # a rule that did not run says nothing about its suppressions
    rc, doc = lint_json(tmp_path, ".", "--report-unused-suppressions", "--select",
                        "dev-replicas")
    assert doc["findings"] == []
    (tmp_path / ".overlay-lint.yaml").write_text("rules:\n  unused-suppression: error\n")
    rc, doc = lint_json(tmp_path, ".", "--report-unused-suppressions")
    assert rc == 1 and {f["severity"] for f in doc["findings"]} == {"error"}


def test_unused_suppressions_are_not_judged_on_a_partial_run(tmp_path):
    # a changed-files run checks dev only; the base's suppression may serve prod
    deploy = deployment(image="nginx:latest").replace(
        "          image: nginx:latest",
        "          image: nginx:latest  # overlay-lint: disable=no-latest-in-prod")
    app_tree(tmp_path, base={"deploy.yaml": deploy}, overlays={"dev": "", "prod": ""})
    rc, doc = lint_json(tmp_path, ".", "--report-unused-suppressions", "--select",
                        "no-latest-in-prod", "--files", "overlays/dev/kustomization.yaml")
    assert doc["envs"] == ["dev"] and doc["findings"] == []
    rc, doc = lint_json(tmp_path, ".", "--report-unused-suppressions", "--select",
                        "no-latest-in-prod")
    assert doc["findings"] == [] and doc["summary"]["suppressed"] == 1
