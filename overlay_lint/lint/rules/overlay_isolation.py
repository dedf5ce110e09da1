"""An env must not pull resources, components or patches from another env's overlay folder.

Why: overlays are meant to differ. When staging lists ``../dev/debug``, a change made for
dev (debug logging, open endpoints, a test image) silently ships to staging too, and the
dev team cannot know that their folder is someone else's dependency.

An env layered on a whole sibling env of the same role (``overlays/prod-eu`` listing
``../prod``, one variant of an operator built on another), or on one whose name its own
extends (``local.home`` on ``../local``), is a deliberate layering, not a crossing;
layered on an env of another role (``staging`` on ``../dev``, a test env on a production
env) it is reported: a change meant for one tier ships to another. Only envs of
one group (app) count: in a repository of several apps, an overlay of another app is a
dependency, not another env; and a folder named ``base``, ``common`` or ``shared`` is what
envs share, even when an Argo CD Application deploys it directly too. The finding points
at the entry that crosses over.

Failing (``overlays/staging/kustomization.yaml``)::

    components:
      - ../dev/debug

Passing: move what both envs need to a shared folder and list it from both::

    components:
      - ../../components/debug

Fix: move the shared piece out of the other env's folder (to the base or a component
folder) and reference it from there.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

from ..envnames import BASE_NAMES
from ..model import Problem, RuleContext

ID = "overlay-isolation"
SEVERITY = "error"
PARAMETERS: dict = {}


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder + os.sep)


def _extends(env, other) -> bool:
    """``env``'s folder name extends ``other``'s (``local.home`` on ``../local``,
    ``prod-eu`` on ``../prod``): a variant of that env, named so on purpose."""
    mine, theirs = os.path.basename(env.target.dir), os.path.basename(other.target.dir)
    return len(mine) > len(theirs) + 1 and mine.startswith(theirs) \
        and mine[len(theirs)] in "-_."


def check(ctx: RuleContext) -> Iterator[Problem]:
    for group in ctx.groups(include_failed=True):   # failed envs too: this needs no render
        yield from _check_group(ctx, group)


def _check_group(ctx: RuleContext, envs: list) -> Iterator[Problem]:
    for env in envs:
        # a folder named base (common, shared) is what envs share, even when something
        # deploys it directly as well
        others = [o for o in envs if o is not env and not _inside(env.target.dir, o.target.dir)
                  and not _inside(o.target.dir, env.target.dir)
                  and os.path.basename(o.target.dir) not in BASE_NAMES]
        for d in env.target.kdirs:
            info = ctx.index.get(d)
            if info is None:
                continue
            for ref in info.refs:
                for other in others:
                    if ref.path == other.target.dir and d == env.target.dir \
                            and (other.role == env.role or _extends(env, other)):
                        break      # layered on a whole env of its own tier, or a variant of it
                    if _inside(ref.path, other.target.dir) and not _inside(d, other.target.dir):
                        rel = os.path.relpath(ref.path, d)
                        yield Problem(ref.node.o,
                                      f"env '{env.name}' takes '{rel}' ({ref.field}) from the overlay "
                                      f"folder of env '{other.name}'; move it to a shared "
                                      "folder (base or component) and reference it from there",
                                      env, None, (), rel, field_path=ref.field)
                        break
