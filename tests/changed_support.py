"""The changed-only property: for an edit of a tree, a run told which files changed reports
exactly what the full run reports for the envs it checked, and checks every env whose
findings the edit changed.

Used by ``tests/test_changed.py`` (a quick, deterministic profile) and by
``scripts/fuzz_security_long.py`` (the long profile). Runs the real CLI in process, on a
private copy of a fixture (never ``../shared`` itself), with extra shapes that a changed-only
run has to see through: a builtin PatchTransformer whose ``path:`` names a patch, a base
reached through a symlinked folder, a replacement source and a generator file.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import random
import shutil
from dataclasses import dataclass
from pathlib import Path

EXTRA = {
    "extra/base/kustomization.yaml": "resources:\n- deploy.yaml\n",
    "extra/base/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  revisionHistoryLimit: 3\n  selector:\n    matchLabels: {app: web}\n  template:\n"
        "    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n"
        "      - name: c\n        image: ghcr.io/extra/web:1.0.0\n"),
    "extra/overlays/qa/kustomization.yaml": (
        "resources:\n- base\n- source.yaml\ntransformers:\n- patcher.yaml\n"
        "replacements:\n- path: replace.yaml\nconfigMapGenerator:\n- name: env\n"
        "  files:\n  - settings.txt\n"),
    "extra/overlays/qa/patcher.yaml": (
        "apiVersion: builtin\nkind: PatchTransformer\nmetadata:\n  name: p\n"
        "path: patches/history.yaml\ntarget:\n  kind: Deployment\n"),
    "extra/overlays/qa/patches/history.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        "  revisionHistoryLimit: 3\n"),
    "extra/overlays/qa/source.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: source\ndata:\n  tag: 1.0.0\n"),
    "extra/overlays/qa/replace.yaml": (
        "- source:\n    kind: ConfigMap\n    name: source\n    fieldPath: data.tag\n"
        "  targets:\n  - select:\n      kind: Deployment\n    fieldPaths:\n"
        "    - spec.template.metadata.annotations.tag\n    options:\n      create: true\n"),
    "extra/overlays/qa/settings.txt": "level=info\n",
}
SYMLINKS = {"extra/overlays/qa/base": "../../base"}

# text edits likely to change findings: value swaps on real lines of the fixture
SWAPS = [("revisionHistoryLimit: 3", "revisionHistoryLimit: 10"), ("count: 1", "count: 2"),
         ("count: 2", "count: 1"), ("newTag: 1.", "newTag: dev-1."), (":1.0.0", ":latest"),
         ("selfHeal: true", "selfHeal: false"), ("key: ", "key: X"), ("name: ", "name: x"),
         ("Secret", "ConfigMap"), ("SealedSecret", "Secret"), ("dev-", "v"), ("- ", "- x")]
NEW_FILES = [
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: added\nstringData:\n  a: b\n",
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
    "  revisionHistoryLimit: 7\n",
    "not: [valid\n",
]


def make_tree(fixture: Path, dst: Path) -> Path:
    """A private, writable copy of ``fixture`` plus the extra shapes; a work tree root."""
    shutil.copytree(fixture, dst, symlinks=True)
    for p in [dst, *dst.rglob("*")]:
        if not p.is_symlink():
            p.chmod(0o755 if p.is_dir() else 0o644)
    (dst / ".git").mkdir(exist_ok=True)
    for rel, text in EXTRA.items():
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        (dst / rel).write_text(text)
    for rel, target in SYMLINKS.items():
        (dst / rel).symlink_to(target)
    return dst


def files_of(root: Path) -> list[str]:
    out = []
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x != ".git")
        out += [os.path.relpath(os.path.join(d, n), root) for n in sorted(names)]
    return out


def edit(root: Path, rnd: random.Random) -> list[str]:
    """One random edit of the tree; the relative paths it changed (as git would list
    them: a symlink is a file of its own)."""
    files = [f for f in files_of(root) if not (root / f).is_symlink()]
    kind = rnd.choice(["swap", "swap", "swap", "delete-line", "duplicate-line", "delete-file",
                       "new-file", "relink"])
    if kind == "relink":
        link = rnd.choice(sorted(SYMLINKS))
        (root / link).unlink()
        (root / link).symlink_to(rnd.choice(["../../base", "../../overlays/qa", "nowhere"]))
        return [link]
    if kind == "new-file":
        dirs = sorted({os.path.dirname(f) for f in files})
        rel = os.path.join(rnd.choice(dirs), rnd.choice(["new.yaml", "patch.yaml", "x.yml"]))
        (root / rel).write_text(rnd.choice(NEW_FILES))
        return [rel]
    rel = rnd.choice(files)
    path = root / rel
    if kind == "delete-file":
        path.unlink()
        return [rel]
    lines = path.read_text(errors="replace").splitlines(keepends=True)
    if kind == "swap":
        cands = [(i, a, b) for i, ln in enumerate(lines) for a, b in SWAPS if a in ln]
        if cands:
            i, a, b = rnd.choice(cands)
            lines[i] = lines[i].replace(a, b, 1)
    elif lines and kind == "delete-line":
        del lines[rnd.randrange(len(lines))]
    elif lines:
        i = rnd.randrange(len(lines))
        lines.insert(i, lines[i])
    path.write_text("".join(lines))
    return [rel]


@dataclass
class Run:
    code: int
    envs: list[str]
    findings: set[tuple]         # (rule, file, line, col, message, env or "")
    errors: set[tuple]           # (file, line, message, env or "")
    not_run: set[str]            # rules a warning says did not run for some envs


def lint(root: Path, changed: list[str] | None = None, fail_on: str = "error") -> Run:
    """``overlay-lint . [changed files]`` in process, as JSON."""
    from overlay_lint.cli import main
    out = io.StringIO()
    old = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main(["--format", "json", "--fail-on", fail_on, "."]
                        + (["--files", *changed] if changed else []))
    finally:
        os.chdir(old)
    doc = json.loads(out.getvalue())
    findings = {(f["rule"], f["file"], f["line"], f["col"], f["message"], e)
                for f in doc["findings"] for e in (f["envs"] or [""])}
    errors = {(e["file"], e["line"], e["message"], e["env"] or "") for e in doc["errors"]}
    not_run = {w["message"].split(" ", 1)[0] for w in doc.get("warnings", [])
               if " did not run for " in w["message"]}
    return Run(code, doc["envs"], findings, errors, not_run)


def check_edit(before: Run, root: Path, changed: list[str], fail_on: str = "error") -> None:
    """The property, for one edit already applied to ``root``: every finding or error the
    edit brings is reported, or its env was checked; the changed-only run reports nothing
    the full run does not; and for every env it checks it reports exactly what the full run
    reports, except for rules it says (a note) it did not run, which must be rules that
    cannot fail the run at ``fail_on``."""
    after = lint(root, fail_on=fail_on)
    only = lint(root, changed, fail_on=fail_on)
    rank = {"info": 0, "warning": 1, "error": 2}
    severity = {"expected-workloads": "warning", "env-parity": "error"}
    assert all(rank[severity.get(r, "error")] < rank[fail_on] for r in only.not_run), \
        f"a rule that can fail the run was not run: {only.not_run}"
    skip = only.not_run
    before = Run(0, before.envs, {t for t in before.findings if t[0] not in skip},
                 before.errors, set())
    after = Run(after.code, after.envs, {t for t in after.findings if t[0] not in skip},
                after.errors, set())
    only = Run(only.code, only.envs, {t for t in only.findings if t[0] not in skip},
               only.errors, set())
    picked = set(only.envs)

    def labels(run: Run) -> set[str]:
        return {t[-1] for t in run.findings | run.errors}

    def part(items: set[tuple], label: str, files: set[str] | None = None) -> set[tuple]:
        # "" is the loose manifests' label: a changed-only run checks the changed ones
        return {t for t in items if t[-1] == label
                and (label or files is None or t[0 if len(t) == 4 else 1] in files)}

    # sound: every finding or error the edit brought is reported, or its env was checked
    for what, b, a, o in (("finding", before.findings, after.findings, only.findings),
                          ("error", before.errors, after.errors, only.errors)):
        missed = sorted(t for t in a - b if t not in o and t[-1] not in picked)
        assert not missed, (f"changed {changed}: {what}s of unchecked envs missed: {missed} "
                            f"(checked: {sorted(picked)})")
        extra = sorted(o - a)
        assert not extra, f"changed {changed}: {what}s the full run does not report: {extra}"
    moved = labels(Run(0, [], before.findings ^ after.findings, before.errors ^ after.errors,
                       set()))
    # exact: for every env checked, every base the run shows or the edit moved, and the
    # changed loose manifests, the changed-only run reports what the full run reports
    files = set(changed)
    for label in sorted(picked | (labels(only) - set(after.envs)) | (moved - set(after.envs))):
        for what, a, o in (("findings", after.findings, only.findings),
                           ("errors", after.errors, only.errors)):
            want, got = part(a, label, files), part(o, label, files)
            assert got == want, (
                f"changed {changed}: {what} of {label or 'loose manifests'!r} differ\n"
                f" only in the changed-only run: {sorted(got - want)}\n"
                f" only in the full run: {sorted(want - got)}")
