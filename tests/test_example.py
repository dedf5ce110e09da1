"""The shipped example and the benchmark tree render exactly as `kubectl kustomize` renders them.

Both outputs are read back with PyYAML (an independent reader) and compared as data and in
document order. The lint of the example reports exactly its two seeded violations.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, kubectl_kustomize, need_kubectl

SHOP = REPO / "examples" / "shop"
ENVS = ["dev", "staging", "prod"]


def _render_ours(directory: Path) -> str:
    from overlay_lint.core.yaml_writer import dump_stream
    from overlay_lint.kustomize.build import build
    result = build(str(directory))
    return dump_stream(r.node for r in result.resources)


def _assert_same_as_kubectl(directory: Path) -> None:
    need_kubectl()
    code, expected, err = kubectl_kustomize(directory)
    assert code == 0, f"kubectl kustomize {directory} failed: {err}"
    ours = _render_ours(directory)
    want = [d for d in yaml.safe_load_all(expected) if d is not None]
    got = [d for d in yaml.safe_load_all(ours) if d is not None]
    assert [(d["kind"], d["metadata"]["name"]) for d in got] == \
        [(d["kind"], d["metadata"]["name"]) for d in want]
    assert got == want


def test_example_layout() -> None:
    # what the README promises: a base and three overlays, each a kustomization
    assert (SHOP / "base" / "kustomization.yaml").is_file()
    for env in ENVS:
        assert (SHOP / "overlays" / env / "kustomization.yaml").is_file()


@pytest.mark.parametrize("env", ENVS)
def test_example_overlay_renders_like_kubectl(env: str) -> None:
    _assert_same_as_kubectl(SHOP / "overlays" / env)


def test_example_base_renders_like_kubectl() -> None:
    _assert_same_as_kubectl(SHOP / "base")


def test_example_prod_carries_the_seeded_dev_tag() -> None:
    # The seeded prod-no-dev-images violation must survive rendering, located at the
    # newTag line of the prod kustomization (that is what the lint reports).
    from overlay_lint.kustomize.build import build
    result = build(str(SHOP / "overlays" / "prod"))
    cart = next(r for r in result.resources if r.kind == "Deployment" and r.name == "cart")
    image = cart.node.path("spec", "template", "spec", "containers", 0, "image")
    assert image.v == "ghcr.io/example-shop/cart:dev-a90f5e4"
    kust = SHOP / "overlays" / "prod" / "kustomization.yaml"
    line = next(i for i, text in enumerate(kust.read_text().splitlines(), 1)
                if "newTag: dev-a90f5e4" in text)
    assert (Path(image.o[0]), image.o[1]) == (kust, line)


@pytest.mark.parametrize("env", ENVS)
def test_benchmark_tree_renders_like_kubectl(tmp_path: Path, env: str) -> None:
    # the generated benchmark tree must render identically, or the timings compare nothing
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    generate(tmp_path, 5)
    _assert_same_as_kubectl(tmp_path / "overlays" / env)


def test_example_lint_reports_exactly_the_seeded_violations() -> None:
    # The README promises two findings, each at the source line holding the bad value;
    # nothing else in the example may be reported (a false positive would show here).
    import json
    import subprocess
    p = subprocess.run([sys.executable, "-m", "overlay_lint", "shop", "--format", "json"],
                       cwd=REPO / "examples", capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    found = sorted((f["rule"], f["file"], f["line"], tuple(f["envs"]))
                   for f in json.loads(p.stdout)["findings"])

    def line_of(rel: str, text: str) -> int:
        lines = (SHOP / rel).read_text().splitlines()
        return next(i for i, t in enumerate(lines, 1) if text in t)

    assert found == sorted([
        ("prod-no-dev-images", "shop/overlays/prod/kustomization.yaml",
         line_of("overlays/prod/kustomization.yaml", "newTag: dev-a90f5e4"), ("prod",)),
        ("secret-key-ref", "shop/base/payments/deployment.yaml",
         line_of("base/payments/deployment.yaml", "key: STRIPE_WEBHOOK_SECRET"),
         ("dev", "staging", "prod")),
    ])
