"""Every Secret key a workload reads exists, in the same env and namespace.

Checks ``env[].valueFrom.secretKeyRef``, ``envFrom[].secretRef`` and secret volumes
(``items[].key``, projected sources too). A reference resolves to a ``Secret`` or a
Bitnami ``SealedSecret`` (keys of ``spec.encryptedData`` and ``spec.template.data``)
rendered in the same env and namespace; an ``ExternalSecret`` (external-secrets.io) and
every kind in the ``producers`` parameter count as providers: cert-manager
``Certificate`` and annotated ``Ingress`` tls entries, OpenShift service serving
certificates (``service.beta.openshift.io/serving-cert-secret-name``), the CSI secrets
store's ``SecretProviderClass``, Vault, 1Password, SOPS, Bitwarden and Doppler operators.
``optional: true`` references are exempt.

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
provide it).

Parameters: ``external``, names (globs) of Secrets created outside the repository;
``missing-objects``: ``auto`` (as above), ``report`` or ``ignore``; ``producers``: the
kinds that make Secrets, each ``{kind, apiVersion (glob), name (a dotted path, default
metadata.name) or annotation, keys (default: any), if-annotation}``; setting it replaces
the list (``overlay-lint explain secret-key-ref`` prints the defaults).
"""
from __future__ import annotations

from collections.abc import Iterator

from ..model import Problem, RuleContext
from ..refs import check_refs

ID = "secret-key-ref"
SEVERITY = "error"
_TLS = ["tls.crt", "tls.key"]
# Kinds that make a Secret exist (its name at `name`, a dotted path; `[]` steps into every
# list item; or the value of `annotation`), in the env and namespace they are rendered in.
PRODUCERS = [
    {"kind": "Certificate", "apiVersion": "cert-manager.io/*", "name": "spec.secretName"},
    # cert-manager's ingress-shim: a Certificate per tls entry of an annotated Ingress
    {"kind": "Ingress", "apiVersion": "networking.k8s.io/*", "name": "spec.tls[].secretName",
     "if-annotation": ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer"],
     "keys": _TLS},
    {"kind": "Service", "apiVersion": "v1", "keys": _TLS,
     "annotation": "service.beta.openshift.io/serving-cert-secret-name"},
    {"kind": "Service", "apiVersion": "v1", "keys": _TLS,
     "annotation": "service.alpha.openshift.io/serving-cert-secret-name"},
    {"kind": "SecretProviderClass", "apiVersion": "secrets-store.csi.x-k8s.io/*",
     "name": "spec.secretObjects[].secretName"},
    {"kind": "VaultStaticSecret", "apiVersion": "secrets.hashicorp.com/*",
     "name": "spec.destination.name"},
    {"kind": "VaultDynamicSecret", "apiVersion": "secrets.hashicorp.com/*",
     "name": "spec.destination.name"},
    {"kind": "VaultPKISecret", "apiVersion": "secrets.hashicorp.com/*",
     "name": "spec.destination.name"},
    {"kind": "OnePasswordItem", "apiVersion": "onepassword.com/*"},
    {"kind": "ExternalSecret", "apiVersion": "kubernetes-client.io/*"},
    {"kind": "SopsSecret", "apiVersion": "isindir.github.com/*",
     "name": "spec.secretTemplates[].name"},
    {"kind": "BitwardenSecret", "apiVersion": "k8s.bitwarden.com/*", "name": "spec.secretName"},
    {"kind": "DopplerSecret", "apiVersion": "secrets.doppler.com/*",
     "name": "spec.managedSecret.name"},
]
PARAMETERS = {"external": [], "missing-objects": "auto", "producers": PRODUCERS}


def check(ctx: RuleContext) -> Iterator[Problem]:
    return check_refs(ctx, "Secret")
