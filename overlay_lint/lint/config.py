"""Find, read and validate the configuration: ``.overlay-lint.yaml`` or pyproject.toml.

Lookup starts at the linted path and walks up to the repository root (the first folder
holding ``.git``); ``--config FILE`` skips the lookup. The file is validated against
``overlay_lint/schemas/config.schema.json``; every problem is an ``OverlayLintError``
at ``file:line`` (exit code 2). Rule names and parameters are checked later, once the
rule set (built-in plus declarative) is known: see ``registry.configure``.
"""
from __future__ import annotations

import fnmatch
import os
import re

from ..core.errors import OverlayLintError, at
from ..core.node import Node, Origin, from_data
from ..core.paths import is_inside
from ..core.record import dataclass, field
from .envnames import DEFAULT_DEV, DEFAULT_PROTECTED, DEFAULT_WHOLE, RoleMatcher

CONFIG_NAMES = (".overlay-lint.yaml", ".overlay-lint.yml")
_GLOB_CHARS = "*?["


@dataclass
class EnvSpec:
    """An env declared in the config: one folder, or a glob of folders (``pattern``)."""

    path: str                 # absolute kustomization directory ("" for a pattern)
    name: str                 # "" for a pattern: each match is named after its folder
    role: str | None          # dev | protected | none | None (from the path)
    origin: Origin | None = None
    pattern: str | None = None    # glob relative to the config folder (``**`` allowed)
    group: str | None = None


@dataclass
class IgnoreEntry:
    rules: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    envs: list[str] = field(default_factory=list)
    reason: str = ""
    origin: Origin | None = None


@dataclass
class Override:
    """``overrides:`` entry: rule settings for the files and folders under ``paths``."""

    paths: list[str]                   # globs relative to the config folder
    rules: dict[str, Node]             # rule id -> its setting (as under ``rules:``)
    origin: Origin | None = None
    settings: dict = field(default_factory=dict)   # rule id -> RuleSetting (registry)

    def matches(self, rel: str) -> bool:
        return any(path_matches(rel, p) for p in self.paths)


@dataclass
class Config:
    """The effective configuration (defaults when no file was found)."""

    path: str | None = None            # file it came from
    base_dir: str = "."                # relative paths in the config are relative to this
    envs: list[EnvSpec] | None = None
    roles: RoleMatcher = field(default_factory=RoleMatcher)
    rules: dict[str, Node] = field(default_factory=dict)   # rule id -> its config node
    rule_dirs: list[str] = field(default_factory=list)     # absolute
    ignore_paths: list[str] = field(default_factory=list)
    ignores: list[IgnoreEntry] = field(default_factory=list)
    fail_on: str | None = None
    kubernetes: Node | None = None     # the `kubernetes:` key, read by lint/k8s/settings.py
    unsupported: str = "error"         # error | skip (remote bases, Helm, plugins)
    # Kustomize's load restrictor: auto (off for envs only Flux deploys) | root-only | none
    load_restrictor: str = "auto"
    overrides: list[Override] = field(default_factory=list)

    def role_of(self, rel_path: str) -> str:
        """``dev``, ``protected`` or ``none`` for an env path (relative to the config
        folder) or a bare name; see ``envnames.RoleMatcher``."""
        return self.roles.role(rel_path)

    def rel(self, path: str) -> str:
        """``path`` relative to the config folder, with ``/`` separators."""
        return os.path.relpath(path, self.base_dir).replace(os.sep, "/")

    def path_ignored(self, path: str) -> bool:
        if not self.ignore_paths:
            return False
        rel = self.rel(path)
        return any(path_matches(rel, p) for p in self.ignore_paths)


def path_matches(rel: str, pattern: str) -> bool:
    """Glob match of a relative path; a folder pattern also matches what is below it."""
    p = pattern.strip()
    if p.startswith("./"):
        p = p[2:]
    p = p.rstrip("/")
    if fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(rel, p + "/*"):
        return True
    return rel.startswith(p + "/")


def find_repo_root(start: str) -> str | None:
    d = os.path.abspath(start)
    if not os.path.isdir(d):
        d = os.path.dirname(d)
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def find_config(start: str, stop: str | None) -> tuple[str, str] | None:
    """``(path, kind)`` of the nearest config from ``start`` up to ``stop`` (inclusive)."""
    d = os.path.abspath(start)
    if not os.path.isdir(d):
        d = os.path.dirname(d)
    stop = os.path.abspath(stop) if stop else None
    while True:
        for name in CONFIG_NAMES:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return p, "yaml"
        pp = os.path.join(d, "pyproject.toml")
        if os.path.isfile(pp) and _has_tool_table(pp) and _read_toml(pp) is not None:
            return pp, "toml"
        if stop is not None and d == stop:
            return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _has_tool_table(path: str) -> bool:
    """Whether a pyproject.toml may configure overlay-lint (cheap; parsed later)."""
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        raise OverlayLintError(f"cannot read: {exc.strerror or exc}", path) from None
    return b"overlay-lint" in raw and b"tool" in raw


