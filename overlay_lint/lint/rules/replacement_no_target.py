"""Every replacement (and ``vars`` entry) writes its value somewhere.

Why: a replacement whose targets select nothing is silently skipped: Kustomize exits 0 and
the field it was meant to keep in sync keeps its hard-coded value. A replacement sees only
the resources of its own kustomization (its resources, bases and Components), not those an
overlay adds later, so one written in a base for a resource only an overlay has never
applies. Likewise a ``vars`` entry that no ``$(NAME)`` reference uses does nothing (and
``$(NAME)`` in a field Kustomize does not substitute stays as literal text).

Checked: ``replacements`` entries (inline, and each replacement of a ``path:`` file, which
is reported at its ``- path:`` entry when it holds none) and ``ReplacementTransformer``
configurations, and ``vars`` entries. A missing source object or source field, several
source objects, or a target field that does not exist without ``options.create`` are
errors in Kustomize itself, so render errors here, not findings. Judged per env as for
``patch-no-match`` (entries in generated files and vendored folders are left alone). The
finding points at the replacement's ``- source:`` line (the ``- name:`` line of a var).

Failing (``base/kustomization.yaml``; the CronJob is added by the staging overlay)::

    replacements:
      - source: {kind: Service, name: gateway, fieldPath: metadata.name}
        targets:
          - select: {kind: CronJob, name: smoke-tests}
            fieldPaths: [spec.jobTemplate.spec.template.spec.containers.[name=k6].args.0]

Passing: the same entry in the overlay that has the CronJob
(``overlays/staging/kustomization.yaml``).

Fix: move the replacement to the kustomization that includes its targets, correct the
``select`` (kind, name, namespace, labels), or remove it. For a var, use ``$(NAME)`` in a
field Kustomize substitutes, or remove it (``replacements`` supersede ``vars``).
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RenderedTarget, RuleContext
from ..noops import VENDORED_FOLDERS, Verdict, describe_selector, entry_node, judged

ID = "replacement-no-target"
SEVERITY = "error"
PARAMETERS: dict = {"vendored-folders": VENDORED_FOLDERS}


def check(ctx: RuleContext) -> Iterator[Problem]:
    return judged(ctx, {"ReplacementTransformer", "Var"}, _verdicts)


def _verdicts(rec, target: RenderedTarget) -> Iterator[Verdict]:
    from ...kustomize.touched import EMPTY_FILE
    if rec.builtin == "Var":
        if rec.changes:
            yield Verdict(rec.origin, False)
            return
        entry = entry_node(rec.origin)
        name = entry.str_at("name") if entry is not None else None
        yield Verdict(rec.origin, True,
                      f"var '{name or '?'}' is never substituted: no $({name or 'NAME'}) "
                      "appears in a field Kustomize substitutes vars in; use it or remove "
                      "the var (replacements supersede vars)", rec.field, name)
        return
    if EMPTY_FILE in rec.notes:
        yield Verdict(rec.origin, True, "the replacements file holds no replacement: this "
                                        "entry does nothing; remove it", rec.field)
        return
    if rec.selected:
        yield Verdict(rec.origin, False)
        return
    selects = _selects(rec)
    yield Verdict(rec.origin, True,
                  f"replacement writes nothing: {selects} matches nothing this "
                  "kustomization accumulates (a replacement sees only its own "
                  "kustomization's resources, bases and components); fix the select, move "
                  "the replacement to the kustomization that has the target, or remove it",
                  rec.field, selects)


def _selects(rec) -> str:
    entry = entry_node(rec.origin)
    targets = entry.get("targets") if entry is not None else None
    shown = []
    for t in (targets.v if targets is not None and targets.is_seq else []):
        d = describe_selector(t.get("select")) if t.is_map else ""
        if d:
            shown.append(f"({d})")
    if not shown:
        return "its targets' select"
    return ("select " if len(shown) == 1 else "every select: ") + ", ".join(shown)
