"""The quick acceptance check (lint/schema_accept.py) never accepts what jsonschema refuses.

It decides whether jsonschema must be imported: a document it accepts is reported as
valid without jsonschema, so its "yes" must always be jsonschema's. Checked on generated
schemas and documents (the keywords it evaluates, plus ones it must leave to jsonschema),
on the packaged schemas with real files, and on what it must refuse to decide.
"""
from __future__ import annotations

import glob
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overlay_lint.core.node import from_data
from overlay_lint.core.yaml_reader import load_file
from overlay_lint.lint.declarative import packaged_rules_dir
from overlay_lint.lint.schema_accept import accepts
from overlay_lint.lint.schema_check import failures, packaged_schema, validator_for

SHARED = os.path.join(os.path.dirname(__file__), "..", "..", "shared")

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3),
                    st.sampled_from([0.0, 1.0, 1.5, -2.0]),
                    st.sampled_from(["", "a", "ENC[x", "b1", "a\n", "\u0663", "\u00e9"]))
data = st.recursive(scalars, lambda c: st.one_of(
    st.lists(c, max_size=3), st.dictionaries(st.sampled_from(["a", "b", "c"]), c, max_size=3)),
    max_leaves=8)
types = st.sampled_from(["string", "object", "array", "boolean", "null", "integer", "number"])


def _schemas(children):
    props = st.dictionaries(st.sampled_from(["a", "b", "c"]), children, max_size=2)
    keyword = st.one_of(
        st.tuples(st.just("type"), st.one_of(types, st.lists(types, min_size=1, max_size=2))),
        st.tuples(st.just("required"), st.lists(st.sampled_from(["a", "b", "c"]), max_size=2)),
        st.tuples(st.just("properties"), props),
        st.tuples(st.just("additionalProperties"), st.one_of(st.booleans(), children)),
        st.tuples(st.just("items"), children),
        st.tuples(st.just("const"), data),
        st.tuples(st.just("enum"), st.lists(data, max_size=3)),
        st.tuples(st.just("pattern"), st.sampled_from(["^ENC\\[", "a", "^$", "[0-9]", "^a$",
                                                       "\\d", "^\\w+$", "(?=a)"])),
        st.tuples(st.just("minLength"), st.integers(0, 2)),
        st.tuples(st.just("minItems"), st.integers(0, 2)),
        st.tuples(st.sampled_from(["allOf", "anyOf", "oneOf"]),
                  st.lists(children, min_size=1, max_size=3)),
        st.tuples(st.sampled_from(["not", "if", "then", "else"]), children),
        st.tuples(st.sampled_from(["maxLength", "minimum", "uniqueItems"]),
                  st.integers(0, 2)),   # keywords it leaves to jsonschema
        st.tuples(st.just("patternProperties"), st.just({"^a": {"type": "string"}})),
        st.tuples(st.just("$ref"), st.sampled_from(["#/$defs/s", "#/$defs/missing", "#"])),
    )
    return st.one_of(st.booleans(), st.lists(keyword, max_size=3).map(dict))


schemas = st.recursive(st.booleans(), _schemas, max_leaves=6)


@settings(max_examples=600)
@given(schemas, data, st.one_of(st.none(), schemas))
def test_accepted_documents_are_valid(schema, doc, defs):
    if isinstance(schema, dict) and defs is not None:
        schema = {**schema, "$defs": {"s": defs}}
    node = from_data(doc, ("f.yaml", 1, 1))
    if not accepts(schema, node):
        return
    try:
        errors = list(validator_for(schema, check=False).iter_errors(doc))
    except Exception:   # jsonschema cannot run it (an unresolvable $ref): not valid either
        pytest.fail(f"accepted, but jsonschema fails on the schema {schema!r}")
    assert not errors, f"accepted {doc!r} under {schema!r}: {errors[0].message}"


def test_answers_yes_for_plain_valid_documents():
    schema = {"type": "object", "required": ["spec"], "properties": {
        "spec": {"type": "object", "properties": {"replicas": {"type": "integer"}}}}}
    assert accepts(schema, from_data({"spec": {"replicas": 2.0}}, None))
    assert not accepts(schema, from_data({"spec": {"replicas": True}}, None))
    assert not accepts(schema, from_data({"kind": "x"}, None))


