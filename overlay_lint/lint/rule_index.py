"""The packaged declarative rules as plain data, so that a run need not parse their YAML.

Reading ``rules/*.yaml`` takes the YAML parser, whose import alone costs most of an
interpreter start-up: a run on a folder without manifests, ``overlay-lint rules`` and
``overlay-lint explain`` would pay it for two small trusted files. ``data/packaged_rules.json``
holds each packaged file's data with its size and CRC-32; a file whose bytes no longer
match (edited after the index was made) is parsed from its YAML as before, so the index
can make a run slower, never different. ``scripts/gen_rule_index.py`` writes it;
tests/test_startup.py fails when it is out of date.
"""
from __future__ import annotations

import json
import os
import zlib

INDEX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "packaged_rules.json")
FORMAT = 1


def fingerprint(raw: bytes) -> list[int]:
    return [len(raw), zlib.crc32(raw)]


def packaged_data(files: list[str]) -> dict[str, dict]:
    """``{path: data}`` for the files of the packaged rule folder the index describes
    byte for byte; the others are left out (the caller parses them)."""
    try:
        with open(INDEX, encoding="utf-8") as fh:
            index = json.load(fh)
    except (OSError, ValueError):
        return {}
    if index.get("format") != FORMAT:
        return {}
    entries = index.get("rules", {})
    out = {}
    for path in files:
        entry = entries.get(os.path.basename(path))
        if entry is None:
            continue
        try:
            with open(path, "rb") as fh:
                raw = fh.read()
        except OSError:
            continue
        if fingerprint(raw) == entry["fingerprint"]:
            out[path] = entry["data"]
    return out


def build_index(files: list[str]) -> dict:
    """The index of these rule files (what scripts/gen_rule_index.py writes)."""
    from ..core.yaml_reader import load_file
    rules = {}
    for path in files:
        with open(path, "rb") as fh:
            raw = fh.read()
        docs = [d for d in load_file(path) if d is not None]
        rules[os.path.basename(path)] = {"fingerprint": fingerprint(raw),
                                         "data": docs[0].data()}
    return {"format": FORMAT, "rules": rules}
