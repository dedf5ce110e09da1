"""Where Kustomize reads past a mistake and renders, the render is Kustomize's and the
mistake a lint finding; where kubectl cannot render, the build is refused at a line.

Each case is compared with ``kubectl kustomize`` (Kustomize v5.5.0): a second YAML
document in a kustomization file, an unknown generator ``behavior``, keys written twice in
patches (strategic merge keeps the first, JSON6902 the last), and control characters that
kubectl's last step cannot print.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import kubectl_kustomize, need_kubectl, write_files
from lint_support import keys, lint_json
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.yaml_writer import dump_stream
from overlay_lint.kustomize.build import build

DEPLOY = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
          "  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: app\n"
          "        image: nginx\n")


def same_as_kubectl(directory: Path) -> str:
    """Render with both; assert the same data in the same order; our text."""
    need_kubectl()
    import yaml
    code, want, err = kubectl_kustomize(directory)
    assert code == 0, err
    got = dump_stream(r.node for r in build(str(directory)).resources)
    assert list(yaml.safe_load_all(got)) == list(yaml.safe_load_all(want))
    return got


def refused_like_kubectl(directory: Path, match: str) -> OverlayLintError:
    with pytest.raises(OverlayLintError, match=match) as exc:
        build(str(directory))
    code, _, _ = kubectl_kustomize(directory)
    assert code != 0
    return exc.value


# --- a second document in a kustomization file ------------------------------------------

def test_a_second_document_is_ignored_as_kustomize_ignores_it(tmp_path: Path) -> None:
    write_files(tmp_path, {"d.yaml": DEPLOY, "kustomization.yaml":
                           "resources: [d.yaml]\nnamePrefix: a-\n---\nnamePrefix: b-\n"
                           "namePrefix: c-\n"})
    result = build(str(tmp_path))
    assert [r.name for r in result.resources] == ["a-web"]
    (ignored,) = result.ignored
    assert ignored.origin[1] == 4 and "second YAML document" in ignored.message
    assert result.duplicates == []   # a repeat inside the ignored document is not read
    assert "a-web" in same_as_kubectl(tmp_path)


@pytest.mark.parametrize("text, line, ok", [
    ("resources: [d.yaml]\n---\nfoo: [\n", 3, True),       # Kustomize never parses it
    ("# c\n---\nresources: [d.yaml]\n---\n\"x\n", 5, True),
    ("resources: [d.yaml]\nfoo: [\n---\nx: 1\n", 3, False),  # the first one is broken
])
def test_invalid_yaml_after_the_first_document(tmp_path: Path, text: str, line: int,
                                               ok: bool) -> None:
    write_files(tmp_path, {"d.yaml": DEPLOY, "kustomization.yaml": text})
    if ok:
        (ignored,) = build(str(tmp_path)).ignored
        assert ignored.origin[1] == line
        same_as_kubectl(tmp_path)
    else:
        assert refused_like_kubectl(tmp_path, "invalid YAML").line == line


def test_an_empty_first_document_is_an_empty_kustomization(tmp_path: Path) -> None:
    write_files(tmp_path, {"d.yaml": DEPLOY,
                           "kustomization.yaml": "---\n---\nresources: [d.yaml]\n"})
    err = refused_like_kubectl(tmp_path, "kustomization file is empty")
    assert err.line == 1


# --- generator behavior -------------------------------------------------------------------

def test_an_unknown_behavior_creates_as_in_kustomize(tmp_path: Path) -> None:
    write_files(tmp_path, {"kustomization.yaml": "configMapGenerator:\n- name: cm\n"
                                                 "  behavior: Merge\n  literals: [a=b]\n"})
    result = build(str(tmp_path))
    assert [r.name for r in result.resources] == ["cm-4h2mbtbbt6"]
    (ignored,) = result.ignored
    assert ignored.origin[1] == 3 and "behavior 'Merge' is not create, merge or replace" \
        in ignored.message
    same_as_kubectl(tmp_path)


def test_an_unknown_behavior_over_a_base_object_fails_as_create_does(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "base/kustomization.yaml": "configMapGenerator:\n- name: cm\n  literals: [a=b]\n",
        "ov/kustomization.yaml": "resources: [../base]\nconfigMapGenerator:\n- name: cm\n"
                                 "  behavior: mrege\n  literals: [c=d]\n"})
    err = refused_like_kubectl(tmp_path / "ov", "already exists")
    assert err.line == 3 and "'mrege' is not a behavior" in err.message


# --- keys written twice in patches ---------------------------------------------------------

PATCH_CASES = {
    # a strategic merge patch file: the first value of each repeated key
    "smp-file": ({"kustomization.yaml": "resources: [d.yaml]\npatches:\n- path: p.yaml\n",
                  "p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                            "spec:\n  replicas: 2\n  replicas: 3\n  template:\n    spec:\n"
                            "      containers:\n      - name: app\n        image: a\n"
                            "        image: b\n"},
                 [("p.yaml", "replicas", 7, 6), ("p.yaml", "image", 13, 12)]),
    # inline, under patchesStrategicMerge
    "psm-inline": ({"kustomization.yaml": "resources: [d.yaml]\npatchesStrategicMerge:\n- |-\n"
                                         "  apiVersion: apps/v1\n  kind: Deployment\n"
                                         "  metadata:\n    name: web\n  spec:\n"
                                         "    replicas: 7\n    replicas: 8\n"},
                   [("kustomization.yaml", "replicas", 10, 9)]),
    # JSON6902 operations: the last value
    "json-file": ({"kustomization.yaml": "resources: [d.yaml]\npatches:\n- path: p.yaml\n"
                                         "  target: {kind: Deployment}\n",
                   "p.yaml": "- op: replace\n  path: /spec/replicas\n  value: 5\n  value: 6\n"},
                  [("p.yaml", "value", 4, 4)]),
}


@pytest.mark.parametrize("case", sorted(PATCH_CASES))
def test_repeated_keys_in_patches_read_as_kustomize_reads_them(tmp_path: Path,
                                                               case: str) -> None:
    files, want = PATCH_CASES[case]
    write_files(tmp_path, {"d.yaml": DEPLOY, **files})
    result = build(str(tmp_path))
    got = [(Path(d.file).name, d.key, d.origin[1], d.kept[1]) for d in result.duplicates]
    assert got == want
    same_as_kubectl(tmp_path)


def test_a_repeated_key_in_a_resource_stays_an_error(tmp_path: Path) -> None:
    write_files(tmp_path, {"kustomization.yaml": "resources: [d.yaml]\n",
                           "d.yaml": DEPLOY + "  replicas: 4\n"})
    refused_like_kubectl(tmp_path, 'duplicate key "replicas"')


def test_lint_reports_what_kustomize_ignores_and_patch_repeats(tmp_path: Path) -> None:
    write_files(tmp_path, {
        ".git/HEAD": "",
        "base/kustomization.yaml": "resources: [d.yaml]\n", "base/d.yaml": DEPLOY,
        "overlays/dev/kustomization.yaml":
            "resources: [../../base]\npatches:\n- path: p.yaml\nconfigMapGenerator:\n"
            "- name: cm\n  behavior: Merge\n  literals: [a=b]\n---\nnamePrefix: x-\n",
        "overlays/dev/p.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                               "  name: web\nspec:\n  replicas: 2\n  replicas: 3\n"})
    _, doc = lint_json(tmp_path, ".", "--rule", "ignored-by-kustomize",
                       "--rule", "duplicate-key")
    assert keys(doc) == {
        ("ignored-by-kustomize", "overlays/dev/kustomization.yaml", 6, ("dev",)),
        ("ignored-by-kustomize", "overlays/dev/kustomization.yaml", 9, ("dev",)),
        ("duplicate-key", "overlays/dev/p.yaml", 7, ("dev",))}


# --- a JSON6902 pointer without its leading '/' ------------------------------------------

def test_a_json6902_pointer_without_its_leading_slash_renders_as_kubectl_and_is_reported(
        tmp_path: Path) -> None:
    """json-patch reads a pointer from its first '/': `spec/replicas` patches `/replicas`
    (a top-level field, which kubectl renders), `x/metadata/...` patches `/metadata/...`.
    Rendered as Kustomize renders it; each such path or from is a finding at its line."""
    write_files(tmp_path, {
        ".git/HEAD": "",
        "base/kustomization.yaml": "resources: [d.yaml]\n", "base/d.yaml": DEPLOY,
        "overlays/dev/kustomization.yaml":
            "resources: [../../base]\npatches:\n- target:\n    kind: Deployment\n"
            "  patch: |-\n    - op: replace\n      path: spec/replicas\n      value: 3\n"
            "    - op: add\n      path: /metadata/labels\n      value: {fine: y}\n"
            "    - op: copy\n      from: x/metadata/name\n"
            "      path: /metadata/labels/name\n"})
    out = same_as_kubectl(tmp_path / "overlays" / "dev")
    assert "\nreplicas: 3\n" in out and "  replicas: 1\n" in out
    _, doc = lint_json(tmp_path, ".", "--rule", "ignored-by-kustomize")
    assert keys(doc) == {
        ("ignored-by-kustomize", "overlays/dev/kustomization.yaml", 7, ("dev",)),
        ("ignored-by-kustomize", "overlays/dev/kustomization.yaml", 13, ("dev",))}
    messages = sorted(f["message"] for f in doc["findings"])
    assert messages[0].startswith("JSON6902 from 'x/metadata/name' does not start with "
                                  "'/': Kustomize drops 'x' and patches '/metadata/name'")
    assert messages[1].startswith("JSON6902 path 'spec/replicas' does not start with '/': "
                                  "Kustomize drops 'spec' and patches '/replicas'")


# --- what kubectl cannot print --------------------------------------------------------------

# code points in a generated value: kubectl renders (True) or fails (False), v5.5.0.
# U+0085 (NEL) renders too, but kubectl prints it raw in a plain scalar, which YAML
# readers fold to a space: we print it escaped, the value Kustomize holds (not compared).
CONTROL = {0x01: True, 0x1b: True, 0x7f: False, 0x80: False, 0x84: False,
           0x9f: False, 0xa0: True, 0xfeff: True, 0xfffe: False, 0xffff: False}


@pytest.mark.parametrize("cp", sorted(CONTROL))
def test_control_characters_in_generated_data_as_kubectl(tmp_path: Path, cp: int) -> None:
    write_files(tmp_path, {"f.txt": f"x{chr(cp)}y".encode(),
                           "kustomization.yaml": "configMapGenerator:\n- name: cm\n"
                                                 "  files: [f.txt]\n"})
    if CONTROL[cp]:
        same_as_kubectl(tmp_path)
    else:
        err = refused_like_kubectl(tmp_path, f"U\\+{cp:04X}, a control character")
        assert err.line == 3


def test_a_control_character_removed_before_the_end_is_no_error(tmp_path: Path) -> None:
    cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: "x\\u007fy"\n'
    write_files(tmp_path, {"r.yaml": cm, "kustomization.yaml":
                           "resources: [r.yaml]\npatches:\n- patch: |-\n    - op: remove\n"
                           "      path: /data/k\n  target: {kind: ConfigMap}\n"})
    same_as_kubectl(tmp_path)
    write_files(tmp_path, {"kustomization.yaml": "resources: [r.yaml]\nnamePrefix: p-\n"})
    err = refused_like_kubectl(tmp_path, "U\\+007F")
    assert (Path(err.file).name, err.line) == ("r.yaml", 6)


def test_an_unknown_field_in_a_builtin_transformer_config_is_ignored(tmp_path: Path) -> None:
    # Kustomize decodes plugin configurations leniently (issue 10: this was refused)
    write_files(tmp_path, {"d.yaml": DEPLOY, "kustomization.yaml":
                           "resources: [d.yaml]\ntransformers:\n- |-\n"
                           "  apiVersion: builtin\n  kind: ReplicaCountTransformer\n"
                           "  metadata: {name: r}\n  replica: {name: web, count: 4, extra: 1}\n"
                           "  fieldSpecs: [{path: spec/replicas, create: true}]\n"})
    assert "replicas: 4" in same_as_kubectl(tmp_path)
