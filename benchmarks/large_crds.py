"""Large CRDs: a repository whose envs install megabytes of CustomResourceDefinitions.

Operator repositories (argo-workflows, argo-cd, kubeflow/manifests) ship CRDs of 0.5-4 MB
each, generated with every field's description, and install them in every env; some also
vendor CRD bundles that no kustomization lists. This generates such a tree:

    ROOT/platform/crds/               --crds CRDs of about --crd-kb KB each (kinds Thing0..)
    ROOT/platform/install/{env}/      --envs envs: the CRDs, a Deployment, one object of
                                      each kind (namespace, labels)
    ROOT/vendor/operator/             a kustomization listing one ConfigMap, beside the
                                      same CRDs bundled in one file that nothing lists
    ROOT/apps/gadget/                 a Gadget, whose CRD only vendor/gadget/ holds (so
                                      k8s-schema looks through the repository's YAML)

and times, in child processes interleaved run by run, the full lint (``overlay-lint .``,
median CPU and wall of ``--runs``) of this checkout and, with ``--before DIR`` (a source
checkout of another commit), of that one, both from regular installs
(bench_render.installed), and ``kubectl kustomize`` of every env.

    python benchmarks/large_crds.py [--envs 6] [--crds 4] [--crd-kb 1500] [--runs 5]
                                    [--before DIR] [--keep DIR]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_render import ENV, overlay_lint_cmd  # noqa: E402
from targets import timed  # noqa: E402

WORDS = ("the", "controller", "sets", "this", "field", "when", "a", "value", "is", "not",
         "given", "by", "spec", "and", "keeps", "it", "until", "deleted")


def _description(i: int, n: int) -> str:
    return " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(n))


def _props(indent: int, depth: int, width: int, seed: int) -> list[str]:
    """Lines of an openAPIV3Schema ``properties`` mapping, ``depth`` levels deep."""
    pad = " " * indent
    out: list[str] = []
    for i in range(width):
        name = f"field{seed % 97}x{i}"
        out.append(f"{pad}{name}:")
        out.append(f"{pad}  description: {_description(seed + i, 24)}")
        if depth > 0 and i % 3 == 0:
            out.append(f"{pad}  type: object")
            out.append(f"{pad}  properties:")
            out += _props(indent + 4, depth - 1, width, seed * 31 + i)
        elif i % 3 == 1:
            out.append(f"{pad}  type: array")
            out.append(f"{pad}  items: {{type: string, maxLength: 253}}")
        else:
            out.append(f"{pad}  type: integer")
            out.append(f"{pad}  format: int32")
            out.append(f"{pad}  minimum: 0")
    return out


def crd(kind: str, kb: int) -> str:
    """A CRD of ``kind`` (group bench.example.io) whose v1 schema is about ``kb`` KB."""
    plural = kind.lower() + "s"
    head = [
        "apiVersion: apiextensions.k8s.io/v1", "kind: CustomResourceDefinition",
        "metadata:", f"  name: {plural}.bench.example.io", "spec:",
        "  group: bench.example.io", "  scope: Namespaced",
        "  names:", f"    kind: {kind}", f"    plural: {plural}",
        "  versions:", "    - name: v1", "      served: true", "      storage: true",
        "      schema:", "        openAPIV3Schema:", "          type: object",
        "          properties:", "            spec:", "              type: object",
        "              properties:"]
    body: list[str] = []
    seed = 1
    while sum(len(line) + 1 for line in body) < kb * 1024:
        body += _props(16, 3, 6, seed)
        seed += 1
    return "\n".join(head + body) + "\n"


def generate(root: Path, envs: int, crds: int, kb: int) -> list[str]:
    """Write the tree; the env folders, relative to ``root``."""
    kinds = [f"Thing{i}" for i in range(crds)]
    texts = {k: crd(k, kb) for k in kinds}
    files: dict[str, str] = {}
    for k in kinds:
        files[f"platform/crds/{k.lower()}.yaml"] = texts[k]
    files["platform/crds/kustomization.yaml"] = "resources:\n" + "".join(
        f"  - {k.lower()}.yaml\n" for k in kinds)
    objects = "".join(
        f"---\napiVersion: bench.example.io/v1\nkind: {k}\nmetadata:\n  name: one\n"
        f"spec:\n  field1x1: [a, b]\n  field1x2: 3\n" for k in kinds)
    deploy = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: operator\nspec:\n"
              "  revisionHistoryLimit: 3\n  selector:\n    matchLabels: {app: operator}\n"
              "  template:\n    metadata:\n      labels: {app: operator}\n    spec:\n"
              "      containers:\n        - name: operator\n"
              "          image: registry.example.com/operator:1.0.0\n")
    env_dirs = []
    for e in range(envs):
        d = f"platform/install/env{e}"
        env_dirs.append(d)
        files[f"{d}/kustomization.yaml"] = (
            f"namespace: env{e}\nlabels:\n  - pairs: {{tier: env{e}}}\n"
            "resources:\n  - ../../crds\n  - deployment.yaml\n  - objects.yaml\n")
        files[f"{d}/deployment.yaml"] = deploy
        files[f"{d}/objects.yaml"] = objects.lstrip("-\n")
    files["vendor/operator/kustomization.yaml"] = "resources:\n  - settings.yaml\n"
    files["vendor/operator/settings.yaml"] = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                                              "  name: settings\ndata: {a: b}\n")
    files["vendor/operator/crds-bundle.yaml"] = "---\n".join(texts[k] for k in kinds)
    files["vendor/gadget/kustomization.yaml"] = "resources: []\n"
    files["vendor/gadget/gadget-crd.yaml"] = crd("Gadget", 4)
    files["apps/gadget/kustomization.yaml"] = "resources:\n  - gadget.yaml\n"
    files["apps/gadget/gadget.yaml"] = ("apiVersion: bench.example.io/v1\nkind: Gadget\n"
                                        "metadata:\n  name: g\nspec:\n  field1x2: 4\n")
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (root / ".git").mkdir(exist_ok=True)    # the lint root, as in a checkout
    return env_dirs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--envs", type=int, default=6)
    ap.add_argument("--crds", type=int, default=4)
    ap.add_argument("--crd-kb", type=int, default=1500)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--before", help="a source checkout of another commit, timed alike")
    ap.add_argument("--keep", help="generate the tree here and keep it")
    args = ap.parse_args()
    root = Path(args.keep or tempfile.mkdtemp(prefix="ol-large-crds-"))
    try:
        env_dirs = generate(root, args.envs, args.crds, args.crd_kb)
        size = sum(p.stat().st_size for p in root.rglob("*.yaml")) / 1e6
        cases = {"overlay-lint .": overlay_lint_cmd() + ["."]}
        if args.before:
            cases["overlay-lint . (before)"] = overlay_lint_cmd(args.before) + ["."]
        kubectl = [["kubectl", "kustomize", d] for d in env_dirs]
        times: dict[str, list[tuple[float, float]]] = {k: [] for k in [*cases, "kubectl"]}
        for cmd in cases.values():      # warm-up: bytecode and file caches
            timed(cmd, root, ENV)
        for r in range(args.runs):
            order = list(cases.items()) if r % 2 == 0 else list(reversed(cases.items()))
            for name, cmd in order:
                times[name].append(timed(cmd, root, ENV))
            walls = [timed(c, root, ENV) for c in kubectl]
            times["kubectl"].append((sum(w for w, _ in walls), sum(c for _, c in walls)))
        print(f"{args.envs} envs x {args.crds} CRDs of ~{args.crd_kb} KB "
              f"({size:.1f} MB of YAML), medians of {args.runs} runs\n")
        print("| case | wall s | CPU s |\n|---|---:|---:|")
        for name, got in times.items():
            label = f"kubectl kustomize, {len(env_dirs)} envs" if name == "kubectl" else name
            print(f"| {label} | {statistics.median(w for w, _ in got):.2f} | "
                  f"{statistics.median(c for _, c in got):.2f} |")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
