"""Every rendered resource is valid for the Kubernetes API server of its env's version.

Why: Kustomize renders anything that is YAML. The API server then rejects the apply
(``kubectl apply`` validates strictly by default), or, where validation is off, silently
drops the misspelled field, and the setting it was meant to carry does not hold:
``progressDeadlineSecond: 900`` leaves the default 600 s; ``imagePullPolicy: always`` is
rejected, and the env's sync fails. The finding points at the source line that produced
the field (base, patch file, inline patch, JSON6902 ``value:``, generator), once, with
every env it shows in.

Checked, against the Kubernetes OpenAPI schema of the env's version (``kubernetes:`` in the
config; default: the newest version the shipped ``kubernetes-validate`` schemas cover):
unknown fields (as strict field validation reports them; case matters), wrong types, values
outside a field's allowed set (from a table generated from the API documentation:
``imagePullPolicy``, ``restartPolicy``, Service ``type``, ``protocol``, ``pathType``,
selector operators, ...), required fields that are missing, integers beyond int32/int64,
malformed quantities (``cpu: 1 core``, ``memory: 1GB``) and non-base64 Secret ``data``.
As the API server does, it accepts ``null`` anywhere, ``1.0`` for an integer, numbers or
strings for int-or-string fields, and it checks ``status`` only for unknown fields and types.
A value holding a ``${VAR}`` placeholder (Flux post-build substitution, envsubst) is left
alone: it is filled in before the apply; so is a SOPS-encrypted manifest (a top-level
``sops:`` block), decrypted before the apply.

Custom resources are checked against the CRDs found in the repository (any env, base or
loose manifest; in a changed-files run, any YAML file of the repository), then the
``kubernetes.crds`` folders (CRD manifests or JSON schemas):
``x-kubernetes-preserve-unknown-fields``, ``x-kubernetes-int-or-string`` and
``x-kubernetes-embedded-resource`` are honoured, and enum, bounds, lengths, patterns (with
RE2, as Go evaluates them) and ``allOf``/``anyOf``/``oneOf``/``not`` are checked (CEL
``x-kubernetes-validations`` are not). Well-known kinds used without their CRD
(SealedSecret, Argo CD, cert-manager, Flux, Prometheus operator, Istio, Gateway API, OLM,
...) get the basics (top-level fields, ``metadata``). Any other kind without a schema is
not a finding: it is listed once per kind after the findings (``unvalidated`` in
``--format json``); set ``report-unvalidated: true`` to make each such resource a
finding. An apiVersion/kind the env's Kubernetes does not serve yet, or has never served,
is a finding at its line; removed ones are left to ``removed-api``. In a loose manifest
(no kustomization reads it, so it may be a patch fragment) missing fields are not
reported.

Failing (``overlays/prod/kustomization.yaml``, inline patch)::

    patches:
      - patch: |-
          apiVersion: apps/v1
          kind: Deployment
          metadata:
            name: frontend
          spec:
            template:
              spec:
                topologySpreadConstraint:      # unknown field (did you mean ...Constraints?)
                  - maxSkew: 1

Passing::

                topologySpreadConstraints:
                  - maxSkew: 1
                    topologyKey: kubernetes.io/hostname
                    whenUnsatisfiable: ScheduleAnyway

Fix: correct the field at the reported line. For a CRD-based kind, check the CRD's schema
(the message names the CRD). Parameters: ``report-unvalidated`` (default false).
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RuleContext

ID = "k8s-schema"
SEVERITY = "error"
PARAMETERS = {"report-unvalidated": False}


def check(ctx: RuleContext) -> Iterator[Problem]:
    if ctx.config.kubernetes is None and not any(t.resources for t in ctx.rendered()):
        return iter(())   # nothing to check: the schemas and tables are not even loaded
    from ..k8s.check import schema_problems
    return schema_problems(ctx)
