"""Which targets a change affects: decided from discovery's static reach, before rendering."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from overlay_lint.lint.selection import changed_since, select_targets
from overlay_lint.core.errors import OverlayLintError
from overlay_lint.lint.config import Config
from overlay_lint.lint.discovery import discover

from conftest import git, need_shared


@pytest.fixture
def broken(tmp_path, monkeypatch) -> Path:
    src = need_shared() / "fixtures" / "aether-broken"
    dst = tmp_path / "repo"
    shutil.copytree(src, dst)
    for p in [dst, *dst.rglob("*")]:            # the shared copy is read-only
        p.chmod(0o755 if p.is_dir() else 0o644)
    monkeypatch.chdir(dst)
    return dst


def _select(changed, **kw):
    return select_targets(discover(["infra"], Config()), changed, **kw)


@pytest.mark.parametrize("changed, want", [
    # a kustomization file: every loose manifest too (it may have stopped naming one)
    (["infra/overlays/dev/kustomization.yaml"], ["dev", ""]),
    (["infra/overlays/dev/patches/ingress-host.yaml"], ["dev"]),
    # staging pulls the dev debug component (the seeded overlay-isolation violation)
    (["infra/overlays/dev/debug/sql-logging.yaml"], ["dev", "staging"]),
    (["infra/overlays/staging/smoke-tests/smoke.js"], ["staging"]),      # generator source
    (["infra/components/monitoring/kustomization.yaml"], ["staging", "prod", ""]),
    (["infra/overlays/prod/patches/resources.yaml"], ["prod"]),
    (["infra/k3s/minio/secret.yaml"], ["dev", "staging", "prod"]),
    (["infra/argocd/project.yaml"], [""]),                 # the loose-manifests target
    (["README.md"], []),
    ([".overlay-lint.yaml"], ["dev", "staging", "prod", ""]),            # config: everything
    (["infra/overlays/dev/kustomization.yaml", "infra/overlays/prod/pdb.yaml"],
     ["dev", "prod", ""]),
])
def test_select_targets_on_fixture(broken, changed, want):
    sel = _select(changed)
    assert sel.names == want
    assert sel.everything == (changed == [".overlay-lint.yaml"])


def test_unreached_files_are_reported(broken):
    sel = _select(["README.md", "infra/overlays/dev/patches/ingress-host.yaml"])
    assert sel.names == ["dev"]
    assert sel.unreached == ["README.md"]


def test_global_paths_select_everything(broken):
    sel = _select(["policies/extra.yaml"], global_paths=["policies"])
    assert sel.everything and sel.names == ["dev", "staging", "prod", ""]


def test_new_reference_makes_a_file_a_dependency(broken):
    new = broken / "infra/overlays/prod/extra.yaml"
    new.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\n")
    # a loose manifest for now, and a file prod's render could read: it lies in prod's
    # folder (a transformer or generator configuration may name it)
    assert _select([str(new)]).names == ["prod", ""]
    k = broken / "infra/overlays/prod/kustomization.yaml"
    k.write_text(k.read_text().replace("resources:\n", "resources:\n  - extra.yaml\n", 1))
    assert _select([str(new)]).names == ["prod"]


def test_deleted_file_selects_the_kustomizations_above_it(broken):
    (broken / "infra/overlays/prod/patches/resources.yaml").unlink()
    assert _select(["infra/overlays/prod/patches/resources.yaml"]).names == ["prod"]
    (broken / "infra/k3s/minio/secret.yaml").unlink()
    assert _select(["infra/k3s/minio/secret.yaml"]).names == ["dev", "staging", "prod"]
    assert _select(["infra/gone/x.yaml"]).names == []


def test_reach_covers_every_file_the_render_reads(broken):
    """The static pre-check must not miss a file the real build reads."""
    from overlay_lint.kustomize.build import build
    for t in discover(["infra"], Config()):
        if t.kind != "env":
            continue
        result = build(t.dir)
        read = {os.path.normpath(os.path.abspath(f)) for f in result.files}
        assert read - t.reach == set(), t.name
        # and a change to any one of them selects this env
        for f in sorted(read)[:: max(1, len(read) // 10)]:
            assert t.name in _select([f]).names, (t.name, f)


# ---------------------------------------------------------------- git

@pytest.fixture
def git_repo(broken) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not on PATH")
    git(broken, "init", "-q", "-b", "main")
    git(broken, "add", "-A")
    git(broken, "commit", "-qm", "base")
    return broken


def test_changed_since_branch_and_work_tree(git_repo):
    git(git_repo, "checkout", "-qb", "feature")
    p = git_repo / "infra/overlays/prod/patches/resources.yaml"
    p.write_text(p.read_text() + "# committed\n")
    git(git_repo, "commit", "-qam", "prod")
    # main moves on too: REF...HEAD means changes since the merge base, not main's own edits
    git(git_repo, "checkout", "-q", "main")
    q = git_repo / "infra/overlays/staging/patches/gateway.yaml"
    q.write_text(q.read_text() + "# on main\n")
    git(git_repo, "commit", "-qam", "main")
    git(git_repo, "checkout", "-q", "feature")
    d = git_repo / "infra/overlays/dev/patches/ingress-host.yaml"
    d.write_text(d.read_text() + "# unstaged\n")
    (git_repo / "new.yaml").write_text("a: 1\n")
    names = {os.path.relpath(n, git_repo) for n in changed_since("main", str(git_repo))}
    assert names == {"infra/overlays/prod/patches/resources.yaml",
                     "infra/overlays/dev/patches/ingress-host.yaml", "new.yaml"}
    assert _select(changed_since("main")).names == ["dev", "prod"]   # new.yaml: not under infra


def test_changed_since_errors(git_repo, tmp_path):
    with pytest.raises(OverlayLintError, match="git diff failed"):
        changed_since("no-such-ref", str(git_repo))
    with pytest.raises(OverlayLintError, match="not a git revision"):
        changed_since("--output=/tmp/x", str(git_repo))
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(OverlayLintError, match="needs a git repository") as exc:
        changed_since("main", str(plain))
    assert str(plain) in exc.value.message


def test_cli_changed_since(git_repo, tmp_path):
    import json
    import sys
    run = [sys.executable, "-m", "overlay_lint", "infra", "--format", "json"]
    p = git_repo / "infra/overlays/prod/pdb.yaml"
    p.write_text(p.read_text() + "# tweak\n")
    out = subprocess.run(run + ["--changed-since", "main"], cwd=git_repo, capture_output=True,
                         text=True)
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert data["envs"] == ["prod"]
    assert all(f["envs"] == ["prod"] for f in data["findings"])
    plain = tmp_path / "plain"
    shutil.copytree(git_repo / "infra", plain / "infra")
    out = subprocess.run(run + ["--changed-since", "main"], cwd=plain, capture_output=True,
                         text=True)
    assert out.returncode == 2
    assert "--changed-since needs a git repository" in out.stderr


# ---------------------------------------------------------------- soundness (issue 8)

def _tree(tmp_path: Path) -> Path:
    from changed_support import make_tree
    return make_tree(need_shared() / "fixtures" / "aether-broken", tmp_path / "tree")


def test_file_named_in_a_transformer_config_selects_its_env(tmp_path):
    # a PatchTransformer's path: selected no env ("0 findings in 0 envs") while the full
    # run reported the violation
    from changed_support import lint
    root = _tree(tmp_path)
    patch = root / "extra/overlays/qa/patches/history.yaml"
    patch.write_text(patch.read_text().replace("revisionHistoryLimit: 3",
                                               "revisionHistoryLimit: 10"))
    only = lint(root, ["extra/overlays/qa/patches/history.yaml"])
    assert "qa" in only.envs
    assert ("revision-history-limit", "extra/overlays/qa/patches/history.yaml", 6, 3) in \
        {t[:4] for t in only.findings if t[-1] == "qa"}
    assert only.code == 1


def test_file_reached_through_a_symlinked_folder_selects_its_env(tmp_path):
    from changed_support import lint
    root = _tree(tmp_path)
    deploy = root / "extra/base/deploy.yaml"     # qa reads it as extra/overlays/qa/base/...
    deploy.write_text(deploy.read_text().replace(":1.0.0", ":dev-1"))
    (root / ".overlay-lint.yaml").write_text("roles:\n  protected: [qa, prod]\n")
    full = lint(root)
    only = lint(root, ["extra/base/deploy.yaml"])
    assert "qa" in only.envs
    want = {t for t in full.findings if t[0] == "prod-no-dev-images" and t[-1] == "qa"}
    assert want and want <= only.findings


def test_retargeted_symlink_selects_the_env_behind_it(tmp_path):
    from changed_support import lint
    root = _tree(tmp_path)
    (root / "extra/overlays/qa/base").unlink()
    (root / "extra/overlays/qa/base").symlink_to("nowhere")
    only = lint(root, ["extra/overlays/qa/base"])
    assert "qa" in only.envs and only.code == 2


def test_deleted_base_selects_the_envs_that_named_it(tmp_path):
    from changed_support import lint
    root = _tree(tmp_path)
    shutil.rmtree(root / "extra/base")
    only = lint(root, ["extra/base/kustomization.yaml", "extra/base/deploy.yaml"])
    assert "qa" in only.envs and only.code == 2


def test_rules_comparing_envs_check_whole_apps_when_they_can_fail_the_run(tmp_path):
    # dev adds a workload of its own: expected-workloads reports it in dev, comparing it
    # with staging and prod (which a changed-only run must then render too)
    from changed_support import lint
    root = _tree(tmp_path)
    (root / "infra/overlays/dev/only-dev.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: only-dev\nspec:\n"
        "  revisionHistoryLimit: 3\n  selector:\n    matchLabels: {app: x}\n  template:\n"
        "    metadata:\n      labels: {app: x}\n    spec:\n      containers:\n"
        "      - name: c\n        image: ghcr.io/aether/x:dev\n")
    k = root / "infra/overlays/dev/kustomization.yaml"
    k.write_text(k.read_text().replace("resources:\n  - ../../k3s\n",
                                       "resources:\n  - ../../k3s\n  - only-dev.yaml\n", 1))
    full = lint(root, fail_on="warning")
    gate = lint(root, ["infra/overlays/dev/kustomization.yaml"], fail_on="warning")
    assert set(gate.envs) >= {"dev", "staging", "prod"} and not gate.not_run
    moved = {t for t in full.findings if t[0] == "expected-workloads" and "only-dev" in t[4]}
    assert moved and moved <= gate.findings
    # a warning cannot fail a run at --fail-on error: dev alone, and the output says so
    quick = lint(root, ["infra/overlays/dev/kustomization.yaml"])
    assert quick.envs == ["dev"] and quick.not_run == {"expected-workloads"}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    from changed_support import lint
    root = _tree(tmp_path_factory.mktemp("pristine"))
    return lint(root)


_PROFILE = os.environ.get("OVERLAY_LINT_FUZZ_PROFILE", "quick")
_LONG_EDITS = max(1, int(1000 * float(os.environ.get("OVERLAY_LINT_FUZZ_SCALE", "1"))))


@settings(max_examples=_LONG_EDITS if _PROFILE == "long" else 12, deadline=None, database=None,
          derandomize=_PROFILE != "long", suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 2**32 - 1), fail_on=st.sampled_from(["error", "warning"]))
def test_changed_only_run_equals_full_run_on_the_envs_it_checks(pristine, tmp_path_factory,
                                                                seed, fail_on):
    """Property: for a random edit of a fixture copy (a value swapped, a line deleted or
    duplicated, a file deleted or added, a symlink retargeted), every env whose findings
    the edit changes is checked by the changed-only run, which reports exactly the full
    run's findings and errors for the envs it checks (tests/changed_support.py)."""
    import random
    from changed_support import check_edit, edit
    root = _tree(tmp_path_factory.mktemp("edit"))
    changed = edit(root, random.Random(seed))
    check_edit(pristine, root, changed, fail_on)