def load_config(start: str, explicit: str | None = None, stop: str | None = None) -> Config:
    """The configuration for a lint of ``start`` (defaults when there is no file)."""
    if explicit:
        if not os.path.isfile(explicit):
            raise OverlayLintError("config file not found", explicit)
        kind = "toml" if explicit.endswith(".toml") else "yaml"
        found = (os.path.abspath(explicit), kind)
    else:
        found = find_config(start, stop if stop else find_repo_root(start))
    if found is None:
        return Config(base_dir=os.path.abspath(stop or find_repo_root(start) or os.getcwd()))
    path, kind = found
    node = _read_toml(path, explicit=bool(explicit)) if kind == "toml" else _read_yaml(path)
    assert node is not None  # find_config only returns a pyproject.toml that has the table
    from ..core.paths import find_root
    root = os.path.realpath(stop) if stop else find_root(start)
    return parse_config(node, path, root)


def _read_yaml(path: str) -> Node:
    from ..core.yaml_reader import load_file
    docs = [d for d in load_file(path) if d is not None]
    if not docs:
        return Node({}, (path, 1, 1))
    if len(docs) > 1:
        raise at(docs[1].o, "the config file must hold one YAML document")
    if not docs[0].is_map:
        raise at(docs[0].o, "the config must be a mapping (see overlay-lint's config schema)")
    return docs[0]


def _read_toml(path: str, explicit: bool = False) -> Node | None:
    """The ``[tool.overlay-lint]`` table as a Node (lines of its keys kept), or None when
    the file has none (then the lookup goes on). Every problem is located."""
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise OverlayLintError("reading [tool.overlay-lint] needs Python 3.11+ (or the "
                                   "tomli package); use .overlay-lint.yaml instead", path) from None
    from ..core.yaml_reader import read_text
    text = read_text(path)          # size bound, UTF-8 checked, located errors
    try:
        data = tomllib.loads(text)
    except Exception as exc:  # TOMLDecodeError carries "(at line N, column M)"
        m = re.search(r"line (\d+)", str(exc))
        raise OverlayLintError(f"invalid TOML: {exc}", path, int(m.group(1)) if m else None) \
            from None
    lines = text.splitlines()
    tool = data.get("tool")
    if tool is None or (isinstance(tool, dict) and "overlay-lint" not in tool):
        if explicit:
            raise OverlayLintError("no [tool.overlay-lint] table in this file", path)
        return None
    if not isinstance(tool, dict):
        raise OverlayLintError("'tool' must be a table ([tool.overlay-lint])", path,
                               _line_of(lines, r"\s*\"?tool\"?\s*="))
    table = tool["overlay-lint"]
    head = _line_of(lines, r"\s*\[\s*tool\s*\.\s*\"?overlay-lint\"?\s*\]") or \
        _line_of(lines, r"\s*\"?overlay-lint\"?\s*=") or 1
    if not isinstance(table, dict):
        raise OverlayLintError("[tool.overlay-lint] must be a table of settings", path, head)
    node = from_data(table, (path, head, 1))
    # Give each top-level key the line that sets it, so errors point close to it.
    for key, child in node.items():
        ln = _line_of(lines, rf"^\s*(\"?{re.escape(key)}\"?\s*=|\[+\s*tool\.overlay-lint\."
                             rf"{re.escape(key)}\b)") or head
        _relocate(child, (path, ln, 1))
    return node


def _line_of(lines: list[str], pattern: str) -> int | None:
    pat = re.compile(pattern)
    return next((i + 1 for i, s in enumerate(lines) if pat.match(s)), None)


def _relocate(node: Node, origin: Origin) -> None:
    for _, n in node.walk():
        n.o = origin


