"""Kustomize v5's default transformer configuration (its builtin field spec tables).

The tables are built from a few facts rather than listed field by field: where each
workload kind keeps its pod spec, which fields of a pod spec name ConfigMaps, Secrets,
ServiceAccounts, claims and priority classes, and which kinds carry selectors or pod
templates. The resulting sets equal Kustomize's builtin field specs (including its quirks,
e.g. IngressClass's referral group ``networking.k8s.io/v1`` that never matches).
"""
from __future__ import annotations

from functools import lru_cache

from .transformer_config import NameBackRef, TransformerConfig, sort_specs
from .types import FieldSpec as FS

RBAC = "rbac.authorization.k8s.io"
ADMISSION = "admissionregistration.k8s.io"

# Pod spec locations. ConfigMap/Secret references are known in all of these.
_POD_SPEC = {
    "PodTemplate": "template/spec",
    "Deployment": "spec/template/spec",
    "ReplicaSet": "spec/template/spec",
    "DaemonSet": "spec/template/spec",
    "StatefulSet": "spec/template/spec",
    "Job": "spec/template/spec",
    "CronJob": "spec/jobTemplate/spec/template/spec",
}
# Kinds whose serviceAccountName / claimName / priorityClassName Kustomize follows.
_SA_HOLDERS = {
    "Pod": "spec", "StatefulSet": "spec/template/spec", "Deployment": "spec/template/spec",
    "ReplicationController": "spec/template/spec",
    "CronJob": "spec/jobTemplate/spec/template/spec", "Job": "spec/template/spec",
    "DaemonSet": "spec/template/spec",
}

_CONTAINERS = ("containers", "initContainers")


def _pod_refs(env_key: str, env_from_key: str, volume_field: str,
              projected: str, with_pull_secrets: bool) -> list[str]:
    """(kind-less) relative paths inside a pod spec that name a ConfigMap or Secret."""
    rel = [f"volumes/{volume_field}"]
    rel += [f"{c}/env/valueFrom/{env_key}/name" for c in _CONTAINERS]
    rel += [f"{c}/envFrom/{env_from_key}/name" for c in _CONTAINERS]
    if with_pull_secrets:
        rel.append("imagePullSecrets/name")
    rel.append(f"volumes/projected/sources/{projected}/name")
    return rel


def _workload_refs(rel_paths: list[str]) -> list[FS]:
    out = [FS(f"spec/{p}", version="v1", kind="Pod") for p in rel_paths]
    for kind, base in _POD_SPEC.items():
        out += [FS(f"{base}/{p}", kind=kind) for p in rel_paths]
    return out


def _configmap_referrers() -> list[FS]:
    rel = _pod_refs("configMapKeyRef", "configMapRef", "configMap/name",
                    "configMap", with_pull_secrets=False)
    return _workload_refs(rel) + [
        FS("spec/configSource/configMap", kind="Node"),
        FS("rules/resourceNames", kind="Role"),
        FS("rules/resourceNames", kind="ClusterRole"),
        FS("metadata/annotations/nginx.ingress.kubernetes.io\\/fastcgi-params-configmap",
           kind="Ingress"),
    ]


def _secret_referrers() -> list[FS]:
    rel = _pod_refs("secretKeyRef", "secretRef", "secret/secretName", "secret",
                    with_pull_secrets=True)
    out = _workload_refs(rel)
    out.append(FS("spec/tls/secretName", kind="Ingress"))
    out += [FS(f"metadata/annotations/{a}", kind="Ingress") for a in (
        "ingress.kubernetes.io\\/auth-secret", "nginx.ingress.kubernetes.io\\/auth-secret",
        "nginx.ingress.kubernetes.io\\/auth-tls-secret")]
    out.append(FS("imagePullSecrets/name", kind="ServiceAccount"))
    out += [FS(f"parameters/{p}", kind="StorageClass")
            for p in ("secretName", "adminSecretName", "userSecretName", "secretRef")]
    out += [FS("rules/resourceNames", kind="Role"), FS("rules/resourceNames", kind="ClusterRole"),
            FS("spec/template/spec/containers/env/valueFrom/secretKeyRef/name",
               group="serving.knative.dev", version="v1", kind="Service"),
            FS("spec/azureFile/secretName", kind="PersistentVolume")]
    return out


def _holder_refs(field: str) -> list[FS]:
    return [FS(f"{base}/{field}", kind=kind) for kind, base in _SA_HOLDERS.items()]


