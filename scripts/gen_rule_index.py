"""Write overlay_lint/lint/data/packaged_rules.json from rules/*.yaml (see lint/rule_index.py).

Run after editing a packaged rule: ``python scripts/gen_rule_index.py``. A stale index only
costs speed (the edited file is parsed from its YAML); tests/test_startup.py says when.
"""
from __future__ import annotations

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from overlay_lint.lint.declarative import packaged_rules_dir, rule_files  # noqa: E402
from overlay_lint.lint.rule_index import INDEX, build_index  # noqa: E402


def main() -> None:
    index = build_index(rule_files(packaged_rules_dir()))
    os.makedirs(os.path.dirname(INDEX), exist_ok=True)
    with open(INDEX, "w", encoding="utf-8") as fh:
        json.dump(index, fh, indent=1, sort_keys=True, ensure_ascii=False)
        fh.write("\n")
    print(f"wrote {INDEX} ({len(index['rules'])} rules)")


if __name__ == "__main__":
    main()
