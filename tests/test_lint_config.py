"""Configuration: lookup, schema validation with file:line errors, rule settings, rule dirs."""
from __future__ import annotations

import pytest

from lint_support import app_tree, deployment, keys, lint_json, run, write_tree


@pytest.mark.parametrize("config, line, msg", [
    ("rules:\n  dev-replicas: off\nfail-on: critical\n", 3, "invalid config at fail-on"),
    ("envs:\n  - name: prod\n    pth: overlays/prod\n", 3, "unknown key 'pth'"),
    ("envs:\n  - name: prod\n", 2, "'path' is required"),
    ("roles:\n  dev: dev\n", 2, "invalid config at roles.dev"),
    ("rules:\n  no-such-rule: off\n", 2, "unknown rule 'no-such-rule'"),
    ("rules:\n  dev-replicas:\n    cnt: 2\n", 3, "rule 'dev-replicas' has no parameter 'cnt'"),
    ("rules:\n  dev-replicas:\n    count: two\n", 3, "parameter 'count' must be an integer"),
    ("rules:\n  dev-image-tags:\n    tag-pattern: '(dev'\n", 3, "not a valid regex"),
    ("rules:\n  dev-replicas:\n    severity: fatal\n", 3,
     "invalid config at rules.dev-replicas.severity"),
    ("envs:\n  - path: nowhere\n", 2, "env path 'nowhere' is not a directory"),
    ("rule-dirs: [policies]\n", 1, "rule folder 'policies' is not a directory"),
    ("a: [1\n", 2, "invalid YAML"),
    ("- just\n- a list\n", 1, "the config must be a mapping"),
])
def test_config_errors_are_file_line_exit_2(tmp_path, config, line, msg):
    app_tree(tmp_path)
    (tmp_path / ".overlay-lint.yaml").write_text(config)
    rc, out, err = run(["."], tmp_path)
    assert rc == 2
    assert err.startswith(f".overlay-lint.yaml:{line}: "), err
    assert msg in err


def test_config_error_in_json_format_is_reported_in_errors(tmp_path):
    app_tree(tmp_path)
    (tmp_path / ".overlay-lint.yaml").write_text("bogus: 1\n")
    rc, doc = lint_json(tmp_path, ".")
    assert rc == 2 and doc["findings"] == []
    assert doc["errors"][0]["file"] == ".overlay-lint.yaml" and doc["errors"][0]["line"] == 1


def test_config_is_found_upwards_until_the_repository_root(tmp_path):
    app_tree(tmp_path / "repo" / "deploy")
    (tmp_path / "repo" / ".git").mkdir()
    (tmp_path / "repo" / ".overlay-lint.yaml").write_text("rules:\n  revision-history-limit:\n"
                                                          "    value: 9\n")
    _, doc = lint_json(tmp_path / "repo" / "deploy", ".", "--rule", "revision-history-limit")
    assert "set it to 9" in doc["findings"][0]["message"]
    # above the repository root: not looked at
    (tmp_path / "repo" / ".overlay-lint.yaml").unlink()
    (tmp_path / ".overlay-lint.yaml").write_text("bogus: true\n")
    rc, doc = lint_json(tmp_path / "repo" / "deploy", ".")
    assert rc == 1 and doc["errors"] == [] and doc["findings"]


def test_explicit_config_and_pyproject(tmp_path):
    app_tree(tmp_path, overlays={"dev": "", "qa": ""})
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.overlay-lint]\nfail-on = "warning"\n\n'
        '[tool.overlay-lint.roles]\nprotected = ["qa"]\n')
    write_tree(tmp_path, {"base/deploy.yaml": deployment("api", "nginx:latest")})
    _, doc = lint_json(tmp_path, ".", "--rule", "no-latest-in-prod")
    assert keys(doc) == {("no-latest-in-prod", "base/deploy.yaml", 18, ("qa",))}
    (tmp_path / "other.yaml").write_text("roles:\n  protected: [dev]\n")
    _, doc = lint_json(tmp_path, ".", "--rule", "no-latest-in-prod", "--config", "other.yaml")
    assert keys(doc) == {("no-latest-in-prod", "base/deploy.yaml", 18, ("dev",))}


