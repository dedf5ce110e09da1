"""The diff engine and ``overlay-lint diff ENV_A ENV_B``: real renders of real trees."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from lint_support import run, write_tree
from overlay_lint.diff.compare import diff_resources
from overlay_lint.diff.model import HASH, IDENTITY, REFERENCE
from overlay_lint.diff.paths import Item, format_path, matches
from overlay_lint.kustomize.build import build
from overlay_lint.kustomize.loader import Loader


def _diff(tmp: Path, before: str, after: str):
    return diff_resources(build(str(tmp / before), Loader(str(tmp))).resources,
                          build(str(tmp / after), Loader(str(tmp))).resources)


def _table(changes) -> set[tuple]:
    return {(c.resource.label(), c.path_text, json.dumps(c.before), json.dumps(c.after))
            for c in changes}


def _json(cwd: Path, *args: str) -> tuple[int, dict, str]:
    rc, out, err = run(["diff", *args, "--format", "json"], cwd)
    return rc, (json.loads(out) if out else {}), err


# --- aether fixtures: prod vs staging ----------------------------------------------------------

def _by_path(doc: dict) -> dict[tuple, dict]:
    return {(c["resource"]["kind"], c["resource"]["name"], c["path"]): c
            for c in doc["changes"]}


def test_aether_staging_vs_prod(shared):
    rc, doc, err = _json(shared / "fixtures/aether-clean", "staging", "prod", "infra")
    assert rc == 0, err
    assert set(doc) == {"changes"}
    by = _by_path(doc)
    for c in doc["changes"]:
        assert c["envs"] == ["staging", "prod"]
        assert set(c) == {"envs", "resource", "path", "before", "after", "before_origin",
                          "after_origin"}
    k = "infra/overlays/prod/kustomization.yaml"
    s = "infra/overlays/staging/kustomization.yaml"
    # replicas: the base count in staging, the prod replicas: entry
    assert by[("Deployment", "gateway", "spec.replicas")] | {} == {
        "envs": ["staging", "prod"],
        "resource": {"kind": "Deployment", "namespace": None, "name": "gateway"},
        "path": "spec.replicas", "before": 2, "after": 3,
        "before_origin": "infra/k3s/gateway/deployment.yaml:12", "after_origin": f"{k}:60"}
    assert (by[("Deployment", "frontend", "spec.replicas")]["before_origin"],
            by[("Deployment", "frontend", "spec.replicas")]["after_origin"]) == \
        ("infra/k3s/frontend/deployment.yaml:11", f"{k}:62")
    # image tags, each at its images: entry (github-worker: prod keeps the base tag)
    images = {(kind, name): (c["before"], c["after"], c["before_origin"], c["after_origin"])
              for (kind, name, path), c in by.items()
              if path.endswith("].image") and kind == "Deployment"}
    g = "ghcr.io/aether/"
    assert images == {
        ("Deployment", "gateway"): (g + "gateway:1.9.0-rc.1", g + "gateway:1.8.1",
                                    f"{s}:30", f"{k}:37"),
        ("Deployment", "frontend"): (g + "frontend:1.5.0-rc.2", g + "frontend:1.4.3",
                                     f"{s}:32", f"{k}:39"),
        ("Deployment", "identity-service"): (g + "identity-service:2.2.0-rc.1",
                                             g + "identity-service:2.1.0", f"{s}:34", f"{k}:41"),
        ("Deployment", "submission-service"): (g + "submission-service:1.6.0-rc.1",
                                               g + "submission-service:1.5.1", f"{s}:38",
                                               f"{k}:45"),
        ("Deployment", "github-worker"): (g + "github-worker:1.3.0-rc.1",
                                          g + "github-worker:1.2.4", f"{s}:40",
                                          "infra/k3s/github-worker/deployment.yaml:32"),
        ("Deployment", "ai-analysis-service"): (g + "ai-analysis-service:0.10.0-rc.3",
                                                g + "ai-analysis-service:0.9.2", f"{s}:42",
                                                f"{k}:47"),
    }
    # problem-service and notification-service run the same tag in both: no change
    assert ("Deployment", "problem-service",
            "spec.template.spec.containers[name=problem-service].image") not in by
    # the Ingress host: staging's inline JSON6902 value line, prod's base line
    host = by[("Ingress", "gateway", "spec.rules[0].host")]
    assert (host["before"], host["after"], host["before_origin"], host["after_origin"]) == (
        "staging.aether.example.com", "aether.example.com", f"{s}:57",
        "infra/k3s/gateway/ingress.yaml:21")
    tls = by[("Ingress", "gateway", "spec.tls[0].hosts[0]")]
    assert (tls["before_origin"], tls["after_origin"]) == (
        f"{s}:60", "infra/k3s/gateway/ingress.yaml:18")
    # resources only one env has: listed whole, path ""
    pdb = by[("PodDisruptionBudget", "gateway", "")]
    assert pdb["before"] is None and pdb["after"]["kind"] == "PodDisruptionBudget"
    assert pdb["after_origin"] == "infra/overlays/prod/pdb.yaml:2"
    cron = by[("CronJob", "smoke-tests", "")]
    assert cron["after"] is None and cron["before"]["spec"]["schedule"] == "*/30 * * * *"
    # no noise: namespaces and content hashes are what makes them two envs
    assert not any(p.startswith("metadata.namespace") or p == "metadata.name"
                   for _, _, p in by)
    assert not any("configMapRef" in p for _, _, p in by)


def test_aether_diff_is_symmetric(shared):
    tree = shared / "fixtures/aether-clean"
    _, ab, _ = _json(tree, "staging", "prod", "infra")
    _, ba, _ = _json(tree, "prod", "staging", "infra")
    flip = {(json.dumps(c["resource"]), c["path"], json.dumps(c["after"]),
             json.dumps(c["before"]), c["after_origin"], c["before_origin"])
            for c in ab["changes"]}
    back = {(json.dumps(c["resource"]), c["path"], json.dumps(c["before"]),
             json.dumps(c["after"]), c["before_origin"], c["after_origin"])
            for c in ba["changes"]}
    assert flip == back


def test_aether_renames_flag_lists_namespaces_and_hashes(shared):
    tree = shared / "fixtures/aether-clean"
    _, plain, _ = _json(tree, "staging", "prod", "infra")
    _, full, _ = _json(tree, "staging", "prod", "infra", "--renames")
    extra = [c for c in full["changes"] if c not in plain["changes"]]
    ns = [c for c in extra if c["path"] == "metadata.namespace"]
    assert ns and all((c["before"], c["after"]) == ("aether-staging", "aether-prod")
                      for c in ns)
    assert all(c["before_origin"] == "infra/overlays/staging/kustomization.yaml:5" for c in ns)
    app_env = [c for c in extra if c["resource"]["name"] == "app-env"
               and c["path"] == "metadata.name"]
    assert len(app_env) == 1 and app_env[0]["before"].startswith("app-env-")
    assert any(c["path"].endswith("configMapRef.name") for c in extra)  # references follow


def test_aether_text_and_markdown(shared):
    tree = shared / "fixtures/aether-clean"
    rc, out, err = run(["diff", "staging", "prod", "infra"], tree)
    assert rc == 0, err
    assert "\x1b[" not in out   # not a terminal: no colour
    lines = out.splitlines()
    i = lines.index("Deployment gateway")
    assert lines[i + 1:i + 4] == [
        "  spec.replicas",
        "    - staging  2  infra/k3s/gateway/deployment.yaml:12",
        "    + prod     3  infra/overlays/prod/kustomization.yaml:60"]
    assert "Changes shared by several resources" in out
    assert 'metadata.labels["aether.io/environment"]  in 39 resources' in out
    assert lines[-1].startswith("Not listed: 47 values that differ only by namespace "
                                "(aether-staging -> aether-prod)")
    rc, md, _ = run(["diff", "staging", "prod", "infra", "--format", "markdown"], tree)
    assert md.startswith("## overlay-lint diff: staging → prod\n")
    assert ("| `spec.replicas` | `2`<br><sub>`infra/k3s/gateway/deployment.yaml:12`</sub> | "
            "`3`<br><sub>`infra/overlays/prod/kustomization.yaml:60`</sub> |") in md
    rc, colored, _ = run(["diff", "staging", "prod", "infra", "--color", "always"], tree)
    assert "\x1b[31m- staging\x1b[0m" in colored


def test_unknown_env_and_usage_errors(shared):
    tree = shared / "fixtures/aether-clean"
    rc, out, err = run(["diff", "staging", "qa", "infra"], tree)
    assert rc == 2 and out == ""
    assert err.strip() == ("unknown env 'qa' under infra (envs: dev, staging, prod; "
                           "`overlay-lint envs` lists them)")
    with pytest.raises(SystemExit) as exc:
        run(["diff", "staging"], tree)
    assert exc.value.code == 2
    with pytest.raises(SystemExit):      # abbreviations are never guessed
        run(["diff", "staging", "prod", "infra", "--rename"], tree)
    rc, _, _ = run(["diff", "staging", "prod", "infra", "--exit-code"], tree)
    assert rc == 1
    rc, _, _ = run(["diff", "staging", "staging", "infra", "--exit-code"], tree)
    assert rc == 0


def test_broken_env_is_a_located_error(tmp_path):
    write_tree(tmp_path, {
        "overlays/a/kustomization.yaml": "resources:\n  - missing.yaml\n",
        "overlays/b/kustomization.yaml": "resources: []\n"})
    (tmp_path / ".git").mkdir()
    rc, out, err = run(["diff", "a", "b"], tmp_path)
    assert rc == 2 and out == ""
    assert err.startswith("overlays/a/kustomization.yaml:2: resource 'missing.yaml' not found")


# --- the engine on small trees ---------------------------------------------------------------

DEPLOY = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
{containers}
"""


