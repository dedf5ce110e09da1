"""The pre-commit hook, run by real pre-commit against a real git repository.

This checkout (working tree, uncommitted edits included) is snapshotted into a temporary git
repository once per session; fixture repositories then reference it from their
``.pre-commit-config.yaml`` by path and commit, exactly as users reference the GitHub repo.
pre-commit builds the hook's venv once (PRE_COMMIT_HOME is session-scoped).
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

from conftest import REPO, need_shared

PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or \
    shutil.which("pre-commit")
GIT = shutil.which("git")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT", "GITHUB_"))}
    env.update(PRE_COMMIT_HOME=str(home), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e", NO_COLOR="1")
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def hook_home(tmp_path_factory) -> Path:
    if PRE_COMMIT is None or GIT is None:
        pytest.skip("pre-commit and git are needed")
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory, hook_home) -> tuple[Path, str]:
    """This checkout as its own git repository: (path, commit) for a pre-commit config."""
    env = _env(hook_home)
    listed = subprocess.run(
        [GIT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
        env=env, capture_output=True, check=True).stdout.split(b"\0")
    dst = tmp_path_factory.mktemp("overlay-lint-snapshot")
    for raw in listed:
        rel = raw.decode()
        src = REPO / rel
        if rel and src.is_file():
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst / rel)
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "snapshot"]):
        subprocess.run([GIT, *cmd], cwd=dst, env=env, check=True, capture_output=True)
    sha = _run([GIT, "rev-parse", "HEAD"], dst, env).stdout.strip()
    return dst, sha


def _fixture_repo(name: str, tmp: Path, hook_repo: tuple[Path, str], home: Path) -> Path:
    repo = tmp / name
    shutil.copytree(need_shared() / "fixtures" / name, repo)
    for p in [repo, *repo.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    path, sha = hook_repo
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {path}\n"
        f"    rev: {sha}\n"
        "    hooks:\n"
        "      - id: overlay-lint\n", encoding="utf-8")
    env = _env(home)
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "fixture"]):
        subprocess.run([GIT, *cmd], cwd=repo, env=env, check=True, capture_output=True)
    return repo


def _expected(name: str) -> list[dict]:
    return json.loads((need_shared() / "fixtures" / name / "expected-findings.json").read_text())


def _checked_envs(output: str) -> list[str]:
    """The envs the text summary line says were checked."""
    # the text summary line: "6 findings (6 errors) in 1 env (dev); no protected env checked"
    # / "0 findings in 0 envs"
    m = re.search(r"^\d+ findings?\b.* in (\d+) envs?(?: \(([^)]*)\))?(?:;.*)?$", output,
                  re.MULTILINE)
    assert m, f"no summary line naming the envs checked in output:\n{output}"
    envs = [e.strip() for e in (m.group(2) or "").split(",") if e.strip()]
    assert len(envs) == int(m.group(1))
    return envs


def test_hook_definition():
    yaml = pytest.importorskip("yaml")
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "overlay-lint" and hook["language"] == "python"
    assert hook["entry"] == "overlay-lint"
    assert "yaml" in hook.get("types_or", hook.get("types", []))
    assert hook.get("pass_filenames", True) is True


def test_precommit_all_files_broken_fails_with_locations(tmp_path, hook_repo, hook_home):
    repo = _fixture_repo("aether-broken", tmp_path, hook_repo, hook_home)
    p = _run([PRE_COMMIT, "run", "--all-files"], repo, _env(hook_home))
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert "overlay-lint" in out and "Failed" in out
    for f in _expected("aether-broken"):
        assert re.search(rf"^{re.escape(f['file'])}:{f['line']}\b", out, re.MULTILINE), \
            (f, out)
    assert sorted(_checked_envs(out)) == ["dev", "prod", "staging"]


def test_precommit_all_files_clean_passes(tmp_path, hook_repo, hook_home):
    repo = _fixture_repo("aether-clean", tmp_path, hook_repo, hook_home)
    p = _run([PRE_COMMIT, "run", "--all-files"], repo, _env(hook_home))
    out = p.stdout + p.stderr
    assert p.returncode == 0, out
    assert re.search(r"^overlay-lint\.+Passed$", out, re.MULTILINE), out


def test_precommit_staged_dev_change_checks_dev_only(tmp_path, hook_repo, hook_home):
    repo = _fixture_repo("aether-broken", tmp_path, hook_repo, hook_home)
    env = _env(hook_home)
    f = repo / "infra/overlays/dev/patches/ingress-host.yaml"
    lines = f.read_text().splitlines(keepends=True)
    lines.insert(1, "# reviewed for the dev rollout\n")          # a one-line change
    f.write_text("".join(lines))
    subprocess.run([GIT, "add", str(f)], cwd=repo, env=env, check=True)
    p = _run([PRE_COMMIT, "run", "--verbose"], repo, env)        # staged files only
    out = p.stdout + p.stderr
    assert _checked_envs(out) == ["dev"], out
    assert p.returncode == 1, out                                 # dev has findings
    assert re.search(r"^infra/overlays/dev/kustomization\.yaml:54\b", out, re.MULTILINE)
    assert "infra/overlays/staging/patches/gateway.yaml:9" not in out
    assert "infra/overlays/prod/kustomization.yaml:41" not in out


def test_precommit_unrelated_yaml_change_checks_nothing(tmp_path, hook_repo, hook_home):
    repo = _fixture_repo("aether-clean", tmp_path, hook_repo, hook_home)
    env = _env(hook_home)
    f = repo / "notes.yaml"
    f.write_text("a: 1\n")
    subprocess.run([GIT, "add", str(f)], cwd=repo, env=env, check=True)
    p = _run([PRE_COMMIT, "run", "--verbose"], repo, env)
    out = p.stdout + p.stderr
    assert p.returncode == 0, out
    assert _checked_envs(out) == []
