"""The YAML reader's start-up: libyaml's bare event parser and its own scalar typing.

core/yaml_reader.py imports ruamel.yaml.clib's event parser without running ruamel.yaml's
package ``__init__`` and types plain scalars itself (``resolve_plain``). These tests check
that it types every scalar as ruamel.yaml's Resolver did for the C loader (timestamps
aside: go-yaml's), that its errors read as before, and that ruamel.yaml still works
normally in the same process afterwards.
"""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from overlay_lint.core.go_time import go_timestamp
from overlay_lint.core.yaml_reader import resolve_plain

_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

_SAMPLES = [
    "", " ", "~", "null", "Null", "NULL", "nULL", "nil", "true", "True", "TRUE", "tRUE", "false",
    "False", "FALSE", "yes", "no", "on", "off", "y", "n", "Y", "N", "<<", "<", "=", "==", "!", "&",
    "*", "0", "-0", "+0", "00", "012", "018", "08", "12345678901234567890", "1234567890123456789", "0o12", "0o19", "0x1F", "0X1F", "0xg", "0b101", "0b102",
    "1_000", "_1", "1__", "+", "-", ".", "1.", ".5", "-.5", "+.5", "1.5e3", "1e3", "1E+3", "1e",
    ".5e3", ".5e+3", ".inf", "-.inf", "+.Inf", ".INF", ".nan", ".NaN", "-.nan", "1:20", "190:20:30",
    "1:20.5", "2001-12-14", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10 -5",
    "2001-12-15T02:59:43.1Z", "2002-12-14", "2002-1-4", "2001-12-14 21:59:43.10", "12:30",
    "1.2.3", "v1", "8080", "-8080", "3.14", "1,000", "0.0.0.0/0", "true ", " true", "true\n",
    "1\n", "~\n", "a b", "é", "٣",
]


