"""Run the composite action's steps locally, the way the Actions runner would.

action.yml is parsed (pyyaml, an independent reader), its ``${{ … }}`` expressions are
evaluated for the contexts it uses, and each ``run:`` step is executed with bash under the
runner's flags, with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH and friends pointed at
temporary files. The install step really pip-installs this checkout into a fresh venv (once
per module); then the lint step runs on copies of the shared fixtures.

Every workspace is hostile (``_hostile``), as a pull request's checkout can be: modules that
shadow what Python, venv and pip import (``venv.py``, ``json.py``, ``pip/``,
``overlay_lint/``...), a ``pyproject.toml``/``setup.py`` with a build backend of its own,
``pip.conf``, a ``.pth`` file, ``sitecustomize.py``, file names made of shell syntax and
workflow commands, and ``PYTHONPATH`` pointing at the workspace. Each of them writes a
marker file when it runs; every test asserts that no marker exists.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, git, need_shared

yaml = pytest.importorskip("yaml")

EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
CMD = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _action() -> dict:
    return yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))


_EVIL_MODULES = ("venv", "ensurepip", "json", "argparse", "subprocess", "shutil", "tempfile",
                 "zipfile", "typing", "dataclasses", "hashlib", "sitecustomize", "usercustomize",
                 "runpy", "importlib_metadata", "setup", "backend")
_EVIL_PACKAGES = ("overlay_lint", "overlay_lint/report", "pip", "setuptools", "ruamel",
                  "ruamel/yaml", "jsonschema", "yaml", "xml", "urllib", "encodings")


def _hostile(ws: Path, marker: Path) -> Path:
    """Make ``ws`` a hostile pull request checkout; anything of it that runs appends to
    ``marker``."""
    # _io.open: works even as early as a shadowed ``encodings`` is imported
    code = f"import _io; _io.open({str(marker)!r}, 'a').write(__name__ + ' ' + __file__ + '\\n')\n"
    for name in _EVIL_MODULES:
        (ws / f"{name}.py").write_text(code)
    for pkg in _EVIL_PACKAGES:
        (ws / pkg).mkdir(parents=True, exist_ok=True)
        for mod in ("__init__.py", "__main__.py"):
            (ws / pkg / mod).write_text(code)
    (ws / "evil.pth").write_text(f"import os; {code}")
    (ws / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
        '[project]\nname = "overlay-lint"\nversion = "666"\n')
    for conf in ("pip.conf", "pip.ini", "setup.cfg"):
        (ws / conf).write_text("[global]\nindex-url = http://127.0.0.1:9/simple\n"
                               "[install]\nno-index = true\n")
    (ws / ".env").write_text(f"PYTHONPATH={ws}\nPYTHONSTARTUP={ws}/json.py\n")
    for name in ("-rf", "--output=pwned", "$(touch pwned)", "`touch pwned`", "a;touch pwned",
                 "::error title=forged::x.yaml", "##[warning]y.yaml"):
        (ws / name).write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")
    return ws


def _copy_fixture(name: str, dst: Path, marker: Path | None = None) -> Path:
    shutil.copytree(need_shared() / "fixtures" / name, dst)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    return _hostile(dst, marker or dst.parent / "PWNED")


def _nothing_ran(*markers: Path) -> None:
    for m in markers:
        assert not m.exists(), f"workspace code ran in the action:\n{m.read_text()}"
        for pwned in m.parent.rglob("pwned"):
            raise AssertionError(f"a file name ran as a command: {pwned}")


class Runner:
    """Just enough of the Actions runner for a composite action with bash steps."""

    def __init__(self, tmp: Path, workspace: Path, inputs: dict[str, str],
                 env: dict[str, str] | None = None, path_prefix: list[str] | None = None):
        self.action = _action()
        self.tmp = tmp
        self.workspace = workspace
        self.inputs = {k: str(v.get("default", "")) for k, v in self.action["inputs"].items()}
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, f"inputs not declared in action.yml: {unknown}"
        self.inputs.update(inputs)
        self.files = {n: tmp / n.lower() for n in
                      ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITHUB_PATH", "GITHUB_ENV")}
        for f in self.files.values():
            f.write_text("")
        (tmp / "runner").mkdir(exist_ok=True)
        self.path_prefix = list(path_prefix or [])
        self.env = {
            **{k: v for k, v in os.environ.items()
               if not k.startswith(("GITHUB_", "RUNNER_", "PRE_COMMIT"))},
            "GITHUB_ACTIONS": "true", "CI": "true",
            "GITHUB_WORKSPACE": str(workspace), "GITHUB_ACTION_PATH": str(REPO),
            "RUNNER_TEMP": str(tmp / "runner"), "GITHUB_EVENT_NAME": "push",
            # a workflow that (wrongly) points Python at the checkout changes nothing
            "PYTHONPATH": str(workspace), "PYTHONSTARTUP": str(workspace / "json.py"),
            **{k: str(v) for k, v in self.files.items()},
            **(env or {}),
        }
        self.stdout = ""
        self.outputs: dict[str, dict[str, str]] = {}

    def expr(self, text: str) -> str:
        def value(m: re.Match) -> str:
            e = m.group(1)
            if e.startswith("inputs."):
                return self.inputs[e[len("inputs."):]]
            if e == "github.action_path":
                return str(REPO)
            if e == "github.workspace":
                return str(self.workspace)
            m2 = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", e)
            if m2:
                return self.outputs.get(m2.group(1), {}).get(m2.group(2), "")
            raise AssertionError(f"expression the test runner does not know: {e}")
        return EXPR.sub(value, str(text))

    def run(self, skip: tuple[str, ...] = ()) -> int:
        """Run every step in order; the composite fails at the first failing step."""
        for step in self.action["runs"]["steps"]:
            if step.get("name") in skip:
                continue
            assert "run" in step and step.get("shell") == "bash", step
            assert "${{" not in step["run"], "expressions belong in env:, not in scripts"
            rc = self._step(step)
            if rc != 0:
                return rc
        return 0

    def _step(self, step: dict) -> int:
        env = dict(self.env)
        prefix = [ln for ln in self.files["GITHUB_PATH"].read_text().splitlines() if ln]
        env["PATH"] = os.pathsep.join(list(reversed(prefix)) + self.path_prefix +
                                      [env.get("PATH", "")])
        env.update({k: self.expr(v) for k, v in (step.get("env") or {}).items()})
        cwd = self.expr(step.get("working-directory", "${{ github.workspace }}"))
        script = self.tmp / "runner" / "step.sh"
        script.write_text(step["run"])
        self.files["GITHUB_OUTPUT"].write_text("")
        p = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                           cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        self.stdout += p.stdout
        self.stderr = p.stderr
        if step.get("id"):
            self.outputs[step["id"]] = dict(
                ln.split("=", 1) for ln in self.files["GITHUB_OUTPUT"].read_text().splitlines()
                if "=" in ln)
        return p.returncode

    def annotations(self) -> list[tuple[str, dict[str, str], str]]:
        from urllib.parse import unquote
        out = []
        for line in self.stdout.splitlines():
            m = CMD.match(line)
            if m:
                props = dict(kv.split("=", 1) for kv in m.group(2).split(","))
                out.append((m.group(1), {k: unquote(v) for k, v in props.items()},
                            unquote(m.group(3))))
        return out

    @property
    def summary(self) -> str:
        return self.files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, str]:
    """Run the install step once, in a hostile workspace: a fresh venv with this checkout
    pip-installed; its outputs (``home``, ``python``) for the lint step."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not here")
    tmp = tmp_path_factory.mktemp("action-install")
    ws = tmp / "ws"
    ws.mkdir()
    marker = tmp / "PWNED"
    _hostile(ws, marker)
    r = Runner(tmp, ws, {})
    install = r.action["runs"]["steps"][0]
    assert install["name"] == "Install overlay-lint"
    rc = r._step(install)
    assert rc == 0, r.stderr
    _nothing_ran(marker)
    out = r.outputs["install"]
    assert set(out) == {"home", "python"} and Path(out["python"]).exists()
    assert not Path(out["home"]).is_relative_to(ws)
    assert re.search(r"overlay-lint \d", r.stdout)
    assert r.files["GITHUB_PATH"].read_text() == ""     # nothing added to later steps' PATH
    return out


