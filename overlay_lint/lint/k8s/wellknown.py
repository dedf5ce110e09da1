"""Custom resource kinds GitOps repositories use without shipping their CRD.

Their CRDs are installed with the controllers (Sealed Secrets, Argo CD, cert-manager,
Flux, ...), so a repository that only *uses* them has no schema for them. They are known
by name: not listed as unvalidated, and checked for the basics every CRD of theirs
declares: only ``apiVersion``, ``kind``, ``metadata`` (a real ``ObjectMeta``), ``spec``
(a mapping) and ``status`` at the top (plus the few extra top-level fields a kind has, e.g.
``operation`` of an Argo CD Application). Their ``spec`` is not checked further; add the
CRD to the repository or to ``kubernetes.crds`` to check it fully.
"""
from __future__ import annotations

_PLAIN: tuple = ()

# group -> kind -> extra top-level fields beyond apiVersion/kind/metadata/spec/status
WELL_KNOWN: dict[str, dict[str, tuple]] = {
    "bitnami.com": {"SealedSecret": _PLAIN},
    "argoproj.io": {
        "Application": ("operation",), "ApplicationSet": _PLAIN, "AppProject": _PLAIN,
        "Rollout": _PLAIN, "AnalysisTemplate": _PLAIN, "ClusterAnalysisTemplate": _PLAIN,
        "AnalysisRun": _PLAIN, "Experiment": _PLAIN,
        "Workflow": _PLAIN, "WorkflowTemplate": _PLAIN, "ClusterWorkflowTemplate": _PLAIN,
        "CronWorkflow": _PLAIN, "EventSource": _PLAIN, "Sensor": _PLAIN, "EventBus": _PLAIN,
    },
    "cert-manager.io": {"Certificate": _PLAIN, "CertificateRequest": _PLAIN,
                        "Issuer": _PLAIN, "ClusterIssuer": _PLAIN},
    "acme.cert-manager.io": {"Order": _PLAIN, "Challenge": _PLAIN},
    "kustomize.toolkit.fluxcd.io": {"Kustomization": _PLAIN},
    "helm.toolkit.fluxcd.io": {"HelmRelease": _PLAIN},
    "source.toolkit.fluxcd.io": {"GitRepository": _PLAIN, "HelmRepository": _PLAIN,
                                 "HelmChart": _PLAIN, "Bucket": _PLAIN,
                                 "OCIRepository": _PLAIN},
    "notification.toolkit.fluxcd.io": {"Alert": _PLAIN, "Provider": _PLAIN,
                                       "Receiver": _PLAIN},
    "image.toolkit.fluxcd.io": {"ImageRepository": _PLAIN, "ImagePolicy": _PLAIN,
                                "ImageUpdateAutomation": _PLAIN},
    "monitoring.coreos.com": {"ServiceMonitor": _PLAIN, "PodMonitor": _PLAIN,
                              "PrometheusRule": _PLAIN, "Prometheus": _PLAIN,
                              "PrometheusAgent": _PLAIN, "Alertmanager": _PLAIN,
                              "AlertmanagerConfig": _PLAIN, "Probe": _PLAIN,
                              "ScrapeConfig": _PLAIN, "ThanosRuler": _PLAIN},
    "external-secrets.io": {"ExternalSecret": _PLAIN, "ClusterExternalSecret": _PLAIN,
                            "SecretStore": _PLAIN, "ClusterSecretStore": _PLAIN,
                            "PushSecret": _PLAIN},
    "gateway.networking.k8s.io": {"GatewayClass": _PLAIN, "Gateway": _PLAIN,
                                  "HTTPRoute": _PLAIN, "GRPCRoute": _PLAIN,
                                  "TCPRoute": _PLAIN, "TLSRoute": _PLAIN, "UDPRoute": _PLAIN,
                                  "ReferenceGrant": _PLAIN, "BackendTLSPolicy": _PLAIN},
    "networking.istio.io": {"VirtualService": _PLAIN, "DestinationRule": _PLAIN,
                            "Gateway": _PLAIN, "ServiceEntry": _PLAIN, "Sidecar": _PLAIN,
                            "EnvoyFilter": _PLAIN, "WorkloadEntry": _PLAIN,
                            "WorkloadGroup": _PLAIN, "ProxyConfig": _PLAIN},
    "security.istio.io": {"AuthorizationPolicy": _PLAIN, "PeerAuthentication": _PLAIN,
                          "RequestAuthentication": _PLAIN},
    "telemetry.istio.io": {"Telemetry": _PLAIN},
    "keda.sh": {"ScaledObject": _PLAIN, "ScaledJob": _PLAIN, "TriggerAuthentication": _PLAIN,
                "ClusterTriggerAuthentication": _PLAIN},
    "traefik.io": {"IngressRoute": _PLAIN, "IngressRouteTCP": _PLAIN,
                   "IngressRouteUDP": _PLAIN, "Middleware": _PLAIN, "MiddlewareTCP": _PLAIN,
                   "TLSOption": _PLAIN, "TLSStore": _PLAIN, "ServersTransport": _PLAIN,
                   "TraefikService": _PLAIN},
    "kyverno.io": {"ClusterPolicy": _PLAIN, "Policy": _PLAIN, "PolicyException": _PLAIN},
    "snapshot.storage.k8s.io": {"VolumeSnapshot": _PLAIN, "VolumeSnapshotContent": _PLAIN,
                                "VolumeSnapshotClass": ("driver", "deletionPolicy",
                                                        "parameters")},
    "configsync.gke.io": {"RootSync": _PLAIN, "RepoSync": _PLAIN},
    # Open Policy Agent Gatekeeper: every constraint kind is made by a ConstraintTemplate
    "templates.gatekeeper.sh": {"ConstraintTemplate": _PLAIN},
    "config.gatekeeper.sh": {"Config": _PLAIN},
    "constraints.gatekeeper.sh": {"*": _PLAIN},
    # Operator Lifecycle Manager and OpenShift (kinds with a spec; SCCs are not)
    "operators.coreos.com": {"Subscription": _PLAIN, "OperatorGroup": _PLAIN,
                             "CatalogSource": _PLAIN, "ClusterServiceVersion": _PLAIN,
                             "InstallPlan": _PLAIN},
    "route.openshift.io": {"Route": _PLAIN},
    "apps.openshift.io": {"DeploymentConfig": _PLAIN},
    "build.openshift.io": {"BuildConfig": _PLAIN},
    "image.openshift.io": {"ImageStream": _PLAIN},
    "project.openshift.io": {"Project": _PLAIN},
    "user.openshift.io": {"Group": ("users",)},
    # Google Kubernetes Engine
    "cloud.google.com": {"BackendConfig": _PLAIN},
    "networking.gke.io": {"FrontendConfig": _PLAIN, "ManagedCertificate": _PLAIN,
                          "MultiClusterIngress": _PLAIN, "MultiClusterService": _PLAIN},
    # Karpenter, OpenTelemetry operator, Knative, Crossplane
    "karpenter.sh": {"NodePool": _PLAIN, "NodeClaim": _PLAIN},
    "karpenter.k8s.aws": {"EC2NodeClass": _PLAIN},
    "opentelemetry.io": {"OpenTelemetryCollector": _PLAIN, "Instrumentation": _PLAIN},
    "serving.knative.dev": {"Service": _PLAIN, "Configuration": _PLAIN, "Route": _PLAIN,
                            "Revision": _PLAIN},
    "eventing.knative.dev": {"Broker": _PLAIN, "Trigger": _PLAIN},
    "apiextensions.crossplane.io": {"CompositeResourceDefinition": _PLAIN,
                                    "Composition": _PLAIN},
    "pkg.crossplane.io": {"Provider": _PLAIN, "Configuration": _PLAIN, "Function": _PLAIN},
}
WELL_KNOWN["traefik.containo.us"] = WELL_KNOWN["traefik.io"]


def well_known(group: str, kind: str) -> tuple | None:
    """The extra top-level fields of a well-known kind, or None when it is not one."""
    kinds = WELL_KNOWN.get(group)
    if kinds is None:
        return None
    return kinds.get(kind, kinds.get("*"))


def basic_schema(extra: tuple) -> dict:
    """The structural schema checked for a well-known kind without its CRD."""
    props: dict = {"apiVersion": {"type": "string"}, "kind": {"type": "string"},
                   "metadata": {"type": "object"},
                   "spec": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                   "status": {"x-kubernetes-preserve-unknown-fields": True}}
    for key in extra:
        props[key] = {"x-kubernetes-preserve-unknown-fields": True}
    return {"type": "object", "properties": props}
