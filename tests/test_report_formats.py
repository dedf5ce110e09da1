"""SARIF, GitHub workflow commands, JUnit XML and the Markdown summary, on real LintResults."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from overlay_lint.lint.findings import Finding, LintError, LintResult
from overlay_lint.report import github, junit, sarif, summary

from conftest import need_shared

SCHEMA_REL = Path("schemas") / "sarif-schema-2.1.0.json"


def _result(shift: int = 0) -> LintResult:
    """Two findings and one input error, like a run over aether-broken; ``shift`` moves lines."""
    return LintResult(
        findings=[
            Finding("prod-no-dev-images", "error",
                    "image ghcr.io/aether/identity-service:dev-3f2a1c9 has a dev tag; "
                    "use a release tag", "infra/overlays/prod/kustomization.yaml",
                    41 + shift, 13, ["prod"], "Deployment/aether-prod/identity-service",
                    "spec.template.spec.containers[0].image",
                    "ghcr.io/aether/identity-service:dev-3f2a1c9"),
            Finding("revision-history-limit", "warning",
                    "revisionHistoryLimit is 10, expected 3: set it to 3",
                    "infra/k3s/github-worker/deployment.yaml", 13 + shift, 3,
                    ["dev", "staging", "prod"], "Deployment/github-worker",
                    "spec.revisionHistoryLimit", "10"),
        ],
        errors=[LintError("mapping values are not allowed here",
                          "infra/overlays/qa/kustomization.yaml", 4 + shift, 7, "qa")],
        envs=["dev", "staging", "prod", "qa"],
    )


@pytest.fixture(scope="module")
def sarif_validator():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((need_shared() / SCHEMA_REL).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _errors(validator, doc) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


# ---------------------------------------------------------------- SARIF

def test_sarif_is_valid_2_1_0_with_locations_and_rule_metadata(sarif_validator):
    doc = json.loads(sarif.render(_result()))
    assert _errors(sarif_validator, doc) == []
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["prod-no-dev-images", "revision-history-limit"]
    for r in rules:
        for key in ("shortDescription", "fullDescription", "help"):
            assert r[key]["text"].strip(), (r["id"], key)
        assert r["helpUri"].startswith("https://")
        assert r["defaultConfiguration"]["level"] in ("error", "warning", "note")
    first, second = run["results"]
    assert first["ruleId"] == "prod-no-dev-images" and first["level"] == "error"
    assert rules[first["ruleIndex"]]["id"] == first["ruleId"]
    assert second["level"] == "warning"
    loc = first["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "infra/overlays/prod/kustomization.yaml"
    assert loc["region"] == {"startLine": 41, "startColumn": 13}
    assert "prod" in first["message"]["text"]
    assert second["properties"]["envs"] == ["dev", "staging", "prod"]
    # the input error is a tool notification, and the run is marked unsuccessful
    inv = run["invocations"][0]
    assert inv["executionSuccessful"] is False
    note = inv["toolExecutionNotifications"][0]
    assert note["level"] == "error" and "qa" in note["message"]["text"]
    assert note["locations"][0]["physicalLocation"]["region"]["startLine"] == 4


def test_sarif_empty_run_is_valid(sarif_validator):
    doc = json.loads(sarif.render(LintResult(envs=["dev"])))
    assert _errors(sarif_validator, doc) == []
    run = doc["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_fingerprints_stable_across_line_shift():
    before = json.loads(sarif.render(_result()))["runs"][0]["results"]
    after = json.loads(sarif.render(_result(shift=7)))["runs"][0]["results"]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in after] == \
        [48, 20]
    assert [r["partialFingerprints"] for r in before] == \
        [r["partialFingerprints"] for r in after]
    fps = [next(iter(r["partialFingerprints"].values())) for r in before]
    assert len(set(fps)) == 2          # distinct findings keep distinct fingerprints
    # a different value at the same place is a different finding
    changed = _result()
    changed.findings[0].value = "ghcr.io/aether/identity-service:dev-0000000"
    other = json.loads(sarif.render(changed))["runs"][0]["results"][0]
    assert other["partialFingerprints"] != before[0]["partialFingerprints"]


def test_sarif_uri_is_percent_encoded_and_forward_slashed(sarif_validator):
    res = LintResult([Finding("no-plain-secrets", "error", "plain Secret",
                              "infra/my dir/secret#1.yaml", 3)], [], ["base"])
    doc = json.loads(sarif.render(res))
    assert _errors(sarif_validator, doc) == []
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"]
    assert uri == "infra/my%20dir/secret%231.yaml"


# ---------------------------------------------------------------- GitHub

def test_github_annotations():
    lines = github.render(_result()).splitlines()
    assert lines[0] == (
        "::error file=infra/overlays/prod/kustomization.yaml,line=41,col=13,"
        "title=overlay-lint [prod-no-dev-images]::image ghcr.io/aether/identity-service"
        ":dev-3f2a1c9 has a dev tag; use a release tag (envs: prod)")
    assert lines[1].startswith("::warning file=infra/k3s/github-worker/deployment.yaml,"
                               "line=13,col=3,")
    assert lines[2].startswith("::error file=infra/overlays/qa/kustomization.yaml,line=4,col=7,")
    assert lines[2].endswith("(env qa)")
    assert len(lines) == 3


def test_github_escaping():
    f = Finding("r", "info", "100% bad\r\nsecond line: a,b", "dir,x/a:b%.yaml", 2, 1, ["e"])
    (line,) = github.render(LintResult([f])).splitlines()
    assert line == ("::notice file=dir%2Cx/a%3Ab%25.yaml,line=2,col=1,"
                    "title=overlay-lint [r]::100%25 bad%0D%0Asecond line: a,b (envs: e)")
    # an error without a location has no properties at all
    (line,) = github.render(LintResult(errors=[LintError("config: bad")])).splitlines()
    assert line == "::error title=overlay-lint error::config: bad"


def _decode_command(line: str) -> tuple[str, dict[str, str], str]:
    """Parse a workflow command the way the runner does (independent of our encoder)."""
    import urllib.parse
    assert line.startswith("::")
    head, _, msg = line[2:].partition("::")
    kind, _, props = head.partition(" ")
    d = {}
    for pair in props.split(",") if props else []:
        k, _, v = pair.partition("=")
        d[k] = urllib.parse.unquote(v)
    return kind, d, urllib.parse.unquote(msg)


def test_github_round_trip():
    f = Finding("rule-x", "error", "a: b, c % d\nnext", "a,b:c%/x.yaml", 9, 4, ["dev"])
    kind, props, msg = _decode_command(github.render(LintResult([f])).strip())
    assert kind == "error"
    assert props == {"file": "a,b:c%/x.yaml", "line": "9", "col": "4",
                     "title": "overlay-lint [rule-x]"}
    assert msg == "a: b, c % d\nnext (envs: dev)"


# ---------------------------------------------------------------- JUnit

def test_junit_xml():
    root = ET.fromstring(junit.render(_result()))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"overlay-lint dev", "overlay-lint staging", "overlay-lint prod",
                           "overlay-lint qa"}
    prod = suites["overlay-lint prod"]
    assert prod.get("failures") == "2" and prod.get("tests") == "2"
    names = [c.get("name") for c in prod.findall("testcase")]
    assert "[prod-no-dev-images] infra/overlays/prod/kustomization.yaml:41:13" in names
    fail = prod.find("testcase/failure")
    assert fail.get("type") == "error"
    assert "infra/overlays/prod/kustomization.yaml:41:13" in fail.get("message")
    qa = suites["overlay-lint qa"]
    assert qa.get("errors") == "1" and qa.find("testcase/error") is not None
    assert root.get("failures") == "4"          # 1 in prod + rhl in dev, staging, prod
    assert root.get("errors") == "1"
    assert root.get("tests") == str(sum(int(s.get("tests")) for s in suites.values()))


def test_junit_keeps_findings_and_errors_of_unlisted_envs():
    res = LintResult([Finding("argocd-self-heal", "error", "no selfHeal", "argocd/prod.yaml", 9,
                              1, ["prod"])],
                     [LintError("bad YAML", "overlays/qa/kustomization.yaml", 2, 1, "qa"),
                      LintError("config: unknown key", ".overlay-lint.yaml", 3)], ["dev"])
    root = ET.fromstring(junit.render(res))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"overlay-lint dev", "overlay-lint prod", "overlay-lint qa",
                           "overlay-lint repository"}
    assert suites["overlay-lint prod"].get("failures") == "1"
    assert suites["overlay-lint qa"].get("errors") == "1"
    assert suites["overlay-lint repository"].find("testcase").get("name") == \
        "input error .overlay-lint.yaml:3"
    assert root.get("tests") == "4" and root.get("errors") == "2"


def test_junit_clean_run_has_passing_cases():
    root = ET.fromstring(junit.render(LintResult(envs=["dev", "prod"])))
    cases = root.findall("testsuite/testcase")
    assert [c.get("name") for c in cases] == ["env dev", "env prod"]
    assert all(len(c) == 0 for c in cases)
    assert root.get("failures") == "0" and root.get("tests") == "2"


def test_junit_escapes_xml_special_characters():
    f = Finding("r", "error", 'bad <value> & "quotes"', "a&b.yaml", 1, 1, ["dev"])
    root = ET.fromstring(junit.render(LintResult([f], envs=["dev"])))
    fail = root.find("testsuite/testcase/failure")
    assert 'bad <value> & "quotes"' in fail.get("message")
    assert fail.text.startswith("a&b.yaml:1:1: error [r]")


# ---------------------------------------------------------------- Markdown summary

def test_markdown_summary_table():
    md = summary.render(_result())
    lines = md.splitlines()
    assert lines[0] == "## overlay-lint"
    assert "1 error, 1 warning, 1 input error" in md
    assert "`dev`, `staging`, `prod`, `qa`" in md
    header = lines.index("| Severity | Rule | Location | Envs | Message |")
    rows = [ln for ln in lines[header + 2:] if ln.startswith("| ")]
    assert len(rows) == 2
    assert "`infra/overlays/prod/kustomization.yaml:41`" in rows[0]
    assert rows[1].count(" | ") == 4              # five cells
    assert "### Input errors" in md


def test_markdown_cells_escape_pipes_and_newlines():
    f = Finding("r", "error", "a | b\nc", "x.yaml", 1, 1, ["dev"])
    row = [ln for ln in summary.render(LintResult([f], envs=["dev"])).splitlines()
           if ln.startswith("| ❌")][0]
    assert row.endswith("| a \\| b<br>c |")
    assert summary.render(LintResult(envs=["dev"])).splitlines()[2] == \
        "✅ No findings. Envs checked: `dev`."


# ---------------------------------------------------------------- through the CLI

def _cli(fixture: Path, *args: str, env: dict | None = None):
    import os
    import subprocess
    import sys
    e = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "overlay_lint", *args], cwd=fixture,
                          capture_output=True, text=True, env=e, timeout=300)


def test_sarif_from_a_real_run(sarif_validator, tmp_path):
    fixture = need_shared() / "fixtures" / "aether-broken"
    out = tmp_path / "r.sarif"
    p = _cli(fixture, "infra", "--format", "sarif", "--output", str(out))
    assert p.returncode == 1, p.stderr
    doc = json.loads(out.read_text())
    assert _errors(sarif_validator, doc) == []
    run = doc["runs"][0]
    expected = json.loads((fixture / "expected-findings.json").read_text())
    got = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"])
           for r in run["results"]}
    assert got == {(e["rule"], e["file"], e["line"]) for e in expected}
    # rule metadata comes from the rule registry, not the fallback
    for rule in run["tool"]["driver"]["rules"]:
        assert not rule["shortDescription"]["text"].startswith("overlay-lint rule"), rule
        assert len(rule["help"]["text"]) > len(rule["shortDescription"]["text"])


def test_github_actions_default_adds_annotations_to_text():
    fixture = need_shared() / "fixtures" / "aether-broken"
    p = _cli(fixture, "infra", env={"GITHUB_ACTIONS": "true"})
    assert p.returncode == 1, p.stderr
    lines = p.stdout.splitlines()
    notes = [ln for ln in lines if ln.startswith("::error file=")]
    assert len(notes) == 11
    assert any(re.match(r"^infra/\S+:\d+:\d+: error \[", ln) for ln in lines)   # the text too
    # an explicit --format is obeyed as is; and outside Actions there are no annotations
    p = _cli(fixture, "infra", "--format", "json", env={"GITHUB_ACTIONS": "true"})
    assert "::error" not in p.stdout and json.loads(p.stdout)["findings"]
    assert "::error" not in _cli(fixture, "infra").stdout


def test_junit_from_a_real_run():
    fixture = need_shared() / "fixtures" / "aether-broken"
    p = _cli(fixture, "infra", "--format", "junit")
    assert p.returncode == 1, p.stderr
    root = ET.fromstring(p.stdout)
    # 11 findings; those in several envs fail one case per env: 4 in all three envs
    assert root.get("failures") == str(7 + 4 * 3)
    assert {s.get("name") for s in root.findall("testsuite")} == \
        {"overlay-lint dev", "overlay-lint staging", "overlay-lint prod"}


def test_markdown_mentions_suppressed_and_baselined():
    md = summary.render(LintResult(envs=["dev"], suppressed=2, baselined=1))
    assert "✅ No findings. Envs checked: `dev`. (2 suppressed, 1 in the baseline.)" in md
    md = summary.render(LintResult(_result().findings, envs=["prod"], suppressed=1))
    assert "**1 error, 1 warning (1 suppressed)**" in md


@pytest.fixture(scope="module")
def broken_json(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("json") / "r.json"
    fixture = need_shared() / "fixtures" / "aether-broken"
    assert _cli(fixture, "infra", "--format", "json", "--output", str(src)).returncode == 1
    return src


@pytest.mark.parametrize("fmt", ["sarif", "github", "junit", "markdown"])
def test_converting_json_equals_rendering_directly(broken_json, fmt):
    """The action renders once (JSON) and converts; that must equal a direct --format run."""
    import subprocess
    import sys
    fixture = need_shared() / "fixtures" / "aether-broken"
    src = broken_json
    direct = _cli(fixture, "infra", "--format", fmt)
    assert direct.returncode == 1, direct.stderr
    conv = subprocess.run([sys.executable, "-m", "overlay_lint.report", "--input", str(src),
                           "--format", fmt], capture_output=True, text=True)
    assert conv.returncode == 0, conv.stderr
    assert conv.stdout == direct.stdout


# ---------------------------------------------------------------- hostile names and values

def _hostile_repo(tmp_path: Path) -> Path:
    """A repository whose file names and YAML values try every injection: a folder named
    like a workflow command, a non-UTF-8 file name, a value with a newline, ``::error``,
    ``##[``, ESC/BEL sequences, HTML, a Markdown link, backticks and pipes."""
    import os
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  a: b\n"
    forged = root / "::error title=forged::x"
    forged.mkdir()
    (forged / "s.yaml").write_text(secret)
    with open(os.path.join(os.fsencode(root), b"caf\xe9 \x1b[31m.yaml"), "wb") as fh:
        fh.write(secret.replace("name: s", "name: t").encode())
    (root / "policies").mkdir()
    (root / ".overlay-lint.yaml").write_text("rule-dirs: [policies]\n")
    (root / "policies/echo.yaml").write_text(
        "id: echo\nseverity: error\nsummary: echoes a value\nmatch: {kinds: [ConfigMap]}\n"
        "schema:\n  properties:\n    data:\n      properties:\n        k: {const: ok}\n"
        "message: \"bad value {found}\"\n")
    (root / "overlays/prod").mkdir(parents=True)
    (root / "overlays/prod/kustomization.yaml").write_text("resources:\n- cm.yaml\n")
    value = ("x\\n::error title=forged::pwned\\n ::stop-commands::tok ##[warning]v1 "
             "<img src=https://evil.example/p.png> [link](https://evil.example) `code` | "
             "pipe \\e]8;;https://evil\\a\\e[2J\\a\\u202e www.evil.example $x$")
    (root / "overlays/prod/cm.yaml").write_text(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: \"{value}\"\n")
    (root / "overlays/prod/bad.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    return root


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit", "markdown"])
def test_hostile_names_and_values_in_every_format(tmp_path, fmt, sarif_validator):
    from output_checks import check_report, no_control, no_forgery
    from overlay_lint.report.__main__ import load_json
    root = _hostile_repo(tmp_path)
    p = _cli(root, ".", "--format", "json")
    assert p.returncode == 1, p.stderr
    result = load_json(p.stdout)
    assert len(result.findings) == 3, result.findings
    assert any(f.file.startswith("caf\udce9") for f in result.findings)   # lossless JSON
    p = _cli(root, ".", "--format", fmt)
    assert p.returncode == 1, p.stderr
    assert "internal error" not in p.stderr and "Traceback" not in p.stderr
    check_report(fmt, p.stdout, result)
    no_control(p.stderr)
    no_forgery(p.stderr)
    if fmt == "sarif":
        assert _errors(sarif_validator, json.loads(p.stdout)) == []
    if fmt == "text":
        assert "./::error title=forged::x/s.yaml:2:1: error [no-plain-secrets]" in p.stdout
        assert "caf\\xe9 \\x1b[31m.yaml:2:1:" in p.stdout
    # the same through --output into a folder that does not exist yet
    out = tmp_path / "reports" / "deep" / f"r.{fmt}"
    p = _cli(root, ".", "--format", fmt, "--output", str(out))
    assert p.returncode == 1, p.stderr
    check_report(fmt, out.read_text(encoding="utf-8"), result)


def test_github_actions_text_run_forges_nothing(tmp_path):
    from output_checks import OWN_COMMAND, no_forgery
    root = _hostile_repo(tmp_path)
    p = _cli(root, ".", env={"GITHUB_ACTIONS": "true"})
    assert p.returncode == 1, p.stderr
    no_forgery(p.stdout + p.stderr, OWN_COMMAND)
    assert len([ln for ln in p.stdout.splitlines() if OWN_COMMAND.match(ln)]) == 3


def test_render_origin_comments_stay_on_their_line(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "app").mkdir()
    (root / "app/kustomization.yaml").write_text('resources:\n- "a\\nb: injected.yaml"\n')
    (root / "app/a\nb: injected.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    p = _cli(root, "render", "--origin", "app")
    assert p.returncode == 0, p.stderr
    import yaml
    assert yaml.safe_load(p.stdout) == {"apiVersion": "v1", "kind": "ConfigMap",
                                        "metadata": {"name": "x"}}
    assert "# app/a\\nb: injected.yaml:1" in p.stdout


def test_output_is_never_written_through_a_symlink(tmp_path):
    import os
    root = _hostile_repo(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    os.symlink(victim, root / "overlay-lint.sarif")               # committed by a PR
    os.symlink(tmp_path, root / "reports")
    for out in ("overlay-lint.sarif", "reports/x.sarif"):
        p = _cli(root, ".", "--format", "sarif", "--output", out)
        assert p.returncode == 2, p.stderr
        assert p.stderr.startswith(out + ": cannot write") and "symbolic link" in p.stderr
        assert len(p.stderr.splitlines()) == 1
    assert victim.read_text() == "keep me\n" and not (tmp_path / "x.sarif").exists()


@pytest.mark.parametrize("doc, words", [
    ("[]", "expected a JSON object"),
    ('{"findings": {}}', "must be lists"),
    ('{"findings": [{"rule": "r"}]}', "findings[0] has no 'severity'"),
    ('{"findings": [{"rule": "r", "severity": "error", "message": "m", "file": "f", '
     '"line": "1"}]}', "findings[0].line has the wrong type"),
    ('{"errors": [5]}', "errors[0] is not an object"),
    ("[" * 100_000 + "]" * 100_000, "cannot read"),
])
def test_report_module_refuses_what_is_not_a_result(tmp_path, doc, words):
    import subprocess
    import sys
    src = tmp_path / "r.json"
    src.write_text(doc)
    p = subprocess.run([sys.executable, "-m", "overlay_lint.report", "--input", str(src),
                        "--format", "sarif"], capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr
    assert len(p.stderr.splitlines()) == 1 and words in p.stderr, p.stderr


def test_envs_listing_forges_nothing(tmp_path):
    # env names are folder names: `overlay-lint envs` began a line with '::error ...'
    from output_checks import no_control, no_forgery
    base = tmp_path / "base"
    base.mkdir()
    (base / "kustomization.yaml").write_text("resources: [c.yaml]\n")
    (base / "c.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    (tmp_path / ".git").mkdir()
    names = ["::error title=forged::x", "  ::warning::y", "##[warning]z", "a\n::error::n",
             "b\x1b[31mred"]
    for name in names:
        d = tmp_path / "overlays" / name
        d.mkdir(parents=True)
        (d / "kustomization.yaml").write_text("resources: [../../base]\n")
    for fmt in ("text", "json"):
        p = _cli(tmp_path, "envs", "--format", fmt)
        assert p.returncode == 0, p.stderr
        for out in (p.stdout, p.stderr):
            no_forgery(out)
            no_control(out)
        if fmt == "json":
            assert sorted(r["name"] for r in json.loads(p.stdout) if r["kind"] == "env") \
                == sorted(names)     # the data survives, escaped only for the log
        else:
            assert len(p.stdout.splitlines()) == len(names) + 3
