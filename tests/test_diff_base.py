"""``overlay-lint diff --base REF``: a real repository with a base commit and a PR commit."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import KUBECTL, edit, git
from lint_support import run, write_tree

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not here")

BASE_KUSTOMIZATION = """\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - deployment.yaml
  - service.yaml
configMapGenerator:
  - name: web-config
    literals:
      - LOG_LEVEL=info
      - FEATURE_X=off
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.0.0
          envFrom:
            - configMapRef:
                name: web-config
          env:
            - name: TIMEOUT
              value: "30"
"""

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - port: 80
"""


def overlay(env: str, tag: str) -> str:
    return f"""\
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: shop-{env}
resources:
  - ../../base
images:
  - name: ghcr.io/acme/web
    newTag: {tag}
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main: the base commit; pr (checked out): one base change for every env, one
    prod-only images: change, one generator literal change (a new content hash)."""
    root = tmp_path / "repo"
    write_tree(root, {
        "infra/base/kustomization.yaml": BASE_KUSTOMIZATION,
        "infra/base/deployment.yaml": DEPLOYMENT,
        "infra/base/service.yaml": SERVICE,
        "infra/overlays/dev/kustomization.yaml": overlay("dev", "dev-4f1c2a9"),
        "infra/overlays/staging/kustomization.yaml": overlay("staging", "1.5.0-rc.1"),
        "infra/overlays/prod/kustomization.yaml": overlay("prod", "1.4.0"),
        "README.md": "not a manifest\n",
    })
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    git(root, "checkout", "-qb", "pr")
    edit(root / "infra/base/deployment.yaml", 'value: "30"', 'value: "60"')
    edit(root / "infra/overlays/prod/kustomization.yaml", "newTag: 1.4.0", "newTag: 1.5.0")
    edit(root / "infra/base/kustomization.yaml", "LOG_LEVEL=info", "LOG_LEVEL=debug")
    git(root, "commit", "-qam", "pr")
    return root


ALL = ["dev", "staging", "prod"]
CM = {"kind": "ConfigMap", "namespace": None, "name": "web-config"}
WEB = {"kind": "Deployment", "namespace": None, "name": "web"}
CONTAINER = "spec.template.spec.containers[name=web]"
# Kustomize's content hashes of web-config before and after (checked against kubectl below)
OLD_HASH, NEW_HASH = "web-config-mk2hb752cm", "web-config-6mkmttkb8t"


def expected(prefix: str) -> dict:
    base_k, deploy = f"{prefix}base/kustomization.yaml", f"{prefix}base/deployment.yaml"
    prod_k = f"{prefix}overlays/prod/kustomization.yaml"
    return {"changes": [
        {"envs": ALL, "resource": CM, "path": "metadata.name",
         "before": OLD_HASH, "after": NEW_HASH,
         "before_origin": f"{base_k}:7", "after_origin": f"{base_k}:7"},
        {"envs": ALL, "resource": CM, "path": "data.LOG_LEVEL",
         "before": "info", "after": "debug",
         "before_origin": f"{base_k}:9", "after_origin": f"{base_k}:9"},
        {"envs": ALL, "resource": WEB, "path": f"{CONTAINER}.env[name=TIMEOUT].value",
         "before": "30", "after": "60",
         "before_origin": f"{deploy}:23", "after_origin": f"{deploy}:23"},
        {"envs": ["prod"], "resource": WEB, "path": f"{CONTAINER}.image",
         "before": "ghcr.io/acme/web:1.4.0", "after": "ghcr.io/acme/web:1.5.0",
         "before_origin": f"{prod_k}:8", "after_origin": f"{prod_k}:8"},
    ]}


def _state(root: Path) -> tuple:
    """Everything a diff must leave alone: the index, HEAD, status, every work-tree file."""
    files = {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in root.rglob("*") if p.is_file() and ".git" not in p.parts}
    index = root / ".git/index"
    return (index.read_bytes(), index.stat().st_mtime_ns, git(root, "rev-parse", "HEAD"),
            git(root, "--no-optional-locks", "status", "--porcelain"), files)


