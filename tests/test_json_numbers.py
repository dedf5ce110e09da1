"""Numbers where Kustomize passes them through JSON render as kubectl renders them.

A JSON6902 patch is applied to the object as JSON and read back with Go's JSON decoder:
every number of the patched object becomes a float64 (9007199254740993 -> ...992,
9223372036854775807 prints 9223372036854776000), written as YAML in Go's 'g' form, which
is the text later steps read (an annotation gets "1e+06"; a replacement copies ``1e+06``,
a float, which an int field refuses). The patch's own YAML goes through sigs.k8s.io/yaml's
YAMLToJSON: a float key becomes Go's shortest 32-bit form, a key past int64 fails. A
kustomization's int field is a Go int64. Judged against kubectl v5.5.0 where it is on the
PATH; the expected lines are what it printed.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import KUBECTL, kubectl_kustomize, need_kubectl, write_files
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.yaml_writer import dump_stream
from overlay_lint.kustomize.build import build

FOO = """apiVersion: v1
kind: Foo
metadata:
  name: c
spec:
  a: 9007199254740993
  b: 1000000
  c: 1234567.5
  d: 18446744073709551615
  e: 9223372036854775807
  f: 123456789012345678901234567890
  g: 0x1F
  h: 1e3
  i: -9223372036854775808
"""
BAR = "---\napiVersion: v1\nkind: Bar\nmetadata:\n  name: t\nspec:\n  m: 1\n"
# the spec of Foo after any JSON6902 patch, as kubectl printed it
PATCHED = {"a": "9007199254740992", "b": "1000000", "c": "1.2345675e+06",
           "d": "1.8446744073709552e+19", "e": "9223372036854776000",
           "f": "1.2345678901234568e+29", "g": "31", "h": "1000",
           "i": "-9.223372036854776e+18"}
YAML_OPS = """- {op: add, path: /spec/z, value: 18446744073709551616}
- {op: add, path: /spec/x, value: 9007199254740993}
- {op: add, path: /spec/w, value: -9223372036854775809}
- {op: add, path: /spec/v, value: 1e3}
- {op: add, path: /metadata/annotations, value: {p: 1000000, q: 1e3, r: 0.5, s: 12345678.9}}
"""
JSON_OPS = """[{"op": "add", "path": "/spec/z", "value": 18446744073709551616},
 {"op": "add", "path": "/spec/u", "value": 99999999999999999999999},
 {"op": "add", "path": "/spec/x", "value": 9007199254740993},
 {"op": "add", "path": "/spec/w", "value": -9223372036854775809},
 {"op": "add", "path": "/spec/s", "value": 1.0}]