def _containers(*specs: str) -> str:
    return "\n".join(specs)


WEB = """        - name: web
          image: web:1
          args: [--a, --b]
          ports:
            - containerPort: 8080
            - containerPort: 9090
              protocol: UDP
          env:
            - name: A
              value: "1"
            - name: B
              value: "2\""""
SIDE = """        - name: side
          image: side:1"""


def _two(tmp: Path, before: dict[str, str], after: dict[str, str]) -> list:
    files = {f"before/{k}": v for k, v in before.items()}
    files.update({f"after/{k}": v for k, v in after.items()})
    write_tree(tmp, files)
    return _diff(tmp, "before", "after")


def test_lists_with_merge_keys_match_by_key(tmp_path):
    web2 = (WEB.replace("image: web:1", "image: web:2")
            .replace("- name: A\n              value: \"1\"", "- name: A\n              value: 1")
            .replace("protocol: UDP", "protocol: UDP\n              name: metrics"))
    changes = _two(tmp_path,
                   {"kustomization.yaml": "resources: [d.yaml]\n",
                    "d.yaml": DEPLOY.format(containers=_containers(WEB, SIDE))},
                   {"kustomization.yaml": "resources: [d.yaml]\n",
                    # sidecar first: reordering a keyed list is no change
                    "d.yaml": DEPLOY.format(containers=_containers(SIDE, web2))})
    c = "spec.template.spec.containers[name=web]"
    assert _table(changes) == {
        ("Deployment web", f"{c}.image", '"web:1"', '"web:2"'),
        # a string became a number: a real difference (the API server refuses one)
        ("Deployment web", f"{c}.env[name=A].value", '"1"', "1"),
        ("Deployment web", f"{c}.ports[containerPort=9090,protocol=UDP].name", "null",
         '"metrics"'),
    }
    image = next(ch for ch in changes if ch.path_text.endswith("image"))
    assert image.before_origin[1:] == (10, 11) and image.after_origin[1] == 12


