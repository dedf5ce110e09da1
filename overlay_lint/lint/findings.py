"""What a lint run produces: findings (rule violations) and errors (input problems).

Both the rule engine and every reporter (text, json, sarif, github, junit) speak this
model; nothing else crosses that boundary.
"""
from __future__ import annotations

from ..core.escape import fs_bytes
from ..core.record import asdict, dataclass, field

SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    """One violation, located at the source line to edit, listing every env that shows it."""

    rule: str
    severity: str                 # error | warning | info
    message: str                  # what is wrong and what to do
    file: str                     # relative to the current directory
    line: int                     # 1-based
    col: int = 1                  # 1-based
    envs: list[str] = field(default_factory=list)
    resource: str = ""            # kind/namespace/name ("" for file-level findings)
    field_path: str = ""          # e.g. spec.template.spec.containers[0].image
    value: str | None = None      # the offending value, when there is one

    def fingerprint(self) -> str:
        """Identity that survives line shifts: rule, file, resource, field path, value.

        Hashed as the file system's bytes, so a non-UTF-8 file name has a fingerprint too
        (the same as before for every UTF-8 name)."""
        key = "\x1f".join((self.rule, self.file, self.resource, self.field_path,
                           "" if self.value is None else str(self.value)))
        from ..core.digest import sha256
        return sha256(fs_bytes(key)).hexdigest()[:32]

    def to_json(self) -> dict:
        d = asdict(self)
        d["fingerprint"] = self.fingerprint()
        return d


@dataclass
class LintError:
    """An input problem (config, YAML, render): reported, exit code 2, other envs still run."""

    message: str
    file: str | None = None
    line: int | None = None
    col: int | None = None
    env: str | None = None

    def to_json(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        loc = ""
        if self.file:
            loc = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        env = f" (env {self.env})" if self.env else ""
        return f"{loc}{self.message}{env}"


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    errors: list[LintError] = field(default_factory=list)
    envs: list[str] = field(default_factory=list)   # envs that were checked
    suppressed: int = 0       # dropped by inline comments, annotations, config ignores
    baselined: int = 0        # dropped because the baseline knows them
    # kinds no schema covered (k8s-schema): apiVersion, kind, reason, envs, resources
    unvalidated: list[dict] = field(default_factory=list)
    protected: list[str] = field(default_factory=list)   # the protected envs checked
    # visible, never failing: nothing protected, an unreadable folder, a suppression
    # naming no rule (file/line when there is one)
    warnings: list[LintError] = field(default_factory=list)
    # targets not checked because they use what overlay-lint refuses (`unsupported: skip`):
    # where (file:line) and why; ``env`` names the target
    skipped: list[LintError] = field(default_factory=list)
