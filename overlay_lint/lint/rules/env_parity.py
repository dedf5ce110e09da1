"""Envs that must match (staging and prod, say) differ only where the config allows it.

Why: staging exists to test what prod will run. A difference nobody meant (a patch only
prod has, an env var staging lacks, a probe tuned in one overlay) makes staging's green
light worth less; the differences teams do mean (replicas, image tags, resources, hosts)
are few and can be listed. This is the parity contract of ``overlay-lint diff``, checked
on every commit.

Without configuration the rule does nothing. ``envs`` names the envs that must match
(names or ``*`` globs, as ``overlay-lint envs`` prints them); within each app group the
first env matched is the reference and every other one is compared with it, value by
value, as ``overlay-lint diff REF OTHER`` compares them (when no group holds two of them,
the envs named are compared across groups). A name that matches no env is a finding at
its line in the config. Differences that come only from the env's own namespace, name
prefix/suffix or a content hash are never findings. ``allow`` lists the differences
allowed, as field paths with wildcards (``overlay-lint diff`` prints the paths):

- ``spec.replicas`` — a path (and everything below it); ``*`` matches within one
  segment (``containers[*]``: any container), ``**`` any number of segments;
- ``**.containers[*].image:tag`` — ``:tag`` after an image path allows a different tag or
  digest of the same image, never another image;
- ``Ingress:spec.rules[*].host`` — ``Kind:`` (or ``Kind/name:``, with globs) before a
  path limits it to those resources; ``PodDisruptionBudget:`` alone allows anything about
  them, including existing in one env only;
- keys holding dots are quoted: ``**.labels["app.kubernetes.io/version"]``.

A finding is reported at the line that makes the envs differ: the one only the compared
env reads (its overlay), else the one only the reference reads.

Failing (``.overlay-lint.yaml``; prod's overlay patches ``minReadySeconds``, staging's
does not)::

    rules:
      env-parity:
        envs: [staging, prod]
        allow:
          - spec.replicas
          - "**.containers[*].image:tag"

Passing (the difference is allowed, or both overlays set the same value)::

    rules:
      env-parity:
        envs: [staging, prod]
        allow:
          - spec.replicas
          - spec.minReadySeconds
          - "**.containers[*].image:tag"

Fix: make the envs render the same value (move the setting to the base, or set it in
both overlays), or add the path to ``allow`` when the difference is meant.
Parameters: ``envs`` (list; empty: the rule does nothing), ``allow`` (list of paths).
"""
from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator

from ...core.errors import at
from ...core.node import Node, Origin
from ...core.record import dataclass
from ..model import Problem, RenderedTarget, RuleContext
from ..workloads import ImageRef, image_origin

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:   # the differ and the renderer load when envs are compared, not before
    from ...diff.model import Change
    from ...kustomize.resource import Resource

ID = "env-parity"
SEVERITY = "error"
PARAMETERS: dict = {"envs": [], "allow": []}


def COMPARES_ENVS(params: dict) -> bool:   # noqa: N802 (the rule-module attribute)
    """The envs it names are compared with each other (none: the rule does nothing)."""
    return bool(params.get("envs"))

_SCOPE = re.compile(r"^([A-Za-z0-9*?]+)(?:/([^:\[\]\"]+))?:(.*)$")


@dataclass(frozen=True)
class Allowed:
    """One ``allow`` entry: an optional kind/name scope, a path pattern, ``:tag``."""

    text: str
    kind: str | None
    name: str | None
    path: str
    tag_only: bool

    @classmethod
    def parse(cls, text: str) -> "Allowed":
        kind = name = None
        rest = text.strip()
        m = _SCOPE.match(rest)
        if m and "." not in m.group(1):
            kind, name, rest = m.group(1), m.group(2), m.group(3).strip()
        tag_only = rest.endswith(":tag")
        if tag_only:
            rest = rest[:-len(":tag")]
        from ...diff.paths import compile_pattern
        compile_pattern(rest)   # a malformed path is an error now, not a silent no-match
        return cls(text, kind, name, rest, tag_only)

    def allows(self, c: Change) -> bool:
        if self.kind is not None and not fnmatch.fnmatchcase(c.resource.kind, self.kind):
            return False
        if self.name is not None and not fnmatch.fnmatchcase(c.resource.name, self.name):
            return False
        if not self.path:
            return self.kind is not None
        from ...diff.paths import matches
        if not c.path or not matches(self.path, c.path):
            return False
        if self.tag_only:
            return (isinstance(c.before, str) and isinstance(c.after, str)
                    and ImageRef.parse(c.before).name == ImageRef.parse(c.after).name)
        return True


def _items(ctx: RuleContext, key: str) -> list:
    """The config nodes of a parameter's list items (for their origins), or []."""
    node = ctx.config.rules.get(ID) if ctx.config is not None else None
    items = node.get(key) if node is not None and node.is_map else None
    return list(items.v) if items is not None and items.is_seq else []


def _allowed(ctx: RuleContext) -> list[Allowed]:
    items = _items(ctx, "allow")
    out = []
    for i, text in enumerate(ctx.params["allow"]):
        origin = items[i].o if i < len(items) else None
        if not isinstance(text, str) or not text.strip():
            raise at(origin, f"rule '{ID}': each 'allow' entry must be a field path")
        try:
            out.append(Allowed.parse(text))
        except Exception as exc:
            raise at(origin, f"rule '{ID}': bad 'allow' entry {text!r}: {exc}") from None
    return out