def test_lists_without_keys_align_by_position(tmp_path):
    changes = _two(tmp_path,
                   {"kustomization.yaml": "resources: [d.yaml]\n",
                    "d.yaml": DEPLOY.format(containers=WEB)},
                   {"kustomization.yaml": "resources: [d.yaml]\n",
                    "d.yaml": DEPLOY.format(containers=WEB.replace(
                        "args: [--a, --b]", "args: [--a, --x, --b]"))})
    # one inserted argument is one addition, not a shifted tail
    assert _table(changes) == {("Deployment web",
                                "spec.template.spec.containers[name=web].args[1]",
                                "null", '"--x"')}


def test_custom_resources_lists_by_name_and_whole_items(tmp_path):
    cr = """apiVersion: example.com/v1
kind: Pipeline
metadata:
  name: build
spec:
  steps:
    - name: test
      run: make test
    - name: lint
      run: make lint
"""
    changes = _two(tmp_path,
                   {"kustomization.yaml": "resources: [p.yaml]\n", "p.yaml": cr},
                   {"kustomization.yaml": "resources: [p.yaml]\n",
                    "p.yaml": cr.replace("    - name: test\n      run: make test\n", "")
                    .replace("make lint", "make lint-all")})
    assert _table(changes) == {
        ("Pipeline build", "spec.steps[name=lint].run", '"make lint"', '"make lint-all"'),
        ("Pipeline build", "spec.steps[name=test]", json.dumps({"name": "test",
                                                               "run": "make test"}), "null"),
    }


