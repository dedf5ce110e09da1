"""``overlay-lint [PATH ...]``: lint every env; also ``overlay-lint rules`` and ``explain``.

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings; 2 config, parse or render
errors (the other envs are still checked and reported).
"""
from __future__ import annotations

import importlib
import os
import sys

from ..core.escape import safe_lines, visible
from .plain_args import Spec

TYPE_CHECKING = False  # typing's flag without importing typing
if TYPE_CHECKING:
    import argparse

FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}

# lint_parser()'s options, for the plain command lines read without argparse
# (cli/plain_args.py; a test checks that the two name the same options)
LINT_OPTIONS = Spec(
    "paths", False,
    flags={"--exit-zero": "exit_zero", "--statistics": "statistics",
           "--report-unused-suppressions": "report_unused_suppressions",
           "--pre-commit": "pre_commit"},
    values={"--config": "config", "--format": "format", "--output": "output", "-o": "output",
            "--fail-on": "fail_on", "--baseline": "baseline",
            "--write-baseline": "write_baseline", "--root": "root",
            "--changed-since": "changed_since", "--new-since": "new_since",
            "--unsupported": "unsupported", "--color": "color"},
    appends={"--select": "select", "--rule": "select", "--ignore": "ignore"},
    choices={"format": FORMATS, "fail_on": ("error", "warning", "info"),
             "unsupported": ("error", "skip"), "color": ("auto", "always", "never")},
    defaults={"files": None, "color": "auto"})


def lint_parser() -> argparse.ArgumentParser:
    from .parser import new_parser
    p = new_parser(
        prog="overlay-lint", allow_abbrev=False,
        description="Render every Kustomize env natively and report each policy violation once, "
                    "at the source line to edit. Subcommands: `overlay-lint render DIR`, "
                    "`overlay-lint envs`, `overlay-lint diff`, `overlay-lint rules`, "
                    "`overlay-lint explain RULE`.")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="folders to lint (default: .); files (as pre-commit passes them) "
                        "select the envs they affect")
    p.add_argument("--config", metavar="FILE",
                   help=".overlay-lint.yaml or pyproject.toml to use (default: looked up from "
                        "the linted path up to the repository root)")
    p.add_argument("--format", choices=FORMATS,
                   help="output format (default: text, plus GitHub annotations on stdout when "
                        "GITHUB_ACTIONS=true)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE")
    p.add_argument("--fail-on", choices=("error", "warning", "info"),
                   help="lowest severity that makes the exit code 1 (default: error)")
    p.add_argument("--baseline", metavar="FILE", help="report only findings not in FILE")
    p.add_argument("--write-baseline", metavar="FILE",
                   help="record the current findings in FILE and exit 0")
    p.add_argument("--root", metavar="DIR",
                   help="read nothing outside DIR (default: the git top-level of the linted "
                        "path; outside git, the folder holding both it and the current "
                        "directory)")
    p.add_argument("--changed-since", metavar="REF",
                   help="check only the envs affected by files changed since git REF")
    p.add_argument("--new-since", metavar="REF",
                   help="report only findings that do not exist at git REF (its merge base "
                        "with HEAD), matched by fingerprint: a baseline without a file")
    p.add_argument("--files", nargs="+", metavar="FILE",
                   help="check only the envs affected by these changed files")
    p.add_argument("--select", "--rule", action="append", metavar="RULE", dest="select",
                   help="run only these rules (comma-separated, repeatable; `--rule` is the "
                        "same); a rule the config disables runs too")
    p.add_argument("--ignore", action="append", metavar="RULE",
                   help="do not run these rules (comma-separated, repeatable)")
    p.add_argument("--exit-zero", action="store_true",
                   help="exit 0 even when there are findings (input errors still exit 2)")
    p.add_argument("--statistics", action="store_true",
                   help="print the number of findings per rule instead of each finding "
                        "(text or json)")
    p.add_argument("--report-unused-suppressions", action="store_true",
                   help="report suppression comments and annotations that suppress nothing "
                        "(rule unused-suppression, like ruff's RUF100)")
    p.add_argument("--unsupported", choices=("error", "skip"),
                   help="an env using remote bases, Helm or plugins: an input error (exit 2, "
                        "the default) or skipped, named with its file:line in the report "
                        "(config: `unsupported:`)")
    p.add_argument("--pre-commit", action="store_true",
                   help="pre-commit hook mode: check what the whole pre-commit run is about "
                        "(staged files, --from-ref/--to-ref, or everything), once, however "
                        "many invocations pre-commit splits the file list into")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                   help="colour text output (default: on a terminal, unless NO_COLOR is set)")
    return p