def test_diff_base_json_is_exact(repo, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    # stale stat data in the index: a plain `git diff` would refresh and rewrite it
    os.utime(repo / "infra/base/service.yaml", (1_000_000_000, 1_000_000_000))
    before = _state(repo)
    rc, out, err = run(["diff", "--base", "main", "--format", "json"], repo)
    assert (rc, err) == (0, "")
    assert json.loads(out) == expected("infra/")
    # from a sub-folder, with a PATH: origins are relative to the current directory
    rc, out, err = run(["diff", "--base", "main", ".", "--format", "json"], repo / "infra")
    assert (rc, err) == (0, "")
    assert json.loads(out) == expected("")
    # --renames adds the reference that follows the new hash
    rc, out, err = run(["diff", "--base", "main", "--format", "json", "--renames"], repo)
    extra = [c for c in json.loads(out)["changes"] if c not in expected("infra/")["changes"]]
    assert extra == [{"envs": ALL, "resource": WEB,
                      "path": f"{CONTAINER}.envFrom[0].configMapRef.name",
                      "before": OLD_HASH, "after": NEW_HASH,
                      "before_origin": "infra/base/kustomization.yaml:7",
                      "after_origin": "infra/base/kustomization.yaml:7"}]
    assert _state(repo) == before                       # work tree and index untouched
    assert list((tmp_path / "tmp").iterdir()) == []    # the snapshot is gone


@pytest.mark.skipif(KUBECTL is None, reason="kubectl is not on PATH")
def test_hashes_are_kustomizes(repo, tmp_path):
    def names(ref: str) -> set[str]:
        out = tmp_path / ref
        out.mkdir()
        subprocess.run(["sh", "-c", f"git archive {ref} | tar -x -C {out}"], cwd=repo,
                       check=True)
        text = subprocess.run([KUBECTL, "kustomize", str(out / "infra/overlays/dev")],
                              check=True, capture_output=True, text=True).stdout
        return {ln.split(":", 1)[1].strip() for ln in text.splitlines()
                if ln.strip().startswith("name: web-config")}
    assert names("main") == {OLD_HASH} and names("pr") == {NEW_HASH}


def test_text_output_groups_envs(repo):
    rc, out, err = run(["diff", "--base", "main"], repo)
    assert rc == 0, err
    assert out.startswith("overlay-lint diff: changes since main (merge base ")
    assert (f"  {CONTAINER}.image  (prod)\n"
            "    - main  ghcr.io/acme/web:1.4.0  infra/overlays/prod/kustomization.yaml:8\n"
            "    + now   ghcr.io/acme/web:1.5.0  infra/overlays/prod/kustomization.yaml:8\n"
            ) in out
    assert f"  {CONTAINER}.env[name=TIMEOUT].value  (dev, staging, prod)\n" in out
    assert ("  metadata.name  (dev, staging, prod)  new content hash: the workloads that use "
            "it roll out  infra/base/kustomization.yaml:7\n") in out
    assert "4 changes in 2 resources (dev, staging, prod)" in out
    # the envFrom references that follow the new hash are not repeated
    assert "configMapRef" not in out
    assert "Not listed: 1 reference that follows a renamed resource" in out


def test_only_affected_envs_and_whole_resources(repo):
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-qb", "pr2")
    # dev only: a new resource and a work-tree (uncommitted) edit; staging: a removal
    write_tree(repo, {"infra/overlays/dev/extra.yaml":
                      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n"
                      "  A: '1'\n"})
    edit(repo / "infra/overlays/dev/kustomization.yaml", "  - ../../base\n",
         "  - ../../base\n  - extra.yaml\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "dev extra")
    edit(repo / "infra/overlays/staging/kustomization.yaml", "resources:\n",
         "resources:\n  - pdb.yaml\n")
    write_tree(repo, {"infra/overlays/staging/pdb.yaml":
                      "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n"
                      "  name: web\nspec:\n  maxUnavailable: 1\n"})
    rc, out, err = run(["diff", "--base", "main", "--format", "json"], repo)
    assert rc == 0, err
    doc = json.loads(out)
    assert [(c["envs"], c["resource"]["kind"], c["path"]) for c in doc["changes"]] == [
        (["dev"], "ConfigMap", ""), (["staging"], "PodDisruptionBudget", "")]
    extra = doc["changes"][0]
    assert extra["before"] is None and extra["before_origin"] is None
    assert extra["after"] == {"apiVersion": "v1", "kind": "ConfigMap",
                              "metadata": {"name": "extra", "namespace": "shop-dev"},
                              "data": {"A": "1"}}
    assert extra["after_origin"] == "infra/overlays/dev/extra.yaml:1"
    # and the other way round: the base commit has it, the work tree not any more
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "staging pdb")
    git(repo, "checkout", "-qb", "pr3")
    edit(repo / "infra/overlays/dev/kustomization.yaml", "  - extra.yaml\n", "")
    (repo / "infra/overlays/dev/extra.yaml").unlink()
    rc, out, err = run(["diff", "--base", "pr2", "--format", "json"], repo)
    assert rc == 0, err
    removed = json.loads(out)["changes"]
    assert [(c["envs"], c["path"], c["after"], c["after_origin"], c["before_origin"])
            for c in removed] == [(["dev"], "", None, None, "infra/overlays/dev/extra.yaml:1")]
    assert removed[0]["before"]["metadata"] == {"name": "extra", "namespace": "shop-dev"}


def test_bad_ref_and_outside_git(repo, tmp_path):
    rc, out, err = run(["diff", "--base", "no-such-branch"], repo)
    assert rc == 2 and out == ""
    assert err.startswith("--base no-such-branch: git rev-parse failed")
    rc, _, err = run(["diff", "--base=--all"], repo)
    assert rc == 2 and "is not a git revision" in err
    plain = write_tree(tmp_path / "plain", {"overlays/a/kustomization.yaml": "resources: []\n"})
    rc, _, err = run(["diff", "--base", "main"], plain)
    assert rc == 2 and "needs a git repository" in err


def test_broken_env_at_base_is_reported_and_others_compared(repo):
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-qb", "broken")
    edit(repo / "infra/overlays/staging/kustomization.yaml", "  - ../../base\n",
         "  - ../../base\n  - missing.yaml\n")
    git(repo, "commit", "-qam", "broken staging")
    git(repo, "checkout", "-qb", "fix")
    edit(repo / "infra/overlays/staging/kustomization.yaml", "  - missing.yaml\n", "")
    edit(repo / "infra/base/deployment.yaml", "replicas: 2", "replicas: 3")
    git(repo, "commit", "-qam", "fix")
    rc, out, err = run(["diff", "--base", "broken", "--format", "json"], repo)
    assert rc == 2
    assert err.strip() == ("infra/overlays/staging/kustomization.yaml:6: resource "
                           "'missing.yaml' not found (no such file or directory) "
                           "(env staging at broken)")
    assert [c["envs"] for c in json.loads(out)["changes"]] == [["dev", "prod"]]


# --- the snapshot of an untrusted commit --------------------------------------------------------

def _mktree(repo: Path, lines: list[str]) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(["git", "mktree"], cwd=repo, input="\n".join(lines) + "\n",
                          capture_output=True, text=True, check=True, env=env).stdout.strip()


def _blob(repo: Path, data: bytes) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input=data,
                          capture_output=True, check=True, env=env).stdout.decode().strip()