def test_pyproject_error_points_at_its_key(tmp_path):
    app_tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.overlay-lint]\nfail-on = "sometimes"\n')
    rc, _, err = run(["."], tmp_path)
    assert rc == 2 and err.startswith("pyproject.toml:5: ")


def test_rules_can_be_disabled_and_reseveritied(tmp_path):
    app_tree(tmp_path, base={"deploy.yaml": deployment("api", "nginx").replace(
        "  revisionHistoryLimit: 3\n", "")})
    (tmp_path / ".overlay-lint.yaml").write_text(
        "rules:\n  revision-history-limit: false\n  no-latest-in-prod: warning\n"
        "  dev-replicas:\n    enabled: false\n")
    rc, doc = lint_json(tmp_path, ".")
    assert {f["rule"]: f["severity"] for f in doc["findings"]} == {"no-latest-in-prod": "warning"}
    assert rc == 0


def test_configured_envs_replace_discovery(tmp_path):
    write_tree(tmp_path, {
        "app/kustomization.yaml": "resources: [d.yaml]\n",
        "app/d.yaml": deployment(replicas=3),
        "clusters/eu-live/kustomization.yaml": "resources: [../../app]\n",
        ".overlay-lint.yaml": "envs:\n  - path: clusters/eu-live\n    name: live\n"
                              "    role: dev\n"})
    _, doc = lint_json(tmp_path, ".", "--rule", "dev-replicas")
    assert doc["envs"] == ["live"]
    assert keys(doc) == {("dev-replicas", "app/d.yaml", 6, ("live",))}


def test_user_rule_dir_declarative_rule(tmp_path):
    app_tree(tmp_path, overlays={"dev": "", "prod": ""})
    write_tree(tmp_path, {"policies/limits.yaml": """
        id: memory-limit
        severity: warning
        summary: Containers in protected envs set a memory limit.
        parameters:
          max-containers: 5
        match:
          kinds: [Deployment]
          apiVersions: ["apps/*"]
          envs: [protected]
          labels: "!legacy"
        schema:
          properties:
            spec:
              properties:
                template:
                  properties:
                    spec:
                      properties:
                        containers:
                          maxItems: {$param: max-containers}
                          items:
                            required: [resources]
        message: "{kind} {name}: {path} is {found} ({error})"
        """, ".overlay-lint.yaml": "rule-dirs: [policies]\n"})
    rc, doc = lint_json(tmp_path, ".", "--rule", "memory-limit")
    # missing field: located at the nearest existing parent (the container item)
    assert keys(doc) == {("memory-limit", "base/deploy.yaml", 17, ("prod",))}
    assert rc == 0 and doc["findings"][0]["severity"] == "warning"
    assert "spec.template.spec.containers[0].resources is missing" in \
        doc["findings"][0]["message"]
    rc, out, _ = run(["explain", "memory-limit"], tmp_path)
    assert rc == 0 and "max-containers: 5" in out


@pytest.mark.parametrize("rule, line, msg", [
    ("id: Bad Id\nseverity: error\nsummary: s\nschema: {}\nmessage: m\n", 1, "invalid rule at id"),
    ("id: x\nseverity: error\nsummary: s\nschema: {}\n", 1, "'message' is required"),
    ("id: x\nseverity: error\nsummary: s\nschema: {}\nmessage: m\nmatch:\n  kind: [A]\n", 7,
     "unknown key 'kind'"),
    ("id: x\nseverity: error\nsummary: s\nschema:\n  const: {$param: v}\nmessage: m\n", 5,
     "'$param: v' names no parameter"),
    ("id: revision-history-limit\nseverity: error\nsummary: s\nschema: {}\nmessage: m\n", 1,
     "already defined"),
])
def test_bad_rule_files(tmp_path, rule, line, msg):
    app_tree(tmp_path)
    write_tree(tmp_path, {"policies/r.yaml": rule, ".overlay-lint.yaml": "rule-dirs: [policies]\n"})
    rc, _, err = run(["."], tmp_path)
    assert rc == 2 and err.startswith(f"policies/r.yaml:{line}: ") and msg in err, err


