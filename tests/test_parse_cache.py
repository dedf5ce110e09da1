"""The on-disk parse cache (core/parse_cache.py) never changes what a file parses to, and
is used only in a folder the user alone controls, outside any checkout."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from overlay_lint.core import parse_cache, yaml_reader
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.node import Node

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _shape(n: Node | None) -> object:
    """Everything a parse gives: values with their exact types, origins, parts."""
    if n is None:
        return None
    v = n.v
    if type(v) is dict:
        inner: object = [(k, _shape(c)) for k, c in v.items()]
    elif type(v) is list:
        inner = [_shape(c) for c in v]
    else:
        inner = (type(v).__name__, repr(v))
    return (tuple(n.o) if n.o is not None else None, type(n.o).__name__, n.parts, inner)


def _parse(path: str, repeats: bool) -> object:
    try:
        docs, count, dups = yaml_reader._parse_file(path, os.stat(path), repeats)
    except OverlayLintError as exc:
        return ("error", str(exc))
    return ([_shape(d) for d in docs], count, [(k, tuple(a), tuple(b)) for k, a, b in dups])


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("OVERLAY_LINT_CACHE_DIR", str(folder))
    monkeypatch.delenv("OVERLAY_LINT_NO_CACHE", raising=False)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")    # the cache may not lie under the current folder
    return folder


def _yaml_files() -> list[str]:
    files = sorted(glob.glob(str(SHARED / "fixtures" / "**" / "*.y*ml"), recursive=True))
    files += sorted(glob.glob(str(SHARED / "corpus" / "**" / "*.y*ml"), recursive=True))[::3]
    return files


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared")
def test_cached_parse_is_the_parse(cache: Path) -> None:
    files = _yaml_files()
    assert len(files) > 300
    direct = {(f, r): _parse(f, r) for f in files for r in (False, True)}
    for _ in range(2):      # the first round stores, the second reads back
        with parse_cache.enabled():
            assert parse_cache.active((yaml_reader.LIMITS, yaml_reader._C)) is not None
            for (f, r), want in direct.items():
                assert _parse(f, r) == want, f
    assert list(cache.rglob("*"))


def test_edge_values_and_repeated_keys(cache: Path, tmp_path: Path) -> None:
    f = tmp_path / "k.yaml"
    f.write_text("a: 1\nb: yes\nc: 1e3\nd: ~\ne:\nf: |\n  x\n  y\ng: -0.0\nh: .nan\n"
                 "i: 123456789012345678901234567890\nj: !!binary aGVsbG8=\nk: 2024-01-01\n"
                 "a: 2\nl: &x {m: [1, 2]}\nn: *x\no:\n  <<: *x\n  p: q\n")
    direct = (_parse(str(f), True), _parse(str(f), False))
    assert direct[1][0] == "error" and "duplicate key" in direct[1][1]
    for _ in range(2):
        with parse_cache.enabled():
            assert (_parse(str(f), True), _parse(str(f), False)) == direct


def test_same_size_and_time_new_content_is_parsed_again(cache: Path, tmp_path: Path) -> None:
    f = tmp_path / "cm.yaml"
    f.write_text("data: {a: b}\n")
    st = os.stat(f)
    with parse_cache.enabled():
        first = _parse(str(f), False)
        f.write_text("data: {a: c}\n")
        os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
        again = _parse(str(f), False)
    assert first != again and "'c'" in str(again)


def test_a_broken_entry_is_a_miss(cache: Path, tmp_path: Path) -> None:
    f = tmp_path / "cm.yaml"
    f.write_text("data: {a: b}\n")
    want = _parse(str(f), False)
    with parse_cache.enabled():
        _parse(str(f), False)
    entries = [p for p in cache.rglob("*") if p.is_file()]
    assert entries
    for p in entries:
        p.write_bytes(b"\x00garbage")
    with parse_cache.enabled():
        assert _parse(str(f), False) == want


@pytest.mark.parametrize("where", ["group-writable", "symlink", "in-cwd", "in-git", "off"])
def test_off_where_the_user_does_not_alone_control_it(tmp_path: Path, monkeypatch, where):
    monkeypatch.delenv("OVERLAY_LINT_NO_CACHE", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    folder = tmp_path / "cache"
    if where == "group-writable":
        folder.mkdir()
        folder.chmod(0o775)
    elif where == "symlink":
        (tmp_path / "real").mkdir(mode=0o700)
        folder.symlink_to(tmp_path / "real")
    elif where == "in-cwd":
        monkeypatch.chdir(tmp_path)
    elif where == "in-git":
        (tmp_path / ".git").mkdir()
    else:
        monkeypatch.setenv("OVERLAY_LINT_NO_CACHE", "1")
    monkeypatch.setenv("OVERLAY_LINT_CACHE_DIR", str(folder))
    with parse_cache.enabled():
        assert parse_cache.active((yaml_reader.LIMITS, yaml_reader._C)) is None


def test_unwritable_folder_parses_without_storing(cache: Path, tmp_path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    cache.mkdir(mode=0o500)
    f = tmp_path / "cm.yaml"
    f.write_text("data: {a: b}\n")
    want = _parse(str(f), False)
    with parse_cache.enabled():
        assert _parse(str(f), False) == want
    assert not list(cache.iterdir())


def _lint(cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "overlay_lint", ".", "--format", "json"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared")
def test_lint_output_is_the_same_with_a_cold_and_a_warm_cache(tmp_path: Path) -> None:
    fixture = SHARED / "fixtures" / "aether-broken"
    base = {k: v for k, v in os.environ.items() if not k.startswith("OVERLAY_LINT_")}
    without = _lint(fixture, dict(base, OVERLAY_LINT_NO_CACHE="1"))
    env = dict(base, OVERLAY_LINT_CACHE_DIR=str(tmp_path / "cache"))
    cold, warm = _lint(fixture, env), _lint(fixture, env)
    assert without.returncode == cold.returncode == warm.returncode == 1
    assert without.stdout == cold.stdout == warm.stdout
    assert without.stderr == cold.stderr == warm.stderr
    assert list((tmp_path / "cache").rglob("*"))


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared")
def test_only_the_hook_or_a_given_folder_uses_it(tmp_path: Path) -> None:
    """A plain run (CI, the Action) writes nothing and reads nothing outside the root; the
    pre-commit hook caches in the user's cache folder."""
    fixture = SHARED / "fixtures" / "aether-clean"
    base = {k: v for k, v in os.environ.items() if not k.startswith("OVERLAY_LINT_")}
    env = dict(base, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    plain = subprocess.run([sys.executable, "-m", "overlay_lint", "infra"], cwd=fixture,
                           env=env, capture_output=True, text=True, timeout=120)
    assert plain.returncode == 0, plain.stderr
    assert not (tmp_path / "xdg").exists()
    repo = tmp_path / "repo"
    shutil.copytree(fixture, repo)
    genv = dict(env, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e", GIT_COMMITTER_NAME="t",
                GIT_COMMITTER_EMAIL="t@e", GIT_CONFIG_NOSYSTEM="1", HOME=str(tmp_path))
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run(["git", *cmd], cwd=repo, env=genv, check=True, capture_output=True)
    dev = repo / "infra" / "overlays" / "dev" / "kustomization.yaml"
    dev.write_text(dev.read_text() + "\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, env=genv, check=True)
    hook = subprocess.run([sys.executable, "-m", "overlay_lint", "--pre-commit", str(dev)],
                          cwd=repo, env=genv, capture_output=True, text=True, timeout=120)
    assert hook.returncode == 0 and "1 env (dev)" in hook.stdout, hook.stderr
    assert list((tmp_path / "xdg" / "overlay-lint").rglob("parsed-*/*/*"))
