"""The lint command line: rules/explain, formats, colour, exit codes, errors, packaging."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import REPO
from lint_support import app_tree, deployment, keys, lint_json, run, write_tree

OLINT = Path(sys.executable).with_name("overlay-lint")
RULES = {"revision-history-limit", "expected-workloads", "dev-replicas", "dev-image-tags",
         "prod-no-dev-images", "no-latest-in-prod", "overlay-isolation", "secret-key-ref",
         "configmap-key-ref", "no-plain-secrets", "argocd-self-heal",
         "k8s-schema", "removed-api", "deprecated-api", "env-parity",
         "patch-no-match", "patch-no-effect", "unused-image-override", "replacement-no-target",
         "unreferenced-manifest", "deprecated-kustomize-field", "duplicate-key",
         "ignored-by-kustomize", "unused-suppression"}


def test_rules_lists_every_rule(tmp_path):
    rc, out, _ = run(["rules"], tmp_path)
    assert rc == 0
    ids = {ln.split()[0] for ln in out.splitlines()}
    assert ids == RULES
    assert re.search(r"^no-plain-secrets\s+error\s+yaml\s+No plain", out, re.M)


@pytest.mark.parametrize("rule", sorted(RULES))
def test_explain_documents_every_rule(tmp_path, rule):
    rc, out, _ = run(["explain", rule], tmp_path)
    assert rc == 0
    text = out.lower()
    assert "why" in text and "fail" in text and "pass" in text and "fix" in text, out


def test_explain_unknown_rule_suggests(tmp_path):
    rc, _, err = run(["explain", "dev-replica"], tmp_path)
    assert rc == 2 and "did you mean 'dev-replicas'" in err


def test_one_broken_env_is_an_error_and_others_are_still_checked(tmp_path):
    app_tree(tmp_path, overlays={"dev": "", "staging": "patches:\n  - path: missing.yaml\n",
                                 "prod": ""})
    rc, doc = lint_json(tmp_path, ".", "--rule", "dev-replicas")
    assert rc == 2
    assert [(e["env"], e["file"], e["line"]) for e in doc["errors"]] == \
        [("staging", "overlays/staging/kustomization.yaml", 4)]
    assert keys(doc) == {("dev-replicas", "base/deploy.yaml", 6, ("dev",))}
    rc, out, err = run([".", "--color", "never"], tmp_path)
    # input errors go to stderr, one line each; the report (stdout) counts them
    assert err.startswith("overlays/staging/kustomization.yaml:4: error: ")
    assert err.rstrip().endswith("(env staging)") and len(err.splitlines()) == 1
    assert "kustomization.yaml:4" not in out
    assert out.splitlines()[-1].endswith("; 1 input error")


def test_bases_and_loose_manifests_are_checked(tmp_path):
    write_tree(tmp_path, {
        # a root that builds on a local kustomization: an env
        "apps/web/kustomization.yaml": "resources: [d.yaml, sub]\n",
        "apps/web/d.yaml": deployment("web"),
        "apps/web/sub/kustomization.yaml": "resources: [cm.yaml]\n",   # included: not a root
        "apps/web/sub/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
        # a root made of files only: a base, checked alone
        "apps/api/kustomization.yaml": "resources: [d.yaml]\n",
        "apps/api/d.yaml": deployment("api").replace("  revisionHistoryLimit: 3\n", ""),
        "loose/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
                             "stringData:\n  a: b\n",
        "loose/values.yaml": "replicaCount: 1\n",          # not a manifest
        "loose/chart.yaml": "apiVersion: v1\nkind: {{ .Kind }}\n  bad: [\n",  # templated
    })
    rc, doc = lint_json(tmp_path, ".")
    assert doc["errors"] == [] and doc["envs"] == ["web"]
    assert keys(doc) == {("revision-history-limit", "apps/api/d.yaml", 5, ("base",)),
                         ("no-plain-secrets", "loose/secret.yaml", 2, ())}


def test_broken_loose_manifest_is_an_error(tmp_path):
    write_tree(tmp_path, {"x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n"})
    rc, doc = lint_json(tmp_path, ".")
    assert rc == 2 and doc["errors"][0]["file"] == "x.yaml"


def test_output_file_and_fail_on(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment(replicas=1)},
             overlays={"dev": "", "prod": "", "staging": "  - extra.yaml\n"},
             extra={"overlays/staging/extra.yaml": deployment("extra", replicas=1)})
    rc, out, _ = run([".", "--output", "report.txt"], tmp_path)
    assert rc == 0 and out == ""              # only a warning (expected-workloads)
    text = (tmp_path / "report.txt").read_text()
    assert "warning [expected-workloads]" in text and "\x1b[" not in text
    assert run([".", "--fail-on", "warning"], tmp_path)[0] == 1
    assert run([".", "--fail-on", "info"], tmp_path)[0] == 1
    (tmp_path / ".overlay-lint.yaml").write_text("fail-on: warning\n")
    assert run(["."], tmp_path)[0] == 1


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path):
    app_tree(tmp_path)
    rc, out, _ = run([".", "--color", "always"], tmp_path)
    assert "\x1b[31merror\x1b[0m" in out
    from overlay_lint.report.text import use_color

    class Tty:
        def isatty(self):
            return True
    assert use_color(Tty()) is True
    os.environ["NO_COLOR"] = "1"
    try:
        assert use_color(Tty()) is False
    finally:
        del os.environ["NO_COLOR"]
    with open(os.devnull, "w") as not_a_tty:
        assert use_color(not_a_tty) is False


@pytest.mark.parametrize("fmt, marker", [("sarif", '"$schema"'), ("github", "::error file="),
                                         ("junit", "<testsuites")])
def test_other_formats_are_delegated(tmp_path, fmt, marker):
    app_tree(tmp_path)
    rc, out, _ = run([".", "--format", fmt], tmp_path)
    assert rc == 1 and marker in out


def test_unknown_rule_filter_and_missing_path(tmp_path):
    app_tree(tmp_path)
    assert run([".", "--rule", "nope"], tmp_path)[0] == 2
    rc, _, err = run(["nowhere"], tmp_path)
    assert rc == 2 and err.startswith("nowhere: no such file")


def test_changed_files_select_envs(tmp_path):
    app_tree(tmp_path, overlays={"dev": "", "prod": ""})
    rc, doc = lint_json(tmp_path, "overlays/prod/kustomization.yaml")
    assert doc["envs"] == ["prod"]
    rc, doc = lint_json(tmp_path, "--files", "base/deploy.yaml")
    assert doc["envs"] == ["dev", "prod"]


def test_help_is_fast_and_lazy():
    code = ("import sys, overlay_lint.cli as c\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('jsonschema', 'ruamel.yaml', 'overlay_lint.kustomize.build',"
            " 'overlay_lint.lint.engine') if m in sys.modules]\n"
            "print(heavy)\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert p.stdout.strip().splitlines()[-1] == "[]"


def test_packaging_ships_rules_and_schemas():
    """pyproject lists every package (rules/ is mapped into the wheel as overlay_lint._rules)."""
    cfg = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(cfg["packages"])
    on_disk = {".".join(p.relative_to(REPO).parts[:-1]) for p in
               (REPO / "overlay_lint").rglob("__init__.py")}
    assert on_disk <= listed, f"add to [tool.setuptools] packages: {on_disk - listed}"
    assert cfg["package-dir"]["overlay_lint._rules"] == "rules"
    assert "*.yaml" in cfg["package-data"]["overlay_lint._rules"]
    assert "schemas/*.json" in cfg["package-data"]["overlay_lint"]
    from overlay_lint.lint.declarative import packaged_rules_dir
    assert {p.name for p in Path(packaged_rules_dir()).glob("*.yaml")} >= {
        "revision-history-limit.yaml", "no-plain-secrets.yaml"}


def test_schemas_are_valid_json_schemas():
    import jsonschema
    from overlay_lint.lint.schema_check import packaged_schema
    for name in ("config.schema.json", "rule.schema.json", "findings.schema.json"):
        jsonschema.Draft202012Validator.check_schema(packaged_schema(name))
    # the packaged rule files satisfy the rule schema
    import yaml
    v = jsonschema.Draft202012Validator(packaged_schema("rule.schema.json"))
    from overlay_lint.lint.declarative import substitute
    for p in (REPO / "rules").glob("*.yaml"):
        rule = yaml.safe_load(p.read_text())
        assert list(v.iter_errors(rule)) == [], p
        # its schema is valid too (the linter skips this check for packaged rules)
        jsonschema.Draft202012Validator.check_schema(
            substitute(rule["schema"], rule.get("parameters") or {}))


@pytest.mark.parametrize("argv", [
    [".", "--base", "b.json"],            # never read as --baseline
    [".", "--write-base", "b.json"],
    ["render", ".", "--orig"],
    ["rules", "--mark"],
    ["envs", "--form", "json"],
])
def test_options_are_never_abbreviated(tmp_path, argv):
    app_tree(tmp_path)
    with pytest.raises(SystemExit) as exc:
        run(argv, tmp_path)
    assert exc.value.code == 2
    assert not (tmp_path / "b.json").exists()


def test_select_ignore_exit_zero_and_statistics(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment("api", "nginx:latest", replicas=3)
                             .replace("  revisionHistoryLimit: 3\n", "")})
    rc, doc = lint_json(tmp_path, ".")
    assert {f["rule"] for f in doc["findings"]} == {"dev-replicas", "no-latest-in-prod",
                                                     "revision-history-limit"}
    rc, doc = lint_json(tmp_path, ".", "--select", "dev-replicas,no-latest-in-prod",
                        "--ignore", "no-latest-in-prod")
    assert {f["rule"] for f in doc["findings"]} == {"dev-replicas"}
    rc, doc = lint_json(tmp_path, ".", "--ignore", "dev-replicas", "--ignore",
                        "revision-history-limit")
    assert {f["rule"] for f in doc["findings"]} == {"no-latest-in-prod"} and rc == 1
    assert lint_json(tmp_path, ".", "--exit-zero")[0] == 0
    rc, out, err = run([".", "--select", "no-latest-in-prd"], tmp_path)
    assert rc == 2 and "unknown rule 'no-latest-in-prd'; did you mean 'no-latest-in-prod'?" in err
    rc, out, _ = run([".", "--statistics"], tmp_path)
    assert rc == 1 and out.splitlines()[:3] == [
        "1  dev-replicas            error", "1  no-latest-in-prod       error",
        "1  revision-history-limit  error"]
    assert out.splitlines()[3].startswith("3 findings (3 errors) in 2 envs")
    rc, out, _ = run([".", "--statistics", "--format", "json"], tmp_path)
    assert json.loads(out)[0] == {"rule": "dev-replicas", "severity": "error", "count": 1}
    rc, _, err = run([".", "--statistics", "--format", "sarif"], tmp_path)
    assert rc == 2 and "--statistics prints text or json" in err
