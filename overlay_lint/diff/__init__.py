"""Semantic diffs of rendered envs: what differs between two renders, value by value, with
the source line behind each side.

- :mod:`.paths`    field paths (``spec.template.spec.containers[name=web].image``) and
                   the wildcard patterns that match them;
- :mod:`.compare`  resources matched by their source identity, then field by field
                   (lists with merge keys matched by key);
- :mod:`.model`    ``Change`` and ``ResourceKey``, grouping identical changes of several envs;
- :mod:`.snapshot` a commit's tree materialised in a private folder, read from git objects.

Its text, Markdown and JSON output is :mod:`overlay_lint.report.diff`.

Layering: this package reads renders (``overlay_lint.kustomize``) and is read by the lint
layer (the ``env-parity`` rule) and the CLI.
"""
