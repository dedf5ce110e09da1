"""Plain scalars go-yaml reads as numbers render exactly as kubectl renders them.

go-yaml (v3 inside Kustomize, v2 writing kubectl's output: the same resolver) reads a
plain scalar as a number by its own steps (core/go_number.py), not YAML 1.2's patterns:
``.5e3`` and ``-.5e3`` are floats, ``._5`` text, ``.5_0`` a float, ``1_0.5`` 10.5. A
number then passes Kustomize's JSON round trip (an integral float prints as an int where
its shortest digits fit 64 bits) and go-yaml v2 prints a float as Go's ``'g'`` format
(``1.2345675e+06``). A mapping key go-yaml reads as a number makes kubectl fail (json:
unsupported type), so it is refused here, at its line; any other key renders.
Each table below was judged against kubectl v5.5.0, and is judged again where kubectl is on
the PATH.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import kubectl_kustomize, need_kubectl, write_files
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.go_number import go_float_text, go_number
from overlay_lint.core.yaml_reader import parse_documents
from overlay_lint.core.yaml_writer import dump_node, dump_stream
from overlay_lint.kustomize.build import build

# plain form -> how kubectl prints it as a value; None: as written (an int already in
# Go's form, or text)
FORMS = {
    "-.5e3": "-500", "+.5e3": "500", ".5e3": "500", "-.5E+3": "-500", ".5E3": "500",
    "1e3": "1000", "-1.e3": "-1000", "1.e3": "1000", "+1e3": "1000", "1E3": "1000",
    "1e+3": "1000", "1e-3": "0.001", ".5": "0.5", "-.5": "-0.5", "+.5": "0.5", "._5": None,
    ".5_0": "0.5", ".5e3_0": "5e+29", ".5_e3": None, ".e3": None, ".": None, "-.": None,
    "+.": None, "1_000": "1000", "1__0": "10", "_1": None, "1_": "1", "1_0.5": "10.5",
    "1_0e3": "10000", "0x_1F": "31", "0x1F": "31", "0X1F": "31", "0x1f_f": "511",
    "0o17": "15", "0O17": "15", "-0o17": "-15", "0b101": "5", "0B101": "5", "-0b101": "-5",
    "0b102": None, "017": "15", "018": "18", "-017": "-15", "0.": "0", "-0.": "0", "+0": "0",
    "-0": "0", "00": "0", "0e0": "0", "0x": None, "0o": None, "0b": None, "1e": None,
    "1e+": None, ".1e-": None, "9223372036854775807": None, "9223372036854775808": None,
    "18446744073709551615": None, "18446744073709551616": "1.8446744073709552e+19",
    "-9223372036854775808": None, "-9223372036854775809": "-9.223372036854776e+18",
    "0xFFFFFFFFFFFFFFFF": "18446744073709551615", "1e400": None, "-1e400": None,
    "1e-400": "0", "0x1p3": None, "0x1.8p1": None, "1.5_5": "1.55", "1_.5": "1.5",
    "1._5": "1.5", "+_1": "1", "-_1": "-1", "+": None, "0_": "0",
    # floats as Go's 'g' format prints them: exponent form from 1e+06 up and below 1e-04
    "1234567.5": "1.2345675e+06", "123456.5": None, "1000000.5": "1.0000005e+06",
    "-1234567.5": "-1.2345675e+06", "999999.9": None, "1e21": "1e+21", "1.5e20": "1.5e+20",
    "1e-5": "1e-05", "0.0001": None, "0.00001234": "1.234e-05", "1e-7": "1e-07",
    "12345678901234567.5": "12345678901234568", "1.5e300": "1.5e+300", "4.9e-324": "5e-324",
    "0.1": None, "1.0": "1", "1.10": "1.1",
}
# go-yaml reads these as text, printed as written (kubectl plain; overlay-lint quotes the
# ones YAML 1.1 readers would take for a number, not judged: 0x10000000000000000)
TEXT = {f for f, out in FORMS.items() if out is None and go_number(f) is None}

THING = "apiVersion: example.com/v1\nkind: Thing\nmetadata:\n  name: t\n"
RES = "resources:\n- r.yaml\n"


def _keyed(forms: list[str], fmt: str) -> str:
    return "".join(fmt.format(k=f"k{i:03d}", v=v) for i, v in enumerate(forms))


def _ours(root: Path) -> str:
    return dump_stream(r.node for r in build(str(root)).resources)


def test_each_form_reads_and_prints_as_kubectl_showed() -> None:
    """The table without kubectl: the reader's value printed by the writer."""
    for form, want in FORMS.items():
        doc = parse_documents(f"x: {form}\n", "f.yaml")[0]
        assert doc is not None
        assert dump_node(doc) == f"x: {want or form}\n", form
        assert (go_number(form) is None) == (form in TEXT), form