def _members(envs: list[RenderedTarget], patterns: list[str]) -> list[RenderedTarget]:
    """The envs the patterns name, in pattern order (the first is the reference)."""
    out: list[RenderedTarget] = []
    for pat in patterns:
        for t in envs:
            if t not in out and fnmatch.fnmatchcase(t.name, pat):
                out.append(t)
    return out


def check(ctx: RuleContext) -> Iterator[Problem]:
    patterns = [p for p in ctx.params["envs"] if isinstance(p, str)]
    if not patterns:
        return
    allowed = _allowed(ctx)
    yield from _unknown(ctx, patterns)
    sets = [m for m in (_members(g, patterns) for g in ctx.groups()) if len(m) > 1]
    if not sets:
        # the envs named are in different app groups: naming them asks for the comparison
        sets = [_members(ctx.envs, patterns)]
    for envs in sets:
        for other in envs[1:]:
            yield from _compare(envs[0], other, allowed)


def _unknown(ctx: RuleContext, patterns: list[str]) -> Iterator[Problem]:
    """A name that matches no env compares nothing: say so where it is configured."""
    known = [t.name for t in (ctx.discovered or []) if t.kind == "env"] or \
        [t.name for t in ctx.targets if t.is_env]
    items = _items(ctx, "envs")
    for i, pat in enumerate(ctx.params["envs"]):
        if isinstance(pat, str) and not any(fnmatch.fnmatchcase(n, pat) for n in known):
            origin = items[i].o if i < len(items) else None
            if origin is not None:
                yield Problem(origin, f"env-parity names '{pat}', which matches no env, so "
                                      "nothing is compared with it; the envs are "
                                      f"{', '.join(known) or 'none'} (`overlay-lint envs`)",
                              value=pat, field_path="envs")


def _compare(ref: RenderedTarget, other: RenderedTarget,
             allowed: list[Allowed]) -> Iterator[Problem]:
    by_origin: dict[tuple, list[tuple[Change, Origin, RenderedTarget]]] = {}
    from ...diff.compare import diff_resources
    for c in diff_resources(ref.resources, other.resources):
        if c.rename is not None or any(a.allows(c) for a in allowed):
            continue
        origin, env = _culprit(c, ref, other)
        if origin is None:
            continue
        by_origin.setdefault((origin[0], origin[1]), []).append((c, origin, env))
    for changes in by_origin.values():
        c, origin, env = changes[0]
        res = _resource(c, env)
        more = len(changes) - 1
        yield Problem(origin, _message(c, ref, other) + (
            f" (and {more} more difference{'s' if more != 1 else ''} from this line)"
            if more else ""), env, res, (), f"{_show(c.before)} -> {_show(c.after)}",
            envs=[ref.name, other.name], field_path=c.path_text)


def _culprit(c: Change, ref: RenderedTarget,
             other: RenderedTarget) -> tuple[Origin | None, RenderedTarget]:
    """The origin that makes the envs differ, and the env it belongs to: a line only the
    compared env reads, else one only the reference reads, else the compared env's."""
    after = _origin(c, c.after_node, c.after_origin)
    before = _origin(c, c.before_node, c.before_origin)

    def unread_by(o: Origin | None, env: RenderedTarget) -> bool:
        files = env.result.files if env.result is not None else set()
        return o is not None and o[0] not in files
    if unread_by(after, ref):
        return after, other
    if unread_by(before, other):
        return before, ref
    if after is not None:
        return after, other
    return before, ref


def _origin(c: Change, node: Node | None, origin: Origin | None) -> Origin | None:
    """Where a side's value was set; for an image, the line of the part that differs
    (``newName:`` when the images differ, ``newTag:`` when only the tag does)."""
    if node is None:
        return origin
    if c.path and c.path[-1] == "image" and isinstance(c.before, str) \
            and isinstance(c.after, str):
        b, a = ImageRef.parse(c.before), ImageRef.parse(c.after)
        part = "name" if b.name != a.name else "tag" if b.tag != a.tag else "digest"
        return image_origin(node, part)
    return node.o


def _resource(c: Change, env: RenderedTarget) -> Resource | None:
    for res in env.resources:
        if res.kind == c.resource.kind and (res.org_id().name == c.resource.name
                                            or res.name == c.resource.name):
            return res
    return None


def _show(v: object) -> str:
    if v is None:
        return "(absent)"
    if isinstance(v, (dict, list)):
        return "{…}" if isinstance(v, dict) else "[…]"
    from ...core.yaml_writer import scalar_text
    text = scalar_text(v)
    return text if len(text) <= 60 else text[:57] + "..."


def _message(c: Change, ref: RenderedTarget, other: RenderedTarget) -> str:
    what = c.resource.label()
    if not c.path:
        only = other.name if c.before is None else ref.name
        return (f"{what} exists only in {only}, but {ref.name} and {other.name} must match "
                f"(env-parity); render it in both or allow "
                f"'{c.resource.kind}/{c.resource.name}:'")
    return (f"{what} {c.path_text} differs: {_show(c.before)} in {ref.name}, "
            f"{_show(c.after)} in {other.name}; {ref.name} and {other.name} must match "
            "(env-parity): set the same value or allow the path")
