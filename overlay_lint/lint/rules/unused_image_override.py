"""Every ``images:`` entry matches an image of the envs that read it.

Why: an ``images:`` entry whose ``name`` matches no container image is silently ignored:
Kustomize exits 0 and the env runs whatever tag the base pins. A typo in the name, an image
renamed or moved to another registry in the base, or an entry left behind after a service
was removed all look like "this env runs version X" while it does not; the next release
bump edits the dead entry and the env keeps running the old build.

Checked: ``images`` and ``imageTags`` entries and ``ImageTagTransformer`` configurations
under ``transformers:``. An entry is matched when Kustomize's image transformer would apply
it to at least one image (name as written in the resources, before this entry's
``newName``); an entry that matches and leaves the tag as it was is fine (an explicit pin).
Judged per env as for ``patch-no-match``: an entry of a shared base or Component that
matches nothing in every env including it is one finding naming those envs. Entries in
generated files and vendored folders (``vendored-folders``, as for ``patch-no-match``) are
left alone. The finding points at the entry's ``- name:`` line and suggests a close image
name when there is one.

Failing (``overlays/prod/kustomization.yaml``)::

    images:
      - name: ghcr.io/acme/notifcation-service     # typo: no image has this name
        newTag: 1.1.0

Passing::

    images:
      - name: ghcr.io/acme/notification-service
        newTag: 1.1.0

Fix: write the image name exactly as the base's ``image:`` field has it (without tag or
digest), or delete the entry.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RenderedTarget, RuleContext
from ..noops import VENDORED_FOLDERS, Verdict, entry_node, judged
from ..workloads import ImageRef

ID = "unused-image-override"
SEVERITY = "error"
PARAMETERS: dict = {"vendored-folders": VENDORED_FOLDERS}


def check(ctx: RuleContext) -> Iterator[Problem]:
    return judged(ctx, {"ImageTagTransformer"}, _verdicts)


def _verdicts(rec, target: RenderedTarget) -> Iterator[Verdict]:
    if rec.selected:
        yield Verdict(rec.origin, False)
        return
    entry = entry_node(rec.origin)
    if entry is not None and entry.get("imageTag") is not None:   # a transformer config
        entry = entry.get("imageTag")
    name = entry.str_at("name") if entry is not None else None
    shown = f"'{name}'" if name else "this entry"
    yield Verdict(rec.origin, True,
                  f"images entry {shown} matches no image this kustomization renders, so "
                  f"it changes nothing{_hint(name, target)}; fix the name (as the base's "
                  "image: field writes it) or remove the entry", rec.field, name)


def _hint(name: str | None, target: RenderedTarget) -> str:
    if not name:
        return ""
    from ..workloads import images
    names = sorted({ref.name for r in target.resources
                    for _p, _n, ref in images(r.node, r.kind)})
    want = ImageRef.parse(name).name
    import difflib
    close = difflib.get_close_matches(want, names, n=1, cutoff=0.8)
    return f" (did you mean '{close[0]}'?)" if close else ""
