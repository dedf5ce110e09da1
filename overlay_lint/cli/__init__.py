"""Command line entry point. Imports stay lazy: a pre-commit hook pays start-up every commit."""
from __future__ import annotations

import os
import sys

from .. import __version__


def _render_parser():  # an argparse.ArgumentParser (imported here: see cli/plain_args.py)
    from .parser import new_parser
    p = new_parser(
        prog="overlay-lint render", allow_abbrev=False,
        description="Render kustomization directories as `kubectl kustomize` does.")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="kustomization directory")
    p.add_argument("--origin", action="store_true",
                   help="follow every value with a comment naming the source line it came from")
    p.add_argument("--root", metavar="DIR",
                   help="read nothing outside DIR (default: the git top-level of each DIR; "
                        "outside git, the folder holding both DIR and the current directory)")
    p.add_argument("--load-restrictor", choices=_RESTRICTORS, default=_RESTRICTORS[0],
                   help="as kubectl's: LoadRestrictionsNone reads files outside the "
                        "kustomization's folder (still never outside --root), as Flux builds")
    return p


_RESTRICTORS = ("LoadRestrictionsRootOnly", "LoadRestrictionsNone")


def _plain_render_args(args: list[str]) -> tuple[list[str], bool, str | None, bool] | None:
    """(dirs, --origin, --root, restricted) of a plain ``render`` command line (see
    cli/plain_args.py), or None: argparse reads it."""
    from .plain_args import Spec, read
    plain = read(args, Spec("dirs", True, {"--origin": "origin"},
                            {"--root": "root", "--load-restrictor": "load_restrictor"},
                            choices={"load_restrictor": _RESTRICTORS},
                            defaults={"load_restrictor": _RESTRICTORS[0]}))
    return None if plain is None else (plain["dirs"], plain["origin"], plain["root"],
                                       plain["load_restrictor"] == _RESTRICTORS[0])


def main(argv: list[str] | None = None) -> int:
    _no_final_collection()
    return _command(list(sys.argv[1:] if argv is None else argv))


_FREEZE_AT_EXIT = [False]


def _no_final_collection() -> None:
    """At the interpreter's exit, freeze the collector's generations before its final
    collection, which would walk every object the commands left in the module caches
    (parsed files: ~45 ms at 150 services, growing with the tree). Reference counting
    frees them all the same (they make no cycle). Registered at exit, once: a process
    that calls main() many times keeps collecting in between."""
    if not _FREEZE_AT_EXIT[0]:
        _FREEZE_AT_EXIT[0] = True
        import atexit
        import gc
        atexit.register(gc.freeze)


def _command(argv: list[str]) -> int:
    try:
        if argv and argv[0] == "render":
            plain = _plain_render_args(argv[1:])
            if plain is None:
                args = _render_parser().parse_args(argv[1:])
                plain = (args.dirs, args.origin, args.root,
                         args.load_restrictor == _RESTRICTORS[0])
            from .render_cmd import run_render
            from ..core.heap import young_collections_only
            from ..core.paths import resolving_once
            with young_collections_only(), resolving_once():
                return run_render(*plain)
        if argv and argv[0] == "envs":
            from .envs_cmd import run_envs
            return run_envs(argv[1:])
        if argv and argv[0] == "diff":
            from .diff_cmd import run_diff
            from ..core.heap import young_collections_only
            with young_collections_only():
                return run_diff(argv[1:])
        if argv and argv[0] == "rules":
            from .lint_cmd import run_rules
            return run_rules(argv[1:])
        if argv and argv[0] == "explain":
            from .lint_cmd import run_explain
            return run_explain(argv[1:])
        if argv and argv[0] in ("--version", "-V"):
            print(f"overlay-lint {__version__}")
            return 0
        from .lint_cmd import run_lint
        from ..core import parse_cache
        from ..core.heap import young_collections_only
        from ..core.paths import resolving_once
        # core/heap.py, core/paths.py, core/parse_cache.py: same output, less work. The
        # parse cache is for the pre-commit hook (a developer's machine, commit after
        # commit) or asked for: other runs write nothing and read nothing outside the root
        with young_collections_only(), resolving_once(), \
                parse_cache.enabled("--pre-commit" in argv
                                    or bool(os.environ.get("OVERLAY_LINT_CACHE_DIR"))):
            return run_lint(argv)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit:
        raise
    except Exception as exc:  # never a traceback for users; OVERLAY_LINT_DEBUG=1 shows it
        if os.environ.get("OVERLAY_LINT_DEBUG"):
            raise
        from ..core.escape import visible
        print(f"overlay-lint: internal error: {type(exc).__name__}: {visible(exc)} "
              "(set OVERLAY_LINT_DEBUG=1 for details)", file=sys.stderr)
        return 2
