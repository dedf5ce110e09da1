"""``overlay-lint diff``: what differs between two envs, or what a change does to each env.

    overlay-lint diff ENV_A ENV_B [PATH]     every difference between two envs
    overlay-lint diff --base REF [PATH]      what the work tree changes since REF, per env

Exit codes: 0 (differences or not; ``--exit-code``: 1 when there are differences, as
``git diff --exit-code``), 2 for input errors (an env that does not render is reported and
the other envs are still compared).
"""
from __future__ import annotations

import argparse
import os
import sys

from .parser import new_parser

USAGE = ("overlay-lint diff ENV_A ENV_B [PATH]\n"
         "       overlay-lint diff --base REF [PATH]")


def diff_parser() -> argparse.ArgumentParser:
    p = new_parser(
        prog="overlay-lint diff", usage=USAGE, allow_abbrev=False,
        description="Compare rendered envs value by value, each side with the source line "
                    "that produced it: two envs (names as `overlay-lint envs` prints them), "
                    "or every env a change affects before and after it (--base).")
    p.add_argument("args", nargs="*", metavar="ENV_A ENV_B [PATH] | [PATH]",
                   help=argparse.SUPPRESS)
    p.add_argument("--base", metavar="REF",
                   help="compare the work tree with the merge base of git REF and HEAD, in "
                        "every env the changed files affect")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                   help="output format (default: text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the diff to FILE")
    p.add_argument("--renames", action="store_true",
                   help="also list values that differ only by the env's namespace, name "
                        "prefix/suffix or a content hash, and references that follow them")
    p.add_argument("--exit-code", action="store_true",
                   help="exit with 1 when there are differences")
    p.add_argument("--config", metavar="FILE",
                   help=".overlay-lint.yaml or pyproject.toml to use (default: looked up "
                        "from PATH up to the repository root)")
    p.add_argument("--root", metavar="DIR", help="read nothing outside DIR (as for lint)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour text output (default: on a terminal, unless NO_COLOR is set)")
    return p


def run_diff(argv: list[str]) -> int:
    parser = diff_parser()
    args = parser.parse_args(argv)
    n = len(args.args)
    if args.base is not None and n > 1:
        parser.error("with --base, give at most one PATH (envs are chosen by the change)")
    if args.base is None and n not in (2, 3):
        parser.error("give two env names (and optionally a PATH), or --base REF")
    from ..core.errors import OverlayLintError
    try:
        if args.base is not None:
            report, where, errors = _diff_base(args)
        else:
            report, where, errors = _diff_envs(args)
    except OverlayLintError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for e in errors:
        print(e, file=sys.stderr)
    _emit(args, report, where)
    if errors:
        return 2
    return 1 if args.exit_code and report.changes else 0


# --- env vs env ------------------------------------------------------------------------------

def _diff_envs(args: argparse.Namespace):
    from ..core.errors import OverlayLintError
    from ..diff.compare import diff_resources
    from ..report.diff import DiffReport
    from ..lint.config import load_config
    from ..lint.engine import lint_root

    a, b = args.args[0], args.args[1]
    path = args.args[2] if len(args.args) == 3 else "."
    if not os.path.isdir(path):
        raise OverlayLintError("not a directory", path)
    cfg = load_config(path, args.config, args.root)
    root = lint_root([path], args.root)
    envs = {t.name: t for t in _envs(path, cfg, root)}
    for name in (a, b):
        if name not in envs:
            known = ", ".join(envs) or "none"
            raise OverlayLintError(f"unknown env '{name}' under {path} (envs: {known}; "
                                   "`overlay-lint envs` lists them)")
    from ..kustomize.budget import Budget
    from ..kustomize.loader import Loader
    budget = Budget()   # one per run, shared by both builds
    before = _render(envs[a].dir, Loader(root, budget, envs[a].restrict))
    after = _render(envs[b].dir, Loader(root, budget, envs[b].restrict))
    changes = diff_resources(before, after)
    for c in changes:
        c.envs = [a, b]
    shown, hidden = _split(changes, args.renames, base=False)
    report = DiffReport(shown, a, b, [a, b], hidden=hidden,
                        title=f"overlay-lint diff: {a} → {b}", renames=args.renames)
    return report, _where(None), []


def _envs(path: str, cfg, root: str) -> list:
    """The envs under ``path`` as ``overlay-lint envs`` finds and names them."""
    from ..core.errors import OverlayLintError
    from ..core.paths import is_inside
    from ..lint.discovery import discover
    from ..lint.reach import KustIndex
    if not is_inside(root, path):
        raise OverlayLintError(f"resolves outside the lint root {root}; not read (set --root "
                               "to widen it)", path)
    return [t for t in discover([path], cfg, KustIndex(root), root) if t.kind == "env"]


def _render(directory: str, loader) -> list:
    from ..kustomize.build import build
    return build(directory, loader).resources


def _split(changes: list, renames: bool, base: bool) -> tuple[list, list]:
    """Changes to list and changes to leave out (see the README's diff section).

    Values that differ only by names the build gave are left out, unless ``--renames``:
    between two envs, every such value (the namespaces, prefixes and hashes are what tells
    envs apart); against a base commit, only the references that follow a rename (the
    renamed resource's own new name or namespace is listed, it is a change of that env).
    """
    from ..diff.model import HASH, IDENTITY
    shown, hidden = [], []
    for c in changes:
        keep = c.rename is None or renames or (base and c.rename in (HASH, IDENTITY))
        (shown if keep else hidden).append(c)
    return shown, hidden


