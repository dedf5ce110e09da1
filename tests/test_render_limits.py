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
    start = time.process_time()     # CPU, not wall: a loaded CI machine stretches wall time
    with pytest.raises(OverlayLintError):
        parse_label_selector(hostile)
    many = ",".join(f"k{i} in (a, b),!x{i},y{i}!=z" for i in range(3000))
    reqs = parse_label_selector(many)
    assert time.process_time() - start < 2
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


# --- a directory reached by many paths is built twice, then reused (issue 8) ----------------

FAN_BASE = {
    "base/kustomization.yaml": "resources: [d.yaml]\nlabels:\n- pairs: {app: web}\n"
                               "configMapGenerator:\n- name: cfg\n  literals: [a=b]\n"
                               "patches:\n- patch: |-\n    - op: add\n      path: /spec/replicas\n"
                               "      value: 3\n  target: {kind: Deployment}\n",
    "base/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
                   "  template:\n    spec:\n      containers:\n      - name: app\n"
                   "        image: nginx\n        envFrom:\n"
                   "        - configMapRef: {name: cfg}\n",
}


def _fan(tmp_path: Path, n: int) -> Path:
    files = dict(FAN_BASE)
    for i in range(n):
        files[f"mid{i}/kustomization.yaml"] = f"resources: [../base]\nnamePrefix: m{i}-\n"
    files["top/kustomization.yaml"] = "namespace: top\nresources:\n" + "".join(
        f"- ../mid{i}\n" for i in range(n))
    write_files(tmp_path, files)
    return tmp_path / "top"


def test_a_base_reused_by_many_paths_renders_as_kubectl(tmp_path: Path) -> None:
    top = _fan(tmp_path, 5)
    need_kubectl()
    import yaml
    code, want, err = kubectl_kustomize(top)
    assert code == 0, err
    from overlay_lint.core.yaml_writer import dump_stream
    got = dump_stream(r.node for r in build(str(top)).resources)
    assert list(yaml.safe_load_all(got)) == list(yaml.safe_load_all(want))


def test_each_reuse_of_a_base_has_its_own_records_on_its_own_resources(tmp_path: Path) -> None:
    result = build(str(_fan(tmp_path, 5)))
    patches = [t for t in result.touched if t.builtin == "PatchTransformer"]
    assert len(patches) == 5          # one per path to the base, as when each is rebuilt
    names = []
    for rec in patches:
        (sel,) = rec.selected
        res = result.rendered(sel.uid)
        assert res is not None and res.kind == "Deployment"
        assert [c.uid for c in rec.changes] == [sel.uid]
        assert sel.written.name == "web" and res.node.path("spec", "replicas").v == 3
        names.append(res.name)
    assert names == [f"m{i}-web" for i in range(5)]
    gens = [t for t in result.touched if t.builtin == "ConfigMapGenerator"]
    assert sorted(result.rendered(t.selected[0].uid).name for t in gens) == \
        sorted(r.name for r in result.resources if r.kind == "ConfigMap")


def test_a_reused_base_is_charged_to_the_budget_as_a_rebuild(tmp_path: Path) -> None:
    top = _fan(tmp_path, 5)
    build(str(top), Loader(str(tmp_path), Budget(builds=11)))   # top, 5 mids, 5 bases
    with pytest.raises(OverlayLintError, match="budget of 10 kustomization builds"):
        build(str(top), Loader(str(tmp_path), Budget(builds=10)))


def test_a_reused_base_is_checked_for_cycles_at_its_new_place(tmp_path: Path) -> None:
    # S lists ../mid: fine from p1 and p2, a cycle from mid/y (mid contains it), as kubectl
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n"
    write_files(tmp_path, {
        "S/kustomization.yaml": "resources: [cm.yaml, ../mid]\n", "S/cm.yaml": cm.format("s"),
        "mid/kustomization.yaml": "resources: [cm.yaml]\n", "mid/cm.yaml": cm.format("mid"),
        "p1/kustomization.yaml": "resources: [../S]\nnamePrefix: p1-\n",
        "p2/kustomization.yaml": "resources: [../S]\nnamePrefix: p2-\n",
        "mid/y/kustomization.yaml": "resources: [../../S]\nnamePrefix: y-\n",
        "top/kustomization.yaml": "resources: [../p1, ../p2, ../mid/y]\n"})
    with pytest.raises(OverlayLintError, match="cycle detected: '../mid' contains") as exc:
        build(str(tmp_path / "top"))
    assert (exc.value.file, exc.value.line) == (str(tmp_path / "S/kustomization.yaml"), 1)
    code, _, err = kubectl_kustomize(tmp_path / "top")
    assert code != 0 and "cycle detected" in err


def test_a_diamond_of_bases_is_reused_and_still_bounded_by_the_budget(tmp_path: Path) -> None:
    # each level lists the next level's two bases: 2^30 builds if each path were rebuilt;
    # reused, the run's budget still counts every path and ends it at once
    files = {"kustomization.yaml": "resources: [b0a, b0b]\n"}
    depth = 30
    for i in range(depth):
        nxt = f"resources: [../b{i + 1}a, ../b{i + 1}b]\n" if i + 1 < depth else \
            "namePrefix: leaf-\n"
        for side in "ab":
            files[f"b{i}{side}/kustomization.yaml"] = nxt
    write_files(tmp_path, files)
    start = time.process_time()     # CPU, not wall: a loaded CI machine stretches wall time
    with pytest.raises(OverlayLintError, match="budget of 100,000 kustomization builds"):
        build(str(tmp_path), Loader(str(tmp_path), Budget(builds=100_000)))
    assert time.process_time() - start < 10     # ~1 s; rebuilding each path: 2^30 builds
