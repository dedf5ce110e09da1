"""The repository as it was at a git ref: its targets, renders and findings.

``overlay-lint diff --base REF`` and ``overlay-lint --new-since REF`` compare the work tree
with the merge base of REF and HEAD (what a pull request changes). The base commit's files
are written to a private snapshot (:mod:`overlay_lint.diff.snapshot`) in two steps, so a
monorepo pays only for what the renders can read:

1. every kustomization file, every symlink, the config files, and the YAML/JSON files
   under the linted path (what discovery reads);
2. everything under the kustomization folders the targets found in step 1 reach (their
   resources, patches, generator sources; Kustomize reads nothing else), and the rule
   folders the config names.

Paths inside the snapshot are mapped back to the work tree for every message and origin,
so a base value's origin reads ``infra/k3s/gateway/deployment.yaml:12``, never a temp dir.
"""
from __future__ import annotations

import os
from collections import Counter

from ..core.errors import OverlayLintError
from ..core.git import git
from ..core.record import dataclass
from ..diff.snapshot import Entry, Snapshot, resolve_base
from .config import CONFIG_NAMES, Config, load_config
from .discovery import Target, discover
from .reach import KUSTOMIZATION_FILES, KustIndex

_DISCOVERY_EXT = (".yaml", ".yml", ".json")


def git_top(path: str, what: str) -> str:
    d = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)) or "."
    try:
        out = git(["rev-parse", "--show-toplevel"], d, what)
    except OverlayLintError:
        raise OverlayLintError(f"{what} needs a git repository, and {os.path.abspath(d)} is "
                               "not inside one") from None
    return os.path.realpath(out.decode("utf-8", "surrogateescape").strip())


@dataclass
class BaseTree:
    """The base commit's snapshot, with its config and targets for the linted paths."""

    snapshot: Snapshot
    ref: str
    paths: list[str]          # the linted paths, inside the snapshot
    config: Config
    targets: list[Target]

    def to_work_tree(self, path: str) -> str:
        return self.snapshot.to_work_tree(path)

    def close(self) -> None:
        self.snapshot.close()


def open_base(ref: str, paths: list[str], config_file: str | None, what: str) -> BaseTree:
    """Snapshot the merge base of ``ref`` and HEAD and discover its targets under ``paths``
    (the same folders in the base commit). ``config_file`` (``--config``) is read at the
    base commit when it is inside the repository."""
    top = git_top(paths[0], what)
    snap = Snapshot(top, resolve_base(ref, top, what))
    try:
        rels = []
        for p in paths:
            rel = snap.rel(os.path.realpath(p))
            if rel is None:
                raise OverlayLintError(f"{what}: {p} is outside the git repository {top}")
            rels.append(rel)
        explicit = crel = None
        if config_file:
            crel = snap.rel(os.path.realpath(config_file))
            explicit = snap.path(crel) if crel is not None else config_file
        ancestors = set().union(*(_parents(r) | {r} for r in rels))

        def first(e: Entry) -> bool:
            name = e.path.rsplit("/", 1)[-1]
            parent = e.path.rsplit("/", 1)[0] if "/" in e.path else ""
            return (e.is_link or name in KUSTOMIZATION_FILES or name in CONFIG_NAMES
                    or (name == "pyproject.toml" and parent in ancestors)
                    or (explicit is not None and snap.path(e.path) == explicit)
                    or (name.endswith(_DISCOVERY_EXT) and any(_under(e.path, r) for r in rels)))

        snap.materialise(first)
        spaths = [snap.path(r) for r in rels]
        if explicit is not None and crel is not None and not os.path.isfile(explicit):
            explicit = None   # the config file is new: the base commit used its own lookup
        try:
            cfg = load_config(spaths[0], explicit, snap.root)
        except OverlayLintError as exc:
            raise _at_base(exc, snap, ref) from None
        targets = discover(spaths, cfg, KustIndex(snap.root), snap.root)
        folders: set[str] = set()
        for t in targets:
            for d in ([t.dir] if t.dir else []) + list(t.kdirs):
                r = snap.rel(os.path.realpath(d))
                if r is not None:
                    folders.add(r)
        for d in cfg.rule_dirs:
            r = snap.rel(os.path.realpath(d))
            if r is not None:
                folders.add(r)
        if snap.materialise(lambda e: bool(_parents(e.path) & folders)):
            targets = discover(spaths, cfg, KustIndex(snap.root), snap.root)  # every file
        return BaseTree(snap, ref, spaths, cfg, targets)
    except BaseException:
        snap.close()
        raise


def findings_at(ref: str, paths: list[str], config_file: str | None,
                only_rules: set[str] | None) -> Counter:
    """Fingerprints of the findings a full lint of ``paths`` reports at the merge base of
    ``ref`` and HEAD, with the rules and config of that commit (``--new-since``).

    Their files are the work tree's (a finding's fingerprint holds its file), so a finding
    that survives the change has the same fingerprint on both sides."""
    from ..core.errors import display_path
    from .engine import LintOptions, lint
    from .registry import load_rules
    base = open_base(ref, paths, config_file, "--new-since")
    try:
        try:
            rules = load_rules(base.config)
        except OverlayLintError as exc:
            raise _at_base(exc, base.snapshot, ref) from None
        result = lint(base.paths, base.config, rules,
                      LintOptions(root=base.snapshot.root, only_rules=only_rules))
        out: Counter = Counter()
        for f in result.findings:
            path = f.file if os.path.isabs(f.file) else os.path.abspath(f.file)
            f.file = display_path(base.to_work_tree(path))
            out[f.fingerprint()] += 1
        return out
    finally:
        base.close()


def _at_base(exc: OverlayLintError, snap: Snapshot, ref: str) -> OverlayLintError:
    """An error about a base-commit file, located at the same file in the work tree."""
    file = snap.to_work_tree(exc.file) if exc.file else None
    return OverlayLintError(f"at {ref}: {exc.message.replace(snap.root, snap.top)}", file,
                            exc.line, exc.col)


def _parents(rel: str) -> set[str]:
    """Every folder holding ``rel`` ('' is the top), for prefix tests in O(depth)."""
    parts = rel.split("/") if rel else []
    return {""} | {"/".join(parts[:i]) for i in range(1, len(parts))}


def _under(rel: str, top: str) -> bool:
    return not top or rel == top or rel.startswith(top + "/")