@pytest.mark.parametrize("schema", [
    {"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"},  # other draft
    {"type": "object", "patternProperties": {"^x": {}}, "additionalProperties": False},
    {"$ref": "https://example.com/s.json"},
    {"$ref": "#/$defs/missing"},
    {"format": "email"},
    {"properties": {"a": {"$id": "x"}}},
])
def test_leaves_what_it_does_not_handle_to_jsonschema(schema):
    assert not accepts(schema, from_data({"a": "x@y"}, None))


@pytest.mark.parametrize("pattern,value", [
    ("^a$", "a\n"),       # Python's $ also matches before a final newline, RE2's does not
    ("\\d", "\u0663"),     # an Arabic-Indic digit is \\d to Python, not to RE2
    ("^\\w+$", "\u00e9"),  # nor a letter with an accent \\w
])
def test_patterns_are_read_as_re2_reads_them(pattern, value):
    """The validators evaluate ``pattern`` with RE2 (schema_check): what RE2 refuses is
    never accepted, even where Python's ``re`` would match."""
    schema = {"type": "string", "pattern": pattern}
    assert list(validator_for(schema, check=False).iter_errors(value))
    assert not accepts(schema, from_data(value, None))


def test_a_config_version_with_a_trailing_newline_is_refused():
    config = packaged_schema("config.schema.json")
    doc = from_data({"kubernetes": {"version": "1.30\n"}}, None)
    assert list(validator_for(config, check=False).iter_errors(doc.data()))
    assert not accepts(config, doc)


def test_a_date_from_toml_is_jsonschema_s_to_judge():
    import datetime
    assert not accepts({"type": "string"}, from_data(datetime.date(2024, 1, 1), None))


def _packaged_cases():
    rules = [json.loads(json.dumps(load_file(p)[0].data()))
             for p in sorted(glob.glob(os.path.join(packaged_rules_dir(), "*.yaml")))]
    return rules


def test_packaged_rule_files_are_accepted():
    """Every packaged rule file is valid, and the quick check says so (user rule folders
    use the same path)."""
    schema = packaged_schema("rule.schema.json")
    for path in sorted(glob.glob(os.path.join(packaged_rules_dir(), "*.yaml"))):
        node = load_file(path)[0]
        assert not list(failures(validator_for(schema, check=False), node))
        assert accepts(schema, node), path


@pytest.mark.skipif(not os.path.isdir(SHARED), reason="needs ../shared")
def test_agrees_with_jsonschema_on_fixture_manifests_and_configs():
    """On every manifest of the fixtures, for every packaged rule schema, and on their
    configs: accepted exactly when jsonschema finds nothing (these schemas use only
    keywords it evaluates, so it must answer every case, not only be safe)."""
    from overlay_lint.lint.declarative import substitute
    rules = _packaged_cases()
    docs = []
    for path in sorted(glob.glob(os.path.join(SHARED, "fixtures", "**", "*.yaml"),
                                 recursive=True)):
        try:
            docs += [d for d in load_file(path) if d is not None and d.is_map]
        except Exception:
            continue
    assert len(docs) > 50
    for rule in rules:
        schema = substitute(rule["schema"], rule.get("parameters") or {})
        validator = validator_for(schema, check=False)
        for doc in docs:
            valid = not list(validator.iter_errors(doc.data()))
            assert accepts(schema, doc) == valid, (rule["id"], doc.o)


def _documented_configs() -> list:
    """The YAML examples of docs/configuration.md and the README that are configurations."""
    import re
    from overlay_lint.core.yaml_reader import parse_documents
    keys = set(packaged_schema("config.schema.json")["properties"])
    text = ""
    for name in ("docs/configuration.md", "README.md"):
        with open(os.path.join(os.path.dirname(__file__), "..", name), encoding="utf-8") as fh:
            text += fh.read()
    out = []
    for block in re.findall(r"```ya?ml\n(.*?)```", text, re.S):
        try:
            docs = parse_documents(block, "configuration.md")
        except Exception:
            continue
        out += [d for d in docs if d is not None and d.is_map and set(d.v) & keys]
    return out


def test_agrees_with_jsonschema_on_documented_configs():
    config = packaged_schema("config.schema.json")
    validator = validator_for(config, check=False)
    docs = _documented_configs()
    assert len(docs) >= 3
    for doc in docs:
        assert accepts(config, doc) == (not list(validator.iter_errors(doc.data()))), doc
    bad = from_data({"rules": {"x": {"severity": "fatal"}}, "envs": "prod"}, None)
    assert not accepts(config, bad)
