"""In protected envs every image has a tag, and not ``latest``.

Why: ``latest`` (which an untagged image means) changes under you: two pods of the same
Deployment can run different code, and a rollback cannot return to what ran before.

Failing (``overlays/prod/kustomization.yaml``)::

    images:
      - name: redis
        newTag: latest

Passing::

    images:
      - name: redis
        newTag: 7.4.1

Fix: pin a version tag (or a digest). Parameter ``require-digest`` (default false):
when true, every image in a protected env must carry an ``@sha256:`` digest.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RuleContext
from ..workloads import image_origin, images

ID = "no-latest-in-prod"
SEVERITY = "error"
PARAMETERS = {"require-digest": False}


def check(ctx: RuleContext) -> Iterator[Problem]:
    need_digest = ctx.params["require-digest"]
    for env in ctx.by_role("protected"):
        for res in env.resources:
            for path, node, ref in images(res.node, res.kind):
                if ref.tag == "latest":
                    yield Problem(image_origin(node, "tag"),
                                  f"image {node.v} uses tag 'latest' in a protected env; pin a "
                                  "version", env, res, path, node.v)
                elif ref.tag is None and ref.digest is None:
                    yield Problem(image_origin(node, "name"),
                                  f"image {node.v} has no tag (means 'latest') in a protected "
                                  "env; pin a version", env, res, path, node.v)
                elif need_digest and ref.digest is None:
                    yield Problem(image_origin(node, "tag"),
                                  f"image {node.v} has no digest in a protected env; pin it with "
                                  "@sha256:...", env, res, path,
                                  node.v)
