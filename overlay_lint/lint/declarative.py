"""Declarative rules: YAML files holding a match and a JSON Schema for rendered resources.

The packaged rules live in the top-level ``rules/`` folder of the repository; a wheel
installs them as ``overlay_lint/_rules`` (see pyproject.toml). Users add folders with
``rule-dirs`` in the config. File format: ``overlay_lint/schemas/rule.schema.json``.
"""
from __future__ import annotations

import fnmatch
import json
import os
from collections.abc import Iterator

from ..core.errors import OverlayLintError, at
from ..core.node import Node
from . import message_template
from .model import Problem, Rule, RuleContext, shown_name
from .schema_guard import check_schema_safety

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Any

_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def packaged_rules_dir() -> str | None:
    """``overlay_lint/_rules`` in an installed wheel, ``<repo>/rules`` in a checkout."""
    for d in (os.path.join(_PKG, "_rules"), os.path.join(os.path.dirname(_PKG), "rules")):
        if os.path.isdir(d):
            return d
    return None


def rule_files(folder: str) -> list[str]:
    return sorted(os.path.join(folder, f) for f in os.listdir(folder)
                  if f.endswith((".yaml", ".yml")))


def load_rule(path: str, trusted: bool = False, data: dict | None = None) -> Rule:
    """Read and validate one rule file (``trusted``: a packaged rule, checked by the tests;
    ``data``: its data from the packaged index, instead of parsing it)."""
    if data is not None and trusted:
        return rule_from_data(path, data, None, trusted)
    from ..core.yaml_reader import load_file
    from .schema_accept import accepts
    from .schema_check import failures, packaged_schema, path_text, validator_for
    docs = [d for d in load_file(path) if d is not None]
    if len(docs) != 1 or not docs[0].is_map:
        raise OverlayLintError("a rule file holds exactly one YAML mapping", path, 1)
    node = docs[0]
    rule_schema = packaged_schema("rule.schema.json")
    checks = () if trusted or accepts(rule_schema, node) else failures(
        validator_for(rule_schema, check=False), node)
    for f in checks:
        where = path_text(f.path)
        what = f"unknown key '{f.path[-1]}'" if f.validator == "additionalProperties" \
            else (f"'{f.missing}' is required" if f.missing else f.message)
        raise at(f.origin, f"invalid rule{' at ' + where if where else ''}: {what}")
    return rule_from_data(path, node.data(), node, trusted)


def rule_from_data(path: str, data: dict, node: Node | None, trusted: bool) -> Rule:
    """The rule a rule file's data defines; ``node`` (the parsed file) locates errors.
    Without it (a packaged rule read from the index, :mod:`.rule_index`) nothing can fail:
    the tests load every packaged rule from its YAML with every check."""
    params = data.get("parameters") or {}
    if node is not None:
        _check_params_used(node.get("schema"), params)
    # a packaged rule from the index (no node) is byte for byte a file the tests check
    for where, why in check_schema_safety(data["schema"]) if node is not None else ():
        n = node.path("schema", *where) or node.path("schema", *where[:-1]) or node
        raise at(n.o, f"rule schema: {why}")
    try:
        data["message"] = message_template.parse(data["message"])
    except message_template.TemplateError as exc:
        msg = node.get("message") if node is not None else None
        raise at(msg.o if msg is not None else (path, 1, 1), f"rule message: {exc}") from None
    summary = data["summary"].strip()
    rule = Rule(data["id"], data["severity"], summary,
                f"{summary}\n\n{data.get('docs', '').rstrip()}\n", params, lambda ctx: (),
                source=path)
    rule.check = _checker(rule, data, node, trusted)
    return rule


def _check_params_used(schema: Node | None, params: dict) -> None:
    for _, n in (schema.walk() if schema is not None else ()):
        if n.is_map and "$param" in n.v:
            name = n.v["$param"].v
            if name not in params:
                raise at(n.o, f"'$param: {name}' names no parameter; declare it under "
                              "'parameters:'")


