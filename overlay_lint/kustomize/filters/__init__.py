"""Engines the builtins share (Kustomize's api/filters): the field spec walk, strategic
merge, JSON6902 operations, patch application, label/annotation setting, namespaces,
name prefixes and suffixes, image tags, replacement field paths, name references and var
substitution."""
