"""No kustomization uses a field Kustomize v5 deprecates.

Why: ``bases``, ``patchesStrategicMerge``, ``patchesJson6902``, ``commonLabels``,
``imageTags`` and ``vars`` still work in Kustomize v5, with a warning on stderr that CI
logs bury, and they are slated for removal. Some hide intent as well: ``commonLabels``
silently rewrites selectors (an immutable field of a Deployment, so a label change there
breaks the next apply), and a ``patchesStrategicMerge`` file that matches nothing is an
error while the same patch under ``patches`` with a target is not.

Checked in every kustomization and Component the linted envs (and bases checked alone)
read: the fields Kustomize's ``CheckDeprecatedFields`` warns about, set to anything but
null (``bases:`` with nothing under it is no warning in Kustomize either), and
``helmChartInflationGenerator`` (deprecated in Kustomize's types, converted by ``kustomize
edit fix``; overlay-lint refuses Helm anyway). The message says what ``kustomize edit
fix`` writes instead. The finding points at the deprecated key; its envs are the envs that
read the file.

Failing (``overlays/staging/kustomization.yaml``)::

    patchesStrategicMerge:
      - patches/gateway.yaml

Passing (what ``kustomize edit fix`` writes)::

    patches:
      - path: patches/gateway.yaml

Fix: run ``kustomize edit fix`` in the kustomization's folder (``--vars`` also converts
``vars`` to ``replacements``; check that the render is unchanged), or move the entries by
hand as the message says. Severity: warning.
"""
from __future__ import annotations

import os
from collections.abc import Iterator

from ...core.node import Node
from ..model import Problem, RuleContext
from ..noops import generated

ID = "deprecated-kustomize-field"
SEVERITY = "warning"
PARAMETERS: dict = {}

_EDIT_FIX = "what `kustomize edit fix` writes"


def check(ctx: RuleContext) -> Iterator[Problem]:
    seen: dict[str, list[tuple]] = {}
    for t in ctx.targets:
        if t.kind not in ("env", "base"):
            continue
        for d in t.target.kdirs:
            info = ctx.index.get(d)
            if info is None or info.node is None:
                continue
            found = seen.get(info.file)
            if found is None:
                found = list(_deprecated(info.node, info.dir))
                seen[info.file] = found = [] if found and generated(info.file) else found
            for origin, message, fld in found:
                yield Problem(origin, message, t, field_path=fld)


def _deprecated(doc: Node, kdir: str) -> Iterator[tuple]:
    for key, child in doc.items():
        fix = _FIXES.get(key.lower())
        if fix is not None and child.v is not None:
            yield child.o, fix(key, child, kdir), key


def _bases(key: str, node: Node, kdir: str) -> str:
    return (f"'{key}' is deprecated since Kustomize v5: list these entries under "
            f"'resources:' ({_EDIT_FIX})")


def _psm(key: str, node: Node, kdir: str) -> str:
    items = node.v if node.is_seq else []
    shown = []
    for item in items[:3]:
        if isinstance(item.v, str) and "\n" not in item.v.strip() and \
                os.path.isfile(os.path.join(kdir, item.v)):
            shown.append(f"`- path: {item.v}`")
        else:
            shown.append("`- patch: |` with the inline patch")
    more = ", ..." if len(items) > 3 else ""
    what = f": {', '.join(shown)}{more}" if shown else ""
    return (f"'{key}' is deprecated since Kustomize v5: use 'patches:'{what} ({_EDIT_FIX})")


def _pj(key: str, node: Node, kdir: str) -> str:
    return (f"'{key}' is deprecated since Kustomize v5: move its entries to 'patches:' as "
            f"they are, each with its target and path or patch ({_EDIT_FIX})")


def _common_labels(key: str, node: Node, kdir: str) -> str:
    pairs = ", ".join(f"{k}: {c.v}" for k, c in node.items())
    if len(pairs) > 60:
        pairs = pairs[:57] + "..."
    return (f"'{key}' is deprecated since Kustomize v5: use `labels: [{{pairs: {{{pairs}}}, "
            f"includeSelectors: true}}]` ({_EDIT_FIX}; includeSelectors keeps adding them to "
            "selectors as commonLabels does: set it false for labels that must stay out of "
            "immutable selectors)")


def _image_tags(key: str, node: Node, kdir: str) -> str:
    return (f"'{key}' is deprecated: move its entries to 'images:' as they are ({_EDIT_FIX})")


def _vars(key: str, node: Node, kdir: str) -> str:
    return (f"'{key}' is deprecated since Kustomize v5: migrate to 'replacements:' "
            "(`kustomize edit fix --vars` converts them; experimental, check the render)")


def _helm(key: str, node: Node, kdir: str) -> str:
    return (f"'{key}' is deprecated: use 'helmCharts:' and 'helmGlobals:' ({_EDIT_FIX})")


_FIXES = {
    "bases": _bases,
    "patchesstrategicmerge": _psm,
    "patchesjson6902": _pj,
    "commonlabels": _common_labels,
    "imagetags": _image_tags,
    "vars": _vars,
    "helmchartinflationgenerator": _helm,
}
