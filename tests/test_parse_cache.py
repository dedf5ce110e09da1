"""The on-disk parse cache (core/parse_cache.py) never changes what a file parses to, and
is used only in a folder the user alone controls, outside any checkout."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
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


def _entries(folder: Path) -> list[Path]:
    return [p for p in folder.glob("parsed-*/*/*") if p.is_file()]


def _files(tmp_path: Path, n: int) -> list[str]:
    out = []
    for i in range(n):
        f = tmp_path / f"cm{i}.yaml"
        f.write_text(f"data:\n  key{i}: {'v' * 200}\n  other: [1, 2, 3]\n")
        out.append(str(f))
    return out


def test_the_cache_is_bounded_oldest_written_go_first(cache: Path, tmp_path: Path,
                                                      monkeypatch) -> None:
    files = _files(tmp_path, 40)
    want = {f: _parse(f, False) for f in files}
    with parse_cache.enabled():     # nothing bounds it yet: every entry stays
        for f in files[:20]:
            _parse(f, False)
    first = sorted(_entries(cache))
    assert len(first) == 20 and (cache / parse_cache.PRUNED).is_file()
    size = sum(p.stat().st_size for p in first)
    for i, p in enumerate(first):   # written long ago, in this order
        os.utime(p, ns=(10**18 + i, 10**18 + i))
    # a bound of about 32 entries: 20 more are past it, and the prune is due (the stamp
    # is older than PRUNE_EVERY): about 16 entries go, down to three quarters
    monkeypatch.setenv("OVERLAY_LINT_CACHE_MAX_MB", str(size * 1.6 / 2**20))
    os.utime(cache / parse_cache.PRUNED, (1, 1))
    with parse_cache.enabled():
        for f in files[20:]:
            _parse(f, False)
    left = _entries(cache)
    assert sum(p.stat().st_size for p in left) <= size * 1.6 * 3 / 4
    assert set(first[:14]).isdisjoint(left)     # the oldest went first...
    assert set(first[-2:]) <= set(left)         # ...the younger old ones stay...
    assert len(set(left) - set(first)) == 20    # ...and so do this run's entries
    assert time.time() - (cache / parse_cache.PRUNED).stat().st_mtime < 60
    with parse_cache.enabled():     # pruned or not, every file parses as it did
        for f in files:
            assert _parse(f, False) == want[f]


def test_a_prune_is_due_once_an_hour_or_after_a_large_run(cache: Path, tmp_path: Path,
                                                          monkeypatch) -> None:
    files = _files(tmp_path, 46)
    with parse_cache.enabled():
        for f in files[:40]:
            _parse(f, False)
    size = sum(p.stat().st_size for p in _entries(cache))
    # a bound of about 20 entries
    monkeypatch.setenv("OVERLAY_LINT_CACHE_MAX_MB", str(size * 0.5 / 2**20))
    with parse_cache.enabled():     # over the bound, but pruned a moment ago and this
        _parse(files[40], False)    # run wrote less than an eighth of it: not pruned
    assert len(_entries(cache)) == 41
    with parse_cache.enabled():     # this run alone wrote an eighth of the bound: pruned
        for f in files[41:]:
            _parse(f, False)
    assert sum(p.stat().st_size for p in _entries(cache)) <= size * 0.5 * 3 / 4
    monkeypatch.setenv("OVERLAY_LINT_CACHE_MAX_MB", "64")
    with parse_cache.enabled():     # (a bound that does not prune these)
        for f in files[:40]:
            _parse(f, False)
    assert len(_entries(cache)) > 30
    monkeypatch.setenv("OVERLAY_LINT_CACHE_MAX_MB", str(size * 0.5 / 2**20))
    os.utime(cache / parse_cache.PRUNED, (time.time() - parse_cache.PRUNE_EVERY - 1,) * 2)
    extra = tmp_path / "extra.yaml"
    extra.write_text("a: 1\n")
    with parse_cache.enabled():     # an hour after the last prune, one entry: pruned
        _parse(str(extra), False)
    assert sum(p.stat().st_size for p in _entries(cache)) <= size * 0.5 * 3 / 4


def test_pruning_passes_over_what_it_cannot_delete(cache: Path, tmp_path: Path) -> None:
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("root deletes anywhere")
    files = _files(tmp_path, 8)
    with parse_cache.enabled():
        for f in files:
            _parse(f, False)
    entries = _entries(cache)
    subs = {p.parent for p in entries}
    for d in subs:
        d.chmod(0o500)
    try:
        assert parse_cache.prune(str(cache), 0) == 0
        assert len(_entries(cache)) == len(entries)
    finally:
        for d in subs:
            d.chmod(0o700)


def test_pruning_passes_over_entries_another_run_deleted(cache: Path, tmp_path: Path) -> None:
    files = _files(tmp_path, 8)
    with parse_cache.enabled():
        for f in files:
            _parse(f, False)
    victim = _entries(cache)[0]
    real_unlink = os.unlink

    def racing(path, *a, **k):
        if os.path.exists(victim):
            real_unlink(victim)
        return real_unlink(path, *a, **k)
    import unittest.mock
    with unittest.mock.patch.object(os, "unlink", racing):
        assert parse_cache.prune(str(cache), 0) > 0
    assert not _entries(cache)
    with parse_cache.enabled():
        assert _parse(files[0], False) == _parse(files[0], True)


def test_concurrent_runs_with_a_tiny_bound_give_the_same_output(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    for env in ("dev", "prod"):
        (tree / "overlays" / env).mkdir(parents=True)
        (tree / "overlays" / env / "kustomization.yaml").write_text(
            "resources: [../../base]\n")
    (tree / "base").mkdir()
    names = []
    for i in range(30):
        (tree / "base" / f"cm{i}.yaml").write_text(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  a: b\n")
        names.append(f"cm{i}.yaml")
    (tree / "base" / "kustomization.yaml").write_text(
        "resources:\n" + "".join(f"- {n}\n" for n in names))
    base = {k: v for k, v in os.environ.items() if not k.startswith("OVERLAY_LINT_")}
    want = _lint(tree, dict(base, OVERLAY_LINT_NO_CACHE="1"))
    env = dict(base, OVERLAY_LINT_CACHE_DIR=str(tmp_path / "cache"),
               OVERLAY_LINT_CACHE_MAX_MB="0.001")
    cmd = [sys.executable, "-m", "overlay_lint", ".", "--format", "json"]
    procs = [subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert (p.returncode, out, err) == (want.returncode, want.stdout, want.stderr)
    assert sum(p.stat().st_size for p in _entries(tmp_path / "cache")) <= 1024 * 1024 // 1000


def test_the_stamp_follows_ruamel_without_running_its_init(tmp_path: Path, monkeypatch) -> None:
    limits = (yaml_reader.LIMITS, yaml_reader._C)
    fake = tmp_path / "__init__.py"
    fake.write_text("version_info = (0, 18, 6)\n")
    real_origin = parse_cache._origin
    monkeypatch.setattr(parse_cache, "_origin",
                        lambda name: str(fake) if name == "ruamel.yaml" else real_origin(name))
    first = parse_cache._stamp(limits)
    fake.write_text("version_info = (0, 18, 7)\n")
    assert parse_cache._stamp(limits) != first
    monkeypatch.setattr(parse_cache, "_origin", real_origin)
    assert parse_cache._origin("ruamel.yaml").endswith("__init__.py")
    # a warm run (every file a hit) imports neither ruamel.yaml's YAML class nor git's runner
    tree = tmp_path / "tree"
    (tree / "base").mkdir(parents=True)
    (tree / "base" / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                           "  name: cm\ndata:\n  a: b\n")
    (tree / "base" / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    code = ("import sys, io, contextlib\nfrom overlay_lint.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['.', 'base/cm.yaml'])\n"
            "print(sorted(m for m in ('ruamel.yaml.main', 'subprocess') if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERLAY_LINT_")}
    env["OVERLAY_LINT_CACHE_DIR"] = str(tmp_path / "cache")
    runs = [subprocess.run([sys.executable, "-c", code], cwd=tree, env=env, text=True,
                           capture_output=True, timeout=120) for _ in range(2)]
    assert runs[1].returncode == 0, runs[1].stderr
    assert runs[1].stdout.strip() == "[]"


def _reader_modules() -> set[str]:
    """The files of the overlay_lint modules the reader imports, directly or not."""
    code = ("import sys, overlay_lint.core.yaml_reader, overlay_lint.core.parse_cache; "
            "print('\\n'.join(m.__file__ for n, m in sys.modules.items() "
            "if n.startswith('overlay_lint') and getattr(m, '__file__', None)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    return {Path(p).name for p in out.split() if Path(p).parent.name == "core"} | \
        {Path(p).parent.name + "/" + Path(p).name for p in out.split()
         if Path(p).parent.name != "core"}


def test_the_reader_imports_only_core_modules() -> None:
    """The stamp hashes overlay_lint/core/*.py: complete only while everything the reader
    runs lives there (the import layers keep core from importing upwards)."""
    found = _reader_modules()
    assert {"yaml_reader.py", "go_number.py", "go_time.py", "node.py"} <= found
    assert found <= {p.name for p in Path(parse_cache.__file__).parent.glob("*.py")} | \
        {"overlay_lint/__init__.py"}, found


@pytest.mark.parametrize("module", ["yaml_reader.py", "go_time.py", "go_number.py",
                                    "node.py", "a_new_helper.py"])
def test_a_changed_reader_makes_new_entries(tmp_path: Path, monkeypatch, module) -> None:
    """The reader's code (every module of core: go_time.py decides which scalars are
    times, go_number.py which are numbers; a module added there later too) is in the
    stamp: a change to it stores and looks up entries in another folder."""
    core = Path(parse_cache.__file__).parent
    copy = tmp_path / "core"
    shutil.copytree(core, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(parse_cache, "__file__", str(copy / "parse_cache.py"))
    limits = (yaml_reader.LIMITS, yaml_reader._C)
    first = parse_cache._stamp(limits)
    assert parse_cache._stamp(limits) == first
    with open(copy / module, "a") as fh:
        fh.write("\n# changed\n")
    second = parse_cache._stamp(limits)
    assert second != first
    assert parse_cache._Cache(str(tmp_path / "c"), second).folder != \
        parse_cache._Cache(str(tmp_path / "c"), first).folder


def test_owned_documents_are_never_another_callers(cache: Path, tmp_path: Path) -> None:
    """A build changes the documents it loads: each owned load is a tree of its own (from
    the cache's entry, decoded afresh, or a copy), and the shared documents stay as read."""
    path = str(tmp_path / "work" / "deployment.yaml")
    Path(path).write_text("kind: Deployment\nmetadata: {name: web, labels: {a: b}}\n")
    with parse_cache.enabled():
        yaml_reader.load_file_owned(path)         # parses and stores the entry
    for first in ("owned", "shared"):
        yaml_reader._CACHE.pop(path, None)
        yaml_reader._STORED.pop(path, None)
        with parse_cache.enabled():           # a new run: the entry is read from the cache
            shared = yaml_reader.load_file_counted(path)[0] if first == "shared" else None
            one = yaml_reader.load_file_owned(path)[0]
            one[0].v["metadata"].v["labels"].v["a"].v = "changed"
            two = yaml_reader.load_file_owned(path)[0]
            seen = yaml_reader.load_file_counted(path)[0]
            three = yaml_reader.load_file_owned(path)[0]
        assert first == "owned" or one[0] is not shared[0]
        for docs in (two, seen, three):
            assert docs[0].value("metadata", "labels", "a") == "b", first
            assert docs[0] is not one[0]
        assert two[0] is not seen[0] and three[0] is not seen[0]
    yaml_reader._CACHE.pop(path, None)
    yaml_reader._STORED.pop(path, None)
    docs = yaml_reader.load_file_owned(path)[0]   # no cache: a copy of the shared documents
    docs[0].v["kind"].v = "Changed"
    assert yaml_reader.load_file_counted(path)[0][0].value("kind") == "Deployment"
