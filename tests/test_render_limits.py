"""Hostile trees against the renderer's limits (issue 8, renderer parts): Go's RE2 wherever
Kustomize evaluates a regular expression, linear label-selector parsing, one budget per
run, the depth limit after transformers, and two places where we rendered what kubectl
does not. Each case is checked against kubectl where kubectl has an answer."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import kubectl_kustomize, need_kubectl, write_files
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.kustomize.budget import Budget
from overlay_lint.kustomize.build import build
from overlay_lint.kustomize.loader import Loader

REPO = Path(__file__).resolve().parents[1]
EVIL = "(a|aa)+b"            # exponential for a backtracking engine
VICTIM = "a" * 40 + "c"      # 2^40 ways to split for `re`; RE2 answers at once


def _render_in_subprocess(directory: Path, timeout: float) -> subprocess.CompletedProcess:
    """Render in a child process so a hang fails the test instead of stalling the suite."""
    return subprocess.run([sys.executable, "-m", "overlay_lint", "render", str(directory)],
                          capture_output=True, text=True, timeout=timeout, cwd=directory)


DEPLOY = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {VICTIM}
  labels: {{app: web}}
spec:
  template:
    spec:
      containers:
      - name: web
        image: {VICTIM}:1
"""


@pytest.mark.parametrize("kust", [
    # patch target name, evaluated anchored by Kustomize
    f"patches:\n- target: {{kind: Deployment, name: '{EVIL}'}}\n  patch: |-\n"
    "    - op: add\n      path: /metadata/labels/x\n      value: y\n",
    # images[].name, anchored and followed by an optional tag and digest
    f"images:\n- name: '{EVIL}'\n  newTag: '2'\n",
    # replacement [key=value] selector, unanchored
    "replacements:\n- source: {kind: Deployment, fieldPath: metadata.labels.app}\n"
    f"  targets:\n  - select: {{kind: Deployment}}\n"
    f"    fieldPaths: ['spec.template.spec.containers.[image={EVIL}].name']\n",
], ids=["patch-target", "images-name", "replacement-selector"])
def test_catastrophic_patterns_answer_at_once(tmp_path: Path, kust: str) -> None:
    write_files(tmp_path, {"kustomization.yaml": "resources: [d.yaml]\n" + kust,
                           "d.yaml": DEPLOY})
    start = time.monotonic()
    p = _render_in_subprocess(tmp_path, timeout=30)
    assert time.monotonic() - start < 20
    need_kubectl()
    code, want, _err = kubectl_kustomize(tmp_path)
    assert (p.returncode == 0) == (code == 0), p.stderr  # both render, or both refuse
    if code == 0:
        import yaml
        assert list(yaml.safe_load_all(p.stdout)) == list(yaml.safe_load_all(want))


def test_patterns_use_go_syntax(tmp_path: Path) -> None:
    # \z is Go's end-of-text (Python's re spells it \Z and refuses \z); kubectl renders
    write_files(tmp_path, {
        "kustomization.yaml": "resources: [d.yaml]\npatches:\n"
                              "- target: {kind: Deployment, name: 'a+c\\z'}\n"
                              "  patch: |-\n    - op: add\n      path: /metadata/labels/hit\n"
                              "      value: 'yes'\n",
        "d.yaml": DEPLOY})
    need_kubectl()
    code, want, err = kubectl_kustomize(tmp_path)
    assert code == 0, err
    got = build(str(tmp_path)).resources[0]
    assert got.node.value("metadata", "labels") == {"app": "web", "hit": "yes"}


def test_bad_pattern_is_one_located_line(tmp_path: Path) -> None:
    write_files(tmp_path, {"kustomization.yaml": "resources: [d.yaml]\nimages:\n"
                                                 "- name: '(?<=x)a'\n  newTag: '1'\n",
                           "d.yaml": DEPLOY})
    p = _render_in_subprocess(tmp_path, timeout=30)
    assert p.returncode == 2
    assert p.stderr.count("\n") == 1 and "kustomization.yaml:3:" in p.stderr, p.stderr


def test_label_selector_parsing_is_linear() -> None:
    from overlay_lint.kustomize.selector import match_label_selector, parse_label_selector
    hostile = "a" + " " * 30000 + "b"  # the regex parser backtracked over every space
    start = time.monotonic()
    with pytest.raises(OverlayLintError):
        parse_label_selector(hostile)
    many = ",".join(f"k{i} in (a, b),!x{i},y{i}!=z" for i in range(3000))
    reqs = parse_label_selector(many)
    assert time.monotonic() - start < 2
    assert len(reqs) == 9000
    assert parse_label_selector("app = web, tier in (a,b), !legacy, env!=prod, team") == [
        ("=", "app", ("web",)), ("in", "tier", ("a", "b")), ("!", "legacy", ()),
        ("!=", "env", ("prod",)), ("exists", "team", ())]
    assert match_label_selector(parse_label_selector("tier notin (x), app"),
                                {"app": "1", "tier": "y"})
    for bad in ("a in b", "a in (b", "=b", "a b", "a,,b", "a==", "!"):
        if bad == "a==":
            assert parse_label_selector(bad) == [("=", "a", ("",))]
            continue
        with pytest.raises(OverlayLintError):
            parse_label_selector(bad)


