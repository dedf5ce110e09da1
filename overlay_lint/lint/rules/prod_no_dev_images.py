"""In protected envs no image has a dev tag or comes from a dev registry or repository.

Why: a dev build in production skips release testing; it is the classic copy-paste of an
``images:`` block from the dev overlay, or a patch that pins a container to ``:dev``.

An image is a dev image when its tag matches ``tag-pattern`` (default
``^dev([-.].*)?$``) or a component of its name (registry, organisation, repository)
matches ``name-pattern`` (default: is ``dev``, starts with ``dev-`` or ends with ``-dev``,
e.g. ``ghcr.io/acme-dev/api``).

Failing (``overlays/prod/kustomization.yaml``)::

    images:
      - name: ghcr.io/acme/api
        newTag: dev-3f2a1c9

Passing::

    images:
      - name: ghcr.io/acme/api
        newTag: 2.1.0

Fix: use a released tag (and the release registry) in the protected overlay, at the line
the finding points to (an ``images:`` entry, a patch, or the base).
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RuleContext
from ..workloads import image_origin, images

ID = "prod-no-dev-images"
SEVERITY = "error"
PARAMETERS = {"tag-pattern": r"^dev([-.].*)?$", "name-pattern": r"^dev$|^dev-|-dev$"}


def check(ctx: RuleContext) -> Iterator[Problem]:
    if not ctx.by_role("protected") and all(ctx.params[k] == v for k, v in PARAMETERS.items()):
        return      # nothing to check, and the defaults compile: RE2 is not even loaded
    from ..param_regex import param_regex     # RE2 unless the default: see there
    tag_re = param_regex(ctx.params["tag-pattern"], "tag-pattern")
    name_re = param_regex(ctx.params["name-pattern"], "name-pattern")
    for env in ctx.by_role("protected"):
        for res in env.resources:
            for path, node, ref in images(res.node, res.kind):
                if ref.tag is not None and tag_re.search(ref.tag):
                    yield Problem(image_origin(node, "tag"),
                                  f"image {node.v} has dev tag '{ref.tag}' in a protected env; "
                                  "use a released tag", env, res, path, node.v)
                    continue
                bad = [c for c in ref.components() if name_re.search(c)]
                if bad:
                    yield Problem(image_origin(node, "name"),
                                  f"image {node.v} comes from dev registry/repository "
                                  f"'{bad[0]}' in a protected env; pull the released image "
                                  "instead", env, res, path, node.v)
