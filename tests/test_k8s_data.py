"""The generated Kubernetes tables (overlay_lint/lint/k8s/data) agree with their sources."""
from __future__ import annotations

import importlib.util
import json

import pytest

from conftest import REPO

DATA = REPO / "overlay_lint" / "lint" / "k8s" / "data"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_k8s_data", REPO / "scripts" / "gen_k8s_data.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def regenerated():
    return _generator().generate()


def _per_version_enums(doc: dict) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, fields in doc["enums"].items():
        for prop, entries in fields.items():
            for lo, hi, values in entries:
                for v in doc["versions"]:
                    if _v(lo) <= _v(v) <= _v(hi):
                        out.setdefault(v, {})[f"{name}.{prop}"] = values
    return out


def _v(s: str) -> tuple:
    return tuple(int(x) for x in s.split("."))


def test_enum_table_is_what_the_schemas_say(regenerated):
    """Regenerate from the installed kubernetes-validate; every version both know agrees."""
    fresh, stored = regenerated[0], json.loads((DATA / "enums.json").read_text())
    if fresh["versions"] == stored["versions"]:
        assert fresh == stored, "run scripts/gen_k8s_data.py"
    a, b = _per_version_enums(fresh), _per_version_enums(stored)
    common = set(a) & set(b)
    assert common
    for v in common:
        assert a[v] == b[v], v


def test_served_table_is_what_the_schemas_say(regenerated):
    fresh, stored = regenerated[1], json.loads((DATA / "served.json").read_text())
    if fresh["versions"] == stored["versions"]:
        assert fresh == stored, "run scripts/gen_k8s_data.py"
    assert fresh["definitions"].items() >= {k: v for k, v in stored["definitions"].items()
                                            if k in fresh["definitions"]}.items()


def test_enum_parsing_reads_the_documented_forms():
    gen = _generator()
    assert gen.values_from("Image pull policy. One of Always, Never, IfNotPresent. Defaults "
                           "to Always.") == ["Always", "IfNotPresent", "Never"]
    assert gen.values_from("Valid options are ExternalName, ClusterIP, NodePort, and "
                           "LoadBalancer. \"ClusterIP\" allocates") == \
        ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]
    assert gen.values_from("Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.") \
        == ["DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"]
    assert gen.values_from("Valid values are:\n\n- \"Allow\" (default): allows; - \"Forbid\": "
                           "forbids; - \"Replace\": cancels") == ["Allow", "Forbid", "Replace"]
    assert gen.values_from("Supports \"ClientIP\" and \"None\". Used to maintain") == \
        ["ClientIP", "None"]
    # prose that is not a closed list stays out
    assert gen.values_from("One of `name` or `selector` must be set") is None
    assert gen.values_from("Acceptable values are: None, NoneOnDryRun (webhooks created via "
                           "v1beta1 may also specify Some or Unknown).") is None
    assert gen.values_from("It can be either a directory or block device (disk, ...).") is None


def test_well_known_enums_are_in_the_table():
    from overlay_lint.lint.k8s.check import enums_for
    from overlay_lint.lint.k8s.openapi import newest
    t = enums_for(newest())
    assert t["io.k8s.api.core.v1.Container"]["imagePullPolicy"] == ["Always", "IfNotPresent",
                                                                    "Never"]
    assert t["io.k8s.api.core.v1.ServiceSpec"]["type"] == ["ClusterIP", "ExternalName",
                                                          "LoadBalancer", "NodePort"]
    assert t["io.k8s.api.networking.v1.HTTPIngressPath"]["pathType"] == [
        "Exact", "ImplementationSpecific", "Prefix"]
    assert "Gt" in t["io.k8s.api.core.v1.NodeSelectorRequirement"]["operator"]


def test_lifecycle_table_agrees_with_the_schemas():
    """For every pre-release (beta) API the lifecycle table knows, the shipped schemas serve it
    exactly from its introduction to its removal; and every built-in kind that disappears
    from the schemas between two shipped versions is in the table with that removal."""
    served = json.loads((DATA / "served.json").read_text())
    life = {(e["apiVersion"], e["kind"]): e
            for e in json.loads((DATA / "lifecycle.json").read_text())["apis"]}
    versions = [_v(v) for v in served["versions"]]

    def serves(key: str, v: tuple) -> bool:
        return any(_v(a) <= v <= _v(b) for a, b in served["served"].get(key, []))

    checked = 0
    for (av, kind), e in life.items():
        if "alpha" in av or "removed" not in e or (av, kind) == ("apidiscovery.k8s.io/v2beta1",
                                                               "APIGroupDiscovery"):
            continue    # alpha APIs come and go with feature gates; discovery is no resource
        key = f"{av} {kind}"
        for v in versions:
            assert serves(key, v) == (_v(e["introduced"]) <= v < _v(e["removed"])), (key, v)
        checked += 1
    assert checked > 40
    for key, ranges in served["served"].items():
        av, kind = key.split(" ", 1)
        last = _v(ranges[-1][1])
        if "alpha" in av or last == versions[-1]:
            continue
        removed = versions[versions.index(last) + 1]
        assert (av, kind) in life, key
        assert _v(life[(av, kind)]["removed"]) == removed, key


def test_pdb_and_cronjob_betas_were_removed_in_1_25():
    life = {(e["apiVersion"], e["kind"]): e
            for e in json.loads((DATA / "lifecycle.json").read_text())["apis"]}
    pdb = life[("policy/v1beta1", "PodDisruptionBudget")]
    assert (pdb["deprecated"], pdb["removed"], pdb["replacement"]["apiVersion"]) == \
        ("1.21", "1.25", "policy/v1")
    assert life[("batch/v1beta1", "CronJob")]["removed"] == "1.25"
    assert life[("extensions/v1beta1", "Ingress")]["replacement"]["apiVersion"] == \
        "networking.k8s.io/v1"


def test_each_definition_decoded_alone_is_the_files() -> None:
    """openapi.Definitions decodes one type's slice of the file at a time: for every
    shipped version, every type equals what a whole-file json.load gives."""
    from overlay_lint.lint.k8s.openapi import definitions, schema_root, shipped_versions
    versions = shipped_versions()
    assert len(versions) >= 10
    for v in (versions[0], versions[len(versions) // 2], versions[-1]):
        path = f"{schema_root()}/v{v[0]}.{v[1]}.0-local/_definitions.json"
        with open(path, encoding="utf-8") as fh:
            whole = json.load(fh)["$defs"]
        defs = definitions(v)
        assert sorted(defs.names()) == sorted(whole)
        assert all(defs.get(name) == whole[name] for name in whole), v
