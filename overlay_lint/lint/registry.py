"""The rule set: built-in rule modules, packaged declarative rules, user rule folders."""
from __future__ import annotations

import importlib
import inspect

from ..core.errors import OverlayLintError, at
from .config import Config
from .model import Rule

SEVERITIES = ("error", "warning", "info")


def builtin_rules() -> list[Rule]:
    from .rules import MODULES
    out = []
    for name in MODULES:
        mod = importlib.import_module(f".rules.{name}", __package__)
        doc = inspect.cleandoc(mod.__doc__ or "")
        summary = doc.split("\n", 1)[0].strip()
        out.append(Rule(mod.ID, mod.SEVERITY, summary, doc + "\n", dict(mod.PARAMETERS),
                        mod.check, source=f"built-in ({mod.__name__})"))
    return out


def load_rules(cfg: Config | None = None) -> list[Rule]:
    """Every known rule, configured by ``cfg`` (enabled flag, severity, parameters)."""
    from .declarative import load_rule, packaged_rules_dir, rule_files
    rules = builtin_rules()
    folders = []
    pkg = packaged_rules_dir()
    if pkg:
        folders.append(pkg)
    if cfg is not None:
        folders += cfg.rule_dirs
    seen = {r.id: r.source for r in rules}
    for folder in folders:
        for path in rule_files(folder):
            rule = load_rule(path, trusted=folder == pkg)
            if rule.id in seen:
                raise OverlayLintError(f"rule id '{rule.id}' is already defined by "
                                       f"{seen[rule.id]}", path, 1)
            seen[rule.id] = path
            rules.append(rule)
    rules.sort(key=lambda r: r.id)
    if cfg is not None:
        configure(rules, cfg)
    return rules


def configure(rules: list[Rule], cfg: Config) -> None:
    """Apply the config's ``rules:`` section; unknown rules or parameters are errors."""
    by_id = {r.id: r for r in rules}
    for rid, node in cfg.rules.items():
        rule = by_id.get(rid)
        if rule is None:
            key_origin = node.o
            raise at(key_origin, f"unknown rule '{rid}' in config; `overlay-lint rules` "
                                 "lists the rules")
        v = node.v
        if type(v) is bool:
            rule.enabled = v
        elif isinstance(v, str):
            if v in SEVERITIES:
                rule.severity = v
            else:
                rule.enabled = v in ("on", "enable")
        elif node.is_map:
            for key, child in node.items():
                if key == "enabled":
                    rule.enabled = bool(child.v)
                elif key == "severity":
                    rule.severity = child.v
                elif key in rule.parameters:
                    _check_type(rid, key, child, rule.parameters[key])
                    rule.params[key] = child.data()
                else:
                    known = ", ".join(sorted(rule.parameters)) or "none"
                    raise at(child.o, f"rule '{rid}' has no parameter '{key}' "
                                      f"(parameters: {known})")


def _check_type(rid: str, key: str, node, default) -> None:
    v = node.data()
    ok = True
    if isinstance(default, bool):
        ok = isinstance(v, bool)
    elif isinstance(default, int):
        ok = isinstance(v, int) and not isinstance(v, bool)
    elif isinstance(default, float):
        ok = isinstance(v, (int, float)) and not isinstance(v, bool)
    elif isinstance(default, str):
        ok = isinstance(v, str)
        if ok and key.endswith("pattern"):
            import re
            try:
                re.compile(v)
            except re.error as exc:
                raise at(node.o, f"rule '{rid}': '{key}' is not a valid regex: {exc}") from None
    elif isinstance(default, list):
        ok = isinstance(v, list) and all(isinstance(x, str) for x in v) if all(
            isinstance(x, str) for x in default) else isinstance(v, list)
    elif isinstance(default, dict):
        ok = isinstance(v, dict)
    if not ok:
        want = type(default).__name__
        want = {"str": "a string", "int": "an integer", "bool": "true or false",
                "list": "a list of strings", "float": "a number", "dict": "a mapping"}.get(
            want, want)
        raise at(node.o, f"rule '{rid}': parameter '{key}' must be {want}")
