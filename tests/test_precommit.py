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
    assert hook["entry"] == "overlay-lint --pre-commit"
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


# --- a repository large enough that pre-commit splits the file list ------------------------

def _large_repo(root: Path, hook_repo: tuple[Path, str], home: Path, apps: int = 40,
                extra: int = 45) -> Path:
    """``apps`` apps (base + dev/prod overlays), each with ``extra`` ConfigMaps under long
    names: ~1,900 YAML files, over the 128 KiB of arguments pre-commit puts on one command
    line. Every app's base Deployment lacks revisionHistoryLimit (one finding per app, at a
    base line both envs share) and every dev overlay sets 2 replicas (one finding each)."""
    long = "configuration-fragment-with-a-deliberately-long-descriptive-file-name"
    for i in range(apps):
        app = root / f"applications/team-{i:02d}-service-with-a-long-name"
        names = [f"{long}-{j:03d}.yaml" for j in range(extra)]
        files = {"base/kustomization.yaml": "resources:\n  - deployment.yaml\n"
                 + "".join(f"  - {n}\n" for n in names),
                 "base/deployment.yaml": _deployment(f"svc-{i}"),
                 "overlays/dev/kustomization.yaml": "resources: [../../base]\n"
                 f"replicas:\n  - name: svc-{i}\n    count: 2\n",
                 "overlays/prod/kustomization.yaml": "resources: [../../base]\n"}
        for j, n in enumerate(names):
            files[f"base/{n}"] = (f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                  f"  name: cm-{j}\ndata:\n  k: v\n")
        for rel, text in files.items():
            (app / rel).parent.mkdir(parents=True, exist_ok=True)
            (app / rel).write_text(text)
    path, sha = hook_repo
    (root / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {path}\n    rev: {sha}\n    hooks:\n      - id: overlay-lint\n")
    subprocess.run([GIT, "init", "-q", "-b", "main"], cwd=root, env=_env(home), check=True)
    return root


def _deployment(name: str) -> str:
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n"
            f"  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n"
            f"      labels: {{app: {name}}}\n    spec:\n      containers:\n"
            f"        - name: {name}\n          image: ghcr.io/acme/{name}:1.0.0\n")


def _one_report(out: str, direct: str) -> None:
    summaries = re.findall(r"^\d+ findings?\b.*$", out, re.MULTILINE)
    assert len(summaries) == 1, summaries
    assert summaries[0] == direct.splitlines()[-1]
    found = re.findall(r"^\S+:\d+:\d+: error \[", out, re.MULTILINE)
    assert len(found) == len(re.findall(r"^\S+:\d+:\d+: error \[", direct, re.MULTILINE))
    assert len(found) == len(set(found)) == 80          # 40 apps x 2 findings, once each


def test_precommit_large_repository_one_report(tmp_path, hook_repo, hook_home):
    repo = _large_repo(tmp_path / "big", hook_repo, hook_home)
    env = _env(hook_home)
    yamls = sorted(str(p.relative_to(repo)) for p in repo.rglob("*.yaml"))
    assert sum(len(y) + 1 for y in yamls) > 2 ** 17     # pre-commit must split the list
    olint = Path(sys.executable).with_name("overlay-lint")
    direct = _run([str(olint), ".", "--color", "never"], repo, env).stdout

    subprocess.run([GIT, "add", "-A"], cwd=repo, env=env, check=True)
    p = _run([PRE_COMMIT, "run", "--verbose"], repo, env)        # everything staged
    assert p.returncode == 1, p.stdout[-2000:] + p.stderr
    _one_report(p.stdout, direct)

    subprocess.run([GIT, "commit", "-qm", "all", "--no-verify"], cwd=repo, env=env, check=True)
    p = _run([PRE_COMMIT, "run", "--all-files", "--verbose"], repo, env)
    assert p.returncode == 1, p.stdout[-2000:] + p.stderr
    _one_report(p.stdout, direct)

    # a small staged change still checks only the envs it reaches
    f = repo / "applications/team-07-service-with-a-long-name/overlays/prod/kustomization.yaml"
    f.write_text(f.read_text() + "# reviewed\n")
    subprocess.run([GIT, "add", str(f)], cwd=repo, env=env, check=True)
    p = _run([PRE_COMMIT, "run", "--verbose"], repo, env)
    assert _checked_envs(p.stdout) == ["team-07-service-with-a-long-name/prod"], p.stdout
