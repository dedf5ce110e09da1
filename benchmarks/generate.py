"""Generate a Kustomize tree of N services for benchmarks.

Layout (every service is a realistic Deployment + Service pair):

    ROOT/base/kustomization.yaml          lists every service folder
    ROOT/base/svc-0007/kustomization.yaml lists deployment.yaml and service.yaml
    ROOT/overlays/{dev,staging,prod}/kustomization.yaml
        namespace, labels, and one ``images:`` and one ``replicas:`` entry per service

Kustomize's images and replicas transformers scan every resource for every entry, so its
build time grows with services x entries; that is what the benchmark exercises.

Usage: ``python benchmarks/generate.py ROOT N`` or ``generate(root, n)`` from Python.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

ENVS = {
    # env: (tag prefix, replicas)
    "dev": ("dev-", 1),
    "staging": ("rc-", 2),
    "prod": ("", 3),
}


def service_name(i: int) -> str:
    return f"svc-{i:04d}"


def _deployment(name: str) -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app.kubernetes.io/name: {name}
spec:
  replicas: 1
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: {name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {name}
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/{name}:0.1.0
          ports:
            - name: http
              containerPort: 8080
          env:
            - name: SERVICE_NAME
              value: {name}
            - name: LOG_LEVEL
              value: info
          resources:
            requests:
              cpu: 50m
              memory: 64Mi
            limits:
              memory: 128Mi
          readinessProbe:
            httpGet:
              path: /healthz
              port: http
      initContainers:
        - name: migrate
          image: registry.example.com/shop/{name}-migrate:0.1.0
          args: ["--wait"]
"""


def _service(name: str) -> str:
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
  labels:
    app.kubernetes.io/name: {name}
spec:
  selector:
    app.kubernetes.io/name: {name}
  ports:
    - name: http
      port: 80
      targetPort: http
"""


def _overlay(env: str, n: int) -> str:
    prefix, count = ENVS[env]
    lines = [
        "apiVersion: kustomize.config.k8s.io/v1beta1",
        "kind: Kustomization",
        f"namespace: shop-{env}",
        "resources:",
        "  - ../../base",
        "labels:",
        "  - pairs:",
        f"      environment: {env}",
        "    includeTemplates: true",
        "images:",
    ]
    for i in range(n):
        name = service_name(i)
        lines += [f"  - name: registry.example.com/shop/{name}",
                  f"    newTag: {prefix}1.{i}.0"]
    lines.append("replicas:")
    for i in range(n):
        lines += [f"  - name: {service_name(i)}", f"    count: {count}"]
    return "\n".join(lines) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def generate(root: str | os.PathLike, n: int) -> Path:
    """Write a base with ``n`` services and dev/staging/prod overlays under ``root``."""
    if n < 1:
        raise ValueError("n must be at least 1")
    root = Path(root)
    base = root / "base"
    names = [service_name(i) for i in range(n)]
    for name in names:
        d = base / name
        _write(d / "deployment.yaml", _deployment(name))
        _write(d / "service.yaml", _service(name))
        _write(d / "kustomization.yaml",
               "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
               "resources:\n  - deployment.yaml\n  - service.yaml\n")
    _write(base / "kustomization.yaml",
           "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
           "resources:\n" + "".join(f"  - {name}\n" for name in names))
    for env in ENVS:
        _write(root / "overlays" / env / "kustomization.yaml", _overlay(env, n))
    return root


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", help="directory to write (created if missing)")
    ap.add_argument("n", type=int, help="number of services")
    args = ap.parse_args()
    print(generate(args.root, args.n))


if __name__ == "__main__":
    main()
