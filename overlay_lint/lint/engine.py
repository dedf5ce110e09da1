"""The lint run: discover, render each target once, run the rules, merge, suppress.

One broken env is an error (exit 2) and the others are still checked. Findings are merged
per (rule, file, line), listing every env that shows them, then inline comments, the
resource annotation, config ignores and the baseline drop what users suppressed.
"""
from __future__ import annotations

import os
from collections.abc import Callable

from ..core.errors import OverlayLintError, UnsupportedError, display_path
from ..core.paths import common_root, is_inside, real
from ..core.record import dataclass, field
from .findings import Finding, LintError, LintResult
from .config import Config
from .discovery import Target, survey, warnings_of
from .reach import KustIndex
from .model import Problem, RenderedTarget, Rule, RuleContext
from .suppress import (annotation_disabled, apply_overrides, audit, config_ignored,
                       inline_disabled, reset_usage, resource_label)
from .workloads import field_path, is_patch_fragment


@dataclass
class LintOptions:
    root: str | None = None                 # repository root (load confinement, Argo paths)
    only_rules: set[str] | None = None
    select: Callable[[list[Target]], list[Target]] | None = None   # changed-file runs
    unsupported: str = "error"              # error | skip: what a refused env becomes
    report_unused: bool = False             # suppressions that suppress nothing: findings
    internal_errors: list[str] = field(default_factory=list)       # filled by the run
    refused: list[str] = field(default_factory=list)   # targets refused as unsupported
    # a changed-files run: the changed files (warnings about what is not rendered name
    # only what they touch)
    changed: list[str] | None = None
    # the lowest severity that fails the run: a changed-only run checks whole apps for the
    # rules comparing envs at that severity or above (else a change could slip past them)
    fail_on: str = "error"


def lint_root(paths: list[str], root: str | None) -> str:
    """The folder nothing is read outside of: ``--root``, else the one root of the linted
    paths (:func:`overlay_lint.core.paths.common_root`: their git work tree, found from the
    paths as given; never widened to a folder holding several)."""
    return common_root(paths, root)


def lint(paths: list[str], cfg: Config, rules: list[Rule],
         opts: LintOptions | None = None) -> LintResult:
    """Check everything under ``paths``: findings merged and suppressed, input errors."""
    opts = opts or LintOptions()
    root = lint_root(paths, opts.root)
    index = KustIndex(root)
    result = LintResult()
    reset_usage()
    inside = []
    for p in paths:
        if is_inside(root, p):
            inside.append(p)
        else:   # e.g. a committed symlink `infra -> ../..` given as the linted path
            result.errors.append(LintError(
                f"resolves outside the lint root {root}; not read (set --root to widen it)",
                display_path(p)))
    found = survey(inside, cfg, index) if inside else None
    targets = found.checked if found is not None else []
    if found is not None:
        result.warnings += [LintError(n.message, display_path(n.file) if n.file else None,
                                      n.line) for n in warnings_of(found, cfg, opts.changed)]
    discovered = targets
    partial: dict[str, list[str]] = {}     # app group -> its checked envs, when not all are
    if opts.select is not None:
        targets = opts.select(discovered)
        comparing = [r for r in rules if _active(r, opts) and _compares_envs(r)]
        if any(_fails(r.severity, opts.fail_on) for r in comparing):
            # a rule that compares envs and can fail the run: check every env of each app
            # a change touches, or a change could slip past it
            targets = _with_group_peers(targets, discovered)
        partial = _partial_groups(targets, discovered)
    from ..kustomize.budget import Budget
    budget = Budget()  # one per run: every env's build draws on it
    rendered = [_render(t, root, result, opts, budget) for t in targets]
    result.envs = [r.name for r in rendered if r.is_env and not r.skipped]
    result.protected = [r.name for r in rendered
                        if r.is_env and not r.skipped and r.role == "protected"]
    # envs a changed-only run leaves out are still envs (which folder is whose overlay):
    # rules see them unrendered, and nothing is reported for them
    chosen = {id(t) for t in targets}
    left_out = [RenderedTarget(t, failed=True) for t in discovered
                if t.kind == "env" and id(t) not in chosen]

    problems = _run_rules(rules, rendered + left_out, cfg, index, root, result, opts,
                          discovered, partial)
    if left_out:
        problems = _only_checked(problems, {id(t) for t in left_out}, set(result.envs))
    apply_overrides(problems, cfg)
    result.findings, result.suppressed = _merge(problems, cfg, [t.name for t in targets])
    ran = {r.id for r in rules if r.enabled and (opts.only_rules is None
                                                  or r.id in opts.only_rules)}
    others = {p for t in (found.checked if found is not None else []) if t not in targets
              for p in t.reach}           # files targets outside this run read too
    warnings, unused = audit(rendered, rules, ran, cfg, opts.report_unused, others, root)
    result.warnings += warnings
    result.findings = sorted(result.findings + unused,
                             key=lambda f: (f.file, f.line, f.col, f.rule))
    return result


SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def _fails(severity: str, fail_on: str) -> bool:
    return SEVERITY_RANK.get(severity, 2) >= SEVERITY_RANK.get(fail_on, 2)


def _active(rule: Rule, opts: LintOptions) -> bool:
    return rule.enabled and (opts.only_rules is None or rule.id in opts.only_rules)


def _compares_envs(rule: Rule) -> bool:
    c = rule.compares_envs
    return bool(c(rule.effective_params()) if callable(c) else c)


def _with_group_peers(targets: list[Target], found: list[Target]) -> list[Target]:
    """``targets`` plus every env of the app groups they have envs in (in discovery order):
    a rule comparing envs needs all of them, and a change to one env moves the others'
    findings too (a workload added in dev only is then "only in dev")."""
    groups = {t.group for t in targets if t.kind == "env"}
    chosen = {id(t) for t in targets}
    return [t for t in found if id(t) in chosen or (t.kind == "env" and t.group in groups)]


def _partial_groups(targets: list[Target], found: list[Target]) -> dict[str, list[str]]:
    """App groups of which this run checks some envs but not all."""
    chosen = {id(t) for t in targets}
    out: dict[str, list[str]] = {}
    for g in {t.group for t in targets if t.kind == "env"}:
        members = [t for t in found if t.kind == "env" and t.group == g]
        if any(id(t) not in chosen for t in members):
            out[g] = [t.name for t in members if id(t) in chosen]
    return out


def _only_checked(problems: list[tuple[Rule, Problem]], left_out: set[int],
                  checked: set[str]) -> list[tuple[Rule, Problem]]:
    """Problems of the checked targets only (an env's problem listing other envs: cut to
    the checked ones; a loose manifest's, such as an Argo CD Application naming the env it
    deploys, is kept whole)."""
    out = []
    for rule, p in problems:
        if p.target is not None and id(p.target) in left_out:
            continue
        if p.envs and p.target is not None and p.target.kind == "env":
            envs = [e for e in p.envs if e in checked]
            if not envs:
                continue
            p.envs = envs
        out.append((rule, p))
    return out


def _run_rules(rules: list[Rule], rendered: list[RenderedTarget], cfg: Config,
               index: KustIndex, root: str, result: LintResult,
               opts: LintOptions, discovered: list[Target],
               partial: dict[str, list[str]] | None = None) -> list[tuple[Rule, Problem]]:
    """Every enabled rule over the rendered targets; a failing rule becomes an error.

    A rule comparing envs sees only apps whose envs this run checks all of (``partial``
    holds the others): compared with a part of its app, an env would get findings a full
    run does not give. That it did not run there is a warning of the result."""
    problems: list[tuple[Rule, Problem]] = []
    for rule in rules:
        if not _active(rule, opts):
            continue
        targets = rendered
        if partial and _compares_envs(rule):
            targets = [t for t in rendered if not (t.is_env and t.target.group in partial)]
            names = [n for g in partial.values() for n in g]
            result.warnings.append(LintError(
                f"{rule.id} did not run for {', '.join(names)}: it compares the envs of an "
                "app, and this run checks only those the changes affect (a full run checks "
                f"it; so does any run with --fail-on {rule.severity})"))
        ctx = RuleContext(rule, rule.effective_params(), targets, cfg, index, root,
                          result.unvalidated, discovered)
        try:
            for p in rule.check(ctx):
                problems.append((rule, p))
        except OverlayLintError as exc:
            result.errors.append(_error(exc, None))
        except Exception as exc:  # a rule bug must not hide the other rules' findings
            if os.environ.get("OVERLAY_LINT_DEBUG"):
                raise
            msg = f"internal error in rule {rule.id}: {type(exc).__name__}: {exc}"
            opts.internal_errors.append(msg)
            result.errors.append(LintError(msg))
    return problems


def _merge(problems: list[tuple[Rule, Problem]], cfg: Config,
           env_order: list[str]) -> tuple[list[Finding], int]:
    """One finding per (rule, file, line) listing its envs, after suppressions; and the
    number of locations whose every occurrence was suppressed."""
    order = {name: i for i, name in enumerate(env_order)}
    merged: dict[tuple, list[tuple[Rule, Problem, list[str]]]] = {}
    dropped: set[tuple] = set()
    reals: dict[str, str] = {}
    for rule, p in problems:
        if p.origin is None:
            continue
        # one file reached through a symlinked folder too is one place to edit: its real path
        given = p.origin[0]
        path = reals.get(given)
        if path is None:
            path = reals[given] = real(given) or given
        key = (rule.id, path, p.origin[1])
        envs = p.envs if p.envs is not None else ([p.target.name] if p.target is not None
                                                  and p.target.name else [])
        res = p.resource
        label = resource_label(res.kind, res.namespace, res.name) if res is not None else ""
        if p.severity == "off" or annotation_disabled(rule.id, res):
            dropped.add(key)
            continue

        def ignored(env: str) -> bool:
            return any(config_ignored(cfg, rule.id, f, label, env) for f in {given, path})
        kept = [e for e in envs if not ignored(e)]
        if (envs and not kept) or (not envs and ignored("")):
            dropped.add(key)
            continue
        merged.setdefault(key, []).append((rule, p, kept))

    findings: list[Finding] = []
    emitted: set[tuple] = set()
    for (rid, path, line), group in merged.items():
        rule, first, _ = group[0]
        if inline_disabled(rid, path, line):
            dropped.add((rid, path, line))
            continue
        envs: list[str] = []
        for _, _, es in group:
            envs += [e for e in es if e not in envs]
        envs.sort(key=lambda e: order.get(e, len(order)))
        emitted.add((rid, path, line))
        findings.append(Finding(
            rule=rid, severity=_severity(rule, [p for _, p, _ in group]), message=first.message,
            file=display_path(path), line=line, col=first.origin[2] or 1, envs=envs,
            resource=_merged_resource([p for _, p, _ in group]),
            field_path=first.field_path if first.field_path is not None else
            (field_path(first.path, first.resource.node) if first.resource is not None
             else ""),
            value=None if first.value is None else str(first.value)))
    findings.sort(key=lambda f: (f.file, f.line, f.col, f.rule))
    return findings, len(dropped - emitted)