def test_flow_style_json6902_string_is_refused_like_kubectl(tmp_path: Path) -> None:
    base = {"r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"}
    flow = "'[{op: add, path: /data, value: {a: b}}]'"
    quoted = "'[{\"op\": \"add\", \"path\": \"/data\", \"value\": {\"a\": \"b\"}}]'"
    for field, text, ok in (("patches", flow, False), ("patchesJson6902", flow, False),
                            ("patches", quoted, True), ("patchesJson6902", quoted, True)):
        d = tmp_path / f"{field}-{ok}"
        write_files(d, {**base, "kustomization.yaml":
                        f"resources: [r.yaml]\n{field}:\n- target: {{kind: ConfigMap, name: a}}\n"
                        f"  patch: {text}\n"})
        code, _out, _err = kubectl_kustomize(d)
        assert (code == 0) == ok
        if ok:
            assert build(str(d)).resources[0].node.value("data") == {"a": "b"}
        else:
            with pytest.raises(OverlayLintError, match="read as JSON"):
                build(str(d))


def test_null_containers_with_an_images_entry_render_empty_lists(tmp_path: Path) -> None:
    # found by the long fuzzer (a truncated StatefulSet): kubectl renders `containers: []`
    write_files(tmp_path, {
        "kustomization.yaml": "resources: [r.yaml]\nimages:\n- name: zzz\n  newTag: '1'\n",
        "r.yaml": "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: a\nspec:\n"
                  "  template:\n    spec:\n      containers:\n---\n"
                  "apiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec:\n  containers:\n"
                  "  initContainers: [{name: i, image: busybox}]\n"})
    need_kubectl()
    import yaml
    code, want, err = kubectl_kustomize(tmp_path)
    assert code == 0, err
    from overlay_lint.core.yaml_writer import dump_stream
    got = dump_stream(r.node for r in build(str(tmp_path)).resources)
    assert list(yaml.safe_load_all(got)) == list(yaml.safe_load_all(want))
    assert "containers: []" in got


def test_alias_patch_listed_many_times_hits_the_run_budget_fast(tmp_path: Path) -> None:
    bomb = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n"
            "  a: &a [x,x,x,x,x,x,x,x,x,x]\n  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            "  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n  d: [*c,*c,*c,*c,*c,*c,*c,*c]\n")
    write_files(tmp_path, {"p.yaml": bomb, "r.yaml": "apiVersion: v1\nkind: ConfigMap\n"
                                                    "metadata:\n  name: a\n",
                           "kustomization.yaml": "resources: [r.yaml]\npatchesStrategicMerge:\n"
                                                 + "- p.yaml\n" * 200})
    start = time.monotonic()
    with pytest.raises(OverlayLintError, match="budget of 200,000 value nodes") as exc:
        build(str(tmp_path), Loader(str(tmp_path), Budget(nodes=200_000)))
    assert time.monotonic() - start < 10
    assert exc.value.file == str(tmp_path / "kustomization.yaml") and exc.value.line > 2


def test_one_budget_spans_every_build_of_a_run(tmp_path: Path) -> None:
    write_files(tmp_path, {"kustomization.yaml": "resources: [r.yaml]\n",
                           "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    budget = Budget(builds=3)
    for _ in range(3):
        build(str(tmp_path), Loader(str(tmp_path), budget))
    with pytest.raises(OverlayLintError, match="budget of 3 kustomization builds"):
        build(str(tmp_path), Loader(str(tmp_path), budget))


def test_component_diamond_is_bounded(tmp_path: Path) -> None:
    # each level lists the next level's two components: 2^depth builds without a bound
    files = {"kustomization.yaml": "resources: [r.yaml]\ncomponents: [c0a, c0b]\n",
             "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"}
    depth = 30
    for i in range(depth):
        nxt = f"components: [../c{i + 1}a, ../c{i + 1}b]\n" if i + 1 < depth else ""
        for side in "ab":
            files[f"c{i}{side}/kustomization.yaml"] = (
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                f"commonAnnotations: {{level: '{i}'}}\n" + nxt)
    write_files(tmp_path, files)
    start = time.monotonic()
    with pytest.raises(OverlayLintError, match="kustomization builds"):
        build(str(tmp_path), Loader(str(tmp_path), Budget(builds=5000)))
    assert time.monotonic() - start < 20


def test_replacement_create_past_the_depth_limit_is_located(tmp_path: Path) -> None:
    deep = ".".join(f"k{i}" for i in range(1500))
    write_files(tmp_path, {
        "kustomization.yaml": "resources: [r.yaml]\nreplacements:\n"
                              "- source: {kind: ConfigMap, name: a}\n  targets:\n"
                              "  - select: {kind: ConfigMap}\n"
                              f"    fieldPaths: [data.{deep}]\n    options: {{create: true}}\n",
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"})
    with pytest.raises(OverlayLintError, match="depth limit") as exc:
        build(str(tmp_path))
    assert exc.value.line == 6


@pytest.mark.parametrize("key, count, error", [
    ("x", 250, "deeper than 200 levels"),   # each copy nests /data one level deeper
    ("x{i}", 40, "budget of"),              # each copy doubles /data: 2^40 nodes
])
def test_json6902_copies_are_bounded(tmp_path: Path, key: str, count: int, error: str) -> None:
    ops = "".join(f"    - op: copy\n      from: /data\n      path: /data/{key.format(i=i)}\n"
                  for i in range(count))
    write_files(tmp_path, {
        "kustomization.yaml": "resources: [r.yaml]\npatches:\n"
                              "- target: {kind: ConfigMap}\n  patch: |-\n" + ops,
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n"})
    start = time.monotonic()
    with pytest.raises(OverlayLintError, match=error) as exc:  # a fifth of the default budget
        build(str(tmp_path), Loader(str(tmp_path), Budget(nodes=1_000_000)))
    assert time.monotonic() - start < 15
    assert exc.value.file == str(tmp_path / "kustomization.yaml")
