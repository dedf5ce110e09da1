"""``overlay-lint --new-since REF``: only the findings a change brings, no baseline file."""
from __future__ import annotations

import json
import shutil

import pytest

from conftest import edit, git
from lint_support import deployment, run, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not here")

@pytest.fixture
def legacy(tmp_path):
    """A repository with two findings on main: api runs 2 replicas in dev, and prod runs
    web with an untagged image."""
    root = tmp_path / "repo"
    write_tree(root, {
        "base/kustomization.yaml": "resources:\n  - api.yaml\n  - web.yaml\n",
        "base/api.yaml": deployment("api", "ghcr.io/acme/api:1.0.0", replicas=1),
        "base/web.yaml": deployment("web", "ghcr.io/acme/web:1.0.0", replicas=1),
        "overlays/dev/kustomization.yaml": "resources:\n  - ../../base\nreplicas:\n"
                                           "  - name: api\n    count: 2\n",
        "overlays/prod/kustomization.yaml": "resources:\n  - ../../base\nimages:\n"
                                            "  - name: ghcr.io/acme/web\n    newTag: latest\n",
    })
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "legacy")
    git(root, "checkout", "-qb", "pr")
    return root


def _lint(root, *args):
    rc, out, err = run([".", *args, "--format", "json"], root)
    assert out, err
    doc = json.loads(out)
    return rc, [(f["rule"], f["file"], f["line"]) for f in doc["findings"]], doc, err


def test_only_new_findings_are_reported(legacy):
    rc, found, _, _ = _lint(legacy)
    assert rc == 1 and sorted(found) == [
        ("dev-replicas", "overlays/dev/kustomization.yaml", 5),
        ("no-latest-in-prod", "overlays/prod/kustomization.yaml", 5)]
    # the PR moves the legacy lines (comments above them) and adds one new violation
    edit(legacy / "overlays/dev/kustomization.yaml", "replicas:\n",
         "# scaled for the load test\n# (ticket OPS-12)\nreplicas:\n")
    edit(legacy / "overlays/dev/kustomization.yaml", "    count: 2\n",
         "    count: 2\n  - name: web\n    count: 3\n")
    git(legacy, "commit", "-qam", "scale web in dev")
    rc, found, doc, err = _lint(legacy, "--new-since", "main")
    assert rc == 1, err
    assert found == [("dev-replicas", "overlays/dev/kustomization.yaml", 9)]
    assert doc["summary"]["baselined"] == 2
    rc, out, _ = run([".", "--new-since", "main"], legacy)
    assert "; 2 in baseline" in out.splitlines()[-1]
    # fixed in a later commit: nothing new, exit 0 although the legacy findings remain
    edit(legacy / "overlays/dev/kustomization.yaml", "    count: 3\n", "    count: 1\n")
    rc, found, doc, _ = _lint(legacy, "--new-since", "main")
    assert (rc, found, doc["summary"]["baselined"]) == (0, [], 2)
    # without --new-since the legacy findings are all there
    rc, found, _, _ = _lint(legacy)
    assert rc == 1 and len(found) == 2


def test_a_second_identical_finding_is_new(legacy):
    # a second untagged image in prod: new; the legacy one is still known
    edit(legacy / "overlays/prod/kustomization.yaml", "    newTag: latest\n",
         "    newTag: latest\n  - name: ghcr.io/acme/api\n    newTag: latest\n")
    rc, found, doc, _ = _lint(legacy, "--new-since", "main")
    assert rc == 1
    assert found == [("no-latest-in-prod", "overlays/prod/kustomization.yaml", 7)]


def test_rules_and_config_of_the_base_commit(legacy):
    # the PR turns a rule off in its config: its findings are gone both ways
    write_tree(legacy, {".overlay-lint.yaml": "rules:\n  dev-replicas: false\n"})
    rc, found, doc, _ = _lint(legacy, "--new-since", "main")
    assert (rc, found) == (0, [])
    # a broken config at the base commit is an input error located in the work tree
    git(legacy, "add", "-A")
    write_tree(legacy, {".overlay-lint.yaml": "rules: [\n"})
    git(legacy, "commit", "-qam", "broken config")
    git(legacy, "checkout", "-qb", "pr2")
    write_tree(legacy, {".overlay-lint.yaml": "rules:\n  dev-replicas: false\n"})
    rc, out, err = run([".", "--new-since", "pr"], legacy)
    assert rc == 2
    assert err.startswith(".overlay-lint.yaml:2: at pr: invalid YAML")
    assert "overlay-lint-base-" not in err


def test_bad_ref(legacy):
    rc, out, err = run([".", "--new-since", "nope"], legacy)
    assert rc == 2 and "--new-since nope: git rev-parse failed" in err
    with pytest.raises(SystemExit):      # never read as another option
        run([".", "--new-sin", "main"], legacy)