def substitute(schema: Any, params: dict) -> Any:
    """The schema with every ``{$param: NAME}`` replaced by the parameter's value."""
    if isinstance(schema, dict):
        if set(schema) == {"$param"}:
            return params[schema["$param"]]
        return {k: substitute(v, params) for k, v in schema.items()}
    if isinstance(schema, list):
        return [substitute(v, params) for v in schema]
    return schema


def _found(value: Any) -> str:
    if value is None:
        return "missing"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)[:80]
    return str(value)


def _checker(rule: Rule, data: dict, node: Node | None, trusted: bool):
    match = data.get("match") or {}
    kinds = set(match.get("kinds") or [])
    api_versions = list(match.get("apiVersions") or [])
    envs = set(match.get("envs") or [])
    selector = None
    if match.get("labels"):
        from ..kustomize.selector import parse_label_selector
        labels = node.path("match", "labels") if node is not None else None
        selector = parse_label_selector(match["labels"], labels.o if labels is not None
                                        else (rule.source, 1, 1))
    template = data["message"]
    raw_schema = data["schema"]

    def matches(target, res) -> bool:
        if kinds and res.kind not in kinds:
            return False
        if api_versions and not any(fnmatch.fnmatchcase(res.api_version, p)
                                    for p in api_versions):
            return False
        if envs and not (target.name in envs or target.role in envs or target.kind in envs):
            return False
        if selector is not None:
            from ..kustomize.selector import match_label_selector
            if not match_label_selector(selector, res.labels):
                return False
        return True

    def check(ctx: RuleContext) -> Iterator[Problem]:
        from .schema_accept import accepts
        from .schema_check import failures, path_text, validator_for
        schema = substitute(raw_schema, ctx.params)
        if rule.params:   # configured parameters are untrusted too: check the result again
            for where, why in check_schema_safety(schema):
                raise OverlayLintError(f"rule {rule.id}: schema with the configured "
                                       f"parameters: {why}", rule.source)
        # a packaged schema is checked by the tests, unless a parameter changed it
        checked = not trusted or bool(rule.params)
        validator = None

        def build() -> Any:
            try:
                return validator_for(schema, check=checked)
            except Exception as exc:  # jsonschema.SchemaError: a broken rule file
                raise OverlayLintError(f"rule {rule.id}: invalid schema: "
                                       f"{getattr(exc, 'message', exc)}", rule.source) from None
        if checked:   # the schema itself is checked before anything runs
            validator = build()
        # a resource the validator cannot finish is an error located at that resource;
        # the rule still checks every other resource (one failure hid its other findings)
        skipped: list[OverlayLintError] = []
        for target in ctx.rendered():
            for res in target.resources:
                if not matches(target, res):
                    continue
                # jsonschema (imported with the first validator) only for what may fail
                if not checked and accepts(schema, res.node):
                    continue
                if validator is None:
                    validator = build()
                try:
                    found = list(failures(validator, res.node))
                except RecursionError:
                    skipped.append(at(res.node.o, f"rule {rule.id}: the schema "
                                                  f"recursed too deeply on {res.kind} {res.name};"
                                                  " this resource was not checked by it"))
                    continue
                except Exception as exc:   # an unresolvable $ref (nothing is ever fetched)
                    if type(exc).__module__.split(".")[0] not in ("jsonschema", "referencing"):
                        raise
                    raise OverlayLintError(f"rule {rule.id}: schema error: {exc}",
                                           rule.source) from None
                for f in found:
                    path = f.path + ((f.missing,) if f.missing else ())
                    origin = f.origin
                    if not f.path:  # the resource as a whole: its kind line
                        k = res.node.get("kind")
                        origin = k.o if k is not None else res.node.o
                    fields = dict(ctx.params)
                    fields.update(kind=res.kind, name=shown_name(res, origin, target),
                                  namespace=res.namespace,
                                  env=target.name, path=path_text(path) or "(resource)",
                                  found=_found(f.found), error=f.message)
                    yield Problem(origin, message_template.render(template, fields), target,
                                  res, path,
                                  None if f.found is None or isinstance(f.found, (dict, list))
                                  else f.found)
        if skipped:
            first = skipped[0]
            more = f" (and {len(skipped) - 1} more resources)" if len(skipped) > 1 else ""
            raise OverlayLintError(first.message + more, first.file, first.line, first.col)
    return check
