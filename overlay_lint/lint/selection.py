"""Which targets (envs, bases, loose manifests) a set of changed files can affect.

A pre-commit hook gets the staged filenames; a pull request has the files it touches. Only
the targets whose render reads one of them need a check. Rendering every env to learn what it
read would cost the very time we want to save, so the decision uses ``Target.reach`` from
discovery: the kustomization files and every path they list (resources, components, patch
files, generator sources...), read statically, before anything renders.

Two conservative rules keep a real problem from hiding:
- a changed config file (``.overlay-lint.yaml``, the ``--config`` file, an extra rule folder)
  selects everything;
- a file that no longer exists (deleted or renamed away) selects every target with a
  kustomization directory at or above it: Kustomize only reads files in or below a
  kustomization's directory, so no other target can have read it.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from typing import Iterable, Protocol, Sequence

from ..core.errors import OverlayLintError

# A change to a file with one of these names may change every target's result.
GLOBAL_NAMES = frozenset({".overlay-lint.yaml", ".overlay-lint.yml"})


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


def select_targets(targets: Sequence[TargetLike], changed: Iterable[str], *,
                   global_paths: Iterable[str] = ()) -> Selection:
    """The targets whose result may depend on the ``changed`` files.

    Paths may be relative to the current directory. ``global_paths`` are files or folders
    whose change selects everything (the config file, extra rule folders).
    """
    files = {_norm(p) for p in changed}
    files = {p for p in files if not os.path.isdir(p)}
    globs = [_norm(g) for g in global_paths]
    if any(os.path.basename(p) in GLOBAL_NAMES or any(_under(p, g) for g in globs)
           for p in files):
        return Selection(list(targets), everything=True)
    gone = {p for p in files if not os.path.lexists(p)}
    chosen, reached = [], set()
    for t in targets:
        hit = files & t.reach
        for p in gone:
            if any(_under(p, d) for d in getattr(t, "kdirs", None) or ()):
                hit.add(p)
        if hit:
            chosen.append(t)
            reached |= hit
    unreached = sorted(os.path.relpath(p) for p in files - reached)
    return Selection(chosen, False, unreached)


def split_paths(paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """Command-line paths as (directories to lint, changed files).

    pre-commit appends the staged filenames to the hook's arguments, so a file argument
    means "this changed", a directory "lint here". Files alone lint the current directory.
    A missing path counts as a changed (deleted) file.
    """
    dirs = [p for p in paths if os.path.isdir(p)]
    files = [p for p in paths if not os.path.isdir(p)]
    return dirs or ["."], files


# ---------------------------------------------------------------- git

def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=120)
    except FileNotFoundError:
        raise OverlayLintError("--changed-since needs git, and git is not on PATH") from None


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
    p = _git(["diff", "--name-only", "--no-renames", "-z", f"{ref}...HEAD", "--"], top)
    if p.returncode != 0:
        why = p.stderr.decode("utf-8", "replace").strip().splitlines()
        hint = ("; in GitHub Actions check out with `fetch-depth: 0` so the base commit is "
                "there" if any("merge base" in w for w in why) else "")
        raise OverlayLintError(f"--changed-since {ref}: git diff failed: "
                               f"{why[-1] if why else 'unknown error'}{hint}")
    names = _names(p.stdout, top)
    # plumbing: `git diff` would refresh and rewrite the index; stat-only changes count
    work = _git(["diff-index", "--name-only", "--no-renames", "-z", "HEAD", "--"], top)
    if work.returncode == 0:
        names += _names(work.stdout, top)
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    if untracked.returncode == 0:
        names += _names(untracked.stdout, top)
    return sorted(set(names))