def _lint(tmp: Path, ws: Path, installed: dict[str, str], inputs: dict[str, str],
          env: dict[str, str] | None = None) -> tuple[Runner, int]:
    r = Runner(tmp, ws, inputs, env)
    r.outputs["install"] = dict(installed)
    rc = r.run(skip=("Install overlay-lint",))
    _nothing_ran(ws.parent / "PWNED")
    return r, rc


def _expected(name: str) -> set[tuple[str, int]]:
    data = json.loads((need_shared() / "fixtures" / name / "expected-findings.json").read_text())
    return {(d["file"], d["line"]) for d in data}


def test_action_declares_its_interface():
    a = _action()
    assert a["runs"]["using"] == "composite"
    assert set(a["inputs"]) == {"path", "config", "fail-on", "sarif-file", "changed-only",
                                "diff", "version"}
    assert set(a["outputs"]) == {"findings", "errors", "exit-code", "sarif-file",
                                 "comment-file"}
    assert a["inputs"]["path"]["default"] == "."


def test_action_on_broken_fixture(tmp_path, installed):
    ws = _copy_fixture("aether-broken", tmp_path / "ws")
    r, rc = _lint(tmp_path, ws, installed,
                  {"path": "infra", "sarif-file": "reports/overlay-lint.sarif"})
    assert rc == 1, r.stdout + r.stderr
    notes = r.annotations()
    found = {(p["file"], int(p["line"])) for kind, p, _ in notes if kind == "error"}
    assert found == _expected("aether-broken")
    for kind, props, msg in notes:
        assert props["title"].startswith("overlay-lint [") and int(props["col"]) >= 1
    # summary: one table row per finding
    rows = [ln for ln in r.summary.splitlines() if ln.startswith("| ") and "`" in ln]
    assert len(rows) == len(_expected("aether-broken"))
    assert "`infra/overlays/prod/kustomization.yaml:41`" in r.summary
    # SARIF, valid, with the same locations
    jsonschema = pytest.importorskip("jsonschema")
    sarif = json.loads((ws / "reports/overlay-lint.sarif").read_text())
    schema = json.loads((need_shared() / "schemas/sarif-schema-2.1.0.json").read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    locs = {(res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             res["locations"][0]["physicalLocation"]["region"]["startLine"])
            for res in sarif["runs"][0]["results"]}
    assert locs == _expected("aether-broken")
    assert r.outputs["lint"]["findings"] == str(len(_expected("aether-broken")))
    assert r.outputs["lint"]["exit-code"] == "1"
    assert r.outputs["lint"]["sarif-file"] == "reports/overlay-lint.sarif"


def test_action_on_clean_fixture(tmp_path, installed):
    ws = _copy_fixture("aether-clean", tmp_path / "ws")
    r, rc = _lint(tmp_path, ws, installed, {"path": "infra"})
    assert rc == 0, r.stdout + r.stderr
    assert r.annotations() == []
    assert "No findings" in r.summary
    for env in ("dev", "staging", "prod"):
        assert f"`{env}`" in r.summary
    assert r.outputs["lint"] == {"findings": "0", "errors": "0", "exit-code": "0",
                                 "sarif-file": "", "comment-file": ""}


@pytest.mark.parametrize("fail_on, want_rc", [("error", 0), ("warning", 1)])
def test_action_config_and_fail_on(tmp_path, installed, fail_on, want_rc):
    ws = _copy_fixture("aether-broken", tmp_path / "ws")
    # every rule but revision-history-limit off, and that one downgraded to a warning
    off = ["dev-replicas", "no-latest-in-prod", "prod-no-dev-images", "secret-key-ref",
           "no-plain-secrets", "overlay-isolation", "dev-image-tags"]
    (ws / "ci").mkdir()
    (ws / "ci/overlay-lint.yaml").write_text(
        "rules:\n  revision-history-limit: warning\n" + "".join(f"  {r}: false\n" for r in off))
    r, rc = _lint(tmp_path, ws, installed,
                  {"path": "infra", "config": "ci/overlay-lint.yaml", "fail-on": fail_on})
    assert rc == want_rc, r.stdout + r.stderr
    notes = r.annotations()
    assert {kind for kind, _, _ in notes} == {"warning"}
    assert {(p["file"], int(p["line"])) for _, p, _ in notes} == {
        ("infra/k3s/ai-analysis-service/deployment.yaml", 11),
        ("infra/k3s/github-worker/deployment.yaml", 13),
        ("infra/overlays/staging/patches/gateway.yaml", 9)}
    assert "**3 warnings**" in r.summary
    assert r.outputs["lint"]["exit-code"] == str(want_rc)


def test_action_fails_loudly_without_a_result(tmp_path, installed):
    ws = _copy_fixture("aether-clean", tmp_path / "ws")
    stale = Path(installed["home"]) / "result.json"
    stale.write_text('{"findings": [], "errors": [], "envs": ["dev"]}')   # an earlier run's
    r, rc = _lint(tmp_path, ws, installed, {"path": "infra", "fail-on": "sometimes"})
    assert rc == 2
    assert r.annotations() == [("error", {"title": "overlay-lint"},
                                "overlay-lint exited with 2 and wrote no result")]
    assert r.summary == ""
    assert r.outputs["lint"] == {"exit-code": "2"}


def _pull_request(tmp_path: Path, fixture: str) -> Path:
    """A shallow clone of a PR branch (as actions/checkout makes it) whose base is main."""
    seed = _copy_fixture(fixture, tmp_path / "seed")
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "base")
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(seed), str(origin))
    ws = tmp_path / "ws"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(ws))
    git(ws, "checkout", "-qb", "pr")
    return ws


