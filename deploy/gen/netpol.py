"""The network-policies component: deny everything, then allow each flow leadflow has (and only those).

Flows: callers → each service's gRPC port (pods labelled ``leadflow.io/api-client: "true"``, any namespace; dedup
only from ingest, ARCHITECTURE §2); every service and migration Job → NATS and PostgreSQL; ingest → dedup;
ingest → HTTPS on public addresses (push delivery; private ranges stay closed, as the SSRF guard wants);
Prometheus → metrics ports; NATS ↔ NATS routes; DNS for everyone.
"""

from __future__ import annotations

from typing import Any

from deploy.gen import catalog
from deploy.gen.catalog import Service
from deploy.gen.services import Manifest

PROMETHEUS = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
}
API_CLIENTS = {"namespaceSelector": {}, "podSelector": {"matchLabels": {"leadflow.io/api-client": "true"}}}
NATS_PODS = {"matchLabels": {"app.kubernetes.io/name": "nats", "app.kubernetes.io/component": "nats"}}
DATABASE_PODS = {"matchLabels": {"leadflow.io/role": "database"}}
LEADFLOW_PODS = {"matchLabels": {"app.kubernetes.io/part-of": catalog.PART_OF}}
PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"]


def _policy(name: str, pod_selector: dict[str, Any], spec: dict[str, Any]) -> Manifest:
    types = [t for t in ("Ingress", "Egress") if t.lower() in spec]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/part-of": catalog.PART_OF}},
        "spec": {"podSelector": pod_selector, "policyTypes": types, **spec},
    }


def _port(port: int | str) -> dict[str, Any]:
    return {"protocol": "TCP", "port": port}


def default_deny() -> Manifest:
    return _policy("default-deny", {}, {"ingress": [], "egress": []})


def allow_dns() -> Manifest:
    dns = {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }
    return _policy("allow-dns", {}, {"egress": [dns]})


def service_policy(service: Service) -> Manifest:
    """One policy per service: who may reach it, and where it (and its migration Job) may go."""
    callers: list[dict[str, Any]]
    callers = [
        {
            "podSelector": {
                "matchLabels": {"leadflow.io/service": caller.name, "app.kubernetes.io/component": "server"}
            }
        }
        for caller in catalog.SERVICE_CATALOG
        if service.name in caller.calls
    ]
    if service.name != "dedup":  # dedup is called only by ingest
        callers.append(API_CLIENTS)
    egress: list[dict[str, Any]] = [
        {"to": [{"podSelector": NATS_PODS}], "ports": [_port(catalog.NATS_CLIENT_PORT)]},
        {"to": [{"podSelector": DATABASE_PODS}], "ports": [_port(catalog.POSTGRES_PORT)]},
    ]
    for callee_name in service.calls:
        callee = next(s for s in catalog.SERVICE_CATALOG if s.name == callee_name)
        egress.append(
            {
                "to": [{"podSelector": {"matchLabels": {"leadflow.io/service": callee.name}}}],
                "ports": [_port(callee.grpc_port)],
            }
        )
    if service.egress_https:
        egress.append(
            {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": PRIVATE_RANGES}}], "ports": [_port(443)]}
        )
    return _policy(
        f"{service.app}",
        {"matchLabels": {"leadflow.io/service": service.name}},
        {
            "ingress": [
                {"from": callers, "ports": [_port(service.grpc_port)]},
                {"from": [PROMETHEUS], "ports": [_port(service.metrics_port)]},
            ],
            "egress": egress,
        },
    )


def nats_policy() -> Manifest:
    return _policy(
        "nats",
        NATS_PODS,
        {
            "ingress": [
                {"from": [{"podSelector": LEADFLOW_PODS}], "ports": [_port(catalog.NATS_CLIENT_PORT)]},
                {"from": [{"podSelector": NATS_PODS}], "ports": [_port(catalog.NATS_CLUSTER_PORT)]},
                {"from": [PROMETHEUS], "ports": [_port(catalog.NATS_EXPORTER_PORT)]},
            ],
            "egress": [{"to": [{"podSelector": NATS_PODS}], "ports": [_port(catalog.NATS_CLUSTER_PORT)]}],
        },
    )


def database_policy() -> Manifest:
    """PostgreSQL pods (the dev StatefulSet, or CloudNativePG instances): clients, replication between
    instances, the CNPG operator's status port, metrics; instances reach the API server and object storage."""
    return _policy(
        "database",
        DATABASE_PODS,
        {
            "ingress": [
                {"from": [{"podSelector": LEADFLOW_PODS}], "ports": [_port(catalog.POSTGRES_PORT)]},
                {"from": [{"podSelector": DATABASE_PODS}], "ports": [_port(catalog.POSTGRES_PORT)]},
                {
                    "from": [
                        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "cnpg-system"}}}
                    ],
                    "ports": [_port(8000)],
                },
                {"from": [PROMETHEUS], "ports": [_port(9187)]},
            ],
            "egress": [
                {"to": [{"podSelector": DATABASE_PODS}], "ports": [_port(catalog.POSTGRES_PORT)]},
                # The CNPG instance manager talks to the Kubernetes API; backups go to object storage.
                {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}], "ports": [_port(443), _port(6443)]},
            ],
        },
    )


def manifests() -> list[Manifest]:
    return [
        default_deny(),
        allow_dns(),
        *(service_policy(s) for s in catalog.SERVICE_CATALOG),
        nats_policy(),
        database_policy(),
    ]
