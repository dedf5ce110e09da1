"""Every patch selects at least one resource in the envs that read it.

Why: a patch whose ``target`` matches nothing renders without a word: Kustomize exits 0,
the env keeps the base values, and the overlay still reads as if it changed them. It
happens after a rename in the base (the patch still names the old Deployment), with the
wrong kind (``Deployment`` for what is a StatefulSet), a ``labelSelector`` no resource
carries, or a patch in a Component that none of its envs has the target for.

Checked: ``patches`` (inline or file, strategic merge or JSON6902), ``patchesJson6902``,
and ``PatchTransformer``/``PatchJson6902Transformer`` configurations listed under
``transformers:``. A patch without ``target`` that matches nothing is an error in Kustomize
itself (and so a render error here, never a finding), as is an empty ``patches`` entry.
Judged per env: an entry in a shared base or Component that matches nothing in every env
that includes it is one finding naming those envs; one that matches in some env (a
Component patch only prod has the target for) is not reported. A Component's patch whose
target names no resource (``kind: Deployment`` alone, a ``labelSelector``) means "every
such resource, if any" and is never reported; the same patch in a kustomization, whose
resources are its own, is. Entries in generated files and in vendored folders (parameter
``vendored-folders``, default ``vendor``, ``vendored``, ``third_party``, ``third-party``,
``upstream``) are left alone. The finding points at the entry's first line (``- target:``
or ``- path:``) in the kustomization that lists it.

Failing (``overlays/prod/kustomization.yaml``; redis is a StatefulSet)::

    patches:
      - path: patches/redis-memory.yaml
        target:
          kind: Deployment
          name: redis

Passing::

    patches:
      - path: patches/redis-memory.yaml
        target:
          kind: StatefulSet
          name: redis

Fix: correct the target (kind, name, namespace, selectors) so it selects what the patch is
for, or delete the entry if that resource is gone. The message names a resource of the
same name with another kind, or a close name, when there is one.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RenderedTarget, RuleContext
from ..noops import (PATCH_BUILTINS, VENDORED_FOLDERS, Verdict, describe_selector,
                     entry_target, in_component, is_wildcard, judged, near_resources)

ID = "patch-no-match"
SEVERITY = "error"
PARAMETERS: dict = {"vendored-folders": VENDORED_FOLDERS}


def check(ctx: RuleContext) -> Iterator[Problem]:
    def verdicts(rec, target: RenderedTarget) -> Iterator[Verdict]:
        return _verdicts(ctx, rec, target)
    return judged(ctx, PATCH_BUILTINS, verdicts)


def _verdicts(ctx: RuleContext, rec, target: RenderedTarget) -> Iterator[Verdict]:
    from ...kustomize.touched import EMPTY_PATCH
    if EMPTY_PATCH in rec.notes:    # nothing to apply: patch-no-effect's case
        return
    if rec.selected:
        yield Verdict(rec.origin, False)
        return
    sel, _ = entry_target(rec)
    if is_wildcard(sel) and in_component(ctx, rec):
        return   # "every Deployment, if any": a Component adapts to what includes it
    what = describe_selector(sel)
    where = f"target ({what})" if what else "its target"
    yield Verdict(rec.origin, True,
                  f"patch selects no resource: {where} matches nothing this kustomization "
                  f"renders{near_resources(sel, target)}; fix the target or remove the patch",
                  rec.field, what or rec.patch_file)
