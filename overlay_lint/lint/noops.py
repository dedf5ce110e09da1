"""Judging silent no-ops across envs: one finding per source line, for the envs where the
line does nothing.

The no-op rules (``patch-no-match``, ``patch-no-effect``, ``unused-image-override``,
``replacement-no-target``) read ``BuildResult.touched`` (kustomize/touched.py): what each
builtin entry matched and changed in one build. Each rule turns a record into
:class:`Verdict` s, "this line does nothing here" or "this line works here"; this module
gathers them over every rendered target and keeps a line only when

- it does nothing in at least one target and works in none: an entry in a shared base or
  Component that is a no-op everywhere is one finding naming those envs, while one that
  works in some env (a Component patch meant for prod only) is never reported, since its
  file is read by that env too;
- every target that reads the line's file (statically: ``Target.reach``, over every
  discovered target, not only those a changed-files run selected) rendered in this run,
  as an env that failed, or was not rendered, could be the one where the line works;
  unless the line is an entry of a Kustomization's own file (not a Component's, not a var,
  not a patch or transformer file several kustomizations may list), whose verdict is the
  same wherever it is included;
- the user can fix it there: not in a generated file (``DO NOT EDIT`` / ``Code generated``
  in its first lines), not in a vendored copy of someone else's manifests (a folder named
  as in the rule's ``vendored-folders`` parameter on the way to it).

A kustomization's own entries see only what it accumulates (its resources, bases and
Components), whoever includes it, so most no-ops are the same in every env; Components,
patch files listed by several kustomizations and ``vars`` (substituted over the whole
build) are where envs differ.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

from ..core.node import Node, Origin
from ..core.record import dataclass, field
from .model import Problem, RenderedTarget, RuleContext

PATCH_BUILTINS = frozenset({"PatchTransformer", "PatchJson6902Transformer",
                            "PatchStrategicMergeTransformer"})
# folders holding copies of other projects' manifests, synced rather than edited
VENDORED_FOLDERS = ["vendor", "vendored", "third_party", "third-party", "upstream"]
_GENERATED_MARKS = ("DO NOT EDIT", "Code generated", "code generated")


@dataclass
class Verdict:
    """What one line did in one target: nothing (``noop``, with the finding's message)
    or something."""

    origin: Origin
    noop: bool
    message: str = ""
    field_path: str = ""
    value: str | None = None      # what the entry names (its fingerprint survives line moves)


@dataclass
class _Line:
    origin: Origin
    noop: list[tuple[RenderedTarget, Verdict]] = field(default_factory=list)
    works: bool = False
    # every record behind the line is an entry of a Kustomization's own file (not a
    # Component's, not a shared patch or transformer file, not a var): its verdict is the
    # same in every env that includes that kustomization
    same_everywhere: bool = True


Judge = Callable[[object, RenderedTarget], Iterable[Verdict]]


def judged(ctx: RuleContext, builtins: Iterable[str], judge: Judge) -> Iterator[Problem]:
    """Problems for the lines that do nothing wherever they run (see the module doc).

    ``judge(record, target)`` gives the verdicts of one ``Touched`` record whose
    ``builtin`` is in ``builtins``."""
    kinds = frozenset(builtins)
    lines: dict[tuple[str, int], _Line] = {}
    rendered: list[RenderedTarget] = []
    own: dict[str, bool] = {}
    for t in ctx.targets:
        if t.failed or t.result is None:
            continue
        rendered.append(t)
        for rec in t.result.touched:
            if rec.builtin not in kinds or rec.origin is None:
                continue
            for v in judge(rec, t):
                key = (v.origin[0], v.origin[1])
                line = lines.get(key)
                if line is None:
                    line = lines[key] = _Line(v.origin)
                if v.noop:
                    line.noop.append((t, v))
                    if line.same_everywhere and not _own_entry(ctx, rec, v.origin, own):
                        line.same_everywhere = False
                else:
                    line.works = True
    if not lines:
        return
    readers = _Readers(ctx, rendered)
    vendored = set(ctx.params.get("vendored-folders", ()))
    for line in lines.values():
        if line.works or not line.noop:
            continue
        path = line.origin[0]
        if not (line.same_everywhere or readers.all_rendered(path)) or generated(path) or \
                _vendored(path, ctx.repo_root, vendored):
            continue
        seen: set[str] = set()
        first = line.noop[0][1]
        for t, v in line.noop:
            if t.name in seen:
                continue
            seen.add(t.name)
            yield Problem(first.origin, first.message, t, value=first.value,
                          field_path=first.field_path)


def _own_entry(ctx: RuleContext, rec, origin: Origin, cache: dict[str, bool]) -> bool:
    """True when ``origin`` lies in the kustomization file of the (non-Component)
    kustomization that ran ``rec``, and ``rec`` is not a var: Kustomize builds a
    kustomization the same whoever includes it, so one env's verdict is every env's."""
    if rec.builtin == "Var":
        return False
    hit = cache.get(rec.directory)
    if hit is None:
        info = ctx.index.get(rec.directory)
        hit = cache[rec.directory] = info is not None and not info.is_component
    return hit and origin[0] == rec.file and os.path.basename(rec.file) in (
        "kustomization.yaml", "kustomization.yml", "Kustomization")


class _Readers:
    """Which discovered targets read a file, and whether all of them rendered here."""

    def __init__(self, ctx: RuleContext, rendered: list[RenderedTarget]) -> None:
        self.all = [t for t in (ctx.discovered if ctx.discovered is not None else
                                [r.target for r in ctx.targets]) if t.kind != "standalone"]
        self.ok = {id(r.target) for r in rendered}
        self.cache: dict[str, bool] = {}

    def all_rendered(self, path: str) -> bool:
        hit = self.cache.get(path)
        if hit is None:
            hit = self.cache[path] = all(id(t) in self.ok for t in self.all
                                         if path in t.reach)
        return hit


def _vendored(path: str, root: str, folders: set[str]) -> bool:
    if not folders:
        return False
    rel = os.path.relpath(path, root)
    return any(part in folders for part in rel.split(os.sep)[:-1])


_generated_cache: dict[str, bool] = {}


def generated(path: str) -> bool:
    """True for a file that says a tool writes it (``DO NOT EDIT``, ``Code generated``
    in its first lines): a finding there could not be fixed at that line."""
    hit = _generated_cache.get(path)
    if hit is None:
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                head = "\n".join(fh.read(2048).splitlines()[:5])
        except OSError:
            head = ""
        hit = _generated_cache[path] = any(m in head for m in _GENERATED_MARKS)
    return hit


# --- reading the entry behind a record ---------------------------------------------------

def entry_node(origin: Origin | None) -> Node | None:
    """The node of the source file that starts at ``origin`` (a record's entry: a patches
    item, an images item, a replacement), read from the parsed file (cached)."""
    if origin is None:
        return None
    from ..core.errors import OverlayLintError
    from ..core.yaml_reader import load_file
    try:
        docs = load_file(origin[0])
    except OverlayLintError:
        return None
    for doc in docs:
        if doc is None:
            continue
        for _path, node in doc.walk():
            if node.o == origin and node.is_map:
                return node
    return None


def entry_target(rec) -> tuple[Node | None, bool]:
    """The ``target`` of a patch record's entry (None when it has none) and whether the
    entry could be read."""
    entry = entry_node(rec.origin)
    if entry is None:
        return None, False
    t = entry.get("target")
    return (t if t is not None and t.is_map else None), True


def is_wildcard(target: Node | None) -> bool:
    """A target that names no resource (a kind, labels, annotations): "every such
    resource", which may legitimately be none, or already compliant."""
    return target is not None and not target.str_at("name")


def in_component(ctx: RuleContext, rec) -> bool:
    """True when the kustomization that ran the entry is a Component."""
    info = ctx.index.get(rec.directory)
    return info is not None and info.is_component


def patch_text(rec) -> str:
    """The text of a patch entry (inline or its file), '' when it cannot be read."""
    if rec.patch_file:
        try:
            with open(rec.patch_file, encoding="utf-8", errors="replace") as fh:
                return fh.read(1_000_000)
        except OSError:
            return ""
    entry = entry_node(rec.origin)
    text = entry.get("patch") if entry is not None else None
    return text.v if text is not None and isinstance(text.v, str) else ""


def describe_selector(node: Node | None) -> str:
    """``kind: Deployment, name: redis`` for a target/select mapping ('' when absent)."""
    if node is None or not node.is_map:
        return ""
    keys = ("group", "version", "kind", "name", "namespace", "labelSelector",
            "annotationSelector")
    return ", ".join(f"{k}: {node.v[k].v}" for k in keys
                     if k in node.v and node.v[k].v not in (None, ""))


def near_resources(selector: Node | None, target: RenderedTarget) -> str:
    """A hint naming the rendered resources a selector probably meant: the same name with
    another kind, or the same kind with a close name ('' when nothing is close)."""
    if selector is None or not selector.is_map:
        return ""
    kind, name = selector.str_at("kind"), selector.str_at("name")
    if not name or any(c in name for c in "*?[(|^$"):
        return ""
    renamed = sorted({(r.kind, r.org_id().name) for r in target.resources
                      if r.name == name and r.org_id().name != name
                      and (not kind or r.kind == kind)})
    if renamed:
        k, org = renamed[0]
        return (f"; {k} '{org}' is named '{name}' only later (namePrefix/nameSuffix run "
                f"after patches): target '{org}'")
    ns = selector.str_at("namespace")
    moved = sorted({(r.kind, r.org_id().namespace) for r in target.resources
                    if r.org_id().name == name and (not kind or r.kind == kind)
                    and r.namespace == ns and r.org_id().namespace != ns}) if ns else []
    if moved:   # it matched nothing, so the namespace came after the patches ran
        k, org_ns = moved[0]
        was = f"target namespace '{org_ns}', as written, or" if org_ns else "so"
        return (f"; {k} '{name}' is put in namespace '{ns}' only after patches run "
                f"(namespace: applies after them): {was} leave namespace out of the target")
    ids = [(r.kind, r.org_id().name) for r in target.resources]
    same_name = sorted({k for k, n in ids if n == name and k != kind})
    if same_name:
        kinds = " and ".join(("an " if k[:1] in "AEIOU" else "a ") + k for k in same_name)
        return f"; {kinds} named '{name}' {'exist' if len(same_name) > 1 else 'exists'}"
    if kind:
        names = sorted({n for k, n in ids if k == kind})
        import difflib
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.75)
        if close:
            return f"; did you mean {kind} '{close[0]}'?"
    return ""


def rel(path: str, root: str) -> str:
    """``path`` relative to the lint root, for messages."""
    r = os.path.relpath(path, root)
    return path if r.startswith("..") else r.replace(os.sep, "/")
