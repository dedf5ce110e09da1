"""Sequences inside sequences, and plain ``-`` items, print as kubectl prints them.

go-yaml v2 (kubectl's writer) starts an inner block sequence on its parent item's line
(``- - x``, its later items two columns in), a literal block or a mapping there too; a
plain ``-`` alone in a block sequence is an empty item (null), in a flow sequence the
string "-". Judged against kubectl v5.5.0's exact text where it is on the PATH; the
expected text is what it printed.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import kubectl_kustomize, need_kubectl, write_files
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.core.yaml_writer import dump_stream
from overlay_lint.kustomize.build import build

SOURCE = """apiVersion: v1
kind: Foo
metadata:
  name: c
spec:
  a: [-, a, -]
  b:
  - -
  - - x
  - - - y
  - -
    - z
  c: [[1, 2], [3], [[]], [{}], [[[4]]]]
  d: [["p\\nq"], [[{x: [1, [2]], w: 3}]]]
  e:
  -
  - -1
  - '-'
"""
PRINTED = """apiVersion: v1
kind: Foo
metadata:
  name: c
spec:
  a:
  - '-'
  - a
  - '-'
  b:
  - - null
  - - x
  - - - "y"
  - - null
    - z
  c:
  - - 1
    - 2
  - - 3
  - - []
  - - {}
  - - - - 4
  d:
  - - |-
      p
      q
  - - - w: 3
        x:
        - 1
        - - 2
  e:
  - null
  - -1
  - '-'
"""


def test_nested_sequences_print_as_kubectl_prints_them(tmp_path: Path) -> None:
    write_files(tmp_path, {"kustomization.yaml": "resources: [r.yaml]\n", "r.yaml": SOURCE})
    out = dump_stream(r.node for r in build(str(tmp_path)).resources)
    assert out == PRINTED
    need_kubectl()
    code, kout, err = kubectl_kustomize(tmp_path)
    assert code == 0, err
    assert out == kout


def test_a_dash_where_a_value_goes_is_refused_as_kubectl_refuses_it(tmp_path: Path) -> None:
    write_files(tmp_path, {"kustomization.yaml": "resources: [r.yaml]\n",
                           "r.yaml": "apiVersion: v1\nkind: Foo\nmetadata:\n  name: c\n"
                                     "spec:\n  a: -\n"})
    with pytest.raises(OverlayLintError) as exc:
        build(str(tmp_path))
    assert (exc.value.file, exc.value.line) == (str(tmp_path / "r.yaml"), 6), str(exc.value)
    need_kubectl()
    code, _out, err = kubectl_kustomize(tmp_path)
    assert code != 0 and "MalformedYAMLError" in err, err
