"""Start-up stays near the interpreter's: what each command imports, and the packaged index.

A pre-commit hook pays start-up on every commit, so commands import only what they use:
``--version``, ``--help``, ``rules`` and ``explain`` none of the YAML parser, jsonschema,
the renderer, the differ or the Kubernetes schemas; a lint with nothing to render neither
the parser nor jsonschema; jsonschema only when a declarative rule or the config may fail
(benchmarks/startup.py times it; these tests only check what is imported).
"""
from __future__ import annotations

import ast
import contextlib
import io
import inspect
import json
import os
import subprocess
import sys
import textwrap

import pytest
from conftest import need_shared
from hypothesis import given, settings
from hypothesis import strategies as st

from overlay_lint.lint.declarative import load_rule, packaged_rules_dir, rule_files
from overlay_lint.lint.registry import builtin_rules, cleandoc
from overlay_lint.lint.rule_index import INDEX, build_index, packaged_data

HEAVY = ("jsonschema", "referencing", "ruamel", "overlay_lint.core.yaml_reader",
         "overlay_lint.kustomize.build", "overlay_lint.diff", "overlay_lint.lint.k8s")


_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


@pytest.fixture(scope="module", autouse=True)
def _bytecode_cache(tmp_path_factory):
    """Child interpreters cache bytecode in a scratch folder (compiling every module in
    every child would make these tests slow, not more exact)."""
    _ENV["PYTHONPYCACHEPREFIX"] = str(tmp_path_factory.mktemp("pycache"))


def imported(args: list[str], cwd: str, env: dict[str, str] | None = None
             ) -> tuple[set[str], str]:
    """The modules a command imports (run in a fresh interpreter), and its output."""
    code = textwrap.dedent(f"""
        import contextlib, io, sys
        sys.argv = ["overlay-lint"] + {args!r}
        from overlay_lint.cli import main
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
                main(sys.argv[1:])
        except SystemExit:
            pass
        print(repr([sorted(sys.modules), out.getvalue()]))  # not json: renders spare it
    """)
    p = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                       check=True, env=dict(_ENV, **(env or {})))
    mods, out = ast.literal_eval(p.stdout.strip().splitlines()[-1])
    return set(mods), out


def heavy(mods: set[str]) -> list[str]:
    return sorted(m for m in mods if any(m == h or m.startswith(h + ".") for h in HEAVY))


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["rules"],
                                  ["explain", "revision-history-limit"],
                                  ["explain", "dev-replicas"]])
def test_informational_commands_import_nothing_heavy(args, tmp_path):
    mods, out = imported(args, str(tmp_path))
    assert out.strip()
    assert heavy(mods) == []


# What a lint with nothing to render does without (a pre-commit hook on a commit that
# touches no manifest): typing (annotations only), RE2 (the rules' default patterns are
# known to compile), urllib.parse (SARIF links), argparse (a plain command line)
EMPTY_LINT_SPARES = ("typing", "re2", "urllib.parse", "argparse", "gettext", "locale")


def test_a_lint_with_nothing_to_render_imports_no_parser_and_no_jsonschema(tmp_path):
    (tmp_path / "README.md").write_text("nothing to lint\n")
    mods, out = imported(["."], str(tmp_path))
    assert "0 findings" in out
    assert heavy(mods) == []
    # (an editable install's import finder loads urllib.parse in every process of its venv)
    assert sorted(m for m in EMPTY_LINT_SPARES if m in mods - _bare_interpreter()) == []


def _bare_interpreter() -> set[str]:
    p = subprocess.run([sys.executable, "-c", "import sys; print(' '.join(sys.modules))"],
                       capture_output=True, text=True, check=True, env=_ENV)
    return set(p.stdout.split())


def test_a_lint_of_a_tree_imports_no_typing(tmp_path):
    shared = need_shared()
    mods, out = imported([str(shared / "fixtures" / "aether-clean" / "infra")], str(tmp_path))
    assert "0 findings" in out
    assert "typing" not in mods


def test_a_dev_image_pattern_that_does_not_compile_is_an_error_even_with_no_env(tmp_path):
    """The rules skip RE2 when there is nothing to check, but only with their default
    patterns: a configured pattern is still checked."""
    (tmp_path / ".overlay-lint.yaml").write_text(
        "rules:\n  dev-image-tags:\n    tag-pattern: '(?=dev)'\n")
    mods, out = imported(["."], str(tmp_path))
    assert "tag-pattern" in out and "re2" in mods, out


