"""Keys written twice in a strategic merge patch, judged against `kubectl kustomize`.

kyaml keeps every copy of a repeated key and a merge reads the first: where the patch
merges into a part the resource has, only the first copy counts and kubectl renders.
Where the merge adopts a part of the patch whole (a new mapping key or list element, a
`$patch: replace`, a list it replaces), every copy lands in the resource and kubectl's
output step refuses it ("mapping key "x" already defined"), unless the walk of the first
copy removed it (a null), leaving the second as written. metadata.annotations is read as
a map at the end of the build (the last copy wins); so are a patch's labels and
annotations where Kustomize stringifies them first (`patchesStrategicMerge`, a `patches`
entry with a target). Each case: kubectl's outcome, and overlay-lint's.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import kubectl_documents, kubectl_kustomize, need_kubectl, write_files
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.yaml_writer import dump_stream
from overlay_lint.kustomize.build import build

DEP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      containers:
      - name: c
        image: i
        env:
        - name: A
          value: a
        resources:
          limits:
            cpu: 1
      tolerations:
      - key: k
"""
HEAD = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n"
C = "spec:\n  template:\n    spec:\n      containers:\n      - name: c\n"
FIELDS = {
    "patches": "resources:\n- r.yaml\npatches:\n- path: p.yaml\n",
    "patches with a target": "resources:\n- r.yaml\npatches:\n- path: p.yaml\n  target:\n"
                             "    kind: Deployment\n",
    "patchesStrategicMerge": "resources:\n- r.yaml\npatchesStrategicMerge:\n- p.yaml\n",
}
INLINE = "resources:\n- r.yaml\npatches:\n- patch: |\n"

# patch body -> the line of the refused repeat in p.yaml (kubectl refuses every field)
REFUSED = {
    "new env element, value twice":
        (C + "        env:\n        - name: B\n          value: b1\n          value: b2\n", 13),
    "new env element, its merge key twice":
        (C + "        env:\n        - name: B\n          name: C\n          value: b\n", 12),
    "new env element, value null then twice":
        (C + "        env:\n        - name: B\n          value: null\n          value: x\n"
             "          value: y\n", 14),
    "new map key in an existing container":
        (C + "        resources:\n          requests:\n            cpu: 2\n            cpu: 3\n", 13),
    "new container": ("spec:\n  template:\n    spec:\n      containers:\n      - name: e\n"
                      "        image: j\n        image: k\n", 11),
    "new top-level map key": ("spec:\n  strategy:\n    type: Recreate\n    type: A\n", 8),
    "$patch: replace": ("spec:\n  template:\n    spec:\n      $patch: replace\n      containers:\n"
                        "      - name: e\n        image: j\n        image: k\n", 12),
    "an atomic list replaced": ("spec:\n  template:\n    spec:\n      tolerations:\n"
                                "      - key: a\n        key: b\n", 10),
    "new pod template annotations": ("spec:\n  template:\n    metadata:\n      annotations:\n"
                                     "        a: '1'\n        a: '2'\n", 10),
}
# kubectl renders these (what it renders: compared)
RENDERED = {
    "existing env element, value twice":
        C + "        env:\n        - name: A\n          value: b1\n          value: b2\n",
    "existing container, image twice": C + "        image: j\n        image: k\n",
    "existing map, cpu twice": C + "        resources:\n          limits:\n            cpu: 2\n"
                                   "            cpu: 3\n",
    "existing env element, value null then x":
        C + "        env:\n        - name: A\n          value: null\n          value: x\n",
    "env twice, the second list ignored":
        C + "        env:\n        - name: A\n          value: z\n        env:\n        - name: B\n"
            "          value: 1\n          value: 2\n",
    "new env element, value null then x (the second copy stays)":
        C + "        env:\n        - name: B\n          value: null\n          value: x\n",
    "new env element, value empty then x":
        C + "        env:\n        - name: B\n          value:\n          value: x\n",
    "new env element, valueFrom null then a map with a null (kept as written)":
        C + "        env:\n        - name: B\n          valueFrom: null\n          valueFrom:\n"
            "            fieldRef:\n              fieldPath: null\n",
    "new element deleted": C + "        env:\n        - name: B\n          $patch: delete\n"
                               "          value: 1\n          value: 2\n",
    "new map, key null then a value": "spec:\n  strategy:\n    type: null\n    type: Recreate\n",
    "new annotations, a key twice": "  annotations:\n    a: x\n    a: y\n",
    "new annotations, a key three times": "  annotations:\n    a: x\n    a: y\n    a: z\n",
    "new annotations, null then a value": "  annotations:\n    a: null\n    a: x\n",
    "new annotations, then a second annotations mapping": "  annotations:\n    a: x\n"
                                                          "  annotations:\n    a: q\n    b: y\n",
}
# labels: refused by a plain `patches` entry, read as a map where Kustomize stringifies them
LABELS = "  labels:\n    a: x\n    a: y\n"
LABELS_FOLDED = "  labels:\n    a: x\n    c: 1\n    c: 2\n  labels:\n    a: q\n    b: y\n"
LABELS_SECOND_REPEATS = "  labels:\n    a: x\n  labels:\n    a: q\n    b: y\n    b: z\n"


