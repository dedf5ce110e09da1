"""The linter over every corpus repository: no crash, and every finding is well formed."""
from __future__ import annotations

import os

import pytest

from conftest import SHARED
from lint_support import lint_json

CORPUS = SHARED / "corpus"
REPOS = sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) if CORPUS.is_dir() else []


@pytest.mark.skipif(not REPOS, reason="../shared/corpus is not here")
@pytest.mark.parametrize("repo", REPOS)
def test_corpus_repo_lints_without_internal_errors(repo):
    root = CORPUS / repo
    rc, doc = lint_json(root, ".")
    assert rc in (0, 1, 2)
    assert not [e for e in doc["errors"] if "internal error" in e["message"]], doc["errors"]
    seen = set()
    for f in doc["findings"]:
        key = (f["rule"], f["file"], f["line"])
        assert key not in seen, key                  # one finding per source location
        seen.add(key)
        path = root / f["file"]
        assert path.is_file(), f
        assert 1 <= f["line"] <= len(path.read_text(errors="replace").splitlines()), f
        assert len(f["envs"]) == len(set(f["envs"])), f
    for e in doc["errors"]:          # input errors are located in the repository
        assert e["file"] and os.path.exists(root / e["file"]), e
