"""What rules see and what they yield: rendered targets in, problems out."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

from ..core.node import Origin, Path
from ..core.record import dataclass, field
from .discovery import Target
from .reach import KustIndex

TYPE_CHECKING = False  # typing's flag without importing typing (~2.5 ms of a run)
if TYPE_CHECKING:  # imported for types only: informational commands stay light
    from ..kustomize.build import BuildResult
    from ..kustomize.resource import Resource
    from .config import Config


@dataclass
class RenderedTarget:
    """A target after rendering: its resources in output order (empty when it failed)."""

    target: Target
    resources: list[Resource] = field(default_factory=list)
    result: BuildResult | None = None    # None: standalone manifests, or failed
    failed: bool = False
    skipped: bool = False    # refused (remote, Helm, plugin) and `unsupported: skip`

    @property
    def name(self) -> str:
        return self.target.name

    @property
    def role(self) -> str:
        return self.target.role

    @property
    def kind(self) -> str:
        return self.target.kind

    @property
    def is_env(self) -> bool:
        return self.target.kind == "env"


def local_to(origin: Origin | None, target: RenderedTarget | None) -> bool:
    """Whether ``origin`` is in the target's own folder (an env's overlay), not in a base
    that other envs share: only then may a message name what this env alone renders."""
    d = target.target.dir if target is not None else None
    return d is None or origin is None or origin[0] == d or origin[0].startswith(d + os.sep)


def shown_name(res: Resource, origin: Origin | None, target: RenderedTarget | None) -> str:
    """A resource's name as a message at ``origin`` shows it: as rendered when the line is
    in the target's own folder, else as written in the source (one env's ``namePrefix``
    must not show at a base line many envs share)."""
    if local_to(origin, target):
        return res.name
    return res.org_id().name or res.name


def is_variant_group(group: list[RenderedTarget]) -> bool:
    """Envs found only as kustomization roots, none with a role: variants, not envs."""
    return all(t.target.signal == "root" and t.role == "none" for t in group)


@dataclass
class Problem:
    """One violation in one target, before merging across envs.

    ``path`` is the field path inside ``resource`` (for the finding's fingerprint and
    resource-level suppression); ``envs`` overrides the env list (e.g. a loose Argo CD
    Application reports the env it deploys).
    """

    origin: Origin | None
    message: str
    target: RenderedTarget | None = None
    resource: Resource | None = None
    path: Path = ()
    value: object = None
    envs: list[str] | None = None
    field_path: str | None = None
    severity: str | None = None     # set by `overrides:` (a severity, or "off")


@dataclass
class Rule:
    """A rule: built-in (a module in ``lint/rules``) or declarative (a YAML file)."""

    id: str
    severity: str
    summary: str
    doc: str
    parameters: dict
    check: Callable[["RuleContext"], Iterable[Problem]]
    source: str = "built-in"
    enabled: bool = True
    params: dict = field(default_factory=dict)     # effective parameters
    # `overrides:` of the config that set this rule: [(Override, RuleSetting)], first wins
    overrides: list = field(default_factory=list)
    off_elsewhere: bool = False    # disabled, but enabled by an override for some paths
    # whether the rule compares the envs of a group with each other (given the effective
    # parameters): a changed-only run then checks every env of a group it selects
    compares_envs: Callable[[dict], bool] | bool = False

    def effective_params(self) -> dict:
        p = dict(self.parameters)
        p.update(self.params)
        return p


@dataclass
class RuleContext:
    """Everything a rule may read."""

    rule: Rule
    params: dict
    targets: list[RenderedTarget]
    config: Config
    index: KustIndex
    repo_root: str
    # kinds a rule could not check, shared by the run (LintResult.unvalidated)
    unvalidated: list | None = None
    # every target discovery found, before a changed-files run picked ``targets``
    discovered: list[Target] | None = None

    @property
    def envs(self) -> list[RenderedTarget]:
        """Rendered envs (kind ``env``) that built."""
        return [t for t in self.targets if t.is_env and not t.failed]

    def rendered(self) -> Iterator[RenderedTarget]:
        """Every target that has resources to check (envs, bases, loose manifests)."""
        return (t for t in self.targets if not t.failed)

    def groups(self, include_failed: bool = False,
               variants: bool = False) -> list[list[RenderedTarget]]:
        """Envs grouped by app (by default, the envs that build on one base), in env order.

        A group whose envs were all found only as kustomization roots and none of which
        has a role (``istio``, ``linkerd``, ``kuma`` built on one base) holds variants of
        an app rather than its environments: it is left out unless ``variants``."""
        out: dict[str, list[RenderedTarget]] = {}
        for t in self.targets:
            if t.is_env and (include_failed or not t.failed):
                out.setdefault(t.target.group, []).append(t)
        return [g for g in out.values() if variants or not is_variant_group(g)]

    def by_role(self, role: str) -> list[RenderedTarget]:
        return [t for t in self.envs if t.role == role]