def test_documented_config_example_is_valid():
    import re

    import jsonschema
    import yaml

    from conftest import REPO
    from overlay_lint.lint.schema_check import packaged_schema
    text = (REPO / "docs" / "configuration.md").read_text()
    block = re.search(r"## Reference\n\n```yaml\n(.*?)```", text, re.S).group(1)
    data = yaml.safe_load(block)
    data["rules"]["expected-workloads"] = "off"   # pyyaml reads YAML 1.1 `off` as false
    jsonschema.validate(data, packaged_schema("config.schema.json"))
    assert set(data) == set(packaged_schema("config.schema.json")["properties"])


def test_rules_reference_is_up_to_date(tmp_path):
    from conftest import REPO
    rc, out, _ = run(["rules", "--markdown"], tmp_path)
    assert rc == 0
    assert (REPO / "docs" / "rules.md").read_text() == out, \
        "regenerate: overlay-lint rules --markdown > docs/rules.md"


@pytest.mark.parametrize("content, line, msg", [
    (b'[project]\nname = "x"\n[tool]\noverlay-lint = 5\n', 4,
     "[tool.overlay-lint] must be a table"),
    (b'tool = 5  # overlay-lint\n', 1, "'tool' must be a table"),
    (b'[tool.overlay-lint]\nfail-on = "x\xff"\n', 2, "not valid UTF-8"),
    (b'[tool.overlay-lint\n', 1, "invalid TOML"),
])
def test_broken_pyproject_is_a_located_error(tmp_path, content, line, msg):
    app_tree(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_bytes(content)
    rc, out, err = run(["."], tmp_path)
    assert rc == 2 and err.startswith(f"pyproject.toml:{line}: ") and msg in err, err
    assert "Traceback" not in err


def test_pyproject_without_our_table_is_not_a_config(tmp_path):
    app_tree(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "overlay-lint-plugin"\n')
    rc, doc = lint_json(tmp_path, ".")
    assert doc["errors"] == []
    (tmp_path / "x.toml").write_text('[project]\nname = "y"\n')
    rc, _, err = run([".", "--config", "x.toml"], tmp_path)
    assert rc == 2 and err.startswith("x.toml: no [tool.overlay-lint] table")


def test_overrides_per_path(tmp_path):
    no_limit = deployment("api").replace("  revisionHistoryLimit: 3\n", "")
    write_tree(tmp_path, {
        "apps/web/base/kustomization.yaml": "resources: [d.yaml]\n",
        "apps/web/base/d.yaml": no_limit,
        "apps/web/overlays/prod/kustomization.yaml": "resources: [../../base]\n",
        "apps/legacy/base/kustomization.yaml": "resources: [d.yaml]\n",
        "apps/legacy/base/d.yaml": deployment("old").replace("revisionHistoryLimit: 3",
                                                             "revisionHistoryLimit: 10"),
        "apps/legacy/overlays/prod/kustomization.yaml": "resources: [../../base]\n",
        "vendor/argo/kustomization.yaml": "resources: [install.yaml]\n",
        "vendor/argo/install.yaml": no_limit.replace("name: api", "name: argocd-server"),
        ".overlay-lint.yaml": (
            "overrides:\n"
            "  - paths: [vendor/**]\n"
            "    rules:\n"
            "      revision-history-limit: off\n"
            "  - paths: [apps/legacy]\n"
            "    rules:\n"
            "      revision-history-limit:\n"
            "        value: 10\n"
            "  - paths: [apps/web/base/d.yaml]\n"
            "    rules:\n"
            "      revision-history-limit: warning\n"),
    })
    rc, doc = lint_json(tmp_path, ".", "--select", "revision-history-limit")
    got = {(f["file"], f["severity"]) for f in doc["findings"]}
    # vendor/ is off; legacy passes with its own value; web is a warning there
    assert got == {("apps/web/base/d.yaml", "warning")}
    assert rc == 0 and doc["summary"]["suppressed"] == 1


def test_rule_enabled_only_under_some_paths(tmp_path):
    write_tree(tmp_path, {
        "a/base/kustomization.yaml": "resources: [d.yaml]\n",
        "a/base/d.yaml": deployment("a", replicas=3),
        "a/overlays/dev/kustomization.yaml": "resources: [../../base]\n",
        "b/base/kustomization.yaml": "resources: [d.yaml]\n",
        "b/base/d.yaml": deployment("b", replicas=3),
        "b/overlays/dev/kustomization.yaml": "resources: [../../base]\n",
        ".overlay-lint.yaml": "rules:\n  dev-replicas: off\noverrides:\n  - paths: [b]\n"
                              "    rules:\n      dev-replicas: on\n"})
    _, doc = lint_json(tmp_path, ".")
    assert {f["file"] for f in doc["findings"] if f["rule"] == "dev-replicas"} == \
        {"b/base/d.yaml"}
    _, doc = lint_json(tmp_path, ".", "--select", "dev-replicas")   # everywhere when asked
    assert {f["file"] for f in doc["findings"]} == {"a/base/d.yaml", "b/base/d.yaml"}


@pytest.mark.parametrize("config, line, msg", [
    ("overrides:\n  - paths: [x]\n    rules:\n      nope: off\n", 4, "unknown rule 'nope'"),
    ("overrides:\n  - paths: [x]\n    rules:\n      dev-replicas:\n        cnt: 1\n", 5,
     "has no parameter 'cnt'"),
    ("overrides:\n  - paths: ['../x']\n    rules: {}\n", 2, "must stay inside"),
    ("overrides:\n  - rules: {}\n", 2, "'paths' is required"),
    ("unsupported: maybe\n", 1, "invalid config at unsupported"),
])
def test_override_and_unsupported_errors(tmp_path, config, line, msg):
    app_tree(tmp_path)
    (tmp_path / ".overlay-lint.yaml").write_text(config)
    rc, _, err = run(["."], tmp_path)
    assert rc == 2 and err.startswith(f".overlay-lint.yaml:{line}: ") and msg in err, err


@pytest.mark.parametrize("config, line, msg", [
    ("envs:\n  - path: ../outside\n", 2, "env path '../outside' is outside the lint root"),
    ("envs:\n  - path: escape\n", 2, "env path 'escape' is outside the lint root"),
    ("rule-dirs: [../outside]\n", 1, "rule folder '../outside' is outside the lint root"),
])
def test_config_paths_stay_inside_the_lint_root(tmp_path, config, line, msg):
    outside = tmp_path / "outside"
    write_tree(outside, {"kustomization.yaml": "resources: []\n",
                         "r.yaml": "id: x\nseverity: error\nsummary: s\nschema: {}\nmessage: m\n"})
    repo = tmp_path / "repo"
    app_tree(repo)
    (repo / ".git").mkdir()
    (repo / "escape").symlink_to(outside)
    (repo / ".overlay-lint.yaml").write_text(config)
    rc, _, err = run(["."], repo)
    assert rc == 2 and err.startswith(f".overlay-lint.yaml:{line}: ") and msg in err, err


def test_non_utf8_config_is_a_located_error(tmp_path):
    app_tree(tmp_path)
    (tmp_path / ".overlay-lint.yaml").write_bytes(b'rules:\n  dev-replicas: off\nfail-on: "\xff"\n')
    rc, out, err = run(["."], tmp_path)
    assert rc == 2 and err.startswith(".overlay-lint.yaml:3: not valid UTF-8")
