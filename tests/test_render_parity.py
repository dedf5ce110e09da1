"""Differential test: overlay-lint's render equals `kubectl kustomize`, as data and in order.

Every kustomization dir of ../shared/corpus (INDEX.md) and ../shared/fixtures is rendered by
both; both outputs are read back with PyYAML (an independent YAML reader) and compared.
Dirs kubectl itself cannot render must make overlay-lint fail with a located error too.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import SHARED, kubectl_kustomize, need_kubectl, need_shared

# Dirs that cannot pass yet, with the reason (also listed in README.md). Strict xfail: a dir
# that starts passing fails the suite until it is removed from here.
KNOWN_DIFFERENCES: dict[str, str] = {}


def _corpus_dirs() -> list[str]:
    index = SHARED / "corpus" / "INDEX.md"
    if not index.is_file():
        return []
    out, repo = [], None
    for line in index.read_text().splitlines():
        m = re.match(r"^## (\S+)", line)
        if m:
            repo = m.group(1)
            continue
        m = re.match(r"^\| `([^`]+)` \| \w+ \| \d+ \| \d+ \| (.*) \|$", line.strip())
        if m and repo:
            out.append(f"corpus/{repo}/{m.group(1)}")
    return out


def _fixture_dirs() -> list[str]:
    root = SHARED / "fixtures"
    if not root.is_dir():
        return []
    return sorted(str(p.parent.relative_to(SHARED)) for p in root.rglob("kustomization.yaml"))


DIRS = _corpus_dirs() + _fixture_dirs()


def _render_ours(directory: Path) -> list:
    from overlay_lint.core.yaml_writer import dump_stream
    from overlay_lint.kustomize.build import build
    result = build(str(directory))
    text = dump_stream(r.node for r in result.resources)
    return [d for d in yaml.safe_load_all(text) if d is not None]


def _ident(d: dict) -> str:
    md = d.get("metadata") or {}
    return f"{d.get('kind')}/{md.get('namespace', '')}/{md.get('name')}"


@pytest.mark.parametrize("rel", [
    pytest.param(d, marks=pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[d]))
    if d in KNOWN_DIFFERENCES else d for d in DIRS] or ["(no shared corpus)"])
def test_render_matches_kubectl(rel: str) -> None:
    need_shared()
    need_kubectl()
    directory = SHARED / rel
    code, out, err = kubectl_kustomize(directory)
    if code != 0:
        # kubectl refuses it: so must we, with a located one-line error, not a crash
        from overlay_lint.core.errors import OverlayLintError
        with pytest.raises(OverlayLintError):
            _render_ours(directory)
        return
    want = [d for d in yaml.safe_load_all(out) if d is not None]
    got = _render_ours(directory)
    assert [_ident(d) for d in got] == [_ident(d) for d in want], "resources or order differ"
    for g, w in zip(got, want):
        assert g == w, f"{_ident(w)} differs"


def test_corpus_index_was_read() -> None:
    need_shared()
    assert len(_corpus_dirs()) == 419