def parse_config(node: Node, path: str, root: str | None = None) -> Config:
    """Validate a config tree against the packaged schema and build a ``Config``."""
    from .schema_accept import accepts
    from .schema_check import failures, packaged_schema, path_text, validator_for
    schema = packaged_schema("config.schema.json")
    for f in () if accepts(schema, node) else failures(validator_for(schema, check=False),
                                                         node):
        where = path_text(f.path)
        raise at(f.origin, f"invalid config{' at ' + where if where else ''}: {_friendly(f)}")
    base = os.path.dirname(os.path.abspath(path))
    cfg = Config(path=path, base_dir=base)
    roles = node.get("roles")
    if roles is not None:
        # a name configured for one role leaves the other role's defaults
        dev, prot = DEFAULT_DEV, DEFAULT_PROTECTED
        if roles.get("dev") is not None:
            dev = tuple(roles.value("dev"))
            if roles.get("protected") is None:
                prot = tuple(n for n in DEFAULT_PROTECTED if n not in dev)
        if roles.get("protected") is not None:
            prot = tuple(roles.value("protected"))
            if roles.get("dev") is None:
                dev = tuple(n for n in DEFAULT_DEV if n not in prot)
        # a configured word matches as documented (a segment or a part of one)
        cfg.roles = RoleMatcher(dev, prot, DEFAULT_WHOLE if roles.get("dev") is None
                                else frozenset())
    envs = node.get("envs")
    if envs is not None:
        cfg.envs = []
        seen: dict[str, Origin] = {}
        for item in envs.v:
            raw = item.value("path")
            role, group = item.value("role"), item.value("group")
            if any(c in raw for c in _GLOB_CHARS):
                if item.value("name"):
                    raise at(item.get("name").o, "an env path with a glob matches several "
                                                 "folders: it cannot take one name")
                pattern = os.path.normpath(raw).replace(os.sep, "/")
                if pattern.startswith("../") or os.path.isabs(raw):
                    raise at(item.get("path").o, f"env path '{raw}' must stay inside the "
                                                 "folder of the config file")
                cfg.envs.append(EnvSpec("", "", role, item.o, pattern, group))
                continue
            p = os.path.normpath(os.path.join(base, raw))
            if root is not None and not is_inside(root, p):
                raise at(item.get("path").o, f"env path '{raw}' is outside the lint root "
                                             f"{root}; not read (--root widens it)")
            if not os.path.isdir(p):
                raise at(item.get("path").o, f"env path '{raw}' is not a directory")
            name = item.value("name") or ""     # "": named after its folder, like others
            if name and name in seen:
                raise at(item.o, f"env name '{name}' is used twice; give each env a unique name")
            seen[name] = item.o
            cfg.envs.append(EnvSpec(p, name, role, item.o, None, group))
    rules = node.get("rules")
    if rules is not None:
        cfg.rules = dict(rules.v)
    for item in (node.get("rule-dirs").v if node.get("rule-dirs") is not None else []):
        d = os.path.normpath(os.path.join(base, item.v))
        # a config inside the repository (a pull request may change it) reads rules only
        # inside it; one given from outside (--config) is the operator's own
        if root is not None and is_inside(root, path) and not is_inside(root, d):
            raise at(item.o, f"rule folder '{item.v}' is outside the lint root {root}; "
                             "not read")
        if not os.path.isdir(d):
            raise at(item.o, f"rule folder '{item.v}' is not a directory")
        cfg.rule_dirs.append(d)
    cfg.ignore_paths = list(node.value("ignore-paths") or [])
    for item in (node.get("ignore").v if node.get("ignore") is not None else []):
        d = item.data()
        rules_node = item.get("rules")
        cfg.ignores.append(IgnoreEntry(d.get("rules", []), d.get("paths", []),
                                       d.get("resources", []), d.get("envs", []),
                                       d.get("reason", ""),
                                       rules_node.o if rules_node is not None else item.o))
    cfg.fail_on = node.value("fail-on")
    cfg.kubernetes = node.get("kubernetes")
    if cfg.kubernetes is not None:   # its own checks (versions, CRD folders), located
        from .k8s.settings import parse
        parse(cfg.kubernetes, base, find_repo_root(base) or base)
    cfg.unsupported = node.value("unsupported") or "error"
    cfg.load_restrictor = node.value("load-restrictor") or "auto"
    for item in (node.get("overrides").v if node.get("overrides") is not None else []):
        paths = list(item.value("paths") or [])
        for p, pn in zip(paths, item.get("paths").v):
            if p.startswith("../") or os.path.isabs(p):
                raise at(pn.o, f"override path '{p}' must stay inside the folder of the "
                               "config file")
        cfg.overrides.append(Override(paths, dict(item.get("rules").v), item.o))
    return cfg


def _friendly(f) -> str:
    if f.validator == "additionalProperties" and f.path:
        return f"unknown key '{f.path[-1]}'"
    if f.validator == "required" and f.missing:
        return f"'{f.missing}' is required"
    return f.message