"""
ADDED = {"z": "1.8446744073709552e+19", "u": "1e+23", "x": "9007199254740992",
         "w": "-9.223372036854776e+18", "v": "1000", "s": "1"}
ANNOTATED = {"p": '"1e+06"', "q": '"1000"', "r": '"0.5"', "s": '"1.23456789e+07"'}


def _kust(patch_file: str, extra: str = "") -> str:
    return (f"resources: [r.yaml]\npatches:\n- target: {{kind: Foo}}\n  path: {patch_file}\n"
            + extra)


def _render(root: Path) -> str:
    out = dump_stream(r.node for r in build(str(root)).resources)
    need_kubectl()
    code, kout, err = kubectl_kustomize(root)
    assert code == 0, err
    assert out == kout
    return out


def _fields(out: str, kind: str) -> dict[str, str]:
    doc = next(d for d in out.split("---\n") if f"kind: {kind}\n" in d)
    return dict(line.strip().split(": ", 1) for line in doc.splitlines()
                if line.startswith("    ") or line.startswith("  ") and ": " in line)


@pytest.mark.parametrize("patch", ["p.yaml", "p.json"])
def test_a_json6902_patch_makes_every_number_a_float64(tmp_path: Path, patch: str) -> None:
    write_files(tmp_path, {"kustomization.yaml": _kust(patch), "r.yaml": FOO + BAR,
                           patch: YAML_OPS if patch == "p.yaml" else JSON_OPS})
    fields = _fields(_render(tmp_path), "Foo")
    for k, want in PATCHED.items():
        assert fields[k] == want, k
    for k in ("z", "u", "x", "w", "s") if patch == "p.json" else ("z", "x", "w", "v"):
        assert fields[k] == ADDED[k], k
    if patch == "p.yaml":
        for k, want in ANNOTATED.items():
            assert fields[k] == want, k


def test_a_replacement_after_a_json6902_patch_reads_the_float_text(tmp_path: Path) -> None:
    reps = ("replacements:\n- source: {kind: Foo, fieldPath: spec.%s}\n  targets:\n"
            "  - select: {kind: Bar}\n    fieldPaths: [spec.m]\n")
    files = {"kustomization.yaml": _kust("p.yaml", reps % "h"), "r.yaml": FOO + BAR,
             "p.yaml": "- {op: add, path: /spec/z, value: 1}\n"}
    write_files(tmp_path, files)
    assert _fields(_render(tmp_path), "Bar")["m"] == "1000"
    # 1000000 is the float 1e+06 now: kubectl fails, "cannot decode !!float `1e+06` as a !!int"
    write_files(tmp_path, {"kustomization.yaml": _kust("p.yaml", reps % "b")})
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert "cannot decode !!float `1e+06` as a !!int" in str(exc.value)
    assert (exc.value.file, exc.value.line) == (str(tmp_path / "kustomization.yaml"), 9)
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0 and "cannot decode !!float `1e+06` as a !!int" in err, err


KEYS = {"1234567.5": "1.2345675e+06", "-9223372036854775809": "-9.223372e+18",
        "3.14159265358979": "3.1415927", "1e39": ".inf", "0x1F": "31",
        "1e3": "1000", "9223372036854775807": "9223372036854775807"}


def test_a_patchs_number_keys_become_yamltojsons_text(tmp_path: Path) -> None:
    keys = list(KEYS)
    write_files(tmp_path, {
        "kustomization.yaml": _kust("p.yaml"), "r.yaml": FOO,
        "p.yaml": "- {op: add, path: /spec/m, value: {"
                  + ", ".join(f"{k}: v{i}" for i, k in enumerate(keys)) + "}}\n"})
    out = _render(tmp_path)
    for i, k in enumerate(keys):
        assert f"    {KEYS[k]}: v{i}\n" in out or f'    "{KEYS[k]}": v{i}\n' in out, k


@pytest.mark.parametrize("key", ["9223372036854775808", "18446744073709551615",
                                 "0xFFFFFFFFFFFFFFFF"])
def test_a_patch_key_past_int64_is_refused_as_kubectl_refuses_it(tmp_path: Path,
                                                                  key: str) -> None:
    write_files(tmp_path, {"kustomization.yaml": _kust("p.yaml"), "r.yaml": FOO,
                           "p.yaml": f"- op: add\n  path: /spec/m\n  value:\n    {key}: x\n"})
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert (exc.value.file, exc.value.line) == (str(tmp_path / "p.yaml"), 4), str(exc.value)
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0 and "unable to parse SM or JSON patch" in err, err


def test_a_kustomization_int_past_int64_is_refused_as_kubectl_refuses_it(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "kustomization.yaml": "resources: [r.yaml]\nreplicas:\n- name: c\n"
                              "  count: 9223372036854775808\n",
        "r.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: c\n"})
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert (exc.value.file, exc.value.line) == (str(tmp_path / "kustomization.yaml"), 4)
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0 and "cannot unmarshal number 9223372036854775808" in err, err


@pytest.mark.parametrize("number", ["1e400", "1" + "0" * 400])
def test_a_json_patch_number_past_float64_is_refused_as_kubectl_refuses_it(
        tmp_path: Path, number: str) -> None:
    write_files(tmp_path, {"kustomization.yaml": _kust("p.json"), "r.yaml": FOO,
                           "p.json": f'[{{"op": "add", "path": "/spec/z", "value": {number}}}]'})
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert (exc.value.file, exc.value.line) == (str(tmp_path / "kustomization.yaml"), 4)
    assert "past the range of a float64" in str(exc.value)
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0 and "into Go value of type float64" in err, err


# vars: Kustomize's GetFieldValue converts a scalar by its tag with Go's strconv (Atoi for
# an int: decimal only; ParseFloat for a float), a time or null is its text, and fmt's %v
# writes a float inside a string in Go's 'g' form
VARS = {"1e3": ("1000", "1000"), "1234567.5": ("1.2345675e+06", "1.2345675e+06"),
        "017": ("17", "17"), "+12": ("12", "12"), "2020-1-1": ('"2020-1-1"', "2020-1-1"),
        "~": ('"~"', "~"), "0.5": ("0.5", "0.5"), "true": ("true", "true"),
        "null": ('"null"', "null"), "1_0.5": ("10.5", "10.5")}


def _var_tree(value: str) -> dict[str, str]:
    return {"kustomization.yaml": "resources: [r.yaml]\nvars:\n- name: V\n"
                                  "  objref: {apiVersion: v1, kind: Src, name: s}\n"
                                  "  fieldref: {fieldpath: data.v}\n",
            "r.yaml": f"apiVersion: v1\nkind: Src\nmetadata:\n  name: s\ndata:\n  v: {value}\n"
                      "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n"
                      "  containers:\n  - name: c\n    image: x\n"
                      '    args: ["$(V)", "a-$(V)"]\n'}


def test_a_var_converts_its_value_as_kustomize_does(tmp_path: Path) -> None:
    for i, (value, (whole, inside)) in enumerate(VARS.items()):
        root = tmp_path / str(i)
        write_files(root, _var_tree(value))
        out = dump_stream(r.node for r in build(str(root)).resources)
        assert f"    - {whole}\n    - a-{inside}\n" in out, value
        if KUBECTL:
            code, kout, err = kubectl_kustomize(root)
            assert code == 0 and out == kout, (value, err)


@pytest.mark.parametrize("value", ["0x1F", "1_000", "0o17", "9223372036854775808"])
def test_a_var_kustomize_cannot_convert_is_refused_as_kubectl_refuses_it(
        tmp_path: Path, value: str) -> None:
    write_files(tmp_path, _var_tree(value))
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert (exc.value.file, exc.value.line) == (str(tmp_path / "kustomization.yaml"), 5)
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0 and "not found in corresponding resource" in err, err