def run_lint(argv: list[str]) -> int:
    from .plain_args import read
    plain = read(argv, LINT_OPTIONS)
    if plain is None:
        args = lint_parser().parse_args(argv)
    else:
        from types import SimpleNamespace
        args = SimpleNamespace(**plain)
    args.argv = list(argv)
    # issue 4: inside GitHub Actions, no --format means text plus annotations on the diff
    args.annotate = args.format is None and os.environ.get("GITHUB_ACTIONS") == "true"
    args.format = args.format or "text"
    from ..core.errors import OverlayLintError
    from ..lint.findings import LintError, LintResult
    if args.statistics and args.format not in ("text", "json"):
        print("overlay-lint: --statistics prints text or json", file=sys.stderr)
        return 2
    try:
        return _run(args)
    except OverlayLintError as exc:
        # config or rule-file problem: nothing was checked
        result = LintResult(errors=[LintError(exc.message, _shown(exc.file), exc.line, exc.col)])
        print(str(exc), file=sys.stderr)
        if args.format == "json":
            try:
                _emit(args, _format(args, result))
            except OverlayLintError:   # the output itself cannot be written: said above
                pass
        _annotate(args, result)
        return 2


def _report(args: argparse.Namespace, result) -> None:
    """Input errors on stderr, one ``file:line: message`` each; the report on stdout (or
    ``--output``)."""
    from ..report.text import error_lines
    for line in error_lines(result):
        print(line, file=sys.stderr)
    _emit(args, _statistics(args, result) if args.statistics else _format(args, result))
    _annotate(args, result)


def _rule_names(values: list[str] | None, known: dict) -> list[str]:
    """Rule ids from repeated, comma-separated options; an unknown one is an error."""
    from ..core.errors import OverlayLintError
    out: list[str] = []
    for v in values or []:
        for rid in (r.strip() for r in v.split(",")):
            if not rid:
                continue
            if rid not in known:
                import difflib
                close = difflib.get_close_matches(rid, list(known), n=1)
                hint = f"did you mean '{close[0]}'?" if close else "`overlay-lint rules` lists them"
                raise OverlayLintError(f"unknown rule '{rid}'; {hint}")
            out.append(rid)
    return out


def _statistics(args: argparse.Namespace, result) -> str:
    """Findings per rule (most first), as ruff's --statistics."""
    import json
    from collections import Counter
    from ..report.text import summary
    count = Counter(f.rule for f in result.findings)
    sev = {f.rule: f.severity for f in result.findings}
    rows = sorted(count.items(), key=lambda kv: (-kv[1], kv[0]))
    if args.format == "json":
        return json.dumps([{"rule": r, "severity": sev[r], "count": n} for r, n in rows],
                          indent=2) + "\n"
    width = max((len(str(n)) for n in count.values()), default=1)
    rwidth = max((len(r) for r in count), default=0)
    lines = [f"{n:>{width}}  {r:<{rwidth}}  {sev[r]}" for r, n in rows]
    return "\n".join(lines + [summary(result)]) + "\n"


def _shown(path: str | None) -> str | None:
    from ..core.errors import display_path
    return display_path(path) if path else None


