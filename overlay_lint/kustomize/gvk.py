"""Kustomize's order of kinds and its group/version/kind selection (resid/gvk.go)."""
from __future__ import annotations

# Kinds Kustomize sorts first / last (its Gvk.IsLessThan): for field specs here, and as
# the default of the legacy output sort (order.py).
ORDER_FIRST = (
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition",
    "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding",
    "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange",
    "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment",
    "StatefulSet", "CronJob", "PodDisruptionBudget",
)
ORDER_LAST = ("MutatingWebhookConfiguration", "ValidatingWebhookConfiguration")


def type_orders(first: tuple, last: tuple) -> dict[str, int]:
    """Rank of each listed kind: ``first`` kinds below 0, ``last`` kinds above (others 0)."""
    m = {k: -len(first) + i for i, k in enumerate(first)}
    m.update({k: 1 + i for i, k in enumerate(last)})
    return m


def gvk_sort_string(group: str, version: str, kind: str) -> str:
    return "_".join((group or "~G", version or "~V", kind or "~K"))


_TYPE_ORDER = type_orders(ORDER_FIRST, ORDER_LAST)


def gvk_sort_key(group: str, version: str, kind: str) -> tuple[int, str]:
    """Kustomize's ordering of GVKs: well-known kinds first, then by group/version/kind."""
    return (_TYPE_ORDER.get(kind, 0), gvk_sort_string(group, version, kind))


def gvk_selected(group: str, version: str, kind: str, sel_group: str, sel_version: str,
                 sel_kind: str) -> bool:
    """True when the selector (empty fields are wildcards) selects the GVK."""
    return ((not sel_group or sel_group == group) and (not sel_version or sel_version == version)
            and (not sel_kind or sel_kind == kind))
