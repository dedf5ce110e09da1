"""Every Secret key a workload reads exists, in the same env and namespace.

Checks ``env[].valueFrom.secretKeyRef``, ``envFrom[].secretRef`` and secret volumes
(``items[].key``, projected sources too). A reference resolves to a ``Secret`` or a
Bitnami ``SealedSecret`` (keys of ``spec.encryptedData`` and ``spec.template.data``)
rendered in the same env and namespace; ``ExternalSecret`` and cert-manager
``Certificate`` count as providers. ``optional: true`` references are exempt.

Why: a missing key is only noticed when the pod starts and crash-loops
(``CreateContainerConfigError``), in the env where it is missing. This is the incident the
project exists for: identity-service read ``GITHUB_TOKEN_ENCRYPTION_KEY`` from
``identity-service-secrets``, whose SealedSecret lacked it.

Failing::

    env:
      - name: GITHUB_TOKEN_ENCRYPTION_KEY
        valueFrom:
          secretKeyRef:
            name: identity-service-secrets
            key: GITHUB_TOKEN_ENCRYPTION_KEY   # not in the SealedSecret's encryptedData

Passing: the SealedSecret ``identity-service-secrets`` has
``spec.encryptedData.GITHUB_TOKEN_ENCRYPTION_KEY``.

Fix: add the key (``kubeseal`` it into the SealedSecret) or correct the reference.

A Secret that is not rendered at all is reported only in an env that renders Secrets of
its own in that namespace, and only when no other checked target renders a Secret of
that name (in a base or a loose manifest, an overlay, another app or an operator may
provide it). Parameters: ``external``, names (globs) of Secrets created
outside the repository; ``missing-objects``: ``auto`` (as above), ``report`` or ``ignore``.
"""
from __future__ import annotations

from typing import Iterator

from ..model import Problem, RuleContext
from ..refs import check_refs

ID = "secret-key-ref"
SEVERITY = "error"
PARAMETERS = {"external": [], "missing-objects": "auto"}


def check(ctx: RuleContext) -> Iterator[Problem]:
    return check_refs(ctx, "Secret")