def test_prefix_namespace_and_hash_are_renames(tmp_path):
    pod = DEPLOY.format(containers=SIDE).replace(
        "    spec:\n      containers:",
        "    spec:\n      serviceAccountName: runner\n      volumes:\n"
        "        - name: c\n          configMap:\n            name: cfg\n      containers:")
    write_tree(tmp_path, {
        "base/kustomization.yaml": "resources: [d.yaml, sa.yaml]\nconfigMapGenerator:\n"
                                   "  - name: cfg\n    literals: [A=1]\n",
        "base/d.yaml": pod,
        "base/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: runner\n",
        "dev/kustomization.yaml": "namespace: x-dev\nnamePrefix: dev-\nresources: [../base]\n"
                                  "configMapGenerator:\n  - name: cfg\n    behavior: merge\n"
                                  "    literals: ['URL=http://dev-web.x-dev.svc:80', B=2]\n",
        "prod/kustomization.yaml": "namespace: x-prod\nresources: [../base]\n"
                                   "configMapGenerator:\n  - name: cfg\n    behavior: merge\n"
                                   "    literals: ['URL=http://web.x-prod.svc:80']\n",
        "prod2/kustomization.yaml": "namespace: x-prod\nresources: [../base]\n"
                                    "configMapGenerator:\n  - name: cfg\n    behavior: merge\n"
                                    "    literals: ['URL=http://web.x-prod.svc:80', C=3]\n",
    })
    changes = _diff(tmp_path, "dev", "prod")
    by = {(c.resource.label(), c.path_text): c for c in changes}
    # matched by source identity: nothing added or removed
    assert not any(not c.path for c in changes)
    assert {c.resource.label() for c in changes} == {
        "Deployment web", "ServiceAccount runner", "ConfigMap cfg"}
    assert {k: c.rename for k, c in by.items()} == {
        ("Deployment web", "metadata.name"): IDENTITY,          # dev-web / web
        ("Deployment web", "metadata.namespace"): IDENTITY,
        ("ServiceAccount runner", "metadata.name"): IDENTITY,
        ("ServiceAccount runner", "metadata.namespace"): IDENTITY,
        ("ConfigMap cfg", "metadata.name"): IDENTITY,           # prefix and hash
        ("ConfigMap cfg", "metadata.namespace"): IDENTITY,
        ("Deployment web", "spec.template.spec.serviceAccountName"): REFERENCE,
        ("Deployment web", "spec.template.spec.volumes[name=c].configMap.name"): REFERENCE,
        ("ConfigMap cfg", "data.URL"): REFERENCE,                # the namespace in a URL
        ("ConfigMap cfg", "data.B"): None,                       # a real difference
    }
    # the same env with one more literal: only the content hash of the name moves
    changes = _diff(tmp_path, "prod", "prod2")
    assert {(c.resource.label(), c.path_text, c.rename) for c in changes} == {
        ("ConfigMap cfg", "metadata.name", HASH), ("ConfigMap cfg", "data.C", None),
        ("Deployment web", "spec.template.spec.volumes[name=c].configMap.name", REFERENCE)}


def test_paths_format_and_patterns():
    p = ("spec", "template", "metadata", "labels", "app.kubernetes.io/name")
    assert format_path(p) == 'spec.template.metadata.labels["app.kubernetes.io/name"]'
    c = ("spec", "containers", Item((("name", "web"),)), "ports",
         Item((("containerPort", 8080), ("protocol", "UDP"))), "name")
    assert format_path(c) == "spec.containers[name=web].ports[containerPort=8080,protocol=UDP].name"
    assert format_path(("a", 0, "b")) == "a[0].b"
    assert format_path(("x", Item((("name", "a]b"),)))) == 'x[name="a]b"]'
    assert matches("spec.replicas", ("spec", "replicas"))
    assert not matches("spec.replicas", ("spec",))
    assert matches("**.resources", c[:3] + ("resources", "limits", "memory"))
    assert matches("spec.containers[*].image", ("spec", "containers", Item((("name", "x"),)),
                                                "image"))
    assert matches("spec.containers[name=w*]", c)
    assert not matches("spec.containers[name=x*]", c)
    assert matches('**.labels["app.kubernetes.io/*"]', p)
    assert matches("spec.rules[*].host", ("spec", "rules", 0, "host"))
    assert not matches("*.host", ("spec", "rules", 0, "host"))
    assert matches("**", ("anything",))


