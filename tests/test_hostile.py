"""Hostile and broken input through the real CLI: never crash, never leave the root,
never fetch or execute (issue 5; the security model is in docs/security.md).

Every broken input must give exactly one ``file:line: message`` line on stderr and exit 2,
with no traceback and no "internal error". Where kubectl can judge the same input it is
the oracle: what it refuses we refuse, what it renders we render identically.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from conftest import KUBECTL, SHARED, kubectl_kustomize, need_shared, write_files

_SCRIPT = Path(sys.executable).with_name("overlay-lint")
CLI = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "overlay_lint"]

CM = """apiVersion: v1
kind: ConfigMap
metadata:
  name: app
data:
  key: value
"""


def run(*args: str, cwd: Path, env: dict | None = None,
        timeout: float = 60) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("OVERLAY_LINT_DEBUG", None)
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=full_env)


write = write_files


def repo(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    """A work tree: ``.git`` marks the lint root (found without running git)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    return write(root, files)


def one_error(p: subprocess.CompletedProcess, where: str, *words: str) -> str:
    """Assert the single-line located error contract; return the line."""
    assert p.returncode == 2, (p.returncode, p.stdout[:500], p.stderr)
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert lines[0].startswith(where + ": "), lines[0]
    for w in words:
        assert w.lower() in lines[0].lower(), lines[0]
    return lines[0]


def kubectl_refuses(directory: Path) -> None:
    if KUBECTL:
        code, _, _ = kubectl_kustomize(directory)
        assert code != 0, "kubectl renders this input: the test premise is wrong"


def same_as_kubectl(p: subprocess.CompletedProcess, directory: Path) -> None:
    assert p.returncode == 0, p.stderr
    if KUBECTL:
        code, out, err = kubectl_kustomize(directory)
        assert code == 0, err
        assert list(yaml.safe_load_all(p.stdout)) == list(yaml.safe_load_all(out))


def app(tmp_path: Path, resource: str | bytes, kust: str = "resources:\n- r.yaml\n") -> Path:
    return repo(tmp_path, {"app/kustomization.yaml": kust, "app/r.yaml": resource})


# --- YAML reading ---------------------------------------------------------------------------

def test_alias_bomb_fails_fast(tmp_path: Path) -> None:
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: bomb", "data:",
             "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    root = app(tmp_path, "\n".join(lines) + "\n")
    t = time.monotonic()
    p = run("render", "app", cwd=root)
    assert time.monotonic() - t < 10
    one_error(p, "app/r.yaml:10", "alias")


def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path) -> None:
    # 100,000 levels crashed the interpreter (C stack overflow) in a recursive composer
    root = app(tmp_path, CM + "  deep: " + "[" * 100_000 + "]" * 100_000 + "\n")
    one_error(run("render", "app", cwd=root), "app/r.yaml:7", "nesting deeper")


def test_file_size_limit_is_configurable(tmp_path: Path) -> None:
    big = CM + "".join(f"  k{i}: {'v' * 60}\n" for i in range(100))
    root = app(tmp_path, big)
    one_error(run("render", "app", cwd=root, env={"OVERLAY_LINT_MAX_FILE_BYTES": "2000"}),
              "app/r.yaml", "byte limit")
    assert run("render", "app", cwd=root).returncode == 0


