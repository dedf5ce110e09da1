"""Plain scalars go-yaml reads as timestamps render exactly as kubectl renders them.

go-yaml (inside Kustomize, and the v2 that writes kubectl's output) reads a plain scalar as
a time by its own rule (core/go_time.py), not YAML 1.2's pattern. Where the value reaches
the output through Kustomize's JSON round trip it prints as RFC 3339 (``2020-1-1`` ->
``"2020-01-01T00:00:00Z"``); where Kustomize uses the node's text (annotations, a
kustomization's string fields, a JSON6902 value, a replacement into a string field) the
text stays; in a flow collection, text holding ``:`` stays (Kustomize writes it quoted
before reading it back); a string that reads as a time is double-quoted, any other plain.
Each context below renders every form in one tree, judged against kubectl's exact output
text; the forms kubectl refuses are refused here too, at their line. At the end, other
scalars: which strings kubectl quotes (``1.8.1`` and ``10.0.0.1`` plain), ints with an
upper-case radix prefix, and ``.inf``/``.nan``, which kubectl cannot print.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import kubectl_kustomize, need_kubectl, write_files
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.go_time import go_timestamp, time_printable
from overlay_lint.core.yaml_reader import parse_documents
from overlay_lint.core.yaml_writer import dump_stream
from overlay_lint.kustomize.build import build

# form -> what go-yaml reads (its RFC 3339 text in Kustomize's output), None: text
FORMS = {
    "2020-01-01": "2020-01-01T00:00:00Z",
    "2020-1-1": "2020-01-01T00:00:00Z",
    "2020-12-5": "2020-12-05T00:00:00Z",
    "0000-01-01": "0000-01-01T00:00:00Z",
    "0000-02-29": "0000-02-29T00:00:00Z",
    "9999-12-31": "9999-12-31T00:00:00Z",
    "2024-02-29": "2024-02-29T00:00:00Z",
    "2023-02-29": None,
    "1900-02-29": None,
    "2021-04-31": None,
    "2021-13-01": None,
    "2021-00-10": None,
    "2021-01-00": None,
    "2021-001-01": None,
    "12345-01-01": None,
    "2021-01-01y": None,
    "2021-06-07T08:09:10Z": "2021-06-07T08:09:10Z",
    "2021-06-07t08:09:10Z": "2021-06-07T08:09:10Z",
    "2021-6-7T8:9:1Z": "2021-06-07T08:09:01Z",
    "2021-06-07T08:09:10z": None,
    "2021-06-07T08:09:10": None,
    "2021-06-07T08:09Z": None,
    "2021-06-07T08:09:10.25Z": "2021-06-07T08:09:10.25Z",
    "2021-06-07T08:09:10.250Z": "2021-06-07T08:09:10.25Z",
    "2021-06-07T08:09:10.000Z": "2021-06-07T08:09:10Z",
    "2021-06-07T08:09:10.987654321Z": "2021-06-07T08:09:10.987654321Z",
    "2021-06-07T08:09:10.98765432199Z": "2021-06-07T08:09:10.987654321Z",
    "2021-06-07T08:09:10.Z": None,
    "2021-06-07T08:09:10,75Z": "2021-06-07T08:09:10.75Z",
    "2021-06-07T08:09:10+02:00": "2021-06-07T08:09:10+02:00",
    "2021-06-07T08:09:10-07:30": "2021-06-07T08:09:10-07:30",
    "2021-06-07T08:09:10+00:00": "2021-06-07T08:09:10Z",
    "2021-06-07T08:09:10-00:00": "2021-06-07T08:09:10Z",
    "2021-06-07T08:09:10+05:60": "2021-06-07T08:09:10+06:00",
    "2021-06-07T08:09:10+23:59": "2021-06-07T08:09:10+23:59",
    "2021-06-07T08:09:10+0200": None,
    "2021-06-07T08:09:10+02": None,
    "2021-06-07T08:09:10-7": None,
    "2021-06-07T08:09:10+25:00": None,
    "2021-06-07T08:09:10+02:61": None,
    "2021-06-07T08:09:10 +02:00": None,
    "2021-06-07T08:09:10Zq": None,
    "2021-06-07T24:00:00Z": None,
    "2021-06-07T23:60:00Z": None,
    "2021-06-07T23:59:60Z": None,
    "2021-06-07T008:09:10Z": None,
    "2021-06-07 08:09:10": "2021-06-07T08:09:10Z",
    "2021-6-7 8:9:1": "2021-06-07T08:09:01Z",
    "2021-06-07   08:09:10.5": "2021-06-07T08:09:10.5Z",
    "2021-06-07 08:09:10.": None,
    "2021-06-07 08:09:10 -5": None,
    "2021-06-07 08:09:10.1 -5": None,
    "2021-06-07 08:09:10 +02:00": None,
    "2021-06-07 08:09:10+02:00": None,
    "2021-06-07 08:09:10Z": None,
    "2021-06-07 08:09": None,
    "2021-06-07 24:00:00": None,
    "2021-06-07T": None,
    "2021-06": None,
}
# kubectl fails on these where they reach its output as times (Go's JSON encoder refuses a
# zone offset of 24 hours or more); as text (annotations, quoted, flow) they print
BAD_ZONE = ["2021-06-07T08:09:10+24:00", "2021-06-07T08:09:10-24:00",
            "2021-06-07T08:09:10+23:60", "2021-06-07t08:09:10.5+24:30"]

THING = "apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\n"
RES = "resources:\n- r.yaml\n"


def _keyed(forms: list[str], fmt: str) -> str:
    return "".join(fmt.format(k=f"k{i:02d}", v=v) for i, v in enumerate(forms))


def _flow(form: str) -> bool:
    return "," not in form


CONTEXTS = {
    "resource value": lambda fs: {"kustomization.yaml": RES, "r.yaml": THING + "spec:\n"
                                  + _keyed(fs, "  {k}: {v}\n")},
    "ConfigMap data and labels": lambda fs: {
        "kustomization.yaml": RES,
        "r.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n"
                  + _keyed(fs, "    {k}: {v}\n") + "data:\n" + _keyed(fs, "  {k}: {v}\n")},
    "list item": lambda fs: {"kustomization.yaml": RES, "r.yaml": THING + "spec:\n  l:\n"
                             + _keyed(fs, "  - {v}\n")},
    "flow mapping and sequence": lambda fs: {
        "kustomization.yaml": RES,
        "r.yaml": THING + "spec: {" + _keyed([f for f in fs if _flow(f)], "{k}: {v}, ")
                  + "l: [" + _keyed([f for f in fs if _flow(f)], "{v}, ") + "x]}\n"},
    "annotations": lambda fs: {"kustomization.yaml": RES, "r.yaml": THING + "  annotations:\n"
                               + _keyed(fs, "    {k}: {v}\n")},
    "commonAnnotations and labels pairs": lambda fs: {
        "kustomization.yaml": RES + "commonAnnotations:\n" + _keyed(fs, "  {k}: {v}\n")
        + "labels:\n- pairs:\n" + _keyed(fs, "    l{k}: {v}\n"), "r.yaml": THING},
    "generator literals": lambda fs: {
        "kustomization.yaml": "configMapGenerator:\n- name: g\n  literals:\n"
                              + _keyed(fs, "  - '{k}={v}'\n")},
    "quoted in a resource": lambda fs: {
        "kustomization.yaml": RES,
        "r.yaml": THING + "spec:\n" + _keyed(fs, "  {k}: '{v}'\n") + _keyed(fs, "  q{k}: ' {v}'\n")},
    "strategic merge patch": lambda fs: {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n", "r.yaml": THING + "spec:\n  x: 1\n",
        "p.yaml": THING + "spec:\n" + _keyed(fs, "  {k}: {v}\n")},
    "inline patch": lambda fs: {
        "kustomization.yaml": RES + "patches:\n- patch: |-\n" + "".join(
            "    " + line + "\n" for line in (THING + "spec:\n" + _keyed(fs, "  {k}: {v}\n")
                                              ).splitlines()),
        "r.yaml": THING + "spec:\n  x: 1\n"},
    "JSON6902 value": lambda fs: {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n  target:\n    kind: Thing\n",
        "r.yaml": THING + "spec:\n  x: 1\n",
        "p.yaml": _keyed(fs, "- op: add\n  path: /spec/{k}\n  value: {v}\n")},
    "replacement source": lambda fs: {
        "kustomization.yaml": RES + "replacements:\n- path: repl.yaml\n",
        "r.yaml": THING + "spec:\n" + _keyed(fs, "  {k}: x\n  d{k}: a/b\n")
        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: src\ndata:\n"
        + _keyed(fs, "  {k}: {v}\n"),
        "repl.yaml": _keyed(fs, "- source:\n    kind: ConfigMap\n    name: src\n"
                                "    fieldPath: data.{k}\n  targets:\n  - select:\n"
                                "      kind: Thing\n    fieldPaths: [spec.{k}, spec.n{k}]\n"
                                "    options: {{create: true}}\n  - select:\n"
                                "      kind: Thing\n    fieldPaths: [spec.d{k}]\n"
                                "    options: {{delimiter: /, index: 1}}\n")},
}
# contexts where a bad zone reaches kubectl's output as a time (it fails there)
TIME_CONTEXTS = {"resource value", "ConfigMap data and labels", "list item",
                 "strategic merge patch", "inline patch", "replacement source"}


def _ours(root: Path) -> str:
    return dump_stream(r.node for r in build(str(root)).resources)


def _kubectl(root: Path) -> str:
    code, out, err = kubectl_kustomize(root)
    assert code == 0, err
    return out


@pytest.mark.parametrize("context", sorted(CONTEXTS))
def test_every_form_renders_as_kubectl_renders_it(tmp_path: Path, context: str) -> None:
    need_kubectl()
    forms = list(FORMS) + (BAD_ZONE if context not in TIME_CONTEXTS else [])
    write_files(tmp_path, CONTEXTS[context](forms))
    want = _kubectl(tmp_path)
    got = _ours(tmp_path)
    assert got == want


@pytest.mark.parametrize("context", sorted(TIME_CONTEXTS))
def test_a_zone_of_24_hours_is_refused_as_kubectl_refuses_it(tmp_path: Path,
                                                             context: str) -> None:
    need_kubectl()
    for i, form in enumerate(BAD_ZONE):
        root = tmp_path / str(i)
        write_files(root, CONTEXTS[context](["2021-1-1", form]))
        code, _out, err = kubectl_kustomize(root)
        assert code != 0 and "timezone hour outside of range" in err, (form, err)
        with pytest.raises(OverlayLintError) as exc:
            build(str(root))
        assert exc.value.file and exc.value.line, str(exc.value)
        assert "zone offset of 24 hours or more" in str(exc.value)


def test_go_timestamp_table() -> None:
    """The same table without kubectl (go-yaml's reading, as kubectl showed it)."""
    for form, want in FORMS.items():
        assert go_timestamp(form) == want, form
    for form in BAD_ZONE:
        got = go_timestamp(form)
        assert got is not None and not time_printable(got), form
    assert time_printable("2021-06-07T08:09:10+23:59") and time_printable("2021-06-07Z")


def test_a_time_keeps_its_line_and_text() -> None:
    doc = parse_documents("a:\n  b: 2020-1-1\n  c: [2020-1-1 1:2:3, 2020-1-1]\n", "f.yaml")[0]
    b = doc.v["a"].v["b"]
    assert (b.v, b.parts, tuple(b.o)) == ("2020-01-01T00:00:00Z", {"text": "2020-1-1"},
                                          ("f.yaml", 2, 3))
    # in a flow collection too (marked flow): the writer prints there the text of a time
    # holding ':', as kubectl does
    c = doc.v["a"].v["c"]
    assert c.parts == {"flow": True}
    assert [(n.v, n.parts) for n in c.v] == [("2020-01-01T01:02:03Z", {"text": "2020-1-1 1:2:3"}),
                                             ("2020-01-01T00:00:00Z", {"text": "2020-1-1"})]
    assert tuple(c.v[0].o) == ("f.yaml", 3, 7)
    assert dump_stream([doc]) == ('a:\n  b: "2020-01-01T00:00:00Z"\n  c:\n  - "2020-1-1 1:2:3"\n'
                                  '  - "2020-01-01T00:00:00Z"\n')


# --- other scalars: what kubectl's writer quotes, ints Go reads, numbers JSON cannot hold ---

# strings (generator values): kubectl double-quotes those its writer (go-yaml v2) would read
# as no string and prints the rest plain when the syntax allows (not judged: = and <<, which
# kubectl prints plain and overlay-lint quotes so that YAML 1.1 readers read them back)
STRINGS = [
    "tRue", "yES", "Yes", "oN", "OFF", "nULL", "~", ".Nan", ".NaN", "-.nan", ".iNF",
    "+.inf", "inf", "0", "012", "08", "0o8", "0O17", "0X1F", "0x", "0b2", "0B101", "-0b101",
    "+12", "1_000", "1__0", "_1", "1.", ".5", "+.5", "._5", "1e3", "1e", ".5e400", "1e400",
    "-1e400", "9223372036854775808", "18446744073709551616", "-9223372036854775809",
    "+18446744073709551615", "1:20", "1:60", "190:20:30", "-1:20", "1:20.", "0.1.2",
    "1.8.1", "10.0.0.1", "0.0.0.0", "128Mi", "0755", "3s", "-8+", "-3.eX1", "-Xmx1g",
    ":9001", ":.B", "?x", "--x", "---x", "...x", "....3", "2023-02-29", "2021-6-7"]


def test_strings_are_quoted_as_kubectl_quotes_them(tmp_path: Path) -> None:
    need_kubectl()
    write_files(tmp_path, {"kustomization.yaml": "configMapGenerator:\n- name: g\n  literals:\n"
                           + _keyed(STRINGS, "  - '{k}={v}'\n")})
    assert _ours(tmp_path) == _kubectl(tmp_path)


# plain scalars of a resource: Go's ParseInt takes an upper-case radix prefix
NUMBERS = ["0X1F", "0O17", "0B101", "-0X1F", "+0O17", "0x1F", "0o17", "012", "1_000"]


def test_ints_read_as_go_reads_them(tmp_path: Path) -> None:
    need_kubectl()
    write_files(tmp_path, {"kustomization.yaml": RES, "r.yaml": THING + "spec:\n"
                           + _keyed(NUMBERS, "  {k}: {v}\n") + "  l: [" + ", ".join(NUMBERS)
                           + "]\n  annotations:\n" + _keyed(NUMBERS, "    {k}: {v}\n")})
    assert _ours(tmp_path) == _kubectl(tmp_path)


@pytest.mark.parametrize("form", [".inf", "-.Inf", "+.INF", ".nan", ".NaN"])
def test_an_infinite_number_is_refused_as_kubectl_refuses_it(tmp_path: Path, form: str) -> None:
    need_kubectl()
    write_files(tmp_path, {"kustomization.yaml": RES,
                           "r.yaml": THING + f"  annotations:\n    a: {form}\nspec:\n  x: {form}\n"})
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0 and "json: unsupported value" in err, err
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert (exc.value.file, exc.value.line) == (str(tmp_path / "r.yaml"), 8), str(exc.value)
    assert f"the number {form} is infinite" in str(exc.value)
    # as text (an annotation, quoted, -.nan) it prints
    write_files(tmp_path, {"r.yaml": THING + f"  annotations:\n    a: {form}\nspec:\n"
                           f"  x: '{form}'\n  y: -.nan\n"})
    assert _ours(tmp_path) == _kubectl(tmp_path)


# --- a time a patch moves between flow and block collections ---------------------------
# kyaml keeps each collection's own style through a strategic merge: a mapping or list the
# resource has keeps the resource's (a list the patch replaces too), unless it was empty,
# where the patch's wins; a new field brings the patch's. A time holding ':' inside a flow
# collection (at any depth) prints as its text, elsewhere as RFC 3339. A JSON6902 patch
# reads everything back from JSON: the text where the time was in flow, RFC 3339 elsewhere.
T = "2021-6-7T8:9:1Z"
TEXT, NORM = f'"{T}"', '"2021-06-07T08:09:01Z"'
POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: c\nspec:\n"
# name -> (resource's spec, patch's spec, the times as kubectl printed them, in order)
STYLES = {
    "flow resource, block patch": ("  a: [x]\n  b: {k: v}\n", f"  a: [{T}]\n  b:\n    k: {T}\n",
                                   [TEXT, TEXT]),
    "block resource, flow patch": ("  a:\n  - x\n  b:\n    k: v\n", f"  a: [{T}]\n  b: {{k: {T}}}\n",
                                   [NORM, NORM]),
    "flow times, block patch": (f"  a: [{T}]\n  b: {{k: {T}}}\n",
                                f"  a:\n  - {T}\n  b:\n    k: {T}\n", [TEXT, TEXT]),
    "block times, flow patch": (f"  a:\n  - {T}\n  b:\n    k: {T}\n",
                                f"  a: [{T}, y]\n  b: {{k: {T}, j: {T}}}\n", [NORM, NORM, NORM]),
    "a new key into a flow mapping": ("  b: {k: v}\n", f"  b:\n    j: {T}\n", [TEXT]),
    "a new flow mapping into a block one": (
        "  c:\n    z: 1\n", f"  c: {{k: {{j: {T}}}, m: {T}}}\n", [TEXT, NORM]),
    "a new block mapping into a flow one": (
        "  c: {z: 1}\n", f"  c:\n    k:\n      j: {T}\n    m: {T}\n", [TEXT, TEXT]),
    "empty flow collections take the patch's style": (
        "  c: []\n  d: {}\n", f"  c:\n  - {T}\n  d:\n    k: {T}\n", [NORM, NORM]),
    "a new container in a flow list": (
        "  containers: [{name: a, image: x}]\n",
        f"  containers:\n  - name: b\n    image: y\n    env:\n    - name: T\n      value: {T}\n",
        [TEXT]),
    "a mapping the patch replaces keeps the resource's flow style": (
        "  b: {k: v}\n", f"  b:\n    $patch: replace\n    k: {T}\n", [TEXT]),
    "a mapping the patch replaces keeps the resource's block style": (
        "  b:\n    k: v\n", f"  b: {{$patch: replace, k: {T}}}\n", [NORM]),
    "a list the patch replaces inside a merged container": (
        "  containers:\n  - name: a\n    image: x\n    args: [q]\n",
        f"  containers:\n  - name: a\n    args:\n    - {T}\n", [TEXT]),
}


@pytest.mark.parametrize("name", sorted(STYLES))
def test_a_time_moved_by_a_patch_prints_in_its_collections_style(tmp_path: Path,
                                                                 name: str) -> None:
    resource, patch, want = STYLES[name]
    write_files(tmp_path, {"kustomization.yaml": RES.replace("r.yaml", "r.yaml\npatches:\n"
                                                             "- path: p.yaml"),
                           "r.yaml": POD + resource, "p.yaml": POD + patch})
    out = _ours(tmp_path)
    assert [line.split(": ", 1)[-1].lstrip("- ") for line in out.splitlines()
            if "2021-" in line] == want
    need_kubectl()
    assert out == _kubectl(tmp_path)


def test_a_json6902_patch_reads_times_back_as_their_collections_style_printed_them(
        tmp_path: Path) -> None:
    write_files(tmp_path, {
        "kustomization.yaml": RES + "patches:\n- path: p.yaml\n  target:\n    kind: Pod\n"
                              "replacements:\n- source: {kind: Pod, fieldPath: spec.d}\n"
                              "  targets:\n  - select: {kind: Pod}\n"
                              "    fieldPaths: [metadata.annotations.x]\n"
                              "    options: {create: true}\n",
        "r.yaml": POD + f"  a: [{T}]\n  b: {{k: {T}}}\n  d: {T}\n",
        "p.yaml": "- {op: copy, from: /spec/a/0, path: /spec/c}\n"
                  "- {op: copy, from: /spec/d, path: /spec/e}\n"})
    out = _ours(tmp_path)
    assert [line.strip() for line in out.splitlines() if "2021-" in line] == [
        f"x: {NORM}", f"- {TEXT}", f"k: {TEXT}", f"c: {TEXT}", f"d: {NORM}", f"e: {NORM}"]
    need_kubectl()
    assert out == _kubectl(tmp_path)


@pytest.mark.parametrize("key,renders", [("{2021-6-7T8:9:1Z: x}", True),
                                         ("{2021-6-7 1:2:3: x}", True),
                                         ("{2021-6-7: x}", False),
                                         ("\n    2021-6-7T8:9:1Z: x", False)])
def test_a_time_key_holding_a_colon_in_a_flow_mapping_is_text(tmp_path: Path, key: str,
                                                                renders: bool) -> None:
    """Kustomize writes it quoted there, a string key; elsewhere a time key is refused
    (kubectl: json: unsupported type)."""
    write_files(tmp_path, {"kustomization.yaml": RES, "r.yaml": THING + f"spec:\n  a: {key}\n"})
    if renders:
        out = _ours(tmp_path)
        assert out.endswith(f'spec:\n  a:\n    "{key[1:-4]}": x\n')
        need_kubectl()
        assert out == _kubectl(tmp_path)
        return
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert exc.value.line in (6, 7), str(exc.value)
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0 and "json: unsupported type" in err, err
