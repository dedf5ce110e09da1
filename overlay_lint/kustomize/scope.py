"""Which kinds Kustomize treats as cluster-scoped.

Kustomize decides from its built-in OpenAPI data (Kubernetes 1.21): an (apiVersion, kind)
pair it knows as cluster-scoped is never given a namespace; anything it does not know,
custom resources and kinds newer than 1.21 included, is treated as namespaced. We keep
the same list so renders match, even where a newer cluster would know better.
"""
from __future__ import annotations

_CLUSTER_SCOPED: dict[str, tuple[str, ...]] = {
    "admissionregistration.k8s.io/v1": ("MutatingWebhookConfiguration",
                                        "ValidatingWebhookConfiguration"),
    "admissionregistration.k8s.io/v1beta1": ("MutatingWebhookConfiguration",
                                             "ValidatingWebhookConfiguration"),
    "apiextensions.k8s.io/v1": ("CustomResourceDefinition",),
    "apiextensions.k8s.io/v1beta1": ("CustomResourceDefinition",),
    "apiregistration.k8s.io/v1": ("APIService",),
    "apiregistration.k8s.io/v1beta1": ("APIService",),
    "authentication.k8s.io/v1": ("TokenReview",),
    "authentication.k8s.io/v1beta1": ("TokenReview",),
    "authorization.k8s.io/v1": ("SelfSubjectAccessReview", "SelfSubjectRulesReview",
                                "SubjectAccessReview"),
    "authorization.k8s.io/v1beta1": ("SelfSubjectAccessReview", "SelfSubjectRulesReview",
                                     "SubjectAccessReview"),
    "certificates.k8s.io/v1": ("CertificateSigningRequest",),
    "certificates.k8s.io/v1beta1": ("CertificateSigningRequest",),
    "flowcontrol.apiserver.k8s.io/v1alpha1": ("FlowSchema", "PriorityLevelConfiguration"),
    "flowcontrol.apiserver.k8s.io/v1beta1": ("FlowSchema", "PriorityLevelConfiguration"),
    "networking.k8s.io/v1": ("IngressClass",),
    "networking.k8s.io/v1beta1": ("IngressClass",),
    "node.k8s.io/v1": ("RuntimeClass",),
    "node.k8s.io/v1alpha1": ("RuntimeClass",),
    "node.k8s.io/v1beta1": ("RuntimeClass",),
    "policy/v1beta1": ("PodSecurityPolicy",),
    "rbac.authorization.k8s.io/v1": ("ClusterRole", "ClusterRoleBinding"),
    "rbac.authorization.k8s.io/v1alpha1": ("ClusterRole", "ClusterRoleBinding"),
    "rbac.authorization.k8s.io/v1beta1": ("ClusterRole", "ClusterRoleBinding"),
    "scheduling.k8s.io/v1": ("PriorityClass",),
    "scheduling.k8s.io/v1alpha1": ("PriorityClass",),
    "scheduling.k8s.io/v1beta1": ("PriorityClass",),
    "storage.k8s.io/v1": ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
    "storage.k8s.io/v1alpha1": ("VolumeAttachment",),
    "storage.k8s.io/v1beta1": ("CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"),
    "v1": ("ComponentStatus", "Namespace", "Node", "NodeProxyOptions", "PersistentVolume"),
}

_SET = frozenset((av, k) for av, kinds in _CLUSTER_SCOPED.items() for k in kinds)


def is_cluster_scoped(api_version: str, kind: str) -> bool:
    """True when Kustomize knows (apiVersion, kind) as cluster-scoped."""
    return (api_version, kind) in _SET