def test_hostile_values_are_escaped(tmp_path):
    evil = "<img src=x onerror=alert(1)>|`x` \x1b[31mred\u202e ##[group]"
    cm = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
          "'::error::forged': x\ndata:\n"
          f"  other: {json.dumps(evil)}\n  plain: a\n")
    write_tree(tmp_path, {"overlays/a/kustomization.yaml": "resources: [c.yaml]\n",
                          "overlays/a/c.yaml": cm,
                          "overlays/b/kustomization.yaml": "resources: [c.yaml]\n",
                          "overlays/b/c.yaml": cm.replace("plain: a", "plain: b")
                          .replace("'::error::forged': x\n", "").replace("other:", "o:")})
    (tmp_path / ".git").mkdir()
    rc, out, err = run(["diff", "a", "b", "--color", "always"], tmp_path)
    assert rc == 0, err
    for line in out.splitlines():
        plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
        assert not plain.lstrip().startswith("::"), line      # no workflow command
        assert "##[" not in plain and "\u202e" not in plain
    assert "\x1b[31mred" not in out and "[31mred" in out    # shown, escaped, not obeyed
    assert '\\::error::forged' in out
    rc, md, _ = run(["diff", "a", "b", "--format", "markdown"], tmp_path)
    outside_code = re.sub(r"(`+)(?:(?!\1).)*?\1", "", md)
    assert "<img" in md and "<img" not in outside_code and "\x1b" not in md
    rows = [ln for ln in md.splitlines() if ln.startswith("| `")]
    assert rows and all(ln.count(" | ") == 2 for ln in rows)   # no cell broken by a '|'
    rc, js, _ = run(["diff", "a", "b", "--format", "json"], tmp_path)
    assert evil in [c["before"] for c in json.loads(js)["changes"]]   # JSON keeps the data


def test_markdown_fits_a_pull_request_comment(tmp_path):
    lits = "".join(f"      - K{i:04d}=v\n" for i in range(600))
    write_tree(tmp_path, {
        "base/kustomization.yaml": f"configMapGenerator:\n  - name: big\n    literals:\n{lits}",
        "overlays/a/kustomization.yaml": "resources: [../../base]\n",
        "overlays/b/kustomization.yaml": "resources: [../../base]\nconfigMapGenerator:\n"
                                         "  - name: big\n    behavior: merge\n    literals:\n"
                                         + lits.replace("=v", "=w")})
    (tmp_path / ".git").mkdir()
    rc, md, err = run(["diff", "a", "b", "--format", "markdown"], tmp_path)
    assert rc == 0, err
    assert len(md) < 45_000        # well inside a comment, with the findings beside it
    shown = md.count("| `data.K")
    assert 0 < shown < 600
    assert md.rstrip().endswith(f"… and {600 - shown} more changes (run `overlay-lint diff` "
                                "locally for all of them).")
    rc, js, _ = run(["diff", "a", "b", "--format", "json"], tmp_path)
    assert len(json.loads(js)["changes"]) == 600      # JSON is never cut


def test_long_lists_without_keys_compare_by_position(tmp_path):
    args = [f"--flag-{i}" for i in range(600)]
    changes = _two(tmp_path,
                   {"kustomization.yaml": "resources: [d.yaml]\n",
                    "d.yaml": DEPLOY.format(containers=WEB.replace(
                        "args: [--a, --b]", f"args: [{', '.join(args)}]"))},
                   {"kustomization.yaml": "resources: [d.yaml]\n",
                    "d.yaml": DEPLOY.format(containers=WEB.replace(
                        "args: [--a, --b]", f"args: [--new, {', '.join(args)}]"))})
    # 600 x 601 items is past the alignment bound: every position differs, one more at the end
    assert len(changes) == 601
    assert changes[0].path_text.endswith("args[0]") and changes[0].after == "--new"