def _name_reference() -> list[NameBackRef]:
    scale = (FS("spec/scaleTargetRef/name", kind="HorizontalPodAutoscaler"),)
    refs = [NameBackRef("", "", k, scale)
            for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")]
    refs.append(NameBackRef("", "v1", "ConfigMap", tuple(_configmap_referrers())))
    refs.append(NameBackRef("", "v1", "Secret", tuple(_secret_referrers())))
    refs.append(NameBackRef("", "v1", "Service", (
        FS("spec/serviceName", group="apps", kind="StatefulSet"),
        FS("spec/rules/http/paths/backend/serviceName", kind="Ingress"),
        FS("spec/backend/serviceName", kind="Ingress"),
        FS("spec/rules/http/paths/backend/service/name", kind="Ingress"),
        FS("spec/defaultBackend/service/name", kind="Ingress"),
        FS("spec/service/name", group="apiregistration.k8s.io", kind="APIService"),
        FS("webhooks/clientConfig/service", group=ADMISSION,
           kind="ValidatingWebhookConfiguration"),
        FS("webhooks/clientConfig/service", group=ADMISSION,
           kind="MutatingWebhookConfiguration"),
    )))
    refs.append(NameBackRef(RBAC, "", "Role", (
        FS("roleRef/name", group=RBAC, kind="RoleBinding"),)))
    refs.append(NameBackRef(RBAC, "", "ClusterRole", (
        FS("roleRef/name", group=RBAC, kind="RoleBinding"),
        FS("roleRef/name", group=RBAC, kind="ClusterRoleBinding"))))
    refs.append(NameBackRef("", "v1", "ServiceAccount", tuple(
        [FS("subjects", group=RBAC, kind="RoleBinding"),
         FS("subjects", group=RBAC, kind="ClusterRoleBinding")]
        + _holder_refs("serviceAccountName"))))
    refs.append(NameBackRef("", "v1", "PersistentVolumeClaim",
                            tuple(_holder_refs("volumes/persistentVolumeClaim/claimName"))))
    refs.append(NameBackRef("", "v1", "PersistentVolume", (
        FS("spec/volumeName", kind="PersistentVolumeClaim"),
        FS("rules/resourceNames", kind="ClusterRole"))))
    refs.append(NameBackRef("storage.k8s.io", "v1", "StorageClass", (
        FS("spec/storageClassName", kind="PersistentVolume"),
        FS("spec/storageClassName", kind="PersistentVolumeClaim"),
        FS("spec/volumeClaimTemplates/spec/storageClassName", kind="StatefulSet"))))
    refs.append(NameBackRef("scheduling.k8s.io", "v1", "PriorityClass",
                            tuple(_holder_refs("priorityClassName"))))
    # Kustomize's table names the group "networking.k8s.io/v1" (sic): kept for parity.
    refs.append(NameBackRef("networking.k8s.io/v1", "v1", "IngressClass", (
        FS("spec/ingressClassName", kind="Ingress"),)))
    refs.append(NameBackRef(ADMISSION, "", "ValidatingAdmissionPolicy", (
        FS("spec/policyName", group=ADMISSION, kind="ValidatingAdmissionPolicyBinding"),)))
    return refs


# --- labels and annotations ----------------------------------------------------------------

# (group, version, kind, path-to-pod-template-metadata) for kinds with pod templates
_TEMPLATE_META = (
    ("", "v1", "ReplicationController", "spec/template/metadata"),
    ("", "", "Deployment", "spec/template/metadata"),
    ("", "", "ReplicaSet", "spec/template/metadata"),
    ("", "", "DaemonSet", "spec/template/metadata"),
)


def _metadata_label_specs() -> list[FS]:
    """Where labels live on an object and its templates (Kustomize's metadataLabels)."""
    out = [FS("metadata/labels", create=True)]
    out += [FS(f"{p}/labels", g, v, k, True) for g, v, k, p in _TEMPLATE_META]
    out += [FS("spec/template/metadata/labels", "apps", "", "StatefulSet", True),
            FS("spec/volumeClaimTemplates[]/metadata/labels", "apps", "", "StatefulSet", True),
            FS("spec/template/metadata/labels", "batch", "", "Job", True),
            FS("spec/jobTemplate/metadata/labels", "batch", "", "CronJob", True),
            FS("spec/jobTemplate/spec/template/metadata/labels", "batch", "", "CronJob", True)]
    return out


_AFFINITY = tuple(f"spec/template/spec/affinity/{a}/{p}/labelSelector/matchLabels"
                  for a in ("podAffinity", "podAntiAffinity")
                  for p in ("preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm",
                            "requiredDuringSchedulingIgnoredDuringExecution")) + (
    "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",)


def _common_label_specs() -> list[FS]:
    """Selectors commonLabels also write (plus the metadata labels)."""
    out = [FS("spec/selector", "", "v1", "Service", True),
           FS("spec/selector", "", "v1", "ReplicationController", True),
           FS("spec/selector/matchLabels", kind="Deployment", create=True)]
    out += [FS(p, "apps", "", "Deployment") for p in _AFFINITY]
    out += [FS("spec/selector/matchLabels", kind="ReplicaSet", create=True),
            FS("spec/selector/matchLabels", kind="DaemonSet", create=True),
            FS("spec/selector/matchLabels", "apps", "", "StatefulSet", True)]
    out += [FS(p, "apps", "", "StatefulSet") for p in _AFFINITY]
    out += [FS("spec/selector/matchLabels", "batch", "", "Job"),
            FS("spec/jobTemplate/spec/selector/matchLabels", "batch", "", "CronJob"),
            FS("spec/selector/matchLabels", "policy", "", "PodDisruptionBudget")]
    out += [FS(p, "networking.k8s.io", "", "NetworkPolicy") for p in (
        "spec/podSelector/matchLabels", "spec/ingress/from/podSelector/matchLabels",
        "spec/egress/to/podSelector/matchLabels")]
    return out + _metadata_label_specs()


def _common_annotation_specs() -> list[FS]:
    out = [FS("metadata/annotations", create=True)]
    out += [FS(f"{p}/annotations", g, v, k, True) for g, v, k, p in _TEMPLATE_META]
    out += [FS("spec/template/metadata/annotations", kind="StatefulSet", create=True),
            FS("spec/template/metadata/annotations", "batch", "", "Job", True),
            FS("spec/jobTemplate/metadata/annotations", "batch", "", "CronJob", True),
            FS("spec/jobTemplate/spec/template/metadata/annotations", "batch", "", "CronJob",
               True)]
    return out


# --- vars, images, replicas, namespace -------------------------------------------------------

_VAR_CONTAINER_FIELDS = ("args", "command", "env/value", "volumeMounts/mountPath")


def _var_reference_specs() -> list[FS]:
    out: list[FS] = []

    def pod(kind: str, spec: str, nfs: str | None) -> None:
        out.extend(FS(f"{spec}/{c}/{f}", kind=kind)
                   for c in _CONTAINERS for f in _VAR_CONTAINER_FIELDS)
        if nfs:
            out.append(FS(nfs, kind=kind))

    # CronJob's nfs path lacks the pod spec's "spec/" segment in Kustomize's table (sic).
    pod("CronJob", "spec/jobTemplate/spec/template/spec",
        "spec/jobTemplate/spec/template/volumes/nfs/server")
    for kind in ("DaemonSet", "Deployment"):
        pod(kind, "spec/template/spec", "spec/template/spec/volumes/nfs/server")
    out.append(FS("spec/template/metadata/annotations", kind="Deployment"))
    out += [FS(p, kind="Ingress") for p in ("spec/rules/host", "spec/tls/hosts",
                                            "spec/tls/secretName")]
    pod("Job", "spec/template/spec", "spec/template/spec/volumes/nfs/server")
    pod("Pod", "spec", "spec/volumes/nfs/server")
    pod("ReplicaSet", "spec/template/spec", "spec/template/spec/volumes/nfs/server")
    out += [FS("spec/ports/port", kind="Service"), FS("spec/ports/targetPort", kind="Service")]
    pod("StatefulSet", "spec/template/spec", "spec/volumeClaimTemplates/spec/nfs/server")
    out += [FS("spec/nfs/server", kind="PersistentVolume"), FS("metadata/labels"),
            FS("metadata/annotations")]
    return out


def _image_specs() -> list[FS]:
    return [FS(f"{base}/{c}[]/image", create=True)
            for base in ("spec", "spec/template/spec") for c in _CONTAINERS]


def _replica_specs() -> list[FS]:
    return [FS("spec/replicas", kind=k, create=True)
            for k in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")]


def _namespace_specs() -> list[FS]:
    return [FS("metadata/name", kind="Namespace", create=True),
            FS("spec/service/namespace", "apiregistration.k8s.io", "", "APIService", True),
            FS("spec/conversion/webhook/clientConfig/service/namespace", "apiextensions.k8s.io",
               "", "CustomResourceDefinition")]


@lru_cache(maxsize=1)
def default_config() -> TransformerConfig:
    """Kustomize's builtin configuration (one shared, immutable instance)."""
    return TransformerConfig(
        name_prefix=(FS("metadata/name"),),
        name_suffix=(FS("metadata/name"),),
        namespace=sort_specs(_namespace_specs()),
        common_labels=sort_specs(_common_label_specs()),
        labels=(),
        template_labels=sort_specs(_metadata_label_specs()),
        common_annotations=sort_specs(_common_annotation_specs()),
        images=sort_specs(_image_specs()),
        replicas=sort_specs(_replica_specs()),
        var_reference=sort_specs(_var_reference_specs()),
        name_reference=sort_specs(_name_reference()),
    )
