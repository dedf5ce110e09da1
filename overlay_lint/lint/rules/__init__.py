"""Built-in rules, one module each (yamllint style).

A rule module defines ``ID``, ``SEVERITY``, ``PARAMETERS`` (name -> default), a docstring
that is the rule's documentation (first line: summary; then why, a failing example, a
passing example, how to fix) and ``check(ctx: RuleContext) -> Iterator[Problem]``.
Declarative rules (YAML files in the top-level ``rules/`` folder) sit beside these.
"""

MODULES = (
    "expected_workloads",
    "dev_replicas",
    "dev_image_tags",
    "prod_no_dev_images",
    "no_latest_in_prod",
    "overlay_isolation",
    "secret_key_ref",
    "configmap_key_ref",
    "argocd_self_heal",
    "env_parity",
    "k8s_schema",
    "removed_api",
    "deprecated_api",
    "patch_no_match",
    "patch_no_effect",
    "unused_image_override",
    "replacement_no_target",
    "unreferenced_manifest",
    "deprecated_kustomize_field",
    "duplicate_key",
    "ignored_by_kustomize",
    "unused_suppression",
)
