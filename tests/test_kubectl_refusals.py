"""Inputs `kubectl kustomize` refuses and overlay-lint once rendered (the fuzz harness's
"kubectl refuses, we render" outcome, now a failure, and hand-made inputs around it).

Each case: kubectl must refuse it, and overlay-lint must refuse it with a one-line error at a
line of a file. Each neighbour that kubectl renders must render the same here (some of them
overlay-lint once refused).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import kubectl_documents, kubectl_kustomize, need_kubectl, write_files
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.yaml_writer import dump_stream
from overlay_lint.kustomize.build import build

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  a: b\n"
RES = "resources:\n- r.yaml\n"
# a replacement that works on CM: data.a copied to a new data.c
REPLACEMENT = ("source:\n  kind: ConfigMap\n  name: r\n  fieldPath: data.a\ntargets:\n- select:\n"
               "    kind: ConfigMap\n  fieldPaths:\n  - data.c\n  options:\n    create: true\n")
REPL_ENTRY = RES + "replacements:\n- path: repl.yaml\n"
GEN_TRUE = ("configMapGenerator:\n- name: g\n  literals: ['true=v', a=b]\n  options:\n"
            "    disableNameSuffixHash: true\n")

CM_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\n"
DEPLOY = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n"
          "    spec:\n      containers:\n      - name: c\n")


def _indent(text: str, by: int = 4) -> str:
    return "".join(" " * by + line + "\n" for line in text.splitlines())


REFUSED = {
    # a replacements `path:` file whose first document is missing or null: Kustomize reads the
    # first document only and refuses it ("unsupported replacement type encountered within
    # replacement path: invalid")
    **{f"replacements file {name}": ({"kustomization.yaml": REPL_ENTRY, "repl.yaml": text},
                                     "holds no replacement")
       for name, text in [("of no bytes", ""), ("with a comment", "# later\n"),
                          ("blank", "\n\n"), ("---", "---\n"), ("null", "null\n"),
                          ("~", "~\n"), ("null, then a replacement", "null\n---\n" + REPLACEMENT),
                          ("---, then a replacement", "---\n---\n" + REPLACEMENT)]},
    # keys Kustomize writes unquoted that read back as no string (a boolean, null, a number,
    # a timestamp): kubectl fails on the map ("json: unsupported type: map[interface {}]...")
    **{f"configMapGenerator literal key {key}": (
        {"kustomization.yaml": RES + f"configMapGenerator:\n- name: g\n  literals: ['{key}=v']\n"},
        "reads back as") for key in ("true", "Null", "1", "0x1F", ".5", "1e3", "010", "+.inf",
                                     "2020-01-01")},
    "secretGenerator literal key": (
        {"kustomization.yaml": RES + "secretGenerator:\n- name: g\n  literals: ['false=v']\n"},
        "reads back as a boolean"),
    "env file line without '='": (
        {"kustomization.yaml": RES + "configMapGenerator:\n- name: g\n  envs: [e.env]\n",
         "e.env": "A=1\nnull\n"}, "reads back as null"),
    "files key": ({"kustomization.yaml": RES + "configMapGenerator:\n- name: g\n"
                                             "  files: ['1.5=f.txt']\n", "f.txt": "x\n"},
                  "reads back as a number"),
    "commonLabels key": ({"kustomization.yaml": RES + "commonLabels:\n  'true': v\n"},
                         "reads back as a boolean"),
    "labels pairs key": ({"kustomization.yaml": RES + "labels:\n- pairs:\n    '1': v\n"},
                         "reads back as a number"),
    "commonAnnotations key": ({"kustomization.yaml": RES + "commonAnnotations:\n  '~': v\n"},
                              "reads back as null"),
    "generatorOptions label key": (
        {"kustomization.yaml": RES + "configMapGenerator:\n- name: g\n  literals: [a=b]\n"
                                     "generatorOptions:\n  labels:\n    '1': v\n"},
        "reads back as a number"),
    # every annotation key of every object is written anew, also one quoted in its file
    "quoted annotation key in a resource": (
        {"kustomization.yaml": RES, "r.yaml": CM.replace("  name: r\n", "  name: r\n"
                                                         "  annotations:\n    '1': a\n")},
        "reads back as a number"),
    # a merge writes the data, labels and annotations maps anew, quoted keys too
    "generator merging into a quoted data key": (
        {"kustomization.yaml": RES + "configMapGenerator:\n- name: r\n  behavior: merge\n"
                                     "  literals: [x=y]\n", "r.yaml": CM + "  'true': q\n"},
        "reads back as a boolean"),
    "generator merging into a quoted label key": (
        {"kustomization.yaml": RES + "configMapGenerator:\n- name: r\n  behavior: merge\n"
                                     "  literals: [x=y]\n",
         "r.yaml": CM.replace("  name: r\n", "  name: r\n  labels:\n    '1': a\n")},
        "reads back as a number"),
    # a patch changing the value keeps the key; a JSON6902 patch fails on the object even
    # when it removes the key (Kustomize encodes the object as JSON to patch it)
    "generated key, its value patched": (
        {"kustomization.yaml": RES + GEN_TRUE + "patches:\n- patch: |\n    apiVersion: v1\n"
                                                "    kind: ConfigMap\n    metadata:\n"
                                                "      name: g\n    data:\n      'true': w\n"},
        "reads back as a boolean"),
    "generated key, removed by a JSON6902 patch": (
        {"kustomization.yaml": RES + GEN_TRUE + "patches:\n- target:\n    name: g\n"
                                                "  patch: |\n    - op: remove\n"
                                                "      path: /data/true\n"},
        "a JSON6902 patch of ConfigMap 'g' fails on it"),
    "label key, then a patch on the labels": (
        {"kustomization.yaml": RES + "commonLabels:\n  'true': z\npatches:\n- patch: |\n"
                                     "    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n"
                                     "      name: r\n      labels:\n        b: c\n"},
        "reads back as a boolean"),
    # a patch with a target holding only empty mappings: no strategic merge patch, so
    # Kustomize reads JSON6902 operations, and fails on a selected resource
    **{f"patch of {text!r} with a target that selects": (
        {"kustomization.yaml": RES + "patches:\n- path: p.yaml\n  target:\n    kind: ConfigMap\n",
         "p.yaml": text}, "holds only empty mappings") for text in ("{}\n", "# c\n{}\n---\n{}\n")},
    "crds file of no bytes": ({"kustomization.yaml": RES + "crds:\n- crd.yaml\n",
                               "crd.yaml": ""}, "is empty"),
    # a plain key written as such in a resource or patch file that go-yaml reads as no
    # string: kyaml keeps the key's node, and the output step fails on it ("json:
    # unsupported type"), anywhere but at the top of the resource (there a null key only)
    **{f"plain key {key} in {where}": ({"kustomization.yaml": RES, "r.yaml": text},
                                       "reads back as " + kind)
       for key, kind in [("1", "a number"), ("true", "a boolean"), ("1.5", "a number"),
                         ("~", "null"), ("null", "null"), ("2020-01-01", "a timestamp"),
                         ("0x1F", "a number"), (".inf", "a number"), ("1_000", "a number"),
                         ("2020-1-1", "a timestamp"), ("2020-01-01T00:00:00Z", "a timestamp")]
       for where, text in [("data", CM + f"  {key}: x\n"),
                           ("labels", CM.replace("  name: r\n", f"  name: r\n  labels:\n"
                                                                 f"    {key}: x\n")),
                           ("a list item", DEPLOY + f"        x:\n          {key}: y\n")]},
    **{f"plain key {key} at the top of a resource": (
        {"kustomization.yaml": RES, "r.yaml": CM + f"{key}: x\n"}, "reads back as null")
       for key in ("~", "null")},
    "plain key in metadata": ({"kustomization.yaml": RES, "r.yaml": CM.replace(
        "  name: r\n", "  name: r\n  1: x\n")}, "reads back as a number"),
    # a patch adding such a key (kyaml copies the patch's key node) ...
    "patch adding a plain key": ({"kustomization.yaml": RES + "patches:\n- path: p.yaml\n",
                                  "p.yaml": CM_HEAD + "data:\n  1: x\n"},
                                 "reads back as a number"),
    "inline patch adding a plain key": (
        {"kustomization.yaml": RES + "patches:\n- patch: |\n" + _indent(CM_HEAD + "data:\n"
                                                                       "  true: x\n")},
        "reads back as a boolean"),
    "patchesStrategicMerge adding a plain label key": (
        {"kustomization.yaml": RES + "patchesStrategicMerge:\n- p.yaml\n",
         "p.yaml": CM_HEAD + "  labels:\n    1: x\n"}, "reads back as a number"),
    # ... or setting the value of one, whatever the patch's key (the resource's node stays)
    "patch setting a plain key by a quoted one": (
        {"kustomization.yaml": RES + "patches:\n- path: p.yaml\n", "r.yaml": CM + "  1: q\n",
         "p.yaml": CM_HEAD + "data:\n  '1': z\n"}, "reads back as a number"),
    # Kustomize writes a stringified patch's labels anew: a quoted key there too
    "patchesStrategicMerge adding a quoted label key": (
        {"kustomization.yaml": RES + "patchesStrategicMerge:\n- p.yaml\n",
         "p.yaml": CM_HEAD + "  labels:\n    '1': x\n"}, "reads back as a number"),
    "patches entry with a target adding a quoted label key": (
        {"kustomization.yaml": RES + "patches:\n- path: p.yaml\n  target:\n    kind: ConfigMap\n",
         "p.yaml": CM_HEAD + "  labels:\n    '1': x\n"}, "reads back as a number"),
    "generator merging into a plain data key": (
        {"kustomization.yaml": RES + "configMapGenerator:\n- name: r\n  behavior: merge\n"
                                     "  literals: [x=y]\n", "r.yaml": CM + "  1: q\n"},
        "reads back as a number"),
    # JSON6902 operations are read as JSON: a null key fails there
    **{f"JSON6902 value with the key {key}": (
        {"kustomization.yaml": RES + "patches:\n- path: p.yaml\n  target:\n    kind: ConfigMap\n",
         "p.yaml": f"- op: add\n  path: /data/m\n  value:\n    {key}: x\n"}, "reads as null")
       for key in ("~", "null")},
}

RENDERED = {
    # plain keys read as no string that kubectl renders: as written at the top of a
    # resource (overlay-lint printed them resolved: "31" for 0x1F), quoted ones anywhere
    **{f"plain key {key} at the top of a resource": {
        "kustomization.yaml": RES, "r.yaml": CM + f"{key}: x\n"}
       for key in ("1", "true", "False", "1.5", "2020-01-01", "0x1F", ".inf", "1e3",
                   "2020-1-1", "2021-6-7 8:9:1")},
    "plain key at the top of a List item": {
        "kustomization.yaml": RES, "r.yaml": "apiVersion: v1\nkind: List\nitems:\n- "
                                             + _indent(CM + "0x1F: x\n", 2).lstrip()},
    **{f"quoted key {key}": {"kustomization.yaml": RES, "r.yaml": CM + f"  {key}: x\n"}
       for key in ("'1'", '"true"', "!!str 1", "yes", "'2020-01-01'")},
    # a patch: its top-level keys as written, a null one dropped; a plain key naming a
    # key the resource quotes, or removing a plain one
    **{f"patch with the top-level key {key}": {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n",
        "p.yaml": CM_HEAD + f"{key}: x\n"} for key in ("1", "0x1F", "~", "null")},
    "patch without a target adding a quoted label key (not stringified)": {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n",
        "p.yaml": CM_HEAD + "  labels:\n    '1': x\n"},
    "patch setting a quoted key by a plain one": {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n", "r.yaml": CM + "  '1': q\n",
        "p.yaml": CM_HEAD + "data:\n  1: z\n"},
    "patch removing a plain key": {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n", "r.yaml": CM + "  1: q\n",
        "p.yaml": CM_HEAD + "data:\n  1: null\n"},
    "patch replacing the mapping holding a plain key": {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n", "r.yaml": CM + "  1: q\n",
        "p.yaml": CM_HEAD + "data:\n  $patch: replace\n  z: y\n"},
    "generator replacing an object with a plain key": {
        "kustomization.yaml": RES + "configMapGenerator:\n- name: r\n  behavior: replace\n"
                                    "  literals: [x=y]\n", "r.yaml": CM + "  1: q\n"},
    # JSON6902 values are read as JSON: numbers and booleans as their JSON text, times
    # and .inf as written (overlay-lint printed "2020-01-01T00:00:00Z", "inf")
    "JSON6902 value with plain keys": {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n  target:\n    kind: ConfigMap\n",
        "p.yaml": "- op: add\n  path: /data/m\n  value:\n    0x1F: a\n    .inf: b\n"
                  "    2020-01-01: c\n    1e3: d\n    true: e\n    2020-01-01 10:00:00: f\n"},
    "replacements file []": {"kustomization.yaml": REPL_ENTRY, "repl.yaml": "[]\n"},
    "replacements file, a comment then the replacement":
        {"kustomization.yaml": REPL_ENTRY, "repl.yaml": "# c\n---\n" + REPLACEMENT},
    "replacements file, the replacement then junk":
        {"kustomization.yaml": REPL_ENTRY, "repl.yaml": REPLACEMENT + "---\n- 3\n"},
    # keys that read back as strings (YAML 1.1 booleans are strings to go-yaml v3)
    **{f"configMapGenerator literal key {key}": {
        "kustomization.yaml": RES + f"configMapGenerator:\n- name: g\n  literals: ['{key}=v']\n"}
       for key in ("yes", "on", "y", "1:2", "-x", "_1", "0o8", "1e", "-.NAN")},
    # Kustomize keeps the key a file quotes where it only sets the value or replaces the
    # object; labels, and annotations of a pod template, are not written anew
    "replace of an object with a quoted data key": {
        "kustomization.yaml": RES + "configMapGenerator:\n- name: r\n  behavior: replace\n"
                                    "  literals: [x=y]\n", "r.yaml": CM + "  'true': q\n"},
    "commonLabels setting a label quoted in the file": {
        "kustomization.yaml": RES + "commonLabels:\n  'true': z\n",
        "r.yaml": CM.replace("  name: r\n", "  name: r\n  labels:\n    'true': a\n")},
    "quoted label and data keys in a resource": {
        "kustomization.yaml": RES,
        "r.yaml": CM.replace("  name: r\n", "  name: r\n  labels:\n    '1': a\n")
        + "  'true': q\n"},
    "quoted annotation key in a pod template": {
        "kustomization.yaml": RES,
        "r.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n"
                  "  template:\n    metadata:\n      annotations:\n        '1': a\n"},
    # gone before the end: a strategic-merge delete, a JSON6902 removal of a quoted key
    "generated key deleted by a strategic-merge patch": {
        "kustomization.yaml": RES + GEN_TRUE + "patches:\n- patch: |\n    apiVersion: v1\n"
                                               "    kind: ConfigMap\n    metadata:\n"
                                               "      name: g\n    data:\n      'true': null\n"},
    "quoted annotation key removed by a JSON6902 patch": {
        "kustomization.yaml": RES + "namePrefix: p-\npatches:\n- target:\n    kind: ConfigMap\n"
                                    "  patch: |\n    - op: remove\n"
                                    "      path: /metadata/annotations/1\n",
        "r.yaml": CM.replace("  name: r\n", "  name: r\n  annotations:\n    '1': a\n")},
    # Kustomize drops an empty list document, and a List item that is empty or null (found by
    # the fuzz harness once it read files holding no document; overlay-lint refused them)
    "resource file []": {"kustomization.yaml": RES + "- e.yaml\n", "e.yaml": "# c\n[]\n"},
    "resource file [] then an object": {
        "kustomization.yaml": RES + "- e.yaml\n",
        "e.yaml": "[]\n---\n" + CM.replace("name: r", "name: s")},
    # a crds file of blank lines is no definitions; only a file of no bytes fails (Kustomize
    # reads its first byte to tell JSON from YAML); overlay-lint refused blank ones too
    **{f"crds file {name}": {"kustomization.yaml": RES + "crds:\n- crd.yaml\n", "crd.yaml": text}
       for name, text in [("of a newline", "\n"), ("of blank lines", "\n \n")]},
    # ... and renders when the target selects nothing (found by the long fuzz run)
    **{f"patch of {text!r} with a target that selects nothing": {
        "kustomization.yaml": RES + f"patches:\n- patch: {json.dumps(text)}\n  target:\n"
                                    "    kind: Secret\n"}
       for text in ("{}", "{}\n---\n{}\n")},
    "List items [], {} and null": {
        "kustomization.yaml": RES + "- e.yaml\n",
        "e.yaml": "apiVersion: v1\nkind: List\nitems:\n- []\n- {}\n- null\n- "
                  + CM.replace("name: r", "name: s").replace("\n", "\n  ").rstrip() + "\n"},
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_as_kubectl_refuses(tmp_path: Path, name: str) -> None:
    files, message = REFUSED[name]
    write_files(tmp_path, {"r.yaml": CM, **files})
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0, "kubectl renders this: the case is wrong"
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert exc.value.file and exc.value.line, str(exc.value)
    assert "\n" not in str(exc.value)
    assert message in str(exc.value), (str(exc.value), err)


@pytest.mark.parametrize("name", sorted(RENDERED))
def test_neighbours_render_as_kubectl_renders(tmp_path: Path, name: str) -> None:
    write_files(tmp_path, {"r.yaml": CM, **RENDERED[name]})
    want = kubectl_documents(tmp_path)
    text = dump_stream(r.node for r in build(str(tmp_path)).resources)
    assert [d for d in yaml.safe_load_all(text) if d is not None] == want


# --- the fuzz harness's judge on real kubectl runs ------------------------------------------

def test_fuzz_judge_fails_a_render_kubectl_refuses(tmp_path: Path, monkeypatch) -> None:
    import fuzz_support as fz
    need_kubectl()
    monkeypatch.setattr(fz, "COLLECT", False)
    write_files(tmp_path, {"kustomization.yaml": REPL_ENTRY, "r.yaml": CM, "repl.yaml": "~\n"})
    with pytest.raises(fz.FuzzFailure) as exc:  # as overlay-lint rendered it before the fix
        fz.judge(tmp_path, CM, None, "input")
    assert "kubectl refuses but we render" in str(exc.value)
    assert "unsupported replacement type" in str(exc.value)  # kubectl's own message
    with pytest.raises(OverlayLintError) as refused:
        build(str(tmp_path))
    assert fz.judge(tmp_path, None, refused.value, "input") == "kubectl refuses, we refuse"


def test_fuzz_judge_reads_dates_as_text_where_pyyaml_refuses_kubectl_output(
        tmp_path: Path, monkeypatch) -> None:
    import fuzz_support as fz
    need_kubectl()
    monkeypatch.setattr(fz, "COLLECT", False)
    write_files(tmp_path, {"kustomization.yaml": RES, "r.yaml": CM + "  d: 2020-13-45\n"})
    assert fz.run_kubectl(tmp_path).status == "no oracle"
    text = dump_stream(r.node for r in build(str(tmp_path)).resources)
    assert fz.judge(tmp_path, text, None, "input").startswith("equal render (dates read")
    with pytest.raises(fz.FuzzFailure):
        fz.judge(tmp_path, text.replace("2020-13-45", "2020-13-46"), None, "input")


# --- a patch wiping a base resource's annotations: Kustomize's build annotations go too ----

WIPE_BASE = {"base/kustomization.yaml": "resources:\n- r.yaml\n- dep.yaml\nnamePrefix: p-\n"
                                        "configMapGenerator:\n- name: g\n  literals: [a=b]\n",
             "base/r.yaml": CM,
             "base/dep.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\nspec:\n"
                              "  template:\n    spec:\n      volumes:\n      - name: v\n"
                              "        configMap:\n          name: g\n"}
SET_A = CM_HEAD + "data:\n  a: w\n"
WIPES = {  # the wiping patch, the field listing it: kubectl then refuses the patch by `r`
    "annotations: null": ("  annotations: null\n", "patches"),
    "annotations: (empty)": ("  annotations:\n", "patches"),
    "annotations $patch: replace": ("  annotations:\n    $patch: replace\n    x: y\n", "patches"),
    "annotations $patch: delete": ("  annotations:\n    $patch: delete\n", "patches"),
    "metadata $patch: replace": ("  $patch: replace\n", "patches"),
    "annotations $patch: replace, patchesStrategicMerge":
        ("  annotations:\n    $patch: replace\n    x: y\n", "patchesStrategicMerge"),
}


def _wipe_overlay(wipe: str, field: str, then: str = "- set.yaml\n") -> dict[str, str]:
    entries = ("- path: wipe.yaml\n" + then.replace("- ", "- path: ")) if field == "patches" \
        else "- wipe.yaml\n" + then
    return {**WIPE_BASE, "o/kustomization.yaml": f"resources:\n- ../base\n{field}:\n{entries}",
            "o/wipe.yaml": CM_HEAD + wipe, "o/set.yaml": SET_A}


@pytest.mark.parametrize("name", sorted(WIPES))
def test_wiped_annotations_lose_the_earlier_name(tmp_path: Path, name: str) -> None:
    """After a base's namePrefix, a patch removing or replacing the annotations drops the
    earlier names Kustomize keeps there: a later patch by the original name finds
    nothing (overlay-lint applied it)."""
    wipe, field = WIPES[name]
    write_files(tmp_path, _wipe_overlay(wipe, field))
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path / "o")
    assert code != 0 and "no matches for Id ConfigMap" in err
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path / "o"))
    assert (Path(exc.value.file).name, exc.value.line) == ("set.yaml", 4), str(exc.value)
    assert "no resource matches strategic merge patch" in exc.value.message


@pytest.mark.parametrize("name", [
    "wipe alone", "a generated object wiped (no hash, references not fixed)",
    "annotations {}", "one annotation removed", "patchesStrategicMerge null (dropped)",
    "a target (null dropped)", "a top-level $patch: replace (a no-op)"])
def test_wiped_annotations_neighbours(tmp_path: Path, name: str) -> None:
    files = {
        "wipe alone": _wipe_overlay("  annotations: null\n", "patches", ""),
        "a generated object wiped (no hash, references not fixed)": {
            **_wipe_overlay("  annotations: null\n", "patches", ""),
            "o/wipe.yaml": CM_HEAD.replace("name: r", "name: g") + "  annotations: null\n"},
        "annotations {}": _wipe_overlay("  annotations: {}\n", "patches"),
        "one annotation removed": _wipe_overlay("  annotations:\n    a: null\n", "patches"),
        "patchesStrategicMerge null (dropped)": _wipe_overlay("  annotations: null\n",
                                                              "patchesStrategicMerge"),
        "a target (null dropped)": {
            **WIPE_BASE, "o/set.yaml": SET_A, "o/wipe.yaml": CM_HEAD + "  annotations: null\n",
            "o/kustomization.yaml": "resources:\n- ../base\npatches:\n- path: wipe.yaml\n"
                                    "  target:\n    kind: ConfigMap\n- path: set.yaml\n"},
        "a top-level $patch: replace (a no-op)": {
            **WIPE_BASE, "o/set.yaml": SET_A,
            "o/wipe.yaml": "apiVersion: v1\nkind: ConfigMap\n$patch: replace\nmetadata:\n"
                           "  name: r\ndata:\n  z: z\n",
            "o/kustomization.yaml": "resources:\n- ../base\npatches:\n- path: wipe.yaml\n"
                                    "- path: set.yaml\n"},
    }[name]
    write_files(tmp_path, files)
    want = kubectl_documents(tmp_path / "o")
    text = dump_stream(r.node for r in build(str(tmp_path / "o")).resources)
    assert [d for d in yaml.safe_load_all(text) if d is not None] == want