def test_snapshot_never_writes_outside_or_through_links(tmp_path, monkeypatch):
    from overlay_lint.diff.snapshot import Snapshot
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    outside = tmp_path / "outside"
    outside.mkdir()
    yaml_blob = _blob(repo, b"kind: X\n")
    link = _blob(repo, str(outside).encode())
    inner = _mktree(repo, [f"100644 blob {yaml_blob}\tx.yaml"])
    big = _blob(repo, b"x" * 5000)
    tree = _mktree(repo, [
        f"100644 blob {yaml_blob}\t..",            # names git itself never checks out
        f"100644 blob {yaml_blob}\t.git",
        f"100644 blob {yaml_blob}\t.GIT",
        f"040000 tree {inner}\t..",                # ../x.yaml
        f"040000 tree {inner}\t.git",              # .git/x.yaml
        f"120000 blob {link}\tdir",                # a link out, and a folder of one name
        f"040000 tree {inner}\tdir",
        f"120000 blob {link}\tup",                 # links are recreated as they are
        f"100644 blob {big}\tbig.yaml",
        f"100644 blob {yaml_blob}\tok.yaml",
    ])
    commit = git(repo, "commit-tree", tree, "-m", "evil").strip()
    monkeypatch.setenv("OVERLAY_LINT_MAX_FILE_BYTES", "1000")
    monkeypatch.setattr("overlay_lint.diff.snapshot.LIMITS.max_file_bytes", 1000)
    with Snapshot(str(repo), commit) as snap:
        assert {e.path for e in snap.entries} == {"dir", "dir/x.yaml", "up", "big.yaml",
                                                  "ok.yaml"}
        snap.materialise(lambda e: e.is_link)            # links first (as open_base does)
        snap.materialise(lambda e: True)
        root = Path(snap.root)
        assert (root / "ok.yaml").read_bytes() == b"kind: X\n"
        assert os.readlink(root / "up") == str(outside)
        assert os.path.islink(root / "dir")
        assert list(outside.iterdir()) == []             # nothing written through the link
        st = (root / "big.yaml").stat()
        assert st.st_size == 5000 and st.st_blocks == 0  # the size, never the bytes
        from overlay_lint.core.errors import OverlayLintError
        from overlay_lint.core.yaml_reader import read_text
        with pytest.raises(OverlayLintError, match="over the 1000-byte limit"):
            read_text(str(root / "big.yaml"))
        assert oct(os.stat(snap.root).st_mode & 0o777) == "0o700"
        kept = snap.root
    assert not os.path.exists(kept)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["outside", "repo"]


