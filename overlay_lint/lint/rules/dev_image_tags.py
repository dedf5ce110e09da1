"""In dev envs every first-party image carries a dev tag.

Why: dev must run what was just built from the main branch. An image that keeps the
base's release tag in dev means dev silently tests an old build (usually a service
someone forgot to add to the dev overlay's ``images:``).

First-party images are those under the ``first-party`` prefixes; by default, the
prefixes (``ghcr.io/acme/``) of the images that the dev overlay itself retags to a dev
tag, so third-party images such as ``redis`` are left alone.

Failing: the dev overlay retags ``ghcr.io/acme/api`` to ``dev-8c1d2e4`` but has no entry
for ``ghcr.io/acme/web``, which keeps the base's ``ghcr.io/acme/web:1.4.2``.

Passing (``overlays/dev/kustomization.yaml``)::

    images:
      - name: ghcr.io/acme/api
        newTag: dev-8c1d2e4
      - name: ghcr.io/acme/web
        newTag: dev-8c1d2e4

Fix: add an ``images:`` entry with a dev ``newTag`` for the image to the dev overlay.
Parameters: ``tag-pattern`` (regex, default ``^dev([-.].*)?$``), ``first-party`` (list of
image name prefixes; empty: inferred as above).
"""
from __future__ import annotations

import os
from collections.abc import Iterator

from ..model import Problem, RuleContext
from ..workloads import ImageRef, image_origin, images

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

ID = "dev-image-tags"
SEVERITY = "error"
PARAMETERS = {"tag-pattern": r"^dev([-.].*)?$", "first-party": []}


def _prefix(name: str) -> str:
    return name[: name.rfind("/") + 1] if "/" in name else name


def is_first_party(name: str, prefixes: set[str]) -> bool:
    return any(name.startswith(p) if p.endswith("/") else name == p for p in prefixes)


def inferred_prefixes(ctx: RuleContext, tag_re: Any) -> set[str]:
    """Prefixes of the images the dev overlays themselves retag to a dev tag."""
    out: set[str] = set()
    for env in ctx.by_role("dev"):
        top = env.target.dir
        for d in env.target.kdirs:
            if d != top and not d.startswith(top + os.sep):
                continue  # a shared base or component is not "the dev overlay"
            info = ctx.index.get(d)
            imgs = info.node.get("images") if info is not None and info.node is not None else None
            for e in (imgs.v if imgs is not None and imgs.is_seq else []):
                tag = e.str_at("newTag")
                if tag is None or not tag_re.search(tag):
                    continue
                for key in ("name", "newName"):
                    n = e.str_at(key)
                    if n:
                        out.add(_prefix(ImageRef.parse(n).name))
    return out


def check(ctx: RuleContext) -> Iterator[Problem]:
    if not ctx.by_role("dev") and ctx.params["tag-pattern"] == PARAMETERS["tag-pattern"]:
        return      # nothing to check, and the default compiles: RE2 is not even loaded
    from ..param_regex import param_regex     # RE2 unless the default: see there
    tag_re = param_regex(ctx.params["tag-pattern"], "tag-pattern")
    prefixes = set(ctx.params["first-party"]) or inferred_prefixes(ctx, tag_re)
    if not prefixes:
        return
    for env in ctx.by_role("dev"):
        for res in env.resources:
            for path, node, ref in images(res.node, res.kind):
                if not is_first_party(ref.name, prefixes):
                    continue
                if ref.tag is not None and tag_re.search(ref.tag):
                    continue
                shown = f"tag '{ref.tag}'" if ref.tag is not None else "no tag"
                yield Problem(image_origin(node, "tag") if ref.tag is not None else node.o,
                              f"first-party image {node.v} runs {shown} in a dev env; give it a "
                              f"dev tag (matching "
                              f"{ctx.params['tag-pattern']}) with an images: entry in the dev "
                              "overlay", env, res, path, node.v)
