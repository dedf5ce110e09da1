"""Kubernetes schema checks: what the API server of each env's Kubernetes version accepts.

- ``openapi``: the Kubernetes JSON schemas shipped in ``kubernetes-validate`` (1.25 and up),
  one definitions file per version, read lazily;
- ``validator``: a small validator specialised for those schemas and for CRD
  ``openAPIV3Schema``s, run directly over the provenance-carrying ``Node`` tree;
- ``crds``: schemas of custom resources (CRDs in the repository, configured folders,
  well-known kinds known by name);
- ``apis``: which apiVersion/kind each version serves, deprecates and removed;
- ``settings``: the ``kubernetes:`` config key (version per env, CRD folders).

The rules ``k8s-schema``, ``removed-api`` and ``deprecated-api`` (``lint/rules``) use
these; nothing here is imported unless one of them runs.
"""