def test_action_changed_only_on_pull_request(tmp_path, installed):
    if shutil.which("git") is None:
        pytest.skip("git is not here")
    ws = _pull_request(tmp_path, "aether-broken")
    f = ws / "infra/overlays/dev/patches/ingress-host.yaml"
    f.write_text(f.read_text() + "# reviewed\n")
    git(ws, "commit", "-qam", "dev change")
    r, rc = _lint(tmp_path, ws, installed, {"path": "infra", "changed-only": "true"},
                  {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main",
                   "GITHUB_HEAD_REF": "pr"})
    assert rc == 1, r.stdout + r.stderr
    assert "Envs checked: `dev`." in r.summary
    notes = r.annotations()
    assert notes
    # the rule comparing envs cannot fail this run (a warning): not run, and said so
    said = [m for _, _, m in notes if " did not run for " in m]
    assert said == ["expected-workloads did not run for dev: it compares the envs of an app, "
                    "and this run checks only those the changes affect (a full run checks it; "
                    "so does any run with --fail-on warning)"]
    notes = [n for n in notes if n[2] not in said]
    assert all(msg.endswith("(envs: dev)") for _, _, msg in notes), notes
    found = {(p["file"], int(p["line"])) for _, p, _ in notes}
    assert ("infra/overlays/dev/kustomization.yaml", 54) in found          # dev-replicas
    assert ("infra/overlays/staging/patches/gateway.yaml", 9) not in found  # staging only