def _where(base):
    """``origin -> "file:line"`` relative to the current directory (snapshot paths shown as
    the same file in the work tree)."""
    from ..core.errors import display_path

    def where(o) -> str | None:
        if not o or not o[0]:
            return None
        path = base.to_work_tree(o[0]) if base is not None else o[0]
        shown = display_path(path).replace(os.sep, "/")
        return f"{shown}:{o[1]}" if o[1] else shown
    return where


# --- against a base commit ------------------------------------------------------------------

def _diff_base(args: argparse.Namespace):
    from ..core.errors import OverlayLintError
    from ..diff.compare import diff_resources
    from ..report.diff import DiffReport
    from ..diff.model import group_changes
    from ..diff.snapshot import SnapshotLoader
    from ..kustomize.budget import Budget
    from ..kustomize.loader import Loader
    from ..lint.at_ref import open_base
    from ..lint.config import load_config
    from ..lint.engine import lint_root
    from ..lint.selection import changed_since, select_targets

    path = args.args[0] if args.args else "."
    if not os.path.isdir(path):
        raise OverlayLintError("not a directory", path)
    cfg = load_config(path, args.config, args.root)
    root = lint_root([path], args.root)
    base = open_base(args.base, [path], args.config, "--base")
    try:
        snap = base.snapshot
        changed = [os.path.realpath(p) for p in changed_since(args.base, snap.top)]
        now = _envs(path, cfg, root)
        old = [t for t in base.targets if t.kind == "env"]
        globs_now = ([cfg.path] if cfg.path else []) + list(cfg.rule_dirs)
        globs_old = ([base.config.path] if base.config.path else []) + \
            list(base.config.rule_dirs)
        picked_now = select_targets(now, changed, global_paths=globs_now).targets
        picked_old = select_targets(old, [snap.to_snapshot(p) for p in changed],
                                    global_paths=globs_old).targets
        pairs: dict[str, list] = {}
        for t in picked_now:
            pairs.setdefault(snap.rel(os.path.realpath(t.dir)) or t.dir, [None, None])[1] = t
        for t in picked_old:
            key = snap.rel(os.path.realpath(t.dir)) or t.dir
            pairs.setdefault(key, [None, None])[0] = t
        for key, pair in pairs.items():   # an env picked on one side is compared whole
            if pair[1] is None:
                pair[1] = next((t for t in now if snap.rel(os.path.realpath(t.dir)) == key),
                               None)
            if pair[0] is None:
                pair[0] = next((t for t in old if snap.rel(os.path.realpath(t.dir)) == key),
                               None)
        where = _where(base)
        errors: list[str] = []
        per_env = []
        touched = set(changed)
        budget = Budget()   # one per run: every build of both commits draws on it
        for old_t, now_t in pairs.values():
            name = now_t.name if now_t is not None else old_t.name
            # now first: the base render reuses what it parsed of the files left alone
            after = _render_or_error(now_t, Loader(root, budget, now_t.restrict if now_t
                                                   is not None else True),
                                     name, "", None, errors)
            old_loader = SnapshotLoader(snap, lambda p: p not in touched, budget)
            old_loader.restrict = old_t.restrict if old_t is not None else True
            before = _render_or_error(old_t, old_loader, name, f"at {args.base}", base,
                                      errors)
            if before is None or after is None:
                continue
            per_env.append((name, diff_resources(before, after)))
        changes = group_changes(per_env, where)
        shown, hidden = _split(changes, args.renames, base=True)
        names = [n for n, _ in per_env]
        title = f"overlay-lint diff: changes since {args.base} (merge base " \
                f"{snap.commit[:12]})"
        report = DiffReport(shown, args.base, "now", names, by_env=True, hidden=hidden,
                            title=title, renames=args.renames)
        # ``where`` maps paths as text only: it still works once the snapshot is removed
        return report, where, errors
    finally:
        base.close()


def _render_or_error(t, loader, name: str, when: str, base, errors: list[str]):
    """A target's resources ([] when it does not exist on that side), or None on error."""
    from ..core.errors import OverlayLintError, display_path
    if t is None:
        return []
    try:
        return _render(t.dir, loader)
    except OverlayLintError as exc:
        where = ""
        if exc.file:
            f = base.to_work_tree(exc.file) if base is not None else exc.file
            where = f"{display_path(f)}:{exc.line}: " if exc.line else f"{display_path(f)}: "
        message = exc.message
        if base is not None:   # the snapshot folder is an implementation detail
            message = message.replace(base.snapshot.root, base.snapshot.top)
        errors.append(f"{where}{message} (env {name}{' ' + when if when else ''})")
        return None


def _emit(args: argparse.Namespace, report, where) -> None:
    from ..report import diff as fmt
    if args.format == "json":
        text = fmt.render_json(report, where)
    elif args.format == "markdown":
        text = fmt.render_markdown(report, where)
    else:
        color = False
        if not args.output:
            from ..report.text import use_color
            color = use_color(sys.stdout, args.color)
        elif args.color == "always":
            color = True
        text = fmt.render_text(report, where, color)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
