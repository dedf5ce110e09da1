"""A replacement into a scalar keeps the target's type, exactly as far as Kustomize does.

Kustomize (filters/replacement, setFieldValue) sets only the target node's text and keeps
its tag; go-yaml then writes ``!!int 1e3`` where the text resolves to another tag, and
reading that back fails ("cannot decode !!float `1e3` as a !!int"), so kubectl fails. The
text reads back where go-yaml resolves it to the target's tag (``0X10``, ``1_000``,
``0o17`` into an int; a time into a time), an int also into a float; a string target takes
any text. A number's tag is its text's: a target written ``1e3`` is a float (``.5`` goes in),
though it prints 1000. overlay-lint renders what kubectl renders and refuses, at the
replacement, what kubectl fails on. Every case is judged against kubectl where it is on
the PATH; the table records what it showed.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import kubectl_kustomize, need_kubectl, write_files
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.yaml_writer import dump_stream
from overlay_lint.kustomize.build import build

# (target as written, source as written) -> the target as kubectl prints it
RENDERS = {
    ("5", "0x10"): "16", ("5", "0X10"): "16", ("5", "1_000"): "1000", ("5", "0o17"): "15",
    ("5", "017"): "15", ("5", "-0b101"): "-5", ("5", "+12"): "12",
    ("5", "18446744073709551615"): "18446744073709551615", ("5", "'12'"): "12",
    ("1.5", "1e3"): "1000", ("1.5", "1E3"): "1000", ("1.5", ".5"): "0.5", ("1.5", "018"): "18",
    ("1.5", "0X10"): "16", ("1.5", "12"): "12", ("1.5", "1234567.5"): "1.2345675e+06",
    ("1e3", ".5"): "0.5", ("1e3", "1.5"): "1.5", ("1e3", "0x10"): "16",
    ("0x5", "1_000"): "1000", ("true", "false"): "false",
    ("2020-01-01", "2021-2-3"): "\"2021-02-03T00:00:00Z\"",
    ('"5"', "1e3"): '"1e3"', ('"5"', "abc"): "abc", ('"5"', "true"): '"true"',
}
# (target, source) that kubectl fails on: "cannot decode !!<source's tag> `...` as a !!<target's>"
REFUSED = [
    ("5", "1e3"), ("5", "1E3"), ("5", "018"), ("5", "1.0"), ("5", ".5"), ("5", "abc"),
    ("5", "'1e3'"), ("1.5", "18446744073709551615"), ("1.5", "9223372036854775808"),
    ("true", "yes"), ("null", "abc"), ("2020-01-01", "1e3"), ("2020-01-01", "abc"),
]

THINGS = ("apiVersion: v1\nkind: Src\nmetadata:\n  name: s\ndata:\n{src}---\n"
          "apiVersion: v1\nkind: Tgt\nmetadata:\n  name: t\nspec:\n{tgt}")


def _tree(cases: list[tuple[str, str]]) -> dict[str, str]:
    reps = "".join(f"- source: {{kind: Src, fieldPath: data.v{i}}}\n  targets:\n"
                   f"  - select: {{kind: Tgt}}\n    fieldPaths: [spec.t{i}]\n"
                   for i in range(len(cases)))
    return {"kustomization.yaml": "resources: [r.yaml]\nreplacements:\n" + reps,
            "r.yaml": THINGS.format(
                src="".join(f"  v{i}: {s}\n" for i, (_, s) in enumerate(cases)),
                tgt="".join(f"  t{i}: {t}\n" for i, (t, _) in enumerate(cases)))}


def test_replacements_kubectl_renders_render_the_same(tmp_path: Path) -> None:
    cases = list(RENDERS)
    write_files(tmp_path, _tree(cases))
    out = dump_stream(r.node for r in build(str(tmp_path)).resources)
    spec = dict(line.strip().split(": ", 1) for line in out.split("spec:\n", 1)[1].splitlines())
    assert [spec[f"t{i}"] for i in range(len(cases))] == [RENDERS[c] for c in cases]
    need_kubectl()
    code, kout, err = kubectl_kustomize(tmp_path)
    assert code == 0, err
    assert out == kout


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: f"{c[0]}<-{c[1]}")
def test_a_replacement_kubectl_fails_on_is_refused(tmp_path: Path,
                                                   case: tuple[str, str]) -> None:
    write_files(tmp_path, _tree([case]))
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert (exc.value.file, exc.value.line) == (str(tmp_path / "kustomization.yaml"), 6), \
        str(exc.value)
    assert "cannot decode !!" in str(exc.value)
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0 and "cannot decode !!" in err, err