def test_action_diff_on_pull_request(tmp_path, installed):
    if shutil.which("git") is None:
        pytest.skip("git is not here")
    ws = _pull_request(tmp_path, "aether-clean")
    prod = ws / "infra/overlays/prod/kustomization.yaml"
    prod.write_text(prod.read_text().replace("newTag: 1.8.1", "newTag: 1.8.2", 1))
    git(ws, "commit", "-qam", "gateway 1.8.2 in prod")
    head = git(ws, "rev-parse", "HEAD")
    r, rc = _lint(tmp_path, ws, installed, {"path": "infra", "diff": "true"},
                  {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main",
                   "GITHUB_HEAD_REF": "pr"})
    assert rc == 0, r.stdout + r.stderr
    row = ("| `spec.template.spec.containers[name=gateway].image` | `prod` | "
           "`ghcr.io/aether/gateway:1.8.1`<br><sub>`infra/overlays/prod/kustomization.yaml:37`"
           "</sub> | `ghcr.io/aether/gateway:1.8.2`<br><sub>"
           "`infra/overlays/prod/kustomization.yaml:37`</sub> |")
    summary = r.summary
    assert summary.index("No findings") < summary.index("## overlay-lint diff: changes since "
                                                        "origin/main")
    assert row in summary and "**1 change in 1 resource** in `prod`." in summary
    comment = Path(r.outputs["lint"]["comment-file"])
    assert not comment.is_relative_to(ws)            # never in the PR's workspace
    text = comment.read_text()
    assert text.startswith("## overlay-lint\n") and "No findings" in text and row in text
    assert r.outputs["lint"]["exit-code"] == "0"
    assert git(ws, "rev-parse", "HEAD") == head
    assert git(ws, "--no-optional-locks", "status", "--porcelain") == ""


