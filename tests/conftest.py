"""Shared test helpers: where ../shared is, whether kubectl is here, a kubectl oracle, and
writing trees and git history."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests are deterministic in CI: the same examples every run (derandomize), no
# example database. scripts/fuzz_long.py sets OVERLAY_LINT_FUZZ_PROFILE=long: random
# examples, many more of them.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("long", derandomize=False, database=None, deadline=None)
settings.load_profile("long" if os.environ.get("OVERLAY_LINT_FUZZ_PROFILE") == "long" else "ci")

# The pre-commit hook's parse cache (core/parse_cache.py) in a folder of this session,
# never the user's: hook runs of the same files read it back (cached parses are checked).
if "XDG_CACHE_HOME" not in os.environ:
    import atexit
    import tempfile
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="overlay-lint-cache-")
    atexit.register(shutil.rmtree, os.environ["XDG_CACHE_HOME"], ignore_errors=True)

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
KUBECTL = shutil.which("kubectl")


def need_shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not here (a fresh clone); CI always has it")
    return SHARED


def need_kubectl() -> str:
    if KUBECTL is None:
        pytest.skip("kubectl is not on PATH; CI always has it")
    return KUBECTL


def kubectl_kustomize(directory: str | os.PathLike) -> tuple[int, str, str]:
    """Run the reference renderer; (exit code, stdout, stderr)."""
    p = subprocess.run([need_kubectl(), "kustomize", str(directory)], capture_output=True,
                       text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def kubectl_documents(directory: str | os.PathLike) -> list:
    """The documents kubectl renders (it must succeed), read back with PyYAML: a reader
    independent of ours."""
    import yaml
    code, out, err = kubectl_kustomize(directory)
    assert code == 0, f"kubectl kustomize failed: {err}"
    return [d for d in yaml.safe_load_all(out) if d is not None]


def line_of(path: Path, text: str, after: int = 0) -> int:
    """1-based number of the first line (after line ``after``) that contains ``text``."""
    for i, line in enumerate(path.read_text().splitlines(), start=1):
        if i > after and text in line:
            return i
    raise AssertionError(f"{text!r} not in {path}")


def write_files(root: Path, files: dict[str, "str | bytes"]) -> Path:
    """Write ``{relative path: text or bytes}`` under ``root``, exactly as given."""
    for rel, content in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content)
    return root


def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd`` as a fixed author, with no system, global or inherited ``GIT_*``
    configuration; its stdout (a failure raises)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@e", GIT_CONFIG_NOSYSTEM="1", HOME=str(cwd))
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True, env=env).stdout


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in the file with ``new``; ``old`` must be there."""
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.fixture
def shared() -> Path:
    return need_shared()


@pytest.fixture
def kubectl() -> str:
    return need_kubectl()


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch):
    """Run the same in and out of GitHub Actions: there, GITHUB_ACTIONS=true would make a
    plain ``overlay-lint`` add annotations to its text. Tests that want it set it."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
