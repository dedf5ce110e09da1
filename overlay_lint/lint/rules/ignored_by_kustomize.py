"""Nothing in a kustomization is silently ignored by Kustomize.

Why: Kustomize reads some mistakes without an error and renders as if the text were not
there, so what the file says and what is deployed differ without a trace:

- a second YAML document in a kustomization file (a ``---`` left by a merge, two files
  pasted together): Kustomize decodes the first document only, every field after the
  ``---`` is dead;
- a generator ``behavior`` that is not exactly ``create``, ``merge`` or ``replace``
  (``Merge``, ``mrege``): Kustomize treats it as create, so an overlay meant to merge
  into a base's ConfigMap either fails with "already exists" or, where the base has
  none, creates a new object instead of changing one;
- a JSON6902 ``path`` or ``from`` without its leading ``/``: Kustomize's json-patch reads
  a pointer from its first ``/``, so ``spec/replicas`` patches ``/replicas``, a new
  top-level field, and the Deployment keeps its replica count.

Checked: every kustomization and Component file the linted envs (and bases checked alone)
render, their generator entries (``configMapGenerator``, ``secretGenerator`` and builtin
``generators:``) and the JSON6902 operations of their patches. The renderer renders as
Kustomize does and records what it read past; the finding points at the ignored
document, the ``behavior:`` line or the ``path:``/``from:`` line.

Failing::

    configMapGenerator:
      - name: app-config
        behavior: Merge          # not a behavior: Kustomize creates
        literals: [LOG_LEVEL=debug]

Passing::

    configMapGenerator:
      - name: app-config
        behavior: merge
        literals: [LOG_LEVEL=debug]

Fix: merge a second document into the first (or delete it); spell ``behavior`` as
``create``, ``merge`` or ``replace``, in lower case; start every JSON6902 pointer with
``/`` (``/spec/replicas``).
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RuleContext
from ..noops import generated

ID = "ignored-by-kustomize"
SEVERITY = "error"
PARAMETERS: dict = {}


def check(ctx: RuleContext) -> Iterator[Problem]:
    for t in ctx.targets:
        if t.failed or t.result is None:
            continue
        seen = set()
        for item in t.result.ignored:
            if item.origin is None or item in seen or generated(item.origin[0]):
                continue
            seen.add(item)
            yield Problem(item.origin, item.message, t)
