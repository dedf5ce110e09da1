"""Every patch that selects a resource changes something in it.

Why: a patch that only restates values the resource already has changes nothing today and
hides intent: the overlay looks like it sets the value for this env, and the day the base
changes it, the patch silently pins the old value in this env (or, read the other way, a
reviewer believes the env differs from the base when it does not). A JSON6902 ``replace``
with the value already there, or a strategic-merge patch copying the base's limits, renders
byte for byte like no patch at all.

Checked: ``patches``, ``patchesStrategicMerge``, ``patchesJson6902`` and Patch*Transformer
configurations, inline or in files. A patch document (one strategic-merge document, or the
operations of one JSON6902 patch) is reported when every value it sets in a resource it
selects already had that value, in every env that reads it (judged per env, as for
``patch-no-match``). The finding points at the first line that sets such a value (the
scalar's line in a strategic-merge patch, the ``value:`` line of a JSON6902 operation)
and lists the values. A patch that sets no value at all (only names its target, or an
empty patch file with a target) is reported at the entry's first line, unless it tests
(JSON6902 ``test``) or reorders (``$setElementOrder``...). Patches selecting nothing are
``patch-no-match``'s.

Not reported, because pinning is their stated purpose: patches in a Component (an opt-in
feature that guarantees its values whatever the base says), and patches whose target
names no resource (``kind: Deployment`` alone, a ``labelSelector``: a policy for every
such resource, present and future). Entries in generated files and vendored folders
(``vendored-folders``, as for ``patch-no-match``) are left alone.

Failing (``overlays/staging/patches/submission-service.yaml``; the base already has
``memory: 768Mi``)::

    spec:
      template:
        spec:
          containers:
            - name: submission-service
              resources:
                limits:
                  memory: 768Mi

Passing: the value this env really needs::

                limits:
                  memory: 1Gi

Fix: delete the patch (or the lines) that restate the base, or set the value the env
needs. To keep a value on purpose, move it to the base, or suppress the finding at the
line with ``# overlay-lint: disable=patch-no-effect -- reason``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from ..model import Problem, RenderedTarget, RuleContext
from ..noops import (PATCH_BUILTINS, VENDORED_FOLDERS, Verdict, entry_target, in_component,
                     is_wildcard, judged, patch_text)
from ..workloads import field_path

ID = "patch-no-effect"
SEVERITY = "error"
PARAMETERS: dict = {"vendored-folders": VENDORED_FOLDERS}

# a patch recording no value may still act: a JSON6902 ``test`` asserts, these SMP
# directives reorder or prune lists without setting a value
_ACTS_WITHOUT_VALUES = re.compile(r"op['\"]?\s*:\s*['\"]?test\b|\$setElementOrder|"
                                  r"\$deleteFromPrimitiveList|\$retainKeys")


def check(ctx: RuleContext) -> Iterator[Problem]:
    def verdicts(rec, target: RenderedTarget) -> Iterator[Verdict]:
        return _verdicts(ctx, rec, target)
    return judged(ctx, PATCH_BUILTINS, verdicts)


def _verdicts(ctx: RuleContext, rec, target: RenderedTarget) -> Iterator[Verdict]:
    from ...kustomize.touched import EMPTY_PATCH
    if EMPTY_PATCH in rec.notes:
        yield Verdict(rec.origin, True, "the patch file holds no operations: this entry does "
                                        "nothing; remove it or write the patch", rec.field)
        return
    if not rec.selected:
        return                       # patch-no-match's case
    if in_component(ctx, rec) or is_wildcard(entry_target(rec)[0]):
        return                       # a pin by design: see the rule's documentation
    if not rec.changes:
        if not _ACTS_WITHOUT_VALUES.search(patch_text(rec)):
            yield Verdict(rec.origin, True, "patch sets no value in the resources it selects "
                                            "(it only names its target); remove it or add "
                                            "what it was meant to set", rec.field)
        return
    yield Verdict(rec.origin, False)
    # a unit is what one resource got from the entry: for a patch file of several
    # documents (no target), each document patches its own resource
    units: dict[int, list] = {}
    for c in rec.changes:
        if c.origin is not None:
            units.setdefault(c.uid, []).append(c)
    for uid, changes in units.items():
        if any(c.changed for c in changes):
            for c in changes:
                yield Verdict(c.origin, False)
            continue
        first = min(changes, key=lambda c: (c.origin[0], c.origin[1], c.origin[2]))
        res = target.result.rendered(uid) if target.result is not None else None
        node = res.node if res is not None else None
        kind, name = _kind_name(rec, uid)
        paths = list(dict.fromkeys(field_path(c.path, node) or "the resource"
                                   for c in changes))
        if len(paths) == 1:
            what = f"already has {paths[0]} = {_show(first.after)}"
        else:
            shown = ", ".join(paths[:4]) + (", ..." if len(paths) > 4 else "")
            what = f"already has all {len(paths)} values it sets ({shown})"
        yield Verdict(first.origin, True,
                      f"patch changes nothing: {kind} '{name}' {what}; "
                      f"the patch only pins {'it' if len(paths) == 1 else 'them'} against "
                      "base changes and reads as if this env differed. Remove it, or set "
                      "the value this env needs", rec.field,
                      f"{kind}/{name} {', '.join(paths)}")


def _kind_name(rec, uid: int) -> tuple[str, str]:
    """The resource's kind and name as written in its file."""
    for s in rec.selected:
        if s.uid == uid:
            return s.written.kind, s.written.name
    return "resource", "?"


def _show(value) -> str:
    import json
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
