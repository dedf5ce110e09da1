"""`overlay-lint render` errors: one line `file:line: message` on stderr, exit 2, no traceback."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import write_files


def render(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "overlay_lint", "render", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60)


write = write_files


DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""


def assert_one_line_error(p: subprocess.CompletedProcess, where: str, *words: str) -> None:
    assert p.returncode == 2, p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1, p.stderr
    assert "Traceback" not in p.stderr
    assert lines[0].startswith(where + ": "), lines[0]
    for w in words:
        assert w in lines[0], lines[0]


def test_missing_resource_file(tmp_path: Path) -> None:
    write(tmp_path, {"app/kustomization.yaml": "resources:\n  - deployment.yaml\n  - missing.yaml\n",
                     "app/deployment.yaml": DEPLOY})
    p = render("app", cwd=tmp_path)
    assert_one_line_error(p, "app/kustomization.yaml:3", "missing.yaml", "not found")


def test_cycle_between_kustomizations(tmp_path: Path) -> None:
    write(tmp_path, {"a/kustomization.yaml": "resources:\n- ../b\n",
                     "b/kustomization.yaml": "resources:\n- ../a\n"})
    p = render("a", cwd=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert "cycle" in p.stderr and p.stderr.count("\n") == 1
    assert p.stderr.startswith("a/kustomization.yaml") or p.stderr.startswith("b/kustomization.yaml")


def test_malformed_yaml_names_its_line(tmp_path: Path) -> None:
    write(tmp_path, {"app/kustomization.yaml": "resources:\n- deployment.yaml\n",
                     "app/deployment.yaml": DEPLOY.replace("  name: web\n", "  name: [web\n")})
    p = render("app", cwd=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    line = p.stderr.strip()
    assert line.startswith("app/deployment.yaml:"), line
    assert "invalid YAML" in line


def test_json6902_path_that_does_not_exist(tmp_path: Path) -> None:
    write(tmp_path, {
        "app/deployment.yaml": DEPLOY,
        "app/kustomization.yaml": (
            "resources:\n- deployment.yaml\n"
            "patches:\n"
            "- target:\n    kind: Deployment\n    name: web\n"
            "  patch: |-\n"
            "    - op: replace\n"
            "      path: /spec/nothere/replicas\n"
            "      value: 2\n")})
    p = render("app", cwd=tmp_path)
    assert p.returncode == 2 and "Traceback" not in p.stderr
    line = p.stderr.strip()
    assert line.startswith("app/kustomization.yaml:"), line
    assert "/spec/nothere/replicas" in line
    assert len(line.splitlines()) == 1


@pytest.mark.parametrize("field,body,line", [
    ("helmCharts", "helmCharts:\n- name: redis\n  repo: https://charts.example.com\n", 3),
    ("generators", "generators:\n- gen.yaml\n", 4),   # a plugin: refused at its entry
])
def test_unsupported_field_is_refused_with_its_line(tmp_path: Path, field: str, body: str,
                                                    line: int) -> None:
    write(tmp_path, {"app/kustomization.yaml": "resources:\n- deployment.yaml\n" + body,
                     "app/deployment.yaml": DEPLOY,
                     "app/gen.yaml": "apiVersion: example.com/v1\nkind: X\nmetadata:\n"
                                     "  name: x\n"})
    p = render("app", cwd=tmp_path)
    assert_one_line_error(p, f"app/kustomization.yaml:{line}", field, "not supported")


def test_remote_resource_is_not_fetched(tmp_path: Path) -> None:
    write(tmp_path, {"app/kustomization.yaml":
                     "resources:\n- https://github.com/example/repo//base?ref=v1\n"})
    p = render("app", cwd=tmp_path)
    assert_one_line_error(p, "app/kustomization.yaml:2", "remote", "never fetches")


def test_one_broken_dir_does_not_stop_the_others(tmp_path: Path) -> None:
    write(tmp_path, {"good/kustomization.yaml": "resources:\n- deployment.yaml\n",
                     "good/deployment.yaml": DEPLOY,
                     "bad/kustomization.yaml": "resources:\n- nope.yaml\n"})
    p = render("bad", "good", cwd=tmp_path)
    assert p.returncode == 2
    assert "bad/kustomization.yaml:2" in p.stderr
    assert "name: web" in p.stdout


@pytest.mark.parametrize("tag,words", [("1.10", ["number 1.1", "quote it"]),
                                       ("on", ["YAML 1.1 boolean", 'quote it: "on"'])])
def test_unquoted_tag_that_is_not_a_string(tmp_path: Path, tag: str, words: list) -> None:
    # `newTag: 1.10` is the float 1.1 and `newTag: on` a YAML 1.1 boolean to Kustomize:
    # kubectl refuses both with a Go unmarshal error; we say which line and what to do
    from conftest import KUBECTL, kubectl_kustomize
    write(tmp_path, {"app/kustomization.yaml": "resources:\n- deployment.yaml\nimages:\n"
                                              f"- name: nginx\n  newTag: {tag}\n",
                     "app/deployment.yaml": DEPLOY})
    if KUBECTL:
        assert kubectl_kustomize(tmp_path / "app")[0] != 0
    p = render("app", cwd=tmp_path)
    assert_one_line_error(p, "app/kustomization.yaml:5", "images[0].newTag", *words)