def test_symlink_out_of_the_repository_at_base_is_refused(repo, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stolen\n")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-qb", "evil")
    os.symlink(secret, repo / "infra/overlays/prod/leak.yaml")
    edit(repo / "infra/overlays/prod/kustomization.yaml", "  - ../../base\n",
         "  - ../../base\n  - leak.yaml\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "evil")
    git(repo, "checkout", "-qb", "fix")
    edit(repo / "infra/overlays/prod/kustomization.yaml", "  - leak.yaml\n", "")
    (repo / "infra/overlays/prod/leak.yaml").unlink()
    rc, out, err = run(["diff", "--base", "evil", "--format", "json"], repo)
    assert rc == 2
    assert err.startswith("infra/overlays/prod/kustomization.yaml:6: 'leak.yaml' resolves "
                          "outside the lint root")
    assert err.rstrip().endswith("(env prod at evil)")
    assert "stolen" not in out + err
    assert "overlay-lint-base-" not in err      # the snapshot folder is never shown


def test_a_change_no_env_renders(repo):
    git(repo, "checkout", "-qb", "docs", "main")
    (repo / "README.md").write_text("docs only\n")
    rc, out, err = run(["diff", "--base", "main"], repo)
    assert (rc, err) == (0, "")
    assert out.splitlines()[-1] == "No env renders a file this change touches"
    rc, out, err = run(["diff", "--base", "main", "--format", "json"], repo)
    assert json.loads(out) == {"changes": []}


def test_git_that_cannot_run_is_a_one_line_error(repo, tmp_path, monkeypatch):
    """A `git` on PATH that cannot be executed (no x bit) is a plain error, exit 2."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text("not a program\n")
    (fake / "git").chmod(0o644)
    monkeypatch.setenv("PATH", str(fake))
    for args in (["diff", "--base", "main"], [".", "--new-since", "main"],
                 [".", "--changed-since", "main"]):
        rc, out, err = run(args, repo)
        assert rc == 2 and out == "", (args, err)
        assert "internal error" not in err and "Traceback" not in err
        assert err.count("\n") == 1 and "git" in err, err