def _go_number_tag(value: str) -> str:
    """go-yaml's resolver's steps for a plain scalar starting with ``.``, a digit or a sign,
    with Python's parsers: the words; from ``.``, what Go's ParseFloat takes (Python's
    float, without its blanks); else, underscores dropped, an int of Go's ParseInt (base 0:
    a leading zero is octal) within int64, or unsigned within uint64, else a finite float of
    go-yaml's pattern; else text. (Judged against kubectl: tests/test_yaml_numbers.py.)"""
    tag = "tag:yaml.org,2002:"
    if value in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
                 "-.INF", ".nan", ".NaN", ".NAN"):
        return tag + "float"
    if value != value.strip() or not value.isascii():
        return tag + "str"
    if value[0] == ".":
        try:
            f = float(value)
        except ValueError:
            return tag + "str"
        return tag + ("float" if math.isfinite(f) else "str")
    plain = value.replace("_", "")
    try:
        octal = re.fullmatch(r"[-+]?0[0-9]+", plain) is not None
        n = int(plain, 8) if octal else int(plain, 0)
    except ValueError:
        n = None
    if n is not None and (-(1 << 63) <= n < (1 << 63)
                          or (plain[0] not in "+-" and 0 <= n < (1 << 64))):
        return tag + "int"
    if re.fullmatch(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?", plain) \
            and math.isfinite(float(plain)):
        return tag + "float"
    return tag + "str"


def _ruamel_resolve(value: str, implicit: tuple[bool, bool]) -> str:
    """ruamel.yaml's Resolver's tag, except for numbers and times, which are go-yaml's: a
    plain scalar of four digits and ``-`` is a timestamp exactly where go-yaml reads one
    (go_timestamp, judged against kubectl in tests/test_yaml_timestamps.py), where YAML
    1.2's pattern differs (``2020-1-1``); a number as :func:`_go_number_tag` has it (YAML
    1.2 reads ``.5e3`` as text, ``._5`` as a float)."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import Resolver
    if implicit[0] and value[:4].isdigit() and value[:4].isascii() and value[4:5] == "-":
        return "tag:yaml.org,2002:" + ("timestamp" if go_timestamp(value) else "str")
    if implicit[0] and value[:1] in tuple("+-.0123456789"):
        return _go_number_tag(value)
    return str(Resolver().resolve(ScalarNode, value, implicit))


def test_plain_scalars_are_typed_as_ruamels_resolver_types_them() -> None:
    for value in _SAMPLES:
        for implicit in ((True, False), (False, True), (False, False), (True, True)):
            assert resolve_plain(value, implicit) == _ruamel_resolve(value, implicit), \
                (value, implicit)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="0123456789+-._eExXoObB:tTfFnNuUlLrRsSaAiI~<=!&* \t\nZz", max_size=12))
def test_any_plain_scalar_is_typed_as_ruamels_resolver_types_it(value: str) -> None:
    assert resolve_plain(value, (True, False)) == _ruamel_resolve(value, (True, False))


_CHILD = textwrap.dedent("""
    import json, sys
    first = sys.argv[1] == "ruamel-first"
    if first:
        import ruamel.yaml
    from overlay_lint.core.errors import OverlayLintError
    from overlay_lint.core.yaml_reader import parse_documents
    loaded = sorted(m for m in sys.modules if m.startswith("ruamel"))
    out = []
    for text in ["a: 1\\nb: [x, 1.5e3, true, ~, 2020-01-02, '3']\\n", "a: [b\\n", "a: \\x01\\n",
                 "a:\\n\\t- b\\n", "a: *x\\n", "- [--bind=:8081]\\n"]:
        try:
            docs = parse_documents(text, "f.yaml")
            out.append(repr([(d.data(), d.parts, d.o) if d is not None else None for d in docs]))
        except OverlayLintError as exc:
            out.append("error: " + str(exc))
    import ruamel.yaml
    from ruamel.yaml.cyaml import CSafeLoader
    safe = ruamel.yaml.YAML(typ="safe")
    loaded_data = safe.load("a: [1, 2.5, true, null]\\n")
    try:
        safe.load("a: [\\n")
        error = None
    except ruamel.yaml.YAMLError as exc:
        error = type(exc).__name__
    import io
    rt = ruamel.yaml.YAML()
    buf = io.StringIO()
    rt.dump(rt.load("a: [1, 2]  # kept\\n"), buf)
    print(json.dumps([loaded, out, repr(loaded_data), error, buf.getvalue(), CSafeLoader.__name__,
                      type(safe.parser).__name__,
                      ruamel.yaml.nodes.ScalarNode.__name__, ruamel.yaml.__version__]))
""")


def _child(mode: str) -> list:
    p = subprocess.run([sys.executable, "-c", _CHILD, mode], capture_output=True, text=True,
                       env=_ENV, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def test_the_bare_parser_reads_and_fails_as_the_full_package_does_and_ruamel_still_works():
    bare, full = _child("bare"), _child("ruamel-first")
    # the reader alone loaded none of ruamel.yaml's constructors, representers or emitter
    assert not {"ruamel.yaml.main", "ruamel.yaml.constructor", "ruamel.yaml.representer",
                "ruamel.yaml.emitter", "ruamel.yaml.resolver"} & set(bare[0])
    assert "ruamel.yaml.main" in full[0]
    assert bare[1:] == full[1:]
    assert bare[2] == repr({"a": [1, 2.5, True, None]})
    assert bare[3] == "ParserError" and bare[4] == "a: [1, 2]  # kept\n"


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.integers(min_value=-(10 ** 21) + 1, max_value=10 ** 21 - 1).map(float),
                 st.floats(min_value=-1e21, max_value=1e21).map(lambda f: float(int(f)))))
def test_an_integral_float_reads_as_its_shortest_digits(f: float) -> None:
    import decimal

    from overlay_lint.core.go_number import _shortest_digits_int
    if abs(f) < 1e21:
        assert _shortest_digits_int(f) == int(decimal.Decimal(repr(f)))
