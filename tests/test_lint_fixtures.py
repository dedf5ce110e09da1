"""The acceptance tests of issue 3: the aether fixtures, exactly."""
from __future__ import annotations

import json
import subprocess
import sys

from pathlib import Path

from conftest import need_shared
from lint_support import lint_json, run

OLINT = Path(sys.executable).with_name("overlay-lint")

def _fixture(name: str) -> Path:
    return need_shared() / "fixtures" / name

def test_aether_broken_reports_exactly_the_expected_findings():
    root = _fixture("aether-broken")
    expected = json.loads((root / "expected-findings.json").read_text())
    rc, doc = lint_json(root, "infra")
    assert doc["errors"] == []
    got = sorted((f["rule"], f["file"], f["line"], f["envs"]) for f in doc["findings"])
    want = sorted((f["rule"], f["file"], f["line"], f["envs"]) for f in expected)
    assert got == want          # envs in dev, staging, prod order too
    assert rc == 1
    assert doc["envs"] == ["dev", "staging", "prod"]

def test_aether_clean_reports_nothing():
    rc, doc = lint_json(_fixture("aether-clean"), "infra")
    assert doc == {**doc, "findings": [], "errors": []}
    assert rc == 0

def test_score_tool_agrees():
    shared = need_shared()
    for name, extra in (("aether-broken", []), ("aether-clean", ["--clean"])):
        p = subprocess.run([sys.executable, str(shared / "tools" / "score.py"), str(OLINT),
                            str(shared / "fixtures" / name), *extra],
                           capture_output=True, text=True, timeout=300)
        assert p.returncode == 0, p.stdout + p.stderr
        assert "recall" in p.stdout.splitlines()[-1]

def test_text_output_points_at_source_with_caret():
    rc, out, _ = run(["infra", "--color", "never"], _fixture("aether-broken"))
    assert rc == 1
    lines = out.splitlines()
    i = lines.index(next(ln for ln in lines if ln.startswith(
        "infra/overlays/dev/kustomization.yaml:54:")))
    assert "error [dev-replicas]" in lines[i] and lines[i].endswith("(dev)")
    assert lines[i + 1].strip() == "count: 2"
    assert lines[i + 2].index("^") == lines[i + 1].index("count")
    assert lines[-1] == "11 findings (11 errors) in 3 envs (dev, staging, prod); protected: prod"

def test_json_output_matches_its_schema():
    import jsonschema
    from overlay_lint.lint.schema_check import packaged_schema
    _, doc = lint_json(_fixture("aether-broken"), "infra")
    jsonschema.validate(doc, packaged_schema("findings.schema.json"))
    f = next(f for f in doc["findings"] if f["rule"] == "secret-key-ref")
    assert f["resource"] == "Deployment/identity-service"      # namespace differs per env
    assert f["field_path"].endswith("env[name=GITHUB_TOKEN_ENCRYPTION_KEY].valueFrom."
                                    "secretKeyRef.key")
