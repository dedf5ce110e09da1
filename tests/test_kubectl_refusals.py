"""Inputs `kubectl kustomize` refuses and overlay-lint once rendered (the fuzz harness's
"kubectl refuses, we render" outcome, now a failure, and hand-made inputs around it).

Each case: kubectl must refuse it, and overlay-lint must refuse it with a one-line error at a
line of a file. Each neighbour that kubectl renders must render the same here.
"""
from __future__ import annotations

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
}

RENDERED = {
    "replacements file []": {"kustomization.yaml": REPL_ENTRY, "repl.yaml": "[]\n"},
    "replacements file, a comment then the replacement":
        {"kustomization.yaml": REPL_ENTRY, "repl.yaml": "# c\n---\n" + REPLACEMENT},
    "replacements file, the replacement then junk":
        {"kustomization.yaml": REPL_ENTRY, "repl.yaml": REPLACEMENT + "---\n- 3\n"},
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
