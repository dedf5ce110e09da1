"""Helpers for the rule-engine tests: small real trees on disk, and running the linter."""
from __future__ import annotations

import io
import json
import os
import textwrap
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from overlay_lint.cli import main


def write_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``{relative path: text}`` under ``root`` (text is dedented)."""
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text).lstrip("\n") if text.startswith("\n") else text,
                     encoding="utf-8")
    return root


def run(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """Run ``overlay-lint ARGS`` in-process from ``cwd``: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            rc = main(list(args))
    finally:
        os.chdir(old)
    return rc, out.getvalue(), err.getvalue()


def lint_json(cwd: Path, *args: str) -> tuple[int, dict]:
    rc, out, err = run([*args, "--format", "json"], cwd)
    assert out, f"no JSON output (exit {rc}): {err}"
    return rc, json.loads(out)


def keys(doc: dict, rule: str | None = None) -> set[tuple]:
    """``(rule, file, line, envs)`` of the findings (optionally of one rule)."""
    return {(f["rule"], f["file"], f["line"], tuple(f["envs"])) for f in doc["findings"]
            if rule is None or f["rule"] == rule}


DEPLOY = """
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  revisionHistoryLimit: 3
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
        - name: {name}
          image: {image}
"""


def deployment(name: str = "api", image: str = "ghcr.io/acme/api:1.0.0", replicas: int = 2) -> str:
    return DEPLOY.format(name=name, image=image, replicas=replicas)


def app_tree(root: Path, base: dict[str, str] | None = None,
             overlays: dict[str, str] | None = None, extra: dict[str, str] | None = None) -> Path:
    """A base (``base/``) plus env overlays (``overlays/<env>``), each overlay given as the
    body of its kustomization.yaml after ``resources: [../../base]`` (a body starting with
    a newline is dedented; one that does not is written as is, so it can extend the list)."""
    files = {
        "base/kustomization.yaml": "resources:\n" + "".join(
            f"  - {n}\n" for n in (base or {"deploy.yaml": deployment()})),
    }
    for n, text in (base or {"deploy.yaml": deployment()}).items():
        files[f"base/{n}"] = text
    for env, body in (overlays or {"dev": "", "prod": ""}).items():
        files[f"overlays/{env}/kustomization.yaml"] = (
            "resources:\n  - ../../base\n" + (textwrap.dedent(body).lstrip("\n")
                                                 if body.startswith("\n") else body))
    files.update(extra or {})
    return write_tree(root, files)
