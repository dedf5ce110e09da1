"""``overlay-lint envs [PATH ...]``: every target discovery finds, and why.

Nothing renders: this reads the kustomization files and the Argo CD / Flux manifests only,
so it answers "what would be checked, with which role, compared with what" in a moment.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from ..core.errors import one_line
from .parser import new_parser


def envs_parser() -> argparse.ArgumentParser:
    p = new_parser(
        prog="overlay-lint envs", allow_abbrev=False,
        description="List the envs, bases, components and loose manifests overlay-lint finds "
                    "under PATH, with their role, group and the signal that found each, and "
                    "what it does not render (Helm charts, jsonnet, templated manifests).")
    p.add_argument("paths", nargs="*", metavar="PATH", help="folders to look in (default: .)")
    p.add_argument("--config", metavar="FILE", help="configuration file (default: looked up)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--root", metavar="DIR",
                   help="repository root the paths of Argo CD/Flux manifests are relative to "
                        "(default: the git top-level)")
    return p


def run_envs(argv: list[str]) -> int:
    args = envs_parser().parse_args(argv)
    from ..core.errors import OverlayLintError
    try:
        rows, notices = entries(args.paths or ["."], args.config, args.root)
    except OverlayLintError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for n in notices:
        print(f"warning: {n}", file=sys.stderr)
    # names and paths come from the repository: no line may begin a workflow command
    from ..core.escape import safe_lines
    if args.format == "json":   # a runner reads ##[ anywhere in a line
        sys.stdout.write(json.dumps(rows, indent=2).replace("##[", "##\\u005b") + "\n")
    else:
        sys.stdout.write(safe_lines(render_text(rows)))
    return 0


def entries(paths: list[str], config: str | None, root: str | None) -> tuple[list[dict], list[str]]:
    """One dict per target (envs, bases, components, loose manifest files), and notices."""
    from ..core.errors import OverlayLintError, display_path
    from ..lint.config import load_config
    from ..lint.discovery import survey
    for p in paths:
        if not os.path.isdir(p):
            raise OverlayLintError("not a directory", p)
    from ..core.paths import common_root
    lint_root = common_root(paths, root)
    cfg = load_config(paths[0], config, root)
    found = survey(paths, cfg, root=lint_root)
    rel = _relto(found.root)
    rows: list[dict] = []
    for t in found.targets:
        if t.kind == "standalone":
            for f in t.files:
                rows.append(_row(rel(f), rel(f), t, _deployed_plain(rel(f), found)))
            continue
        path = rel(t.dir) if t.dir is not None else rel(t.files[0])
        rows.append(_row(t.name if t.kind == "env" else path, path, t))
    from ..lint.discovery import warnings_of
    notices = [one_line(f"{display_path(n.file)}: {n.message}" if n.file else n.message)
               for n in warnings_of(found, cfg)]
    return rows, notices


def _relto(root: str):
    from ..lint.discovery import rel_path
    return lambda path: rel_path(path, root)


def _deployed_plain(path: str, found) -> str | None:
    """Why a loose manifest is checked as it stands although a deployment names its folder
    (an Argo CD directory app): a plain folder is no env, so no role rule runs on it."""
    folder = os.path.dirname(path) or "."
    hit = next((p for p in found.pointers if p.matches(folder)), None)
    if hit is None:
        return None
    from ..lint.discovery import rel_path
    where = f" ({rel_path(hit.origin[0], found.root)}:{hit.origin[1]})" if hit.origin else ""
    return (f"deployed by {hit.via}{where} as a plain folder (no kustomization): checked as "
            "it stands, no env, so the dev and production rules do not run on it")


def _row(name: str, path: str, t, why: str | None = None) -> dict:
    env = t.kind == "env"
    return {"name": name, "path": path, "kind": t.kind,
            "role": (t.role if t.role in ("dev", "protected") else None) if env else None,
            "group": t.group if env else None, "checked": t.checked,
            "signal": t.signal, "why": why or t.why}


def render_text(rows: list[dict]) -> str:
    """An aligned table: name, kind, role, group, path, why; then a count."""
    head = ("NAME", "KIND", "ROLE", "GROUP", "PATH", "WHY")
    cells = [(one_line(r["name"]), r["kind"], r["role"] or "-", one_line(r["group"] or "-"),
              one_line(r["path"]), one_line(r["why"])) for r in rows]
    widths = [max([len(head[i])] + [len(c[i]) for c in cells]) for i in range(5)]
    lines = []
    for c in [head, *cells]:
        lines.append("  ".join(c[i].ljust(widths[i]) for i in range(5)) + "  " + c[5])
    lines.append(summary(rows))
    return "\n".join(line.rstrip() for line in lines) + "\n"


def summary(rows: list[dict]) -> str:
    envs = [r for r in rows if r["kind"] == "env"]
    prot = [r["name"] for r in envs if r["role"] == "protected"]
    dev = [r["name"] for r in envs if r["role"] == "dev"]
    groups = {r["group"] for r in envs}
    bases = sum(r["kind"] == "base" and r["checked"] for r in rows)
    comps = sum(r["kind"] == "component" for r in rows)
    loose = sum(r["kind"] == "standalone" for r in rows)
    from ..lint.envnames import short_list
    parts = [f"{len(envs)} env{'s' if len(envs) != 1 else ''} in {len(groups)} "
             f"group{'s' if len(groups) != 1 else ''}"]
    parts.append(f"protected: {short_list(prot) if prot else 'none'}")
    parts.append(f"dev: {short_list(dev) if dev else 'none'}")
    parts.append(f"{bases} base{'s' if bases != 1 else ''} checked alone")
    parts.append(f"{comps} component{'s' if comps != 1 else ''}")
    parts.append(f"{loose} loose manifest{'s' if loose != 1 else ''}")
    from ..lint.discovery import NOT_RENDERED
    unrendered = [f"{n} {label}{'s' if n != 1 else ''}" for kind, label in NOT_RENDERED.items()
                  if (n := sum(r["kind"] == kind for r in rows))]
    if unrendered:
        parts.append("not checked: " + ", ".join(unrendered))
    return "; ".join(parts)
