"""overlay-lint: lint Kustomize overlays at the source line that produced each value."""

__version__ = "0.1.0"
