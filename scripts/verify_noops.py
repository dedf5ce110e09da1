#!/usr/bin/env python3
"""Check overlay-lint's silent no-op findings against kubectl: remove what a finding says
does nothing, render every target that reads the file with ``kubectl kustomize`` before and
after, and compare.

usage: scripts/verify_noops.py REPO_DIR [--json OUT]

For each finding of patch-no-match, patch-no-effect, unused-image-override and
replacement-no-target in ``overlay-lint REPO_DIR --format json``, in a scratch copy of
REPO_DIR: the entry is deleted from its kustomization (the ``- ...`` item at the finding's
line, or the entry whose inline patch holds the line); a finding in a patch file deletes
that YAML document when the file holds several, else every entry that lists the file. A
finding is CONFIRMED when every target reading the file renders byte for byte the same
without it, CHANGED when one differs (a false claim), and SKIPPED when the edit cannot be
made (e.g. a transformer configuration). unreferenced-manifest: the file is deleted and
every kustomization at or above it must render the same.

Nothing is written outside a temporary folder; kubectl runs with the default load
restrictor, offline.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

NOOP_RULES = ("patch-no-match", "patch-no-effect", "unused-image-override",
              "replacement-no-target", "unreferenced-manifest")


def kubectl(directory: str) -> str:
    p = subprocess.run(["kubectl", "kustomize", directory], capture_output=True, text=True,
                       timeout=300)
    return p.stdout if p.returncode == 0 else f"ERROR {p.returncode}: {p.stderr.strip()}"


def lint(repo: str) -> dict:
    p = subprocess.run([sys.executable, "-m", "overlay_lint", ".", "--format", "json"],
                       cwd=repo, capture_output=True, text=True, timeout=600)
    return json.loads(p.stdout)


def targets(repo: str) -> list[str]:
    """Directories of the checked targets (envs and bases checked alone)."""
    p = subprocess.run([sys.executable, "-m", "overlay_lint", "envs", ".", "--format", "json"],
                       cwd=repo, capture_output=True, text=True, timeout=600)
    return [r["path"] for r in json.loads(p.stdout) if r.get("checked") and r["kind"] in
            ("env", "base")]


def readers(repo: str, dirs: list[str], file: str) -> list[str]:
    from overlay_lint.lint.reach import KustIndex
    index = KustIndex(repo)
    target = os.path.normpath(os.path.join(repo, file))
    return [d for d in dirs if target in index.reach(os.path.join(repo, d))[1]]


# --- edits ---------------------------------------------------------------------------------

def delete_item(lines: list[str], line: int) -> bool:
    """Delete the YAML list item starting at 1-based ``line`` (its ``- `` line and every
    deeper-indented line after it)."""
    i = line - 1
    m = re.match(r"^(\s*)- ", lines[i]) if i < len(lines) else None
    if m is None:
        return False
    dash = len(m.group(1))
    j = i + 1
    while j < len(lines):
        text = lines[j]
        if text.strip() and len(text) - len(text.lstrip()) <= dash:
            break
        j += 1
    del lines[i:j]
    _keep_list(lines, i, dash)
    return True


def _keep_list(lines: list[str], i: int, dash: int) -> None:
    """After deleting the item at ``i``: a ``key:`` left with no item becomes ``key: []``
    (a null field could leave the kustomization empty, which Kustomize refuses)."""
    def is_item(k: int) -> bool:
        return k < len(lines) and re.match(r"^\s{%d}- " % dash, lines[k]) is not None
    k = i
    while k < len(lines) and not lines[k].strip():
        k += 1
    if is_item(k):
        return
    p = i - 1
    while p >= 0 and (not lines[p].strip() or lines[p].lstrip().startswith("#")):
        p -= 1
    if p >= 0 and is_item(p):
        return
    if p >= 0 and lines[p].rstrip().endswith(":"):
        lines[p] = lines[p].rstrip() + " []"


def enclosing_item(lines: list[str], line: int) -> int | None:
    """The 1-based line of the top-level-field list item holding ``line``."""
    for k in range(line - 1, -1, -1):
        if re.match(r"^\s{0,4}- ", lines[k]) and _top_level_parent(lines, k):
            return k + 1
    return None


def _top_level_parent(lines: list[str], k: int) -> bool:
    dash = len(lines[k]) - len(lines[k].lstrip())
    for j in range(k - 1, -1, -1):
        text = lines[j]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        ind = len(text) - len(text.lstrip())
        if ind < dash or (ind == dash and not text.lstrip().startswith("- ")):
            return ind == 0 and text.rstrip().endswith(":")
    return False


def delete_document(lines: list[str], line: int) -> bool:
    starts = [0] + [k for k, t in enumerate(lines) if re.match(r"^---\s*$", t)]
    starts.append(len(lines))
    for a, b in zip(starts, starts[1:]):
        if a <= line - 1 < b:
            del lines[a:b]
            return True
    return False


def documents(lines: list[str]) -> int:
    text = "\n".join(lines)
    return sum(1 for d in re.split(r"^---\s*$", text, flags=re.M) if re.search(r"^\w", d, re.M))


def entries_listing(repo: str, kdirs: list[str], file: str) -> list[tuple[str, int]]:
    """(kustomization file, item line) of the patch entries that list ``file``."""
    from overlay_lint.lint.reach import KustIndex
    index = KustIndex(repo)
    want = os.path.normpath(os.path.join(repo, file))
    out = []
    for d in kdirs:
        for k in index.closure(os.path.join(repo, d)):
            info = index.get(k)
            for ref in info.refs:
                if ref.path == want and ref.field in ("patches", "patchesJson6902",
                                                      "patchesStrategicMerge"):
                    item = ref.node.o
                    line = item.line
                    lines = Path(info.file).read_text().splitlines()
                    start = line if re.match(r"^\s*- ", lines[line - 1]) else \
                        enclosing_item(lines, line)
                    if start is not None and (info.file, start) not in out:
                        out.append((info.file, start))
    return out


def edit(copy: str, finding: dict, kdirs: list[str]) -> str | None:
    """Apply the finding's removal in ``copy``; a reason string when it cannot."""
    path = os.path.join(copy, finding["file"])
    lines = Path(path).read_text().splitlines()
    name = os.path.basename(path)
    if finding["rule"] == "unreferenced-manifest":
        os.remove(path)
        return None
    is_kust = name in ("kustomization.yaml", "kustomization.yml", "Kustomization")
    if is_kust:
        start = finding["line"] if re.match(r"^\s*- ", lines[finding["line"] - 1]) else \
            enclosing_item(lines, finding["line"])
        if start is None or not delete_item(lines, start):
            return "no list item at that line"
        Path(path).write_text("\n".join(lines) + "\n")
        return None
    if documents(lines) > 1:
        delete_document(lines, finding["line"])
        Path(path).write_text("\n".join(lines) + "\n")
        return None
    found = entries_listing(copy, kdirs, finding["file"])
    if not found:
        return "no kustomization entry lists this file (a transformer configuration?)"
    for kfile, start in sorted(found, key=lambda x: -x[1]):
        klines = Path(kfile).read_text().splitlines()
        delete_item(klines, start)
        Path(kfile).write_text("\n".join(klines) + "\n")
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("repo")
    ap.add_argument("--json", help="write the verdicts here")
    args = ap.parse_args()
    repo = os.path.abspath(args.repo)
    doc = lint(repo)
    dirs = targets(repo)
    before: dict[str, str] = {}
    verdicts = []
    for f in doc["findings"]:
        if f["rule"] not in NOOP_RULES:
            continue
        if f["rule"] == "unreferenced-manifest":
            rdirs = [d for d in dirs if (d + "/").startswith("") and
                     os.path.join(repo, f["file"]).startswith(os.path.join(repo, d) + os.sep)]
        else:
            rdirs = readers(repo, dirs, f["file"])
        with tempfile.TemporaryDirectory() as tmp:
            copy = os.path.join(tmp, "repo")
            shutil.copytree(repo, copy, symlinks=True)
            why = edit(copy, f, rdirs)
            if why:
                verdict, detail = "SKIPPED", why
            else:
                changed = []
                for d in rdirs:
                    if d not in before:
                        before[d] = kubectl(os.path.join(repo, d))
                    if kubectl(os.path.join(copy, d)) != before[d]:
                        changed.append(d)
                verdict = "CHANGED" if changed else "CONFIRMED"
                detail = f"{len(rdirs)} target(s) rendered" + (
                    f"; differs in {', '.join(changed)}" if changed else "")
        verdicts.append({**f, "verdict": verdict, "detail": detail})
        print(f"{verdict:9} {f['rule']} {f['file']}:{f['line']} ({detail})")
    if args.json:
        Path(args.json).write_text(json.dumps(verdicts, indent=2) + "\n")
    return 1 if any(v["verdict"] == "CHANGED" for v in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
