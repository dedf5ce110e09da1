"""``overlay-lint render``: print what ``kubectl kustomize`` prints, optionally with origins."""
from __future__ import annotations

import sys

from ..core.errors import OverlayLintError, display_path
from ..core.escape import visible
from ..core.paths import check_root


def origin_comment(node) -> str:
    """``file:line`` for a ``# comment``; the file name escaped (a newline in it would
    start a new YAML line, i.e. inject keys into the printed document)."""
    if node.o is None:
        return ""
    return f"{visible(display_path(node.o[0]))}:{node.o[1]}"


def run_render(dirs: list[str], origins: bool, root: str | None = None,
               restrict: bool = True) -> int:
    from ..core.yaml_writer import dump_stream
    from ..kustomize.budget import Budget
    from ..kustomize.build import build
    from ..kustomize.loader import Loader, default_root

    status = 0
    first = True
    budget = Budget()  # one per run, shared by every DIR
    for d in dirs:
        try:
            result = build(d, Loader(check_root(root) if root is not None else default_root(d),
                                     budget, restrict))
        except OverlayLintError as exc:
            print(str(exc), file=sys.stderr)
            status = 2
            continue
        text = dump_stream((r.node for r in result.resources),
                           origin_comment if origins else None)
        if not text:
            continue
        if not first:
            sys.stdout.write("---\n")
        first = False
        sys.stdout.write(text)
    return status
