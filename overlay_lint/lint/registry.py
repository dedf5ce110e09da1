"""The rule set: built-in rule modules, packaged declarative rules, user rule folders."""
from __future__ import annotations

import importlib

from ..core.errors import OverlayLintError, at
from ..core.record import dataclass, field
from .config import Config
from .model import Rule, RuleContext

SEVERITIES = ("error", "warning", "info")


def builtin_rules() -> list[Rule]:
    from .rules import MODULES
    out = []
    for name in MODULES:
        mod = importlib.import_module(f".rules.{name}", __package__)
        doc = cleandoc(mod.__doc__ or "")
        summary = doc.split("\n", 1)[0].strip()
        out.append(Rule(mod.ID, mod.SEVERITY, summary, doc + "\n", dict(mod.PARAMETERS),
                        mod.check, source=f"built-in ({mod.__name__})",
                        compares_envs=getattr(mod, "COMPARES_ENVS", False)))
    return out


def cleandoc(doc: str) -> str:
    """``inspect.cleandoc`` without importing inspect (a third of an interpreter start-up,
    paid by every run): first line stripped, the common indent of the others removed,
    blank lines at both ends dropped."""
    lines = doc.expandtabs().split("\n")
    indents = [len(ln) - len(ln.lstrip()) for ln in lines[1:] if ln.lstrip()]
    margin = min(indents) if indents else 0
    lines = [lines[0].lstrip()] + [ln[margin:] for ln in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)


def load_rules(cfg: Config | None = None) -> list[Rule]:
    """Every known rule, configured by ``cfg`` (enabled flag, severity, parameters)."""
    from .declarative import load_rule, packaged_rules_dir, rule_files
    from .rule_index import packaged_data
    rules = builtin_rules()
    folders = []
    pkg = packaged_rules_dir()
    if pkg:
        folders.append(pkg)
    if cfg is not None:
        folders += cfg.rule_dirs
    seen = {r.id: r.source for r in rules}
    for folder in folders:
        files = rule_files(folder)
        # packaged rules: their data from the index, without the YAML parser
        indexed = packaged_data(files) if folder == pkg else {}
        for path in files:
            rule = load_rule(path, trusted=folder == pkg, data=indexed.get(path))
            if rule.id in seen:
                raise OverlayLintError(f"rule id '{rule.id}' is already defined by "
                                       f"{seen[rule.id]}", path, 1)
            seen[rule.id] = path
            rules.append(rule)
    rules.sort(key=lambda r: r.id)
    if cfg is not None:
        configure(rules, cfg)
    return rules


@dataclass
class RuleSetting:
    """One rule's setting under ``rules:`` or an ``overrides:`` entry."""

    enabled: bool | None = None
    severity: str | None = None
    params: dict = field(default_factory=dict)


def configure(rules: list[Rule], cfg: Config) -> None:
    """Apply the config's ``rules:`` section and ``overrides:``; unknown rules or
    parameters are errors."""
    by_id = {r.id: r for r in rules}
    for rid, node in cfg.rules.items():
        rule = _known(by_id, rid, node)
        s = rule_setting(rule, node)
        if s.enabled is not None:
            rule.enabled = s.enabled
        rule.severity = s.severity or rule.severity
        rule.params.update(s.params)
    for ov in cfg.overrides:
        for rid, node in ov.rules.items():
            rule = _known(by_id, rid, node)
            ov.settings[rid] = s = rule_setting(rule, node)
            rule.overrides.append((ov, s))
            if s.enabled and not rule.enabled:   # off, except under these paths
                rule.enabled, rule.off_elsewhere = True, True
    for rule in rules:
        if any(s.params for _, s in rule.overrides):
            rule.check = _per_path(rule.check, rule.overrides, cfg)


def _known(by_id: dict[str, Rule], rid: str, node) -> Rule:
    rule = by_id.get(rid)
    if rule is None:
        raise at(node.o, f"unknown rule '{rid}' in config; `overlay-lint rules` lists the rules")
    return rule


def rule_setting(rule: Rule, node) -> RuleSetting:
    """What a ``rules:`` value says: on/off, a severity, or a mapping with parameters."""
    s = RuleSetting()
    v = node.v
    if type(v) is bool:
        s.enabled = v
    elif isinstance(v, str):
        if v in SEVERITIES:
            s.severity = v
        else:
            s.enabled = v in ("on", "enable")
    elif node.is_map:
        for key, child in node.items():
            if key == "enabled":
                s.enabled = bool(child.v)
            elif key == "severity":
                s.severity = child.v
            elif key in rule.parameters:
                _check_type(rule.id, key, child, rule.parameters[key])
                s.params[key] = child.data()
            else:
                known = ", ".join(sorted(rule.parameters)) or "none"
                raise at(child.o, f"rule '{rule.id}' has no parameter '{key}' "
                                  f"(parameters: {known})")
    return s


def _per_path(check, overrides: list, cfg: Config):
    """Run ``check`` once per parameter set: the targets under an override's paths with
    its parameters (the first matching override wins), the others with the rule's own."""
    from ..core.record import replace

    def setting_for(rel: str):
        return next((s for ov, s in overrides if s.params and ov.matches(rel)), None)

    def run(ctx: RuleContext):
        parts: dict[int, tuple[dict, list]] = {}
        for t in ctx.targets:
            if t.target.dir is not None:
                pieces = [(setting_for(cfg.rel(t.target.dir)), t)]
            else:   # loose manifests: file by file
                by_file: dict[int, tuple] = {}
                for res in t.resources:
                    s = setting_for(cfg.rel(res.source)) if res.source else None
                    by_file.setdefault(id(s), (s, []))[1].append(res)
                pieces = [(s, replace(t, resources=rs)) for s, rs in by_file.values()]
            for s, piece in pieces:
                parts.setdefault(id(s), ({**ctx.params, **(s.params if s else {})}, []))[1] \
                    .append(piece)
        for params, targets in parts.values():
            yield from check(replace(ctx, params=params, targets=targets))
    return run


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
            # RE2 (linear time): the config may come from an untrusted pull request
            from ..kustomize.regex import go_regex
            try:
                go_regex(v, node.o, key)
            except OverlayLintError as exc:
                raise at(node.o, f"rule '{rid}': '{key}' is not a valid regex (RE2 syntax): "
                                 + exc.message.split("regular expression: ", 1)[-1]) from None
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