def test_the_image_rules_default_patterns_need_no_re2(tmp_path):
    """dev-image-tags and prod-no-dev-images with their default patterns run on Python's
    re (lint/param_regex.py: same answers), so a tree whose Kustomize fields need no regex
    does not load RE2; the rules still report."""
    base = tmp_path / "base"
    base.mkdir()
    (base / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (base / "deployment.yaml").write_text(_deployment(3))
    # dev: example.com/ is first-party (api's dev tag says so), and web runs 1.0 there
    for env, image in (("dev", "api, newTag: dev-3"), ("staging", "web, newTag: dev-2"),
                       ("prod", "web, newTag: dev-1")):
        (tmp_path / "overlays" / env).mkdir(parents=True)
        (tmp_path / "overlays" / env / "kustomization.yaml").write_text(
            f"resources: [../../base]\nimages: [{{name: example.com/{image}}}]\n")
    mods, out = imported(["."], str(tmp_path))
    assert "[dev-image-tags]" in out and "[prod-no-dev-images]" in out, out
    assert "re2" not in mods


# dataclasses imports inspect, and inspect ast, dis and tokenize: ~9 ms of every process
COMPILER = ("dataclasses", "inspect", "ast", "dis", "tokenize")


def test_no_run_imports_dataclasses_or_inspect(tmp_path):
    """Records (core/record.py) stand for dataclasses: a lint with nothing to render, a
    render and a full lint import neither it nor what it pulls in."""
    shared = need_shared()
    (tmp_path / "README.md").write_text("nothing to lint\n")
    fixture = shared / "fixtures" / "aether-clean" / "infra"
    for args, cwd in ((["."], tmp_path), (["render", "overlays/prod"], fixture),
                      ([str(fixture)], tmp_path)):
        mods, out = imported(args, str(cwd))
        assert out.strip(), args
        assert sorted(m for m in COMPILER if m in mods) == [], args


# What a render of a small plain dir does without: ruamel.yaml's package (its YAML class,
# constructors, representers, emitter; the reader uses libyaml's event parser alone) and
# the standard modules only rare scalars need,
RENDER_SPARES = ("ruamel.yaml.main", "ruamel.yaml.constructor", "ruamel.yaml.representer",
                 "ruamel.yaml.emitter", "ruamel.yaml.resolver", "ruamel.yaml.comments",
                 "base64", "datetime",
                 # nor what only a generator's hash suffix, a strategic merge patch's
                 # schemas or JSON text need
                 "hashlib", "_hashlib", "decimal", "json",
                 # nor typing: the renderer's modules import it for type checkers only
                 "typing")


def test_a_render_of_a_small_dir_imports_only_what_it_uses(tmp_path):
    (tmp_path / "kustomization.yaml").write_text(
        "namePrefix: p-\nresources: [deployment.yaml]\nlabels:\n- pairs: {app: web}\n")
    (tmp_path / "deployment.yaml").write_text(_deployment(3))
    mods, out = imported(["render", "."], str(tmp_path))
    assert "name: p-web" in out and "revisionHistoryLimit: 3" in out, out
    assert sorted(m for m in RENDER_SPARES if m in mods) == []


def test_a_lint_with_the_parse_cache_does_not_load_ruamel_yamls_package(tmp_path):
    """The cache's stamp reads ruamel.yaml's version from its source: the hook's runs, like
    any other, parse with libyaml's event parser alone (cold cache, then warm)."""
    base = tmp_path / "base"
    base.mkdir()
    (base / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (base / "deployment.yaml").write_text(_deployment(3))
    cache = {"OVERLAY_LINT_CACHE_DIR": str(tmp_path.parent / (tmp_path.name + "-cache"))}
    for _ in range(2):
        mods, out = imported(["base"], str(tmp_path), cache)
        assert "findings" in out, out
        assert "overlay_lint.core.parse_cache" in mods
        assert sorted(m for m in RENDER_SPARES[:6] if m in mods) == []


def _deployment(limit: int) -> str:
    return textwrap.dedent(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          revisionHistoryLimit: {limit}
          selector: {{matchLabels: {{app: web}}}}
          template:
            metadata: {{labels: {{app: web}}}}
            spec:
              containers: [{{name: web, image: "example.com/web:1.0"}}]
        """)


def test_jsonschema_only_when_a_declarative_rule_may_fail(tmp_path):
    """A resource every packaged rule accepts needs no jsonschema; one that fails a rule
    loads it, and the finding is reported as before."""
    base = tmp_path / "base"
    base.mkdir()
    (base / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (base / "deployment.yaml").write_text(_deployment(3))
    mods, out = imported(["base", "--select", "revision-history-limit"], str(tmp_path))
    assert "0 findings" in out, out
    assert "jsonschema" not in mods and "overlay_lint.core.yaml_reader" in mods
    (base / "deployment.yaml").write_text(_deployment(10))
    mods, out = imported(["base", "--select", "revision-history-limit"], str(tmp_path))
    assert "revisionHistoryLimit is 10" in out, out
    assert "jsonschema" in mods


def test_a_valid_config_needs_no_jsonschema_and_an_invalid_one_is_located(tmp_path):
    (tmp_path / ".overlay-lint.yaml").write_text("fail-on: warning\nrules:\n  dev-replicas: off\n")
    mods, out = imported(["."], str(tmp_path))
    assert "0 findings" in out and "jsonschema" not in mods
    (tmp_path / ".overlay-lint.yaml").write_text("fail-on: warning\nrules:\n  dev-replicas: 3\n")
    mods, out = imported(["."], str(tmp_path))
    assert ".overlay-lint.yaml:3: invalid config at rules.dev-replicas" in out, out


def test_packaged_rule_index_is_up_to_date():
    with open(INDEX, encoding="utf-8") as fh:
        assert json.load(fh) == build_index(rule_files(packaged_rules_dir())), \
            "rules/*.yaml changed: run `python scripts/gen_rule_index.py`"


def test_indexed_rules_are_the_rules_their_yaml_defines():
    folder = packaged_rules_dir()
    files = rule_files(folder)
    indexed = packaged_data(files)
    assert sorted(indexed) == files
    for path in files:
        a, b = load_rule(path, trusted=True), load_rule(path, trusted=True, data=indexed[path])
        assert (a.id, a.severity, a.summary, a.doc, a.parameters, a.source) == \
            (b.id, b.severity, b.summary, b.doc, b.parameters, b.source)


def test_an_edited_packaged_rule_is_read_from_its_yaml(tmp_path):
    folder = packaged_rules_dir()
    files = rule_files(folder)
    copy = tmp_path / os.path.basename(files[0])
    with open(files[0], encoding="utf-8") as fh:
        copy.write_text(fh.read().replace("severity: error", "severity: warning"))
    assert packaged_data([str(copy)]) == {}


def test_cleandoc_is_inspects():
    docs = [sys.modules[r.source[len("built-in ("):-1]].__doc__ for r in builtin_rules()]
    docs += ["  x\n\n    a\n   b\n\n", "one line", "", "\n\n  lead\n\tx\n  "]
    for doc in docs:
        assert cleandoc(doc) == inspect.cleandoc(doc)


def _argparse_render(args: list[str]):
    from overlay_lint.cli import _render_parser
    try:
        ns = _render_parser().parse_args(args)
    except SystemExit:
        return None
    return (ns.dirs, ns.origin, ns.root, ns.load_restrictor == "LoadRestrictionsRootOnly")


@pytest.mark.parametrize("args", [
    ["a"], ["a", "b"], ["--origin", "a"], ["a", "--origin"], ["a", "--origin", "b"],
    ["--root", "r", "a", "b"], ["a", "b", "--root", "r"], ["--root", "r", "--root", "s", "a"],
    ["a", "--root", "r", "b"], ["--root", "-1", "a"], ["--root"], ["a", "--root"], ["", "a"],
    ["--origin", "--origin", "a", "--origin"], ["a", "--", "b"], ["--root=r", "a"], ["-h"],
    ["a", "--help"], ["--orig", "a"], ["-1"], [], ["--origin"], ["a", "-x"],
    ["--root", "r", "a", "--origin", "b"], ["--load-restrictor", "LoadRestrictionsNone", "a"],
    ["a", "--load-restrictor", "LoadRestrictionsRootOnly"], ["--load-restrictor", "x", "a"]])
def test_a_plain_render_command_line_is_read_as_argparse_reads_it(args):
    from overlay_lint.cli import _plain_render_args
    plain = _plain_render_args(args)
    assert plain is None or plain == _argparse_render(args)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "", "-", "--", "--origin", "--root", "-1", "-x",
                                 "--root=r", "r -", "--orig"]), max_size=6))
def test_any_render_command_line_the_plain_reader_takes_reads_as_argparse(args):
    from overlay_lint.cli import _plain_render_args
    plain = _plain_render_args(args)
    if plain is not None:
        assert plain == _argparse_render(args)
    elif all(not a.startswith("-") or a in ("--origin", "--root") for a in args) \
            and _argparse_render(args) is not None and "--root" not in args:
        raise AssertionError(f"argparse reads {args} plainly: the fast path should too")


def test_a_render_reads_its_plain_command_line_without_argparse(tmp_path):
    (tmp_path / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (tmp_path / "deployment.yaml").write_text(_deployment(3))
    mods, out = imported(["render", "--origin", "."], str(tmp_path))
    assert "revisionHistoryLimit: 3  # deployment.yaml:6" in out, out
    assert "argparse" not in mods and "shutil" not in mods
    mods, out = imported(["render", "--root=.", "."], str(tmp_path))
    assert "revisionHistoryLimit: 3\n" in out and "argparse" in mods


_NO_COMPILE = textwrap.dedent("""
    import builtins, contextlib, io, sys, traceback
    calls = []
    real = builtins.compile
    def counting(*args, **kwargs):
        caller = traceback.extract_stack(limit=2)[0].filename
        if "importlib" not in caller:  # a module without cached bytecode: not counted
            calls.append(caller)
        return real(*args, **kwargs)
    builtins.compile = counting
    from overlay_lint.cli import main
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        main(sys.argv[1:])
    print(repr([calls, out.getvalue()]))
""")


def test_no_render_or_lint_calls_compile(tmp_path):
    """The first compile() of a process costs ~1 ms (it builds the ast module's types):
    typing calls it for every forward reference written as text (an alias's argument, a
    typing.NamedTuple field under postponed annotations). None in a render or a lint."""
    base = tmp_path / "base"
    base.mkdir()
    (base / "kustomization.yaml").write_text(
        "namespace: shop\nresources: [deployment.yaml]\nlabels:\n- pairs: {app: web}\n")
    (base / "deployment.yaml").write_text(_deployment(3))
    for args in (["render", "base"], ["base"]):
        p = subprocess.run([sys.executable, "-c", _NO_COMPILE, *args], cwd=tmp_path,
                           capture_output=True, text=True, check=True, env=_ENV)
        calls, out = ast.literal_eval(p.stdout.strip().splitlines()[-1])
        assert "namespace: shop" in out or "findings" in out, out
        assert calls == [], args


def test_a_lint_imports_no_shutil(tmp_path):
    """argparse's help formatter imports shutil for the terminal's width (~2.5 ms of every
    lint and hook run); cli/parser.py reads the width itself. A plain command line is read
    without argparse at all (cli/plain_args.py)."""
    shared = need_shared()
    (tmp_path / "README.md").write_text("nothing to lint\n")
    fixture = shared / "fixtures" / "aether-clean" / "infra"
    for args, cwd in ((["."], tmp_path), ([str(fixture)], tmp_path),
                      (["--format", "json", "--exit-zero", str(fixture)], tmp_path)):
        mods, out = imported(args, str(cwd))
        assert "finding" in out, args
        assert "argparse" not in mods and "shutil" not in mods, args
    for args in (["--format=text", "."], ["--", "."]):   # read by argparse
        mods, out = imported(args, str(tmp_path))
        assert "finding" in out, args
        assert "argparse" in mods and "shutil" not in mods, args


def _argparse_lint(args: list[str]):
    from overlay_lint.cli.lint_cmd import lint_parser
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            return vars(lint_parser().parse_args(args))
    except SystemExit:
        return None


_LINT_WORDS = ["a", "b", "", "-", "--", "-1", "-x", "json", "warning", "bogus", "--format",
               "--format=json", "-o", "--output", "--fail-on", "--select", "--rule",
               "--ignore", "--exit-zero", "--statistics", "--pre-commit", "--color",
               "--unsupported", "--files", "--root", "--config", "--changed-since", "-h",
               "--form", "--report-unused-suppressions", "--baseline", "--new-since"]


@pytest.mark.parametrize("args", [
    [], ["."], ["a", "b"], ["--format", "json", "a", "b"], ["a", "--format", "json", "b"],
    ["a", "b", "--exit-zero"], ["--select", "x", "--rule", "y", "--ignore", "z", "a"],
    ["-o", "f", "a"], ["--format=json", "a"], ["--pre-commit", "x.yaml", "y.yaml"],
    ["--format", "jsn", "a"], ["--color", "never", "--color", "always"], ["--files", "a"],
    ["--root", "-1", "a"], ["--root"], ["-h"], ["--form", "json"], ["a", "--", "b"],
    ["--fail-on", "warning", "--statistics", "--report-unused-suppressions", "a"],
    ["--unsupported", "skip", "--changed-since", "main", "--new-since", "v1", "."]])
def test_a_plain_lint_command_line_is_read_as_argparse_reads_it(args):
    from overlay_lint.cli.lint_cmd import LINT_OPTIONS
    from overlay_lint.cli.plain_args import read
    plain = read(args, LINT_OPTIONS)
    assert plain is None or plain == _argparse_lint(args)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_LINT_WORDS), max_size=7))
def test_any_lint_command_line_the_plain_reader_takes_reads_as_argparse(args):
    from overlay_lint.cli.lint_cmd import LINT_OPTIONS
    from overlay_lint.cli.plain_args import read
    plain = read(args, LINT_OPTIONS)
    want = _argparse_lint(args)
    if plain is not None:
        assert plain == want
    elif want is not None and not any(a.startswith("-") and a not in LINT_OPTIONS.flags
                                       for a in args):
        raise AssertionError(f"argparse reads {args} plainly: the fast path should too")


def test_the_plain_option_table_names_the_parsers_options():
    from overlay_lint.cli.lint_cmd import LINT_OPTIONS, lint_parser
    parser = {o: a.dest for a in lint_parser()._actions for o in a.option_strings}
    table = {**LINT_OPTIONS.flags, **LINT_OPTIONS.values, **LINT_OPTIONS.appends}
    assert {o: d for o, d in parser.items() if o not in ("-h", "--help", "--files")} == table
    assert set(LINT_OPTIONS.defaults) == {a.dest for a in lint_parser()._actions} - {"help"}


_HELP = textwrap.dedent("""
    import argparse, contextlib, io, sys
    from overlay_lint.cli import _render_parser
    from overlay_lint.cli.diff_cmd import diff_parser
    from overlay_lint.cli.envs_cmd import envs_parser
    from overlay_lint.cli.lint_cmd import lint_parser, run_explain, run_rules

    def said(fn, *args):
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                fn(*args)
            except SystemExit:
                pass
        return out.getvalue()

    texts = []
    for make in (lint_parser, envs_parser, diff_parser, _render_parser):
        p = make()
        texts += [p.format_help(), p.format_usage(), said(p.parse_args, ["--no-such"])]
    texts += [said(run_rules, ["--help"]), said(run_explain, ["--help"]),
              said(run_explain, [])]
    print(repr(texts))
""")


@pytest.mark.parametrize("columns", [None, "40", "100", "0", "wide"])
def test_help_text_is_argparses_own(columns, tmp_path):
    """Every parser's help, usage and error text equals what argparse's own formatter
    (which asks shutil for the width) prints, whatever COLUMNS says."""
    env = dict(_ENV)
    env.pop("COLUMNS", None)
    if columns is not None:
        env["COLUMNS"] = columns
    stock = _HELP.replace("from overlay_lint.cli import _render_parser",
                          "import overlay_lint.cli.parser as P\n"
                          "P.new_parser = lambda **kw: argparse.ArgumentParser(**kw)\n"
                          "from overlay_lint.cli import _render_parser")
    got = [subprocess.run([sys.executable, "-c", code, "x"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=True).stdout
           for code in (_HELP, stock)]
    assert ast.literal_eval(got[0]) == ast.literal_eval(got[1])
    assert "usage: overlay-lint" in got[0]


def test_hashing_needs_no_hashlib(tmp_path):
    """Generator name suffixes, the parse cache's keys and finding fingerprints use the
    built-in SHA-256 (core/digest.py), not hashlib and OpenSSL's binding (~3.5 ms a
    process); the suffix is Kustomize's (the parity tests check it against kubectl)."""
    from overlay_lint.core.digest import sha256
    import hashlib
    assert sha256(b"overlay-lint").hexdigest() == hashlib.sha256(b"overlay-lint").hexdigest()
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [deployment.yaml]\nconfigMapGenerator:\n- name: cfg\n  literals: [a=b]\n")
    (tmp_path / "deployment.yaml").write_text(_deployment(10))
    mods, out = imported(["render", "."], str(tmp_path))
    assert "name: cfg-" in out, out
    cache = {"OVERLAY_LINT_CACHE_DIR": str(tmp_path.parent / (tmp_path.name + "-cache"))}
    lint, out2 = imported([".", "--format", "json"], str(tmp_path), cache)
    assert '"fingerprint"' in out2 and "revisionHistoryLimit is 10" in out2, out2
    assert "overlay_lint.core.parse_cache" in lint
    assert sorted(m for m in ("hashlib", "_hashlib") if m in mods | lint) == []