def _files(body: str, field: str) -> dict[str, str]:
    return {"kustomization.yaml": FIELDS[field], "r.yaml": DEP, "p.yaml": HEAD + body}


def _refused(tmp_path: Path, files: dict[str, str], line: int | None) -> None:
    write_files(tmp_path, files)
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0 and "already defined" in err, "kubectl renders this: the case is wrong"
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert exc.value.file and exc.value.line, str(exc.value)
    assert "\n" not in str(exc.value) and str(exc.value).count("duplicate key") == 1
    if line is not None:
        assert (Path(exc.value.file).name, exc.value.line) == ("p.yaml", line), str(exc.value)


def _rendered(tmp_path: Path, files: dict[str, str]) -> None:
    write_files(tmp_path, files)
    want = kubectl_documents(tmp_path)
    text = dump_stream(r.node for r in build(str(tmp_path)).resources)
    assert [d for d in yaml.safe_load_all(text) if d is not None] == want


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_where_the_merge_adopts_the_repeat(tmp_path: Path, name: str, field: str) -> None:
    body, line = REFUSED[name]
    _refused(tmp_path, _files(body, field), line)


@pytest.mark.parametrize("name", ["new env element, value twice", "$patch: replace"])
def test_refused_in_an_inline_patch_at_its_line(tmp_path: Path, name: str) -> None:
    body, line = REFUSED[name]
    text = "".join("    " + ln + "\n" for ln in (HEAD + body).splitlines())
    files = {"kustomization.yaml": INLINE + text, "r.yaml": DEP}
    _refused(tmp_path, files, None)
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert (Path(exc.value.file).name, exc.value.line) == ("kustomization.yaml", line + 4)


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("name", sorted(RENDERED))
def test_rendered_as_kubectl_renders(tmp_path: Path, name: str, field: str) -> None:
    _rendered(tmp_path, _files(RENDERED[name], field))


def test_new_labels_twice_refused_by_patches_read_as_a_map_where_stringified(
        tmp_path: Path) -> None:
    _refused(tmp_path / "plain", _files(LABELS, "patches"), 7)
    for field in ("patches with a target", "patchesStrategicMerge"):
        _rendered(tmp_path / field.replace(" ", "-"), _files(LABELS, field))
        _rendered(tmp_path / (field.replace(" ", "-") + "2"), _files(LABELS_FOLDED, field))
    _refused(tmp_path / "second", _files(LABELS_SECOND_REPEATS, "patchesStrategicMerge"), 10)


def test_new_annotations_twice_settled_with_later_steps(tmp_path: Path) -> None:
    """The last copy wins at the end of the build, whatever a later step writes to the
    key (kyaml writes the first copy); a JSON6902 patch refuses the repeat."""
    ann = HEAD + "  annotations:\n    a: x\n    a: y\n"
    later = HEAD + "  annotations:\n    a: w\n"
    base = "resources:\n- r.yaml\npatches:\n- path: p.yaml\n"
    for name, kust in [("common", base + "commonAnnotations:\n  a: z\n"),
                       ("patched", base + "- path: p2.yaml\n"),
                       ("prefix", base + "namePrefix: p-\n")]:
        _rendered(tmp_path / name, {"kustomization.yaml": kust, "r.yaml": DEP, "p.yaml": ann,
                                    "p2.yaml": later})
    json = base + ("- target:\n    kind: Deployment\n  patch: '[{\"op\": \"add\", \"path\": "
                   "\"/spec/paused\", \"value\": true}]'\n")
    write_files(tmp_path / "json", {"kustomization.yaml": json, "r.yaml": DEP, "p.yaml": ann})
    _refused(tmp_path / "json", {}, 7)


def test_patch_replacing_a_resources_repeated_annotations(tmp_path: Path) -> None:
    """A resource's lone annotations mapping with a key written twice, replaced by a
    patch's with a key written twice: the patch's last copy (kubectl); with two
    annotations mappings in the resource, a documented refusal."""
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n  annotations:\n    b: '1'\n"
    patch = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\n  annotations:\n"
             "    $patch: replace\n    a: x\n    a: y\n")
    kust = "resources:\n- r.yaml\npatches:\n- path: p.yaml\n"
    _rendered(tmp_path / "one", {"kustomization.yaml": kust, "p.yaml": patch,
                                 "r.yaml": cm + "    b: '2'\n"})
    write_files(tmp_path / "two", {"kustomization.yaml": kust, "p.yaml": patch,
                                   "r.yaml": cm + "  annotations:\n    c: '2'\n"})
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path / "two"))
    import fuzz_support
    assert fuzz_support._documented_repeat(exc.value.message), exc.value.message