def _severity(rule: Rule, problems: list[Problem]) -> str:
    """The highest severity among the merged problems (``overrides:`` may set some)."""
    rank = {"info": 0, "warning": 1, "error": 2}
    return max((p.severity or rule.severity for p in problems), key=lambda s: rank.get(s, 2))


def _merged_resource(problems: list[Problem]) -> str:
    ids = {(p.resource.kind, p.resource.namespace, p.resource.name)
           for p in problems if p.resource is not None}
    if not ids:
        return ""
    if len(ids) == 1:
        return resource_label(*next(iter(ids)))
    # the same source shows in several namespaces/names: name it as written in the source
    first = next(p.resource for p in problems if p.resource is not None)
    org = first.org_id()
    return resource_label(first.kind, "", org.name or first.name)


def _error(exc: OverlayLintError, env: str | None) -> LintError:
    return LintError(exc.message, display_path(exc.file) if exc.file else None, exc.line,
                     exc.col, env)


def _render(t: Target, root: str, result: LintResult, opts: LintOptions,
            budget: object = None) -> RenderedTarget:
    if t.kind == "standalone":
        return RenderedTarget(t, _loose_resources(t, root, result))
    from ..kustomize.build import build
    from ..kustomize.loader import Loader
    label = t.name if t.kind == "env" else display_path(t.dir)
    try:
        res = build(t.dir, Loader(root, budget, t.restrict))  # type: ignore[arg-type]
    except OverlayLintError as exc:
        if isinstance(exc, UnsupportedError) and opts.unsupported == "skip":
            result.skipped.append(_error(exc, label))
            return RenderedTarget(t, failed=True, skipped=True)
        if isinstance(exc, UnsupportedError):
            opts.refused.append(label)
        result.errors.append(_error(exc, label))
        return RenderedTarget(t, failed=True)
    except RecursionError:
        result.errors.append(LintError("rendering recursed too deeply", display_path(t.dir),
                                       env=label))
        return RenderedTarget(t, failed=True)
    except Exception as exc:  # renderer bug: report it, check the other targets
        if os.environ.get("OVERLAY_LINT_DEBUG"):
            raise
        msg = f"internal error while rendering: {type(exc).__name__}: {exc}"
        opts.internal_errors.append(f"{label}: {msg}")
        result.errors.append(LintError(msg, display_path(t.dir), env=label))
        return RenderedTarget(t, failed=True)
    return RenderedTarget(t, res.resources, res)


def _loose_resources(t: Target, root: str, result: LintResult) -> list:
    """Manifests no kustomization reads, checked as they stand."""
    from ..kustomize.resource import Resource
    from ..core.yaml_reader import load_file
    out = []
    for path in t.files:
        if not is_inside(root, path):   # a symlink out of the repository: never read
            continue
        try:
            docs = load_file(path)
        except OverlayLintError as exc:
            if _looks_like_manifest(path):
                result.errors.append(_error(exc, None))
            continue
        for doc in docs:
            if doc is None or not doc.is_map:
                continue
            av, kind = doc.get("apiVersion"), doc.get("kind")
            if av is None or kind is None or type(av.v) is not str or type(kind.v) is not str:
                continue
            if kind.v in ("Kustomization", "Component") and av.v.startswith("kustomize.config"):
                continue
            if is_patch_fragment(doc):   # a `kubectl patch` file, not a manifest
                continue
            out.append(Resource(doc, path))
    return out


def _looks_like_manifest(path: str) -> bool:
    """A YAML file that fails to parse is our problem only if it looks like a manifest
    (templated files such as Helm charts are not)."""
    if not os.path.isfile(path):  # a FIFO would block the open below
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read(200_000)
    except OSError:
        return False
    if "{{" in text:
        return False
    return any(ln.startswith("apiVersion:") for ln in text.splitlines()) and \
        any(ln.startswith("kind:") for ln in text.splitlines())
