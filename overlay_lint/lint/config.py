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
from dataclasses import dataclass, field

from ..core.errors import OverlayLintError, at
from ..core.node import Node, Origin, from_data

CONFIG_NAMES = (".overlay-lint.yaml", ".overlay-lint.yml")
DEFAULT_DEV = ("dev", "development", "local")
DEFAULT_PROTECTED = ("prod", "production")


@dataclass
class EnvSpec:
    """An env declared in the config."""

    path: str                 # absolute kustomization directory
    name: str
    role: str | None          # dev | protected | none | None (from the name)
    origin: Origin | None = None


@dataclass
class IgnoreEntry:
    rules: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)
    envs: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class Config:
    """The effective configuration (defaults when no file was found)."""

    path: str | None = None            # file it came from
    base_dir: str = "."                # relative paths in the config are relative to this
    envs: list[EnvSpec] | None = None
    dev_names: tuple = DEFAULT_DEV
    protected_names: tuple = DEFAULT_PROTECTED
    rules: dict[str, Node] = field(default_factory=dict)   # rule id -> its config node
    rules_origin: Origin | None = None
    rule_dirs: list[str] = field(default_factory=list)     # absolute
    ignore_paths: list[str] = field(default_factory=list)
    ignores: list[IgnoreEntry] = field(default_factory=list)
    fail_on: str | None = None

    def role_of(self, name: str) -> str:
        base = name.rsplit("/", 1)[-1]
        if base in self.dev_names:
            return "dev"
        if base in self.protected_names:
            return "protected"
        return "none"

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
        if os.path.isfile(pp) and _has_tool_table(pp):
            return pp, "toml"
        if stop is not None and d == stop:
            return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _has_tool_table(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as fh:
            return "[tool.overlay-lint" in fh.read()
    except OSError:
        return False


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
    node = _read_toml(path) if kind == "toml" else _read_yaml(path)
    return parse_config(node, path)


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


def _read_toml(path: str) -> Node:
    try:
        import tomllib  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ImportError:
            raise OverlayLintError("reading [tool.overlay-lint] needs Python 3.11+ (or the "
                                   "tomli package); use .overlay-lint.yaml instead", path) from None
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except Exception as exc:  # TOMLDecodeError carries "(at line N, column M)"
        m = re.search(r"line (\d+)", str(exc))
        raise OverlayLintError(f"invalid TOML: {exc}", path, int(m.group(1)) if m else None) \
            from None
    table = data.get("tool", {}).get("overlay-lint", {})
    text = raw.decode("utf-8")
    lines = text.splitlines()
    head = next((i + 1 for i, ln in enumerate(lines)
                 if re.match(r"\s*\[tool\.overlay-lint\]", ln)), 1)
    node = from_data(table, (path, head, 1))
    # Give each top-level key the line that sets it, so errors point close to it.
    for key, child in node.items():
        pat = re.compile(rf"^\s*(\"?{re.escape(key)}\"?\s*=|\[+tool\.overlay-lint\.{re.escape(key)}\b)")
        ln = next((i + 1 for i, s in enumerate(lines) if pat.match(s)), head)
        _relocate(child, (path, ln, 1))
    return node


def _relocate(node: Node, origin: Origin) -> None:
    for _, n in node.walk():
        n.o = origin


def parse_config(node: Node, path: str) -> Config:
    """Validate a config tree against the packaged schema and build a ``Config``."""
    from .schema_check import failures, packaged_schema, path_text, validator_for
    validator = validator_for(packaged_schema("config.schema.json"), check=False)
    for f in failures(validator, node):
        where = path_text(f.path)
        raise at(f.origin, f"invalid config{' at ' + where if where else ''}: {_friendly(f)}")
    base = os.path.dirname(os.path.abspath(path))
    cfg = Config(path=path, base_dir=base)
    roles = node.get("roles")
    if roles is not None:
        # a name configured for one role leaves the other role's defaults
        if roles.get("dev") is not None:
            cfg.dev_names = tuple(roles.value("dev"))
            if roles.get("protected") is None:
                cfg.protected_names = tuple(n for n in DEFAULT_PROTECTED if n not in cfg.dev_names)
        if roles.get("protected") is not None:
            cfg.protected_names = tuple(roles.value("protected"))
            if roles.get("dev") is None:
                cfg.dev_names = tuple(n for n in DEFAULT_DEV if n not in cfg.protected_names)
    envs = node.get("envs")
    if envs is not None:
        cfg.envs = []
        seen: dict[str, Origin] = {}
        for item in envs.v:
            p = os.path.normpath(os.path.join(base, item.value("path")))
            if not os.path.isdir(p):
                raise at(item.get("path").o, f"env path '{item.value('path')}' is not a directory")
            name = item.value("name") or os.path.basename(p)
            if name in seen:
                raise at(item.o, f"env name '{name}' is used twice; give each env a unique name")
            seen[name] = item.o
            cfg.envs.append(EnvSpec(p, name, item.value("role"), item.o))
    rules = node.get("rules")
    if rules is not None:
        cfg.rules = dict(rules.v)
        cfg.rules_origin = rules.o
    for item in (node.get("rule-dirs").v if node.get("rule-dirs") is not None else []):
        d = os.path.normpath(os.path.join(base, item.v))
        if not os.path.isdir(d):
            raise at(item.o, f"rule folder '{item.v}' is not a directory")
        cfg.rule_dirs.append(d)
    cfg.ignore_paths = list(node.value("ignore-paths") or [])
    for item in (node.get("ignore").v if node.get("ignore") is not None else []):
        d = item.data()
        cfg.ignores.append(IgnoreEntry(d.get("rules", []), d.get("paths", []),
                                       d.get("resources", []), d.get("envs", []),
                                       d.get("reason", "")))
    cfg.fail_on = node.value("fail-on")
    return cfg


def _friendly(f) -> str:
    if f.validator == "additionalProperties" and f.path:
        return f"unknown key '{f.path[-1]}'"
    if f.validator == "required" and f.missing:
        return f"'{f.missing}' is required"
    return f.message
