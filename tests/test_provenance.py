"""Provenance on the aether-clean fixture: every value knows the source line that produced it."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import line_of, need_shared
from overlay_lint.kustomize.build import build
from overlay_lint.kustomize.provenance import find_resource, lookup, origin_of


def _tree() -> Path:
    return need_shared() / "fixtures" / "aether-clean" / "infra"


@pytest.fixture(scope="module")
def renders() -> dict:
    tree = _tree()
    return {env: build(str(tree / "overlays" / env)) for env in ("dev", "staging", "prod")}


def test_prod_image_points_at_newtag_line(renders: dict) -> None:
    kfile = _tree() / "overlays" / "prod" / "kustomization.yaml"
    o = origin_of(renders["prod"], "Deployment", "identity-service",
                  "spec.template.spec.containers[0].image")
    entry = line_of(kfile, "name: ghcr.io/aether/identity-service")
    assert o is not None and Path(o[0]) == kfile
    assert o[1] == line_of(kfile, "newTag:", after=entry)


def test_image_parts_keep_the_base_name_line(renders: dict) -> None:
    res = find_resource(renders["prod"].resources, "Deployment", "identity-service")
    node = lookup(res.node, "spec.template.spec.containers[0].image")
    base = _tree() / "k3s" / "identity-service" / "deployment.yaml"
    assert node.v.endswith(":2.1.0")
    name_origin = node.parts["name"]
    assert Path(name_origin[0]) == base
    assert name_origin[1] == line_of(base, "image: ghcr.io/aether/identity-service")


def test_staging_ingress_host_points_inside_inline_json6902_patch(renders: dict) -> None:
    kfile = _tree() / "overlays" / "staging" / "kustomization.yaml"
    o = origin_of(renders["staging"], "Ingress", "gateway", "spec.rules[0].host")
    assert o is not None and Path(o[0]) == kfile
    patch_line = line_of(kfile, "path: /spec/rules/0/host")
    assert o[1] == patch_line + 1  # the op's `value:` line, inside the `patch: |-` block
    assert kfile.read_text().splitlines()[o[1] - 1].strip() == "value: staging.aether.example.com"


def test_revision_history_limit_points_at_base_line(renders: dict) -> None:
    base = _tree() / "k3s" / "identity-service" / "deployment.yaml"
    for env in ("dev", "staging", "prod"):
        o = origin_of(renders[env], "Deployment", "identity-service", "spec.revisionHistoryLimit")
        assert o is not None and Path(o[0]) == base
        assert o[1] == line_of(base, "revisionHistoryLimit:")


def test_dev_replicas_point_at_count_line(renders: dict) -> None:
    kfile = _tree() / "overlays" / "dev" / "kustomization.yaml"
    o = origin_of(renders["dev"], "Deployment", "gateway", "spec.replicas")
    entry = line_of(kfile, "- name: gateway", after=line_of(kfile, "replicas:"))
    assert o is not None and Path(o[0]) == kfile
    assert o[1] == line_of(kfile, "count:", after=entry)


def test_hashed_configmap_reference_points_at_generator_entry(renders: dict) -> None:
    # The hashed name is made by the generator entry; the reference's own line is kept too.
    base_k = _tree() / "k3s" / "kustomization.yaml"
    deploy = _tree() / "k3s" / "identity-service" / "deployment.yaml"
    res = find_resource(renders["dev"].resources, "Deployment", "identity-service")
    ref = lookup(res.node, "spec.template.spec.containers[0].envFrom[0].configMapRef.name")
    assert ref is not None and ref.v.startswith("app-env-") and len(ref.v) == len("app-env-") + 10
    cm = find_resource(renders["dev"].resources, "ConfigMap", ref.v)
    assert cm is not None, "the reference names the generated, hashed ConfigMap"
    assert Path(ref.o[0]) == base_k
    assert ref.o[1] == line_of(base_k, "- name: app-env")
    ref_line = ref.parts["ref"]
    assert Path(ref_line[0]) == deploy
    assert ref_line[1] == line_of(deploy, "name: app-env", after=line_of(deploy, "configMapRef:"))


def test_resource_chain_lists_the_kustomizations_passed(renders: dict) -> None:
    res = find_resource(renders["prod"].resources, "Deployment", "identity-service")
    dirs = [Path(d).resolve() for d in res.chain]
    tree = _tree().resolve()
    # components act on the resources accumulated so far, so they are part of the chain
    assert dirs == [tree / "k3s" / "identity-service", tree / "k3s",
                    tree / "components" / "monitoring", tree / "overlays" / "prod"]
