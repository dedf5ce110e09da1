"""A native Python implementation of ``kustomize build`` that keeps source provenance."""