def _run(args: argparse.Namespace) -> int:
    from ..core.errors import OverlayLintError
    from ..lint.config import load_config
    from ..lint.engine import LintOptions, lint, lint_root
    from ..lint.registry import load_rules

    paths = args.paths or ["."]
    for p in paths:
        # a deleted manifest still selects the envs that read it; anything else is a typo
        if not os.path.exists(p) and not (p.endswith((".yaml", ".yml", ".json"))
                                          and os.path.isdir(os.path.dirname(p) or ".")):
            hint = ""
            if p.isidentifier():   # a bare word: a command of another linter (`lint`)?
                hint = (" (overlay-lint lints the folders it is given, `.` by default; its "
                        "commands are render, envs, diff, rules and explain)")
            raise OverlayLintError("no such file or directory" + hint, p)
    dirs = [p for p in paths if os.path.isdir(p)]
    changed = [os.path.abspath(p) for p in paths if not os.path.isdir(p)]
    everything = False
    if args.pre_commit:   # one report per pre-commit run: see cli/hook.py
        from .hook import plan
        files = [p for p in paths if not os.path.isdir(p)]
        hp = plan(files, [a for a in args.argv if a not in set(files)])
        if hp.duplicate:
            return 0
        changed, everything = list(hp.changed or []), hp.changed is None
    root = lint_root(dirs or ["."], args.root)
    cfg = load_config(dirs[0] if dirs else ".", args.config, args.root)
    rules = load_rules(cfg)
    known = {r.id: r for r in rules}
    selected = _rule_names(args.select, known)
    for rid in selected:
        # asked for on the command line: runs even if the config disables it
        known[rid].enabled, known[rid].off_elsewhere = True, False
    for rid in _rule_names(args.ignore, known):
        known[rid].enabled = False
    opts = LintOptions(root=args.root, only_rules=set(selected) if selected else None,
                       unsupported=args.unsupported or cfg.unsupported,
                       report_unused=args.report_unused_suppressions,
                       fail_on=args.fail_on or cfg.fail_on or "error")
    if args.files:
        changed += [os.path.abspath(f) for f in args.files]
    if args.changed_since:
        changed += _changed_since(args.changed_since, root)
    if (changed or args.changed_since or args.files) and not everything:
        opts.select = _selector(changed, cfg, args.baseline)
        opts.changed = changed
    if not dirs:
        dirs = [root]
    result = lint(dirs, cfg, rules, opts)

    if args.write_baseline:
        from ..lint.baseline import write_baseline
        write_baseline(args.write_baseline, result.findings)
        print(f"overlay-lint: wrote {len(result.findings)} findings to {args.write_baseline}",
              file=sys.stderr)
        return 2 if result.errors else 0
    if args.baseline:
        from ..lint.baseline import apply_baseline, read_baseline
        result.findings, result.baselined = apply_baseline(result.findings,
                                                           read_baseline(args.baseline))
    if args.new_since:   # findings the base commit has already count as baselined
        from ..lint.at_ref import findings_at
        from ..lint.baseline import apply_baseline
        known = findings_at(args.new_since, dirs, args.config, opts.only_rules)
        result.findings, old = apply_baseline(result.findings, known)
        result.baselined += old
    _report(args, result)
    if opts.refused:
        n = len(opts.refused)
        print(f"overlay-lint: {n} target{'s' if n != 1 else ''} use{'' if n != 1 else 's'} what "
              "overlay-lint does not render (remote, Helm, plugins); `--unsupported skip` "
              "(or `unsupported: skip` in the config) reports "
              f"{'them' if n != 1 else 'it'} as skipped and checks the rest", file=sys.stderr)
    if result.errors:
        return 2
    if args.exit_zero:
        return 0
    floor = SEVERITY_RANK[args.fail_on or cfg.fail_on or "error"]
    return 1 if any(SEVERITY_RANK[f.severity] >= floor for f in result.findings) else 0


def _format(args: argparse.Namespace, result) -> str:
    from ..report import text as output
    if args.format == "text":
        stream = sys.stdout if not args.output else None
        return output.render_text(result, output.use_color(stream, args.color)
                                  if stream is not None else args.color == "always",
                                  errors=False)
    if args.format == "json":
        return output.render_json(result)
    try:
        mod = importlib.import_module(f"..report.{args.format}", __package__)
    except ImportError as exc:
        from ..core.errors import OverlayLintError
        raise OverlayLintError(f"--format {args.format} is not available in this build "
                               f"({exc}); use text or json") from None
    return mod.render(result)


def _emit(args: argparse.Namespace, text: str) -> None:
    if args.output:
        from ..core.paths import write_text
        write_text(args.output, text)   # creates missing folders; never through a symlink
    else:
        sys.stdout.write(text)


def _annotate(args: argparse.Namespace, result) -> None:
    """GitHub workflow commands on stdout, after the report (see ``args.annotate``)."""
    if args.annotate:
        from ..report import github
        sys.stdout.write(github.render(result))


def _changed_since(ref: str, root: str) -> list[str]:
    from ..core.errors import OverlayLintError
    try:
        changed = importlib.import_module("..lint.selection", __package__)
    except ImportError:
        changed = None
    fn = getattr(changed, "changed_since", None)
    if fn is None:
        raise OverlayLintError("--changed-since is not available in this build")
    return [os.path.abspath(os.path.join(root, f)) for f in fn(ref, root)]


def _selector(changed: list[str], cfg, baseline: str | None = None):
    """Pick the targets a set of changed files affects (all when the config changed)."""
    global_paths = ([cfg.path] if cfg.path else []) + list(cfg.rule_dirs) + \
        ([baseline] if baseline else [])

    def select(targets):
        from ..lint.selection import select_targets
        return select_targets(targets, changed, global_paths=global_paths).targets
    return select


