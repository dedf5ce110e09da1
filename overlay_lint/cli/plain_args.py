"""Plain command lines, read without argparse.

argparse's import (with gettext, which loads locale and looks for translation files), its
parser and its help formatter cost ~5 ms: a tenth of a lint of an empty folder, paid on
every commit by the pre-commit hook. The command lines hooks, CI jobs and people write
are plain: options before and/or after one run of positional arguments, each option's
value the next argument. :func:`read` reads those exactly as argparse does and returns
None for anything else (help, an unknown or abbreviated option, ``--opt=value``, ``--``,
a value starting with ``-``, a value outside its choices, positionals in two runs, a
missing value): argparse then reads the line, and prints its usage, help or error.
tests/test_startup.py checks that the two agree, and that each table names the options
of its argparse parser.
"""
from __future__ import annotations


class Spec:
    """One command's options: ``flags`` (option -> dest, store_true), ``values`` (one
    value; the last given wins), ``appends`` (repeatable), ``choices`` (dest -> allowed
    values), the ``positional`` dest (``nargs='+'`` when ``required``, else ``'*'``) and
    the ``defaults`` of dests without a value of None (flags default to False)."""

    def __init__(self, positional: str, required: bool, flags: dict[str, str],
                 values: dict[str, str], appends: dict[str, str] | None = None,
                 choices: dict[str, tuple[str, ...]] | None = None,
                 defaults: dict[str, object] | None = None) -> None:
        self.positional, self.required = positional, required
        self.flags, self.values, self.appends = flags, values, appends or {}
        self.choices = choices or {}
        self.defaults: dict[str, object] = {positional: []}
        for dest in (*self.values.values(), *self.appends.values()):
            self.defaults[dest] = None
        for dest in self.flags.values():
            self.defaults[dest] = False
        self.defaults.update(defaults or {})


def read(args: list[str], spec: Spec) -> dict[str, object] | None:
    """argparse's namespace for ``args`` as a dict, or None (see the module doc)."""
    out = dict(spec.defaults)
    positionals: list[str] = []
    run_over = False             # a run of positionals began and ended
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("-"):
            if run_over:
                return None          # argparse: "unrecognized arguments"
            positionals.append(arg)
            i += 1
            run_over = i < len(args) and args[i].startswith("-")
            continue
        if arg in spec.flags:
            out[spec.flags[arg]] = True
        elif arg in spec.values or arg in spec.appends:
            if i + 1 == len(args) or args[i + 1].startswith("-"):
                return None
            i += 1
            value = args[i]
            dest = spec.values.get(arg) or spec.appends[arg]
            if dest in spec.choices and value not in spec.choices[dest]:
                return None
            if arg in spec.values:
                out[dest] = value
            else:
                out[dest] = [*(out[dest] or []), value]
        else:
            return None
        i += 1
    if spec.required and not positionals:
        return None
    out[spec.positional] = positionals
    return out
