"""Property: every generated input finishes within seconds, in bounded memory (issue 8).

Inputs are trees built to multiply work: an alias-bomb patch listed many times, a diamond
of components, a base reached through many paths, a large flow list read by many envs,
JSON6902 patches copying a subtree into itself, replacements creating deep paths, vars
expanding a long value into many fields, and several envs sharing all of that. Each
example mixes some of them at random sizes and runs the real CLI (a full lint) in a
subprocess with a 2 GiB address-space cap; it must end within a CPU-time bound with exit
0, 1 or 2, never an internal error (a MemoryError under the cap would be one).

Profiles: ``quick`` (CI, deterministic: a few examples under a budget ten times smaller
than the default, which must stop each of them within 10 s of CPU) and ``long``
(``OVERLAY_LINT_FUZZ_PROFILE=long`` or ``scripts/fuzz_security_long.py``: 200 examples
under the default budget, within 30 s of CPU each).
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_files

_PROFILE = os.environ.get("OVERLAY_LINT_FUZZ_PROFILE", "quick")
_LONG = _PROFILE == "long"
_LONG_TREES = max(1, int(200 * float(os.environ.get("OVERLAY_LINT_FUZZ_SCALE", "1"))))
_SETTINGS = dict(max_examples=_LONG_TREES if _LONG else 6, deadline=None,
                 database=None, derandomize=not _LONG,
                 suppress_health_check=list(HealthCheck))
CPU_SECONDS = 30 if _LONG else 10
MEMORY = 2 * 1024 ** 3
# the quick profile's budget (a tenth of the defaults, see overlay_lint/kustomize/budget.py)
SMALL_BUDGET = {"OVERLAY_LINT_MAX_RUN_NODES": "500000",
                "OVERLAY_LINT_MAX_RUN_BYTES": str(64 * 1024 * 1024),
                "OVERLAY_LINT_MAX_RUN_BUILDS": "10000"}

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n  k: v\n"
DEPLOY = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
          "  template:\n    spec:\n      containers:\n      - name: c\n        image: x:1\n")


def _alias_patch(levels: int) -> str:
    """A strategic-merge patch whose data expands to about 10**levels nodes."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata:", "  name: cm", "data:",
             "  a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def build_tree(root: Path, p: dict) -> None:
    files: dict[str, str] = {"base/cm.yaml": CM, "base/deploy.yaml": DEPLOY}
    res = ["cm.yaml", "deploy.yaml"]
    kust = []
    if p["flow"]:
        files["base/flow.yaml"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: flow\n"
                                   "data:\n  list: '" + ",".join(["x"] * p["flow"]) + "'\n"
                                   "spec: [" + ", ".join(str(i) for i in range(p["flow"]))
                                   + "]\n")
        res.append("flow.yaml")
    if p["alias"]:
        files["base/bomb.yaml"] = _alias_patch(p["alias"][0])
        kust.append("patches:\n" + "- path: bomb.yaml\n" * p["alias"][1])
    if p["json6902"]:
        ops = "".join("- op: copy\n  from: /spec/template\n  path: /spec/template/spec/t"
                      f"{i}\n" for i in range(p["json6902"]))
        files["base/copy.yaml"] = ops
        kust.append("patchesJson6902:\n- target: {group: apps, version: v1, kind: Deployment,"
                    " name: web}\n  path: copy.yaml\n")
    if p["replacement"]:
        path = ".".join(f"p{i}" for i in range(p["replacement"]))
        kust.append("replacements:\n- source: {kind: ConfigMap, name: cm, fieldPath: data.k}\n"
                    "  targets:\n  - select: {kind: Deployment}\n    fieldPaths:\n"
                    f"    - spec.{path}\n    options: {{create: true}}\n")
    if p["vars"]:
        files["base/cm.yaml"] = CM.replace("k: v", "k: " + "v" * p["vars"][0])
        files["base/deploy.yaml"] = DEPLOY + "        args:\n" + \
            "        - $(BIG)\n" * p["vars"][1]
        kust.append("vars:\n- name: BIG\n  objref: {kind: ConfigMap, name: cm, apiVersion: v1}\n"
                    "  fieldref: {fieldpath: data.k}\n")
    files["base/kustomization.yaml"] = "resources:\n" + "".join(f"- {r}\n" for r in res) + \
        "".join(kust)
    top = "../../base"
    if p["fanin"]:                 # the base through many paths: mid{i} all include it
        for i in range(p["fanin"]):
            files[f"mid{i}/kustomization.yaml"] = "resources:\n- ../base\nnamePrefix: m%d-\n" % i
        files["fan/kustomization.yaml"] = "resources:\n" + "".join(
            f"- ../mid{i}\n" for i in range(p["fanin"]))
        top = "../../fan"
    comps = ""
    if p["diamond"]:               # components two per level, each level listing the next
        d = p["diamond"]
        for lvl in range(d):
            nxt = "" if lvl == d - 1 else \
                f"components:\n- ../c{lvl + 1}a\n- ../c{lvl + 1}b\n"
            for side in "ab":
                files[f"comps/c{lvl}{side}/kustomization.yaml"] = (
                    "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                    "commonLabels:\n  l: v\n" + nxt)
        comps = "components:\n- ../../comps/c0a\n- ../../comps/c0b\n"
    for e in range(p["envs"]):
        files[f"overlays/e{e}/kustomization.yaml"] = f"resources:\n- {top}\n{comps}"
    write_files(root, files)
    (root / ".git").mkdir()


_PARAMS = st.fixed_dictionaries({
    "flow": st.sampled_from([0, 0, 50_000, 400_000]),
    "alias": st.one_of(st.none(), st.tuples(st.integers(2, 5), st.integers(1, 400))),
    "json6902": st.sampled_from([0, 0, 10, 40]),
    "replacement": st.sampled_from([0, 0, 50, 250]),
    "vars": st.one_of(st.none(), st.tuples(st.sampled_from([1_000, 100_000, 1_000_000]),
                                           st.sampled_from([10, 1_000, 5_000]))),
    "fanin": st.sampled_from([0, 0, 50, 300]),
    "diamond": st.sampled_from([0, 0, 8, 25]),
    "envs": st.integers(1, 6),
})


def _cap() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def lint_measured(root: Path, budget: dict[str, str]) -> tuple[subprocess.CompletedProcess,
                                                                float]:
    """A full lint of ``root`` in a capped subprocess; (process, CPU seconds it used)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OVERLAY_LINT_MAX", "GITHUB_", "OVERLAY_LINT_DEBUG"))}
    env.update(budget)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run([sys.executable, "-m", "overlay_lint", ".", "--format", "json"],
                       cwd=root, capture_output=True, text=True, timeout=CPU_SECONDS * 8,
                       env=env, preexec_fn=_cap)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


@settings(**_SETTINGS)
@given(params=_PARAMS)
def test_every_generated_input_finishes_within_seconds(tmp_path_factory, params):
    root = tmp_path_factory.mktemp("budget")
    build_tree(root, params)
    p, cpu = lint_measured(root, {} if _LONG else SMALL_BUDGET)
    assert cpu < CPU_SECONDS, (params, cpu)
    assert p.returncode in (0, 1, 2), (params, p.returncode, p.stderr[-2000:])
    assert "Traceback" not in p.stderr and "internal error" not in p.stdout + p.stderr, \
        (params, p.stderr[-2000:], p.stdout[-2000:])


def test_budget_examples_are_hostile_enough(tmp_path):
    """The generator reaches the budget: an alias patch listed 400 times in three envs is
    refused by it (a located error naming the budget), quickly."""
    root = tmp_path / "t"
    build_tree(root, {"flow": 0, "alias": (4, 400), "json6902": 0, "replacement": 0,
                      "vars": None, "fanin": 0, "diamond": 0, "envs": 3})
    p, cpu = lint_measured(root, SMALL_BUDGET)
    assert cpu < CPU_SECONDS
    assert p.returncode == 2 and "over its budget of 500,000 value nodes" in p.stdout, \
        p.stdout[-2000:]