# --- overlay-lint rules / explain ----------------------------------------------------------

def run_rules(argv: list[str]) -> int:
    from .parser import new_parser
    p = new_parser(prog="overlay-lint rules", description="List the rules.",
                   allow_abbrev=False)
    p.add_argument("--config", metavar="FILE")
    p.add_argument("--markdown", action="store_true",
                   help="print every rule's documentation as Markdown (docs/rules.md)")
    args = p.parse_args(argv)
    from ..core.errors import OverlayLintError
    from ..lint.config import load_config
    from ..lint.registry import load_rules
    try:
        rules = load_rules(load_config(".", args.config))
    except OverlayLintError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.markdown:
        sys.stdout.write(rules_markdown(rules))
        return 0
    width = max(len(r.id) for r in rules)
    for r in rules:
        state = r.severity if r.enabled else "off"
        kind = "yaml" if not r.source.startswith("built-in") else "    "
        print(f"{r.id:<{width}}  {state:<7} {kind}  {visible(r.summary.replace('``', '`'))}")
    return 0


def rules_markdown(rules) -> str:
    """The rule reference (docs/rules.md is this output for the default configuration)."""
    out = ["# Rules", "",
           "Generated by `overlay-lint rules --markdown`; `overlay-lint explain RULE` prints "
           "one. Configure them under `rules:` in `.overlay-lint.yaml` (see "
           "[configuration.md](configuration.md)).", "",
           "| Rule | Severity | Kind | Checks |", "|---|---|---|---|"]
    for r in rules:
        kind = "built-in" if r.source.startswith("built-in") else "declarative"
        out.append(f"| [`{r.id}`](#{r.id}) | {r.severity} | {kind} | {r.summary} |")
    for r in rules:
        kind = ("built-in" if r.source.startswith("built-in") else
                f"declarative (`rules/{os.path.basename(r.source)}`)")
        out += ["", f"## {r.id}", "", f"Severity: {r.severity}. Kind: {kind}.", ""]
        out.append(r.doc.split("\n", 1)[1].strip() if "\n" in r.doc.strip() else "")
        if r.parameters:
            out += ["", "Parameters (defaults):", ""]
            for k, v in r.parameters.items():
                if _is_table(v):
                    out.append(f"- `{k}`:")
                    out += [f"  - `{_flow(item)}`" for item in v]
                else:
                    out.append(f"- `{k}`: `{v!r}`")
    return "\n".join(out) + "\n"


def run_explain(argv: list[str]) -> int:
    from .parser import new_parser
    p = new_parser(prog="overlay-lint explain", allow_abbrev=False,
                   description="Print a rule's documentation.")
    p.add_argument("rule", metavar="RULE")
    p.add_argument("--config", metavar="FILE")
    args = p.parse_args(argv)
    from ..core.errors import OverlayLintError
    from ..lint.config import load_config
    from ..lint.registry import load_rules
    try:
        rules = {r.id: r for r in load_rules(load_config(".", args.config))}
    except OverlayLintError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    rule = rules.get(args.rule)
    if rule is None:
        import difflib
        close = difflib.get_close_matches(args.rule, list(rules), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else "; `overlay-lint rules` lists them"
        print(f"overlay-lint: unknown rule '{args.rule}'{hint}", file=sys.stderr)
        return 2
    print(f"{rule.id} ({rule.severity}{'' if rule.enabled else ', disabled'}; "
          f"{visible(rule.source)})")
    print()
    print(safe_lines(rule.doc.rstrip()))   # a user's rule file: untrusted text
    if rule.parameters:
        print()
        print("Parameters (defaults; set them under `rules: {id}:` in .overlay-lint.yaml):"
              .format(id=rule.id))
        for k, v in rule.parameters.items():
            eff = rule.effective_params()[k]
            if _is_table(v):
                print(f"  {k}:{'  (configured: see below)' if eff != v else ''}")
                for item in (eff if isinstance(eff, list) else v):
                    print(f"    - {_flow(item)}")
                continue
            extra = f"  (configured: {eff!r})" if eff != v else ""
            print(visible(f"  {k}: {v!r}{extra}"))
    return 0


def _is_table(v) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def _flow(item) -> str:
    """A mapping as one line of YAML flow style, for parameter listings."""
    if isinstance(item, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in item.items()) + "}"
    if isinstance(item, list):
        return "[" + ", ".join(_flow(v) for v in item) + "]"
    return str(item)