def test_action_diff_outside_a_pull_request(tmp_path, installed):
    ws = _copy_fixture("aether-broken", tmp_path / "ws")
    r, rc = _lint(tmp_path, ws, installed, {"path": "infra", "diff": "true"})
    assert rc == 1, r.stdout + r.stderr
    assert "overlay-lint diff" not in r.summary
    text = Path(r.outputs["lint"]["comment-file"]).read_text()
    assert text.startswith("## overlay-lint\n") and "`infra/overlays/prod/kustomization.yaml:41`" \
        in text
    assert text.rstrip().endswith("No diff: this run is not for a pull request (no base branch).")


def test_action_reports_input_errors(tmp_path, installed):
    ws = _copy_fixture("aether-clean", tmp_path / "ws")
    k = ws / "infra/overlays/staging/kustomization.yaml"
    k.write_text(k.read_text().replace("resources:\n", "resources:\n  - missing.yaml\n", 1))
    r, rc = _lint(tmp_path, ws, installed, {"path": "infra"})
    assert rc == 2, r.stdout + r.stderr
    errs = [(p, m) for kind, p, m in r.annotations() if kind == "error"]
    assert any(p.get("file") == "infra/overlays/staging/kustomization.yaml" for p, _ in errs)
    assert "Input errors" in r.summary
    assert r.outputs["lint"]["errors"] != "0" and r.outputs["lint"]["exit-code"] == "2"


def test_report_module_converts_json(tmp_path):
    """The converter the action calls, on a result file (no lint run needed)."""
    from overlay_lint.lint.findings import Finding, LintResult
    res = LintResult([Finding("dev-replicas", "error", "replicas is 2, expected 1",
                              "infra/overlays/dev/kustomization.yaml", 54, 12, ["dev"])],
                     [], ["dev"])
    src = tmp_path / "r.json"
    src.write_text(json.dumps({"findings": [f.to_json() for f in res.findings],
                               "errors": [], "envs": res.envs, "extra": 1}))
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    for _ in range(2):
        p = subprocess.run([sys.executable, "-m", "overlay_lint.report", "--input", str(src),
                            "--format", "markdown", "--output", str(summary)],
                           capture_output=True, text=True)
        assert p.returncode == 0, p.stderr
    text = summary.read_text()
    assert text.startswith("earlier step\n") and text.count("## overlay-lint") == 2
    p = subprocess.run([sys.executable, "-m", "overlay_lint.report", "--input", str(src),
                        "--counts"], capture_output=True, text=True)
    assert p.stdout.split() == ["findings=1", "errors=0"]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    p = subprocess.run([sys.executable, "-m", "overlay_lint.report", "--input", str(bad),
                        "--format", "github"], capture_output=True, text=True)
    assert p.returncode == 2 and "cannot read overlay-lint JSON" in p.stderr