def test_tab_indentation(tmp_path: Path) -> None:
    root = app(tmp_path, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: app\n")
    one_error(run("render", "app", cwd=root), "app/r.yaml:4", "tab")
    kubectl_refuses(root / "app")


def test_duplicate_key_in_resource(tmp_path: Path) -> None:
    root = app(tmp_path, CM + "  key: again\n")
    one_error(run("render", "app", cwd=root), "app/r.yaml:7", 'duplicate key "key"', "line 6")
    kubectl_refuses(root / "app")


def test_duplicate_key_in_kustomization(tmp_path: Path) -> None:
    # Kustomize keeps the last value: rendered the same way; the repeat is data for the
    # duplicate-key lint rule (BuildResult.duplicates), not an error
    from overlay_lint.kustomize.build import build
    root = app(tmp_path, CM, "resources:\n- r.yaml\nnamespace: a\nnamespace: b\n")
    p = run("render", "app", cwd=root)
    assert p.returncode == 0 and "namespace: b" in p.stdout, p.stderr
    dup, = build(str(root / "app")).duplicates
    assert (dup.key, dup.origin.line, dup.first.line, dup.kept.line) == ("namespace", 4, 3, 4)


def test_non_utf8(tmp_path: Path) -> None:
    root = app(tmp_path, CM.encode() + b"  latin: caf\xe9\n")
    one_error(run("render", "app", cwd=root), "app/r.yaml:7", "UTF-8")
    kubectl_refuses(root / "app")


def test_binary_file(tmp_path: Path) -> None:
    root = app(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
    one_error(run("render", "app", cwd=root), "app/r.yaml:3", "binary")
    kubectl_refuses(root / "app")


def test_control_character(tmp_path: Path) -> None:
    root = app(tmp_path, CM + "  bell: \x07\n")
    one_error(run("render", "app", cwd=root), "app/r.yaml:7", "invalid YAML")
    kubectl_refuses(root / "app")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks_render_like_kubectl(tmp_path: Path, encoding: str) -> None:
    root = app(tmp_path, CM.encode(encoding))
    same_as_kubectl(run("render", "app", cwd=root), root / "app")


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n---\n", "~\n"])
def test_empty_files_and_documents_render_like_kubectl(tmp_path: Path, text: str) -> None:
    root = repo(tmp_path, {"app/kustomization.yaml": "resources:\n- r.yaml\n- empty.yaml\n",
                           "app/r.yaml": CM + "---\n---\n", "app/empty.yaml": text})
    p = run("render", "app", cwd=root)
    same_as_kubectl(p, root / "app")
    assert "name: app" in p.stdout


@pytest.mark.parametrize("doc,line", [("- a\n- b\n", 1), ("just text\n", 1), ("42\n", 1)])
def test_resource_document_not_a_mapping(tmp_path: Path, doc: str, line: int) -> None:
    root = app(tmp_path, CM + "---\n" + doc)
    one_error(run("render", "app", cwd=root), f"app/r.yaml:{7 + line}", "mapping")
    kubectl_refuses(root / "app")


@pytest.mark.parametrize("doc,line,words", [
    ("apiVersion: v1\nmetadata:\n  name: a\n", 1, "kind"),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", 3, "metadata.name"),
    ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a]\n", 4, "metadata.name"),
    ("apiVersion: v1\nkind: ConfigMapList\nitems: 5\n", 3, "items"),
])
def test_resource_without_identity(tmp_path: Path, doc: str, line: int, words: str) -> None:
    root = app(tmp_path, doc)
    one_error(run("render", "app", cwd=root), f"app/r.yaml:{line}", words)
    kubectl_refuses(root / "app")


# --- the kustomization file -----------------------------------------------------------------

@pytest.mark.parametrize("text,line,words", [
    ("", 1, "empty"),
    ("# nothing\n", 1, "empty"),
    ("just a string\n", 1, "mapping"),
    ("- resources\n", 1, "mapping"),
])
def test_kustomization_not_a_mapping(tmp_path: Path, text: str, line: int, words: str) -> None:
    root = app(tmp_path, CM, text)
    one_error(run("render", "app", cwd=root), f"app/kustomization.yaml:{line}", words)
    kubectl_refuses(root / "app")


@pytest.mark.parametrize("text,line,words", [
    ("resources: r.yaml\n", 1, "'resources' must be a list"),
    ("resources:\n- r.yaml\nnamespace: 123\n", 3, "'namespace' must be a string"),
    ("resources:\n- 42\n", 2, "'resources[0]' must be a string"),
    ("resources:\n- r.yaml\ncommonLabels:\n  tier: 1\n", 4, "'commonLabels.tier' must be a string"),
    ("resources:\n- r.yaml\nimages:\n- nginx\n", 4, "'images[0]' must be a mapping"),
    ("resources:\n- r.yaml\nimages:\n- name: nginx\n  newTag: [1]\n", 5, "images[0].newTag"),
    ("resources:\n- r.yaml\nreplicas:\n- name: app\n  count: \"3\"\n", 5, "an integer"),
    ("resources:\n- r.yaml\npatches:\n- path: p.yaml\n  bogus: 1\n", 5, "unknown field 'bogus'"),
    ("resources:\n- r.yaml\nfoo: bar\n", 3, "unknown kustomization field 'foo'"),
    ("resources:\n- r.yaml\nconfigMapGenerator:\n- name: c\n  literals: [a=b]\n"
     "  options:\n    disableNameSuffixHash: \"yes\"\n", 7, "true or false"),
    ("kind: Deployment\nresources:\n- r.yaml\n", 1, "Kustomization or Component"),
])
def test_kustomization_fields_of_the_wrong_type(tmp_path: Path, text: str, line: int,
                                                words: str) -> None:
    root = app(tmp_path, CM, text)
    one_error(run("render", "app", cwd=root), f"app/kustomization.yaml:{line}", words)
    kubectl_refuses(root / "app")


@pytest.mark.parametrize("field,body", [
    ("helmCharts", "- name: nginx\n  repo: https://charts.example.com\n  version: 1.0.0\n"),
    ("helmChartInflationGenerator", "- chartName: nginx\n"),
    ("generators", "- gen.yaml\n"),
    ("validators", "- val.yaml\n"),
])
def test_executing_features_are_reported_not_run(tmp_path: Path, field: str, body: str) -> None:
    plugin = ("apiVersion: example.com/v1\nkind: Exec\nmetadata:\n  name: x\n  annotations:\n"
              "    config.kubernetes.io/function: |\n      exec:\n        path: ./touch.sh\n")
    root = app(tmp_path, CM, f"resources:\n- r.yaml\n{field}:\n{body}")
    write(root, {"app/gen.yaml": plugin, "app/val.yaml": plugin,
                 "app/touch.sh": "#!/bin/sh\ntouch executed\n"})
    (root / "app/touch.sh").chmod(0o755)
    # generators: builtin ConfigMap/SecretGenerators render; a plugin is refused at its entry
    line = 4 if field == "generators" else 3
    one_error(run("render", "app", cwd=root), f"app/kustomization.yaml:{line}", field,
              "not supported")
    assert not (root / "app/executed").exists() and not (root / "executed").exists()


# --- the loader: root, load restrictor, network ---------------------------------------------

@pytest.mark.parametrize("url", [
    "https://raw.githubusercontent.com/org/repo/main/cm.yaml",
    "github.com/org/repo/deploy?ref=v1.0.0",
    "git@github.com:org/repo.git//deploy",
    "git::https://example.com/org/repo",
    "ssh://git@example.com/org/repo.git",
])
def test_remote_resources_are_reported_not_fetched(tmp_path: Path, url: str) -> None:
    root = app(tmp_path, CM, f"resources:\n- r.yaml\n- {url}\n")
    # a proxy that does not exist: a fetch attempt would fail differently (or hang)
    env = {"http_proxy": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9",
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"}
    one_error(run("render", "app", cwd=root, env=env), "app/kustomization.yaml:3",
              "remote", "never fetches")


def test_remote_patch_file_is_reported(tmp_path: Path) -> None:
    root = app(tmp_path, CM, "resources:\n- r.yaml\npatches:\n- path: https://example.com/p.yaml\n")
    p = run("render", "app", cwd=root)
    line = one_error(p, "app/kustomization.yaml:4")
    assert "remote" in line


def _fifo(path: Path) -> Path:
    """A named pipe: opening it for reading would block, so a read shows as a timeout."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def test_absolute_path_outside_root_is_never_read(tmp_path: Path) -> None:
    secret = _fifo(tmp_path / "outside" / "secret.yaml")
    root = app(tmp_path, CM, f"resources:\n- r.yaml\n- {secret}\n")
    one_error(run("render", "app", cwd=root, timeout=30), "app/kustomization.yaml:3",
              "outside the lint root")


def test_symlinked_file_outside_root_is_never_read(tmp_path: Path) -> None:
    secret = _fifo(tmp_path / "outside" / "secret.yaml")
    root = app(tmp_path, CM, "resources:\n- r.yaml\n- link.yaml\n")
    (root / "app/link.yaml").symlink_to(secret)
    one_error(run("render", "app", cwd=root, timeout=30), "app/kustomization.yaml:3",
              "'link.yaml' resolves outside the lint root")


def test_symlinked_base_directory_outside_root(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"base/kustomization.yaml": "resources:\n- r.yaml\n",
                                           "base/r.yaml": CM})
    root = repo(tmp_path, {"app/kustomization.yaml": "resources:\n- ../base\n"})
    (root / "base").symlink_to(outside / "base")
    one_error(run("render", "app", cwd=root), "app/kustomization.yaml:2", "outside the lint root")


def test_symlinked_kustomization_file_outside_root(tmp_path: Path) -> None:
    outside = write(tmp_path / "outside", {"kustomization.yaml": "resources: []\n"})
    root = repo(tmp_path, {"app/r.yaml": CM})
    (root / "app/kustomization.yaml").symlink_to(outside / "kustomization.yaml")
    one_error(run("render", "app", cwd=root), "app/kustomization.yaml", "outside the lint root")


def test_symlink_inside_root_is_followed(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app/kustomization.yaml": "resources:\n- link.yaml\n",
                           "app/real/r.yaml": CM})
    (root / "app/link.yaml").symlink_to(root / "app/real/r.yaml")
    same_as_kubectl(run("render", "app", cwd=root), root / "app")


def test_fifo_inside_the_kustomization_is_refused(tmp_path: Path) -> None:
    root = app(tmp_path, CM, "resources:\n- r.yaml\n- pipe.yaml\n")
    _fifo(root / "app/pipe.yaml")
    one_error(run("render", "app", cwd=root, timeout=30), "app/kustomization.yaml:3",
              "not a regular file")


def test_nul_in_a_path(tmp_path: Path) -> None:
    root = app(tmp_path, CM, 'resources:\n- "r.yaml\\0../../etc/passwd"\n')
    one_error(run("render", "app", cwd=root), "app/kustomization.yaml:2", "NUL")


def test_load_restrictor_files_in_or_below_the_kustomization(tmp_path: Path) -> None:
    root = repo(tmp_path, {"app/kustomization.yaml": "resources:\n- ../shared/r.yaml\n",
                           "shared/r.yaml": CM})
    one_error(run("render", "app", cwd=root), "app/kustomization.yaml:2", "not in or below")
    kubectl_refuses(root / "app")


def test_directories_may_be_elsewhere_inside_the_root(tmp_path: Path) -> None:
    root = repo(tmp_path, {"envs/dev/kustomization.yaml": "resources:\n- ../../base\n",
                           "base/kustomization.yaml": "resources:\n- r.yaml\n",
                           "base/r.yaml": CM})
    same_as_kubectl(run("render", "envs/dev", cwd=root), root / "envs/dev")


def test_root_option_narrows_and_widens(tmp_path: Path) -> None:
    # no .git: the root defaults to the current directory when the path is below it
    root = write(tmp_path / "plain", {"envs/dev/kustomization.yaml": "resources:\n- ../../base\n",
                                      "base/kustomization.yaml": "resources:\n- r.yaml\n",
                                      "base/r.yaml": CM})
    assert run("render", "envs/dev", cwd=root).returncode == 0
    one_error(run("render", "--root", "envs", "envs/dev", cwd=root),
              "envs/dev/kustomization.yaml:2", "outside the lint root")
    # outside git, run from elsewhere: the root is the top of the rendered folder's own
    # branch below the folder it shares with the current directory (here `plain`), never
    # that shared folder (it could be /); --root narrows or widens it
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    same_as_kubectl(run("render", str(root / "envs/dev"), cwd=elsewhere), root / "envs/dev")
    (tmp_path / "secret.yaml").write_text(CM)
    (root / "envs/dev/kustomization.yaml").write_text("resources:\n- ../../../secret.yaml\n")
    one_error(run("render", str(root / "envs/dev"), cwd=elsewhere),
              str(root / "envs/dev/kustomization.yaml") + ":2", "outside the lint root")
    (root / "envs/dev/kustomization.yaml").write_text("resources:\n- ../../base\n")
    assert run("render", "--root", str(root), str(root / "envs/dev"),
               cwd=elsewhere).returncode == 0
    one_error(run("render", "--root", str(root / "envs"), str(root / "envs/dev"), cwd=elsewhere),
              str(root / "envs/dev/kustomization.yaml") + ":2", "outside the lint root")


def test_default_root_outside_git_is_never_wider_than_cwd_or_path(tmp_path: Path,
                                                                  monkeypatch) -> None:
    from overlay_lint.kustomize.loader import default_root
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "c").mkdir()
    monkeypatch.chdir(tmp_path / "c")
    assert default_root(str(tmp_path / "a" / "b")) == str((tmp_path / "a").resolve())
    (tmp_path / "l").symlink_to(tmp_path / "a")       # a link is never the root's top
    assert default_root(str(tmp_path / "l" / "b")) == str((tmp_path / "a" / "b").resolve())
    monkeypatch.chdir(tmp_path)
    assert default_root(str(tmp_path / "a" / "b")) == str(tmp_path.resolve())
    assert default_root("a/b") == str(tmp_path.resolve())


def test_default_root_is_the_git_top_level(tmp_path: Path) -> None:
    from overlay_lint.kustomize.loader import default_root
    root = repo(tmp_path, {"a/b/kustomization.yaml": "resources: []\n"})
    assert default_root(str(root / "a/b")) == str(root.resolve())
    (root / "a/.git").write_text("gitdir: ../.git/modules/a\n")  # a submodule marks its own
    assert default_root(str(root / "a/b")) == str((root / "a").resolve())


@pytest.mark.parametrize("files,where", [
    ({"app/kustomization.yaml": "resources:\n- r.yaml\n- ..\n", "kustomization.yaml":
      "resources: []\n"}, "app/kustomization.yaml:3"),
    ({"app/kustomization.yaml": "resources:\n- r.yaml\n- .\n"}, "app/kustomization.yaml:3"),
    ({"app/kustomization.yaml": "resources:\n- r.yaml\n- ../other\n",
      "other/kustomization.yaml": "resources:\n- ../app\n"}, "other/kustomization.yaml:2"),
    ({"app/kustomization.yaml": "resources:\n- r.yaml\ncomponents:\n- ../comp\n",
      "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\n"
      "kind: Component\ncomponents:\n- ../comp\n"}, "comp/kustomization.yaml:4"),
])
def test_cycles(tmp_path: Path, files: dict, where: str) -> None:
    root = repo(tmp_path, {"app/r.yaml": CM, **files})
    one_error(run("render", "app", cwd=root), where, "cycle")
    kubectl_refuses(root / "app")


def test_one_broken_dir_does_not_stop_the_others(tmp_path: Path) -> None:
    root = repo(tmp_path, {"good/kustomization.yaml": "resources:\n- r.yaml\n", "good/r.yaml": CM,
                           "bad/kustomization.yaml": "resources:\n- r.yaml\n",
                           "bad/r.yaml": "a: [\n"})
    p = run("render", "bad", "good", cwd=root)
    one_error(p, "bad/r.yaml:2", "invalid YAML")
    assert [d["metadata"]["name"] for d in yaml.safe_load_all(p.stdout)] == ["app"]


# --- the lint command: one broken overlay must not hide the others' findings ----------------

def test_lint_reports_other_envs_despite_a_broken_overlay(tmp_path: Path) -> None:
    src = SHARED / "fixtures" / "aether-broken"
    if not src.is_dir():
        pytest.skip("../shared is not here")
    root = tmp_path / "tree"
    shutil.copytree(src, root)
    (root / ".git").mkdir()
    kust = root / "infra/overlays/staging/kustomization.yaml"
    kust.write_text(kust.read_text() + "bogusField: 1\n")
    bad_line = len(kust.read_text().splitlines())
    p = run(".", cwd=root, timeout=120)
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    assert p.returncode != 0
    out = p.stdout + p.stderr
    assert f"infra/overlays/staging/kustomization.yaml:{bad_line}" in out
    # findings of the other overlays still reported (answer key of the fixture)
    assert "infra/overlays/prod/kustomization.yaml:41" in out
    assert "infra/overlays/dev/kustomization.yaml:54" in out


@pytest.mark.parametrize("function", [
    "exec:\n        path: ./touch.sh\n",
    "container:\n        image: example.com/evil:1\n",
])
def test_krm_function_transformers_are_reported_not_run(tmp_path: Path, function: str) -> None:
    fn = ("apiVersion: example.com/v1\nkind: Touch\nmetadata:\n  name: t\n  annotations:\n"
          f"    config.kubernetes.io/function: |\n      {function}")
    root = app(tmp_path, CM, "resources:\n- r.yaml\ntransformers:\n- fn.yaml\n")
    write(root, {"app/fn.yaml": fn, "app/touch.sh": "#!/bin/sh\ntouch executed\ncat\n"})
    (root / "app/touch.sh").chmod(0o755)
    one_error(run("render", "app", cwd=root), "app/kustomization.yaml:4", "not supported",
              "never executed")
    assert not list(root.rglob("executed"))


def test_very_deep_base_chain_is_refused_not_a_recursion_crash(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {f"d{i}/kustomization.yaml": f"resources:\n- ../d{i + 1}\n"
                                     for i in range(400)}
    files["d400/kustomization.yaml"] = "resources:\n- r.yaml\n"
    files["d400/r.yaml"] = CM
    root = repo(tmp_path, files)
    one_error(run("render", "d0", cwd=root), "d149/kustomization.yaml:2", "nested more than")


def test_symlink_loop(tmp_path: Path) -> None:
    root = app(tmp_path, CM, "resources:\n- r.yaml\n- a.yaml\n")
    (root / "app/a.yaml").symlink_to(root / "app/b.yaml")
    (root / "app/b.yaml").symlink_to(root / "app/a.yaml")
    one_error(run("render", "app", cwd=root), "app/kustomization.yaml:3", "a.yaml")


def _lint_tree(tmp_path: Path) -> Path:
    outside = write(tmp_path / "outside", {
        "secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\n"
                       "stringData:\n  password: hunter2\n",
        "kustomization.yaml": "resources:\n- r.yaml\n"})
    root = repo(tmp_path, {"app/kustomization.yaml": "resources:\n- r.yaml\n", "app/r.yaml": CM,
                           "overlays/dev/kustomization.yaml": "resources:\n- ../../app\n"})
    (root / "app/stray.yaml").symlink_to(outside / "secret.yaml")
    (root / "loose.yaml").symlink_to(outside / "secret.yaml")
    return root


def test_lint_never_reads_symlinks_out_of_the_repository(tmp_path: Path) -> None:
    root = _lint_tree(tmp_path)
    p = run(".", cwd=root)
    assert "leaked" not in p.stdout + p.stderr and "hunter2" not in p.stdout + p.stderr
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    # a kustomization file linked out of the repository is an input error, not read
    (root / "app/kustomization.yaml").unlink()
    (root / "app/kustomization.yaml").symlink_to(tmp_path / "outside/kustomization.yaml")
    p = run(".", cwd=root)
    assert p.returncode == 2, p.stdout + p.stderr
    assert "app/kustomization.yaml" in p.stdout + p.stderr
    assert "outside the lint root" in p.stdout + p.stderr


def test_lint_does_not_hang_on_a_named_pipe(tmp_path: Path) -> None:
    root = _lint_tree(tmp_path)
    _fifo(root / "app/pipe.yaml")
    _fifo(root / "overlays/dev/pipe.yaml")
    p = run(".", cwd=root, timeout=60)
    assert "Traceback" not in p.stderr and "internal error" not in p.stderr, p.stderr
    assert p.returncode in (0, 1, 2)


@pytest.mark.parametrize("annotations", ["\n", " {}\n", " ~\n"])
def test_null_or_empty_annotations_render_like_kubectl(tmp_path: Path, annotations: str) -> None:
    # found by fuzzing: a truncated file left `annotations:` with no value
    doc = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n  labels: {}\n"
           f"  annotations:{annotations}data:\n  empty:\n")
    root = app(tmp_path, doc)
    same_as_kubectl(run("render", "app", cwd=root), root / "app")


# --- the lint root: found from the path as given, never widened (issue 8) -------------------

def _outside_tree(tmp_path: Path) -> Path:
    """A tree outside the repository holding a plain Secret and an overlay using it."""
    return write(tmp_path / "outside", {
        "secretapp/kustomization.yaml": "resources:\n- secret.yaml\n",
        "secretapp/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\n"
                                 "stringData:\n  password: hunter2\n",
        "overlays/prod/kustomization.yaml": "resources:\n- ../../secretapp\n"})


def _assert_confined(a, root: Path) -> None:
    from audit_support import Audit  # noqa: F401  (type of ``a``)
    assert "Traceback" not in a.proc.stderr and "internal error" not in a.proc.stderr, \
        a.proc.stderr
    assert a.outside(root) == [], a.outside(root)
    assert a.sockets == [] and a.processes == [] and a.writes() == []
    assert "hunter2" not in a.proc.stdout + a.proc.stderr
    assert "leaked" not in a.proc.stdout + a.proc.stderr


def test_symlinked_lint_path_cannot_move_the_root(tmp_path: Path) -> None:
    from audit_support import audited
    _outside_tree(tmp_path)
    root = repo(tmp_path, {"README.md": "x\n"})
    (root / "infra").symlink_to("..")          # infra -> the folder holding the repository
    a = audited(["infra"], root)
    _assert_confined(a, root)
    assert a.proc.returncode == 2
    assert "infra: error: resolves outside the lint root" in a.proc.stderr
    a = audited(["render", "infra/outside/secretapp"], root)
    _assert_confined(a, root)
    one_error(a.proc, "infra/outside/secretapp", "outside the lint root")


def test_symlink_up_and_out_of_every_folder(tmp_path: Path) -> None:
    # infra -> ../../../.. would reach / through the old "common folder" fallback
    from audit_support import audited
    root = repo(tmp_path, {"a/README.md": "x\n"})
    (root / "a/infra").symlink_to("../" * (len(root.parts) + 2))
    a = audited(["a/infra"], root)
    _assert_confined(a, root)
    assert a.proc.returncode == 2 and "outside the lint root" in a.proc.stderr


def test_static_reach_never_reads_a_kustomization_outside_the_root(tmp_path: Path) -> None:
    # discovery read ../../outside/secretapp/kustomization.yaml before the render refused it
    from audit_support import audited
    _outside_tree(tmp_path)
    rel = os.path.relpath(tmp_path / "outside/secretapp", tmp_path / "repo/overlays/prod")
    root = repo(tmp_path, {"overlays/prod/kustomization.yaml": f"resources:\n- {rel}\n"})
    a = audited(["."], root)
    _assert_confined(a, root)
    assert a.proc.returncode == 2
    assert "overlays/prod/kustomization.yaml:2" in a.proc.stderr
    assert "outside the lint root" in a.proc.stderr


def test_root_that_does_not_exist(tmp_path: Path) -> None:
    root = app(tmp_path, CM)
    one_error(run("--root", "nowhere", "app", cwd=root), "nowhere", "--root: not a directory")
    one_error(run("render", "--root", "nowhere", "app", cwd=root), "nowhere", "not a directory")


def test_paths_in_two_repositories_are_not_linted_under_a_common_folder(tmp_path: Path) -> None:
    one = repo(tmp_path / "one", {"app/kustomization.yaml": "resources: []\n"})
    two = repo(tmp_path / "two", {"app/kustomization.yaml": "resources: []\n"})
    p = run(str(one / "app"), str(two / "app"), cwd=tmp_path)
    assert p.returncode == 2 and "different roots" in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


# --- declarative rules and baselines are repository files too (issue 8) ---------------------

def _rule_repo(tmp_path: Path, rule: str) -> Path:
    return repo(tmp_path, {
        ".overlay-lint.yaml": "rule-dirs: [policies]\n",
        "policies/r.yaml": "id: r\nseverity: error\nsummary: s\nmatch: {kinds: [ConfigMap]}\n"
                           + rule,
        "app/kustomization.yaml": "resources:\n- cm.yaml\n",
        "app/cm.yaml": CM})


@pytest.mark.parametrize("ref", ["file://{outside}", "{outside}", "http://127.0.0.1:9/s.json",
                                 "https://schemas.example/s.json", "other.json#/a"])
def test_rule_schema_ref_never_fetches_or_reads(tmp_path: Path, ref: str) -> None:
    # jsonschema fetched http(s) $refs and read file: ones, and quoted them in the finding
    from audit_support import audited
    outside = tmp_path / "outside.json"
    outside.write_text('{"const": "TOP-SECRET"}')
    root = _rule_repo(tmp_path, "schema:\n  properties:\n    data:\n"
                                f"      $ref: \"{ref.format(outside=outside)}\"\n"
                                "message: \"{error}\"\n")
    a = audited(["."], root)
    assert a.outside(root) == [] and a.sockets == [] and a.processes == [], \
        (a.outside(root), a.sockets)
    assert "TOP-SECRET" not in a.proc.stdout + a.proc.stderr
    one_error(a.proc, "policies/r.yaml:8", "$ref", "only references inside the same schema")


def test_rule_schema_ref_loop_is_a_located_error(tmp_path: Path) -> None:
    root = _rule_repo(tmp_path, "schema:\n  $ref: '#/$defs/a'\n  $defs:\n    a:\n      allOf:\n"
                                "        - $ref: '#/$defs/b'\n    b:\n      not:\n"
                                "        $ref: '#/$defs/a'\n"
                                "message: m\n")
    one_error(run(".", cwd=root), "policies/r.yaml:10", "$ref' loop")


def test_rule_schema_exponential_refs_are_refused(tmp_path: Path) -> None:
    defs = "".join(f"    d{i}:\n      anyOf: [{{$ref: '#/$defs/d{i + 1}'}}, "
                   f"{{$ref: '#/$defs/d{i + 1}'}}]\n" for i in range(40))
    root = _rule_repo(tmp_path, f"schema:\n  $ref: '#/$defs/d0'\n  $defs:\n{defs}"
                                "    d40: {type: object}\nmessage: m\n")
    t = time.monotonic()
    one_error(run(".", cwd=root), "policies/r.yaml:5", "expands", "100,000")
    assert time.monotonic() - t < 20


def test_rule_schema_local_refs_still_work(tmp_path: Path) -> None:
    root = _rule_repo(tmp_path, "schema:\n  properties:\n    data:\n      $ref: '#/$defs/k'\n"
                                "  $defs:\n    k:\n      required: [other]\n"
                                "message: \"{kind} {name} {path} {found}\"\n")
    p = run(".", cwd=root)
    assert p.returncode == 1, p.stderr
    assert "[r] ConfigMap app data.other missing" in p.stdout


@pytest.mark.parametrize("message, words", [
    ("{error.__class__.__mro__}", "is not a field"),
    ("{kind:>3000000000}", "at most 200"),
    ("{found[0]}", "is not a field"),
    ("{kind:{width}}", "unmatched"),
    ("unbalanced {", "unmatched '{'"),
    ("{kind!x}", "not a field"),
])
def test_rule_message_is_a_restricted_format(tmp_path: Path, message: str, words: str) -> None:
    # str.format walked objects and allocated gigabytes for a width
    root = _rule_repo(tmp_path, f"schema: {{required: [nope]}}\nmessage: '{message}'\n")
    one_error(run(".", cwd=root), "policies/r.yaml:6", "rule message", words)


def test_rule_message_formats_names_with_capped_widths(tmp_path: Path) -> None:
    root = _rule_repo(tmp_path, "schema: {required: [nope]}\n"
                                "message: '{{{kind:>12}}} {name!r} {missing} {found:d}'\n")
    p = run(".", cwd=root)
    assert p.returncode == 1, p.stderr
    assert "[r] {   ConfigMap} 'app' {missing} missing" in p.stdout


def test_unique_items_is_linear(tmp_path: Path) -> None:
    # jsonschema compares unhashable items pairwise: 20,000 mappings took minutes
    root = _rule_repo(tmp_path, "schema:\n  properties:\n    spec:\n      properties:\n"
                                "        list: {uniqueItems: true}\nmessage: m\n")
    write(root, {"app/cm.yaml": CM, "app/big.yaml": "apiVersion: v1\nkind: ConfigMap\n"
                 "metadata:\n  name: big\nspec:\n  list:\n"
                 + "".join(f"  - {{a: {i}}}\n" for i in range(20_000)) + "  - {a: 7}\n",
                 "app/kustomization.yaml": "resources:\n- cm.yaml\n- big.yaml\n"})
    t = time.monotonic()
    p = run(".", cwd=root, timeout=120)
    assert p.returncode == 1, p.stderr
    assert "[r] m" in p.stdout and time.monotonic() - t < 30


@pytest.mark.parametrize("doc, where, words", [
    ('{"findings": [{"fingerprint": {"a": 1}}]}', "b.json",
     "findings[0] has no fingerprint string"),
    ('{"findings": [[1]]}', "b.json", "findings[0] has no fingerprint string"),
    ('{"findings": {}}', "b.json:1", "not an overlay-lint baseline"),
    ('{"version": 7, "findings": []}', "b.json:1", "version 7 is not supported"),
    ("[" * 100_000 + "]" * 100_000, "b.json", "nested too deeply"),
    ("{not json", "b.json:1", "not valid JSON"),
])
def test_broken_baseline_is_a_located_error(tmp_path: Path, doc: str, where: str,
                                            words: str) -> None:
    # a nested fingerprint crashed the run (unhashable) and every finding was lost
    root = app(tmp_path, CM)
    (root / "b.json").write_text(doc)
    one_error(run(".", "--baseline", "b.json", cwd=root), where, words)


def test_rule_schema_patterns_run_in_linear_time(tmp_path: Path) -> None:
    # jsonschema's pattern is Python's backtracking re: (a|aa)+b on 40 characters took
    # minutes; patternProperties and additionalProperties too
    root = _rule_repo(tmp_path, "schema:\n  properties:\n    data:\n      properties:\n"
                                "        key: {pattern: '^(a|aa)+b$'}\n"
                                "      patternProperties: {'^x(y|yy)+$': {type: string}}\n"
                                "      additionalProperties: false\n"
                                "message: '{path}: {error}'\n")
    write(root, {"app/cm.yaml": CM.replace("key: value", "key: " + "a" * 40 + "c\n  x"
                                            + "y" * 40 + "z: v")})
    t = time.monotonic()
    p = run(".", cwd=root, timeout=60)
    assert time.monotonic() - t < 20
    assert p.returncode == 1, p.stderr
    assert "data.key: 'aaaa" in p.stdout and "does not match" in p.stdout
    assert "Additional properties are not allowed ('xyyy" in p.stdout


def test_rule_schema_pattern_must_compile_in_re2(tmp_path: Path) -> None:
    root = _rule_repo(tmp_path, "schema:\n  properties:\n    data:\n"
                                "      pattern: '(?=lookahead)'\nmessage: m\n")
    one_error(run(".", cwd=root), "policies/r.yaml:8", "RE2", "lookaround")


_WHOLE_RUNS = [([".", "--format", f], 1, "") for f in
               ("text", "json", "sarif", "github", "junit", "markdown")] + [
    (["render", "--origin", "infra/overlays/prod", "extra/overlays/qa"], 0, ""),
    ([".", "--files", "extra/overlays/qa/patches/history.yaml"], 0, "1 env (qa)"),
    (["render", "infra/elsewhere/secretapp"], 2, "outside the lint root"),
    (["infra/elsewhere"], 2, "outside the lint root")]


@pytest.mark.parametrize("args,code,words", _WHOLE_RUNS)
def test_a_whole_run_stays_inside_the_root(tmp_path: Path, args: list[str], code: int,
                                           words: str) -> None:
    """A full run over a real tree with every kind of symlink out (a file in an env's
    folder, a file at the top, a folder), traced: nothing outside the root and the Python
    installation is opened or listed, no socket, no process, no file written."""
    from audit_support import audited
    from changed_support import make_tree
    outside = _outside_tree(tmp_path)
    root = make_tree(need_shared() / "fixtures" / "aether-broken", tmp_path / "repo")
    (root / "infra/overlays/prod/leak.yaml").symlink_to(outside / "secretapp/secret.yaml")
    (root / "loose.yaml").symlink_to(outside / "secretapp/secret.yaml")
    (root / "infra/elsewhere").symlink_to(outside)
    a = audited(args, root, timeout=300)
    assert a.proc.returncode == code, a.proc.stderr
    assert words in a.proc.stdout + a.proc.stderr
    _assert_confined(a, root)
    # the trace saw the run's own reads: confinement is not an empty trace
    opened = {p for p, _ in a.opened}
    if code != 2:
        assert str((root / "infra/overlays/prod/kustomization.yaml").resolve()) in opened \
            or str((root / "extra/overlays/qa/kustomization.yaml").resolve()) in opened


def test_a_rule_failing_on_one_resource_still_checks_the_others(tmp_path: Path) -> None:
    # a recursive schema on a resource at the depth limit exhausted Python's recursion:
    # the whole rule was lost, with its finding on the next resource, and the error named
    # the rule file instead of the resource
    deep = "{a: " * 396 + "{}" + "}" * 396
    root = _rule_repo(tmp_path, "schema:\n  $ref: '#/$defs/any'\n  $defs:\n    any:\n"
                                "      type: object\n      properties:\n"
                                "        bad: {const: false}\n"
                                "      additionalProperties: {$ref: '#/$defs/any'}\n"
                                "message: \"{error}\"\n")
    write(root / "app", {"kustomization.yaml": "resources: [deep.yaml, cm.yaml]\n",
                         "deep.yaml": CM.replace("name: ", "name: deep") + "more: " + deep + "\n",
                         "cm.yaml": CM + "bad: true\n"})
    p = run(".", cwd=root, env={"OVERLAY_LINT_MAX_DEPTH": "400"})
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1, p.stderr
    assert p.stderr.startswith("app/deep.yaml:1: error: rule r: the schema recursed too deeply "
                               "on ConfigMap deep"), p.stderr
    assert re.search(r"^app/cm\.yaml:\d+:1: error \[r\] False was expected", p.stdout, re.M), \
        p.stdout


@pytest.mark.parametrize("rule, key", [("prod-no-dev-images", "tag-pattern"),
                                       ("prod-no-dev-images", "name-pattern"),
                                       ("dev-image-tags", "tag-pattern")])
def test_rule_patterns_in_the_config_run_in_linear_time(tmp_path: Path, rule: str,
                                                         key: str) -> None:
    # the config comes with the pull request: Python's re took minutes on (a|aa)+b
    root = tmp_path / "repo"
    shutil.copytree(need_shared() / "fixtures" / "aether-clean", root)
    (root / ".git").mkdir()
    victim = "a" * 40 + "c"
    for env in ("dev", "prod"):
        k = root / f"infra/overlays/{env}/kustomization.yaml"
        k.chmod(0o644)
        text = k.read_text()
        k.write_text(text.replace("newTag: ", f"newTag: {victim}", 1)
                     .replace("newName: ", f"newName: {victim}/", 1))
    (root / ".overlay-lint.yaml").write_text(f"rules:\n  {rule}:\n    {key}: '^(a|aa)+b$'\n")
    start = time.monotonic()
    p = run("infra", cwd=root)
    assert time.monotonic() - start < 20
    assert p.returncode in (0, 1) and p.stderr.count("internal error") == 0, p.stderr
    (root / ".overlay-lint.yaml").write_text(f"rules:\n  {rule}:\n    {key}: '(?=x)dev'\n")
    one_error(run("infra", cwd=root), ".overlay-lint.yaml:3", key, "RE2")


@pytest.mark.parametrize("pattern", [r"^\p{Lu}+$", "^[[:upper:]]+$"])
def test_rule_schema_patterns_are_judged_by_re2_only(tmp_path: Path, pattern: str) -> None:
    # the metaschema's 'regex' format ran Python's re: \p{Lu} (RE2) made the rule an
    # invalid schema, [[:upper:]] printed a FutureWarning with a site-packages path
    root = _rule_repo(tmp_path, "schema:\n  properties:\n    metadata:\n      properties:\n"
                                f"        name: {{pattern: '{pattern}'}}\nmessage: \"{{error}}\"\n")
    p = run(".", cwd=root)
    assert p.returncode == 1, p.stderr
    assert "Warning" not in p.stderr and "site-packages" not in p.stderr, p.stderr
    assert re.search(r"^app/cm\.yaml:4:3: error \[r\] 'app' does not match", p.stdout, re.M), \
        p.stdout