def test_values_render_as_kubectl_renders_them(tmp_path: Path) -> None:
    need_kubectl()
    forms = list(FORMS)
    write_files(tmp_path, {"kustomization.yaml": RES, "r.yaml": THING + "spec:\n"
                           + _keyed(forms, "  {k}: {v}\n") + "  l: [" + ", ".join(
                               f for f in forms if f not in (".", "-.", "+.")) + "]\n"})
    code, out, err = kubectl_kustomize(tmp_path)
    assert code == 0, err
    assert _ours(tmp_path) == out
    # and as kubectl printed them when this table was made
    printed = out.split("spec:\n", 1)[1].splitlines()
    assert [line.split(": ", 1)[1] for line in printed if line.startswith("  k")] == \
        [FORMS[f] or f for f in forms]


def test_strings_that_read_as_numbers_are_quoted_as_kubectl_quotes_them(tmp_path: Path) -> None:
    need_kubectl()
    forms = [f for f in FORMS if "\\" not in f]
    write_files(tmp_path, {"kustomization.yaml": RES, "r.yaml": THING + "spec:\n"
                           + _keyed(forms, "  {k}: '{v}'\n")})
    code, out, err = kubectl_kustomize(tmp_path)
    assert code == 0, err
    assert _ours(tmp_path) == out


KEYS = [".5e3", "-.5e3", "+.5e3", "-.5E+3", ".5_0", ".5e3_0", "._5", ".5_e3", ".", ".e3",
        "1e3", "-1.e3", "1_000", "_1", "0X1F", "0b102", "018", "1e400", "0x1p3", "+", "0_",
        "18446744073709551616", "1.5_5", "+.nan", "1234567.5"]


@pytest.mark.parametrize("key", KEYS)
def test_a_key_read_as_a_number_is_refused_as_kubectl_refuses_it(tmp_path: Path,
                                                                  key: str) -> None:
    need_kubectl()
    write_files(tmp_path, {"kustomization.yaml": RES,
                           "r.yaml": THING + f"spec:\n  a: 1\n  {key}: x\n"})
    code, out, err = kubectl_kustomize(tmp_path)
    if code == 0:
        assert go_number(key) is None, key
        assert _ours(tmp_path) == out
        return
    assert "json: unsupported type" in err, err
    assert go_number(key) is not None, key
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert (exc.value.file, exc.value.line) == (str(tmp_path / "r.yaml"), 7), str(exc.value)


def test_go_float_text_is_gos_g_format() -> None:
    """strconv.FormatFloat(f, 'g', -1, 64), as Go printed each (go run, by hand)."""
    table = [(1234567.5, "1.2345675e+06"), (123456.5, "123456.5"), (1e21, "1e+21"),
             (0.0001, "0.0001"), (0.00001234, "1.234e-05"), (1e-5, "1e-05"),
             (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
             (-0.0, "-0"), (0.0, "0"), (100000.0, "100000"), (1000000.0, "1e+06"),
             (999999.5, "999999.5"), (12345.678, "12345.678"), (0.000123, "0.000123"),
             (-1.5e-10, "-1.5e-10"), (1e100, "1e+100")]
    for f, want in table:
        assert go_float_text(f) == want, f
