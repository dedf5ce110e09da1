"""Which targets (envs, bases, loose manifests) a set of changed files can affect.

A pre-commit hook gets the staged filenames; a pull request has the files it touches. Only
the targets whose render may read one of them need a check. Rendering every env to learn
what it read would cost the very time we want to save, so the decision is made before
anything renders, from discovery's static closure (``Target.kdirs``, ``Target.reach``).

The choice must never miss a target (a changed-only run that skips an affected env lets a
violation through), so it is an over-approximation built on Kustomize's load restrictor:
every file a render reads lies, by its real path, in or below one of the kustomization
directories it passes through; files named inside transformer or generator configurations
(a ``PatchTransformer``'s ``path:``), replacement sources, CRDs, configurations and nested
directories included. A changed file therefore selects a target when:

- it is, by its path as given or its real path, in or below one of the target's
  kustomization directories (as named or as resolved: a symlinked base counts under both);
- it is a path the target's kustomizations name (also when it no longer exists: a deleted
  or renamed file), or lies below one (a named folder);
- it is a symlink (or was) on the way to one of those directories or names;
- it is a config file (``.overlay-lint.yaml``, the ``--config`` file, a rule folder, the
  baseline): then everything is selected.

A kustomization file that changed may have stopped including a folder or naming a file,
which is then a base or a loose manifest of its own: every base and every loose manifest
(cheap: no render) is checked then. Otherwise loose manifests are checked when they
changed, or lie in the folders of a chosen target (a transformer configuration there may
have stopped naming one). The loose target's ``files`` are narrowed to those.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from ..core.errors import OverlayLintError
from ..core.paths import real
from ..core.record import dataclass, field
from .reach import KUSTOMIZATION_FILES

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:
    from typing import Protocol

    from ..core.git import GitResult

# A change to a file with one of these names may change every target's result.
GLOBAL_NAMES = frozenset({".overlay-lint.yaml", ".overlay-lint.yml"})


if TYPE_CHECKING:
    class TargetLike(Protocol):
        name: str
        reach: set[str]      # absolute, normalised paths the target's render may read
        kdirs: list[str]     # kustomization directories it passes through


@dataclass
class Selection:
    """The outcome of :func:`select_targets`."""

    targets: list                                        # the targets to check, in order
    everything: bool = False                             # a config/global file changed
    unreached: list[str] = field(default_factory=list)   # changed files no target reads

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.targets]


def _norm(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


def _under(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def _forms(path: str, memo: dict[str, frozenset[str]] | None = None) -> frozenset[str]:
    """A path as given and as resolved (symlinks followed as far as they exist)."""
    hit = memo.get(path) if memo is not None else None
    if hit is None:
        # core.paths.real: os.path.realpath, resolved once per command (discovery resolved
        # these folders already); None where realpath fails
        r = real(path)
        hit = frozenset((path, r)) if r is not None else frozenset((path,))
        if memo is not None:
            memo[path] = hit
    return hit


def _ancestors(path: str) -> list[str]:
    out = [path]
    while True:
        parent = os.path.dirname(path)
        if parent == path:
            return out
        out.append(parent)
        path = parent


class _Areas:
    """For each target, the paths that cover it: a changed file at or below one of them,
    or above one of them (a symlink on the way), selects the target."""

    def __init__(self, targets: Sequence[TargetLike]) -> None:
        self.at: dict[str, set[int]] = {}       # area -> targets
        self.memo: dict[str, frozenset[str]] = {}   # real paths, for this one selection
        normal: dict[str, str] = {}     # the targets share most paths (their bases')
        for i, t in enumerate(targets):
            for d in getattr(t, "kdirs", None) or ():
                for form in _forms(_norm(d), self.memo):
                    self.at.setdefault(form, set()).add(i)
            for p in t.reach:
                n = normal.get(p)
                if n is None:
                    n = normal[p] = _norm(p)
                self.at.setdefault(n, set()).add(i)

    def targets_of(self, path: str) -> set[int]:
        hit: set[int] = set()
        for form in _forms(path, self.memo):
            for up in _ancestors(form):
                hit |= self.at.get(up, set())
        if os.path.islink(path) or not os.path.isfile(path):
            # a symlink (or what was one) on the way to an area: a regular file cannot be
            top = path.rstrip(os.sep) + os.sep
            for area, targets in self.at.items():
                if area.startswith(top):
                    hit |= targets
        return hit


def select_targets(targets: Sequence[TargetLike], changed: Iterable[str], *,
                   global_paths: Iterable[str] = ()) -> Selection:
    """The targets whose result may depend on the ``changed`` files (see the module
    documentation for why this never misses one).

    Paths may be relative to the current directory. ``global_paths`` are files or folders
    whose change selects everything (the config file, extra rule folders, the baseline).
    """
    files = {_norm(p) for p in changed}
    files = {p for p in files if not os.path.isdir(p) or os.path.islink(p)}
    globs = [f for g in global_paths for f in _forms(_norm(g))]
    if any(os.path.basename(p) in GLOBAL_NAMES
           or any(_under(f, g) for f in _forms(p) for g in globs) for p in files):
        return Selection(list(targets), everything=True)
    areas = _Areas(targets)
    picked: set[int] = set()
    unreached = []
    for p in sorted(files):
        hit = areas.targets_of(p)
        picked |= hit
        if not hit:
            unreached.append(os.path.relpath(p))
    # A changed (or deleted) kustomization file may have stopped including a folder or
    # naming a file, which is then a base or a loose manifest of its own: every base, and
    # every loose manifest, is checked then. Otherwise the loose manifests checked are the
    # changed ones and those in the chosen targets' folders (a transformer configuration
    # there may have stopped naming one).
    kust_changed = any(os.path.basename(p) in KUSTOMIZATION_FILES for p in files)
    chosen = [t for i, t in enumerate(targets) if getattr(t, "kind", "") != "standalone"
              and (i in picked or (kust_changed and getattr(t, "kind", "") == "base"))]
    covered = _Areas(chosen)
    for t in targets:
        if getattr(t, "kind", "") == "standalone":
            if not kust_changed:
                t.files = [f for f in t.files
                           if _norm(f) in files or covered.targets_of(_norm(f))]
            if t.files:
                chosen.append(t)
    return Selection(chosen, False, unreached)


# ---------------------------------------------------------------- git

def _git(args: list[str], cwd: str) -> GitResult:
    from ..core.git import git_process   # a hook run selects from the files it is given
    return git_process(args, cwd, "--changed-since")


def git_toplevel(cwd: str = ".") -> str:
    """The top directory of the git work tree holding ``cwd``; a clear error outside one."""
    p = _git(["rev-parse", "--show-toplevel"], cwd)
    if p.returncode != 0:
        raise OverlayLintError(
            f"--changed-since needs a git repository, and {os.path.abspath(cwd)} is not "
            "inside one (run without --changed-since to check every env)")
    return p.stdout.decode("utf-8", "surrogateescape").strip()


def _names(out: bytes, top: str) -> list[str]:
    return [os.path.join(top, n.decode("utf-8", "surrogateescape"))
            for n in out.split(b"\0") if n]


def changed_since(ref: str, cwd: str = ".") -> list[str]:
    """Absolute paths changed between the merge base of ``ref`` and HEAD, plus the work tree.

    ``git diff REF...HEAD`` (what a pull request changes), staged and unstaged edits, and
    untracked files; a rename counts as a deletion plus an addition.
    """
    top = git_toplevel(cwd)
    if not ref or ref.startswith("-"):
        raise OverlayLintError(f"--changed-since: '{ref}' is not a git revision")
    # file names only: no external diff driver or textconv filter ever runs
    p = _git(["diff", "--name-only", "--no-renames", "--no-ext-diff", "--no-textconv", "-z",
              f"{ref}...HEAD", "--"], top)
    if p.returncode != 0:
        from ..core.git import last_line
        hint = ("; in GitHub Actions check out with `fetch-depth: 0` so the base commit is "
                "there" if b"merge base" in p.stderr else "")
        raise OverlayLintError(f"--changed-since {ref}: git diff failed: "
                               f"{last_line(p.stderr) or 'unknown error'}{hint}")
    names = _names(p.stdout, top)
    # plumbing: `git diff` would refresh and rewrite the index; stat-only changes count
    work = _git(["diff-index", "--name-only", "--no-renames", "-z", "HEAD", "--"], top)
    if work.returncode == 0:
        names += _names(work.stdout, top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    if untracked.returncode == 0:
        names += _names(untracked.stdout, top)
    return sorted(set(names))
