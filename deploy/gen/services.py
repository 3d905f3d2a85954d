"""The base manifests of one service: ServiceAccount, ConfigMap, Service, Deployment, PodDisruptionBudget and
its migration Job. Every Deployment gets the same hardening; nothing here is written twice."""

from __future__ import annotations

from typing import Any

from deploy.gen import catalog
from deploy.gen.catalog import Service
from deploy.gen.natsauth import inbox_prefix

Manifest = dict[str, Any]

NATS_PASSWORD_DIR = "/etc/leadflow/nats"
DATA_DIR = "/tmp/leadflow"  # emptyDir: SQLite is never used in a pod, but dev key files would land here


def labels(service: Service, component: str = "server") -> dict[str, str]:
    return {
        "app.kubernetes.io/name": service.app,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": catalog.PART_OF,
        "leadflow.io/service": service.name,
    }


def selector(service: Service) -> dict[str, str]:
    return {"app.kubernetes.io/name": service.app, "app.kubernetes.io/component": "server"}


def _meta(name: str, service: Service, component: str = "server") -> dict[str, Any]:
    return {"name": name, "labels": labels(service, component)}


def service_account(service: Service) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": _meta(service.app, service, "config"),
        # leadflow never calls the Kubernetes API: no token in the pod.
        "automountServiceAccountToken": False,
    }


def config_map(service: Service) -> Manifest:
    """Settings that differ per service (the shared ones are in leadflow-common)."""
    prefix = service.env_prefix
    data = {
        f"{prefix}GRPC_HOST": "0.0.0.0",
        f"{prefix}GRPC_PORT": str(service.grpc_port),
        f"{prefix}METRICS_PORT": str(service.metrics_port),
        f"{prefix}DB_POOL_SIZE": str(service.db_pool_size),
        "OTEL_SERVICE_NAME": service.app,
    }
    for callee in service.calls:
        callee_service = next(s for s in catalog.SERVICE_CATALOG if s.name == callee)
        # The headless Service: DNS answers every ready pod, so the caller's round robin spreads over them and its
        # health checks move it off a pod that is shutting down (services/common/grpcclient.client_service_config).
        data[f"{prefix}{callee.upper()}_ADDRESS"] = (
            f"dns:///{pods_service_name(callee_service)}:{callee_service.grpc_port}"
        )
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": _meta(f"{service.app}-config", service, "config"),
        "data": data,
    }


def pods_service_name(service: Service) -> str:
    return f"{service.app}-pods"


def is_called(service: Service) -> bool:
    return any(service.name in other.calls for other in catalog.SERVICE_CATALOG)


def headless_service(service: Service) -> Manifest:
    """A headless Service (no cluster IP) for the gRPC callers inside the cluster.

    Through the ClusterIP Service a caller holds one HTTP/2 connection, so kube-proxy sends every call of it to one
    pod; the headless name resolves to each ready pod's address, and gRPC's DNS resolver re-resolves when a
    connection goes away (a pod stopping or scaling)."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(pods_service_name(service), service),
        "spec": {
            "clusterIP": "None",
            "selector": selector(service),
            "ports": [
                {
                    "name": "grpc",
                    "port": service.grpc_port,
                    "targetPort": "grpc",
                    "appProtocol": "kubernetes.io/h2c",
                }
            ],
        },
    }


def kube_service(service: Service) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _meta(service.app, service),
        "spec": {
            "selector": selector(service),
            "ports": [
                {
                    "name": "grpc",
                    "port": service.grpc_port,
                    "targetPort": "grpc",
                    "appProtocol": "kubernetes.io/h2c",
                },
                {
                    "name": "metrics",
                    "port": service.metrics_port,
                    "targetPort": "metrics",
                    "appProtocol": "http",
                },
            ],
        },
    }


def _secret_env(name: str, secret: str, key: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def _env(service: Service, *, with_nats: bool) -> list[dict[str, Any]]:
    prefix = service.env_prefix
    db = catalog.db_secret(service.name)
    env: list[dict[str, Any]] = [
        _secret_env("LEADFLOW_JWT_HS256_KEY", catalog.AUTH_SECRET, "jwt-hs256-key"),
        _secret_env("LEADFLOW_PAGE_TOKEN_KEY", catalog.AUTH_SECRET, "page-token-key"),
        # The URL is composed from the role's basic-auth Secret (the same Secret CloudNativePG reads to create the
        # role), so one Secret per service holds its database password. Passwords must be URL-safe (README).
        _secret_env("LEADFLOW_DB_USER", db, "username"),
        _secret_env("LEADFLOW_DB_PASSWORD", db, "password"),
        {
            "name": f"{prefix}DATABASE_URL",
            "value": (
                "postgresql://$(LEADFLOW_DB_USER):$(LEADFLOW_DB_PASSWORD)@$(LEADFLOW_DB_HOST):"
                f"{catalog.POSTGRES_PORT}/{service.name}?sslmode=$(LEADFLOW_DB_SSLMODE)"
            ),
        },
    ]
    if service.name == "ingest":
        env.append(_secret_env(f"{prefix}FINGERPRINT_KEY", catalog.FINGERPRINT_SECRET, "fingerprint-key"))
    if with_nats:
        env += [
            {"name": "LEADFLOW_NATS_USER", "value": service.name},
            {"name": "LEADFLOW_NATS_PASSWORD_FILE", "value": f"{NATS_PASSWORD_DIR}/password"},
            {"name": "LEADFLOW_NATS_INBOX_PREFIX", "value": inbox_prefix(service.name)},
        ]
    return env


def _env_from(service: Service) -> list[dict[str, Any]]:
    return [
        {"configMapRef": {"name": "leadflow-common"}},
        {"configMapRef": {"name": f"{service.app}-config"}},
    ]


CONTAINER_SECURITY = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
}

POD_SECURITY = {
    "runAsNonRoot": True,
    "runAsUser": catalog.RUN_AS,
    "runAsGroup": catalog.RUN_AS,
    "fsGroup": catalog.RUN_AS,
    "seccompProfile": {"type": "RuntimeDefault"},
}


def _resources(service: Service) -> dict[str, Any]:
    return {
        "requests": {
            "cpu": service.cpu_request,
            "memory": service.memory_request,
            "ephemeral-storage": "64Mi",
        },
        "limits": {"cpu": "1", "memory": service.memory_limit, "ephemeral-storage": "256Mi"},
    }


def _tmp_volume() -> dict[str, Any]:
    return {"name": "tmp", "emptyDir": {"sizeLimit": "128Mi"}}


def _grpc_probe(service: Service, health_name: str, **timing: int) -> dict[str, Any]:
    return {"grpc": {"port": service.grpc_port, "service": health_name}, **timing}


def deployment(service: Service) -> Manifest:
    container = {
        "name": service.name,
        "image": catalog.IMAGE,
        "args": ["serve", service.name],
        "ports": [
            {"name": "grpc", "containerPort": service.grpc_port, "protocol": "TCP"},
            {"name": "metrics", "containerPort": service.metrics_port, "protocol": "TCP"},
        ],
        "envFrom": _env_from(service),
        "env": _env(service, with_nats=True),
        "resources": _resources(service),
        "securityContext": CONTAINER_SECURITY,
        # Until NATS answers the gRPC port is closed (RunningService.start): allow a slow broker start.
        "startupProbe": _grpc_probe(service, "", periodSeconds=2, failureThreshold=150),
        # The service's own name: NOT_SERVING from the first moment of shutdown, so endpoints drop the pod.
        "readinessProbe": _grpc_probe(service, service.grpc_service, periodSeconds=5, failureThreshold=2),
        "livenessProbe": _grpc_probe(service, "", periodSeconds=10, timeoutSeconds=3, failureThreshold=6),
        "lifecycle": {"preStop": {"sleep": {"seconds": catalog.PRESTOP_SLEEP_SECONDS}}},
        "volumeMounts": [
            {"name": "tmp", "mountPath": "/tmp"},
            {"name": "nats-password", "mountPath": NATS_PASSWORD_DIR, "readOnly": True},
        ],
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(service.app, service),
        "spec": {
            "replicas": 1,
            "revisionHistoryLimit": 5,
            "selector": {"matchLabels": selector(service)},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {
                "metadata": {"labels": labels(service)},
                "spec": {
                    "serviceAccountName": service.app,
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": POD_SECURITY,
                    "terminationGracePeriodSeconds": catalog.termination_grace_seconds(),
                    "containers": [container],
                    "volumes": [
                        _tmp_volume(),
                        {
                            "name": "nats-password",
                            "secret": {
                                "secretName": catalog.nats_secret(service.name),
                                "items": [{"key": "password", "path": "password"}],
                                "defaultMode": 0o440,
                            },
                        },
                    ],
                },
            },
        },
    }


def pod_disruption_budget(service: Service) -> Manifest:
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(service.app, service),
        # maxUnavailable (not minAvailable) so a one-replica dev Deployment can still be drained.
        "spec": {
            "maxUnavailable": 1,
            "unhealthyPodEvictionPolicy": "AlwaysAllow",
            "selector": {"matchLabels": selector(service)},
        },
    }


def migration_job(service: Service) -> Manifest:
    """``leadflow migrate <svc>``: run before the Deployment rolls (deploy/README.md). Alembic takes a PostgreSQL
    advisory lock, so a Job that overlaps another is safe. No NATS credentials: migrating needs only the database."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _meta(f"{service.app}-migrate", service, "migration"),
        "spec": {
            # Retries with exponential backoff (10 s doubling) cover about 10 minutes of a database still starting.
            "backoffLimit": 6,
            "activeDeadlineSeconds": 900,
            "ttlSecondsAfterFinished": 3600,
            "template": {
                "metadata": {"labels": labels(service, "migration")},
                "spec": {
                    "restartPolicy": "Never",
                    "serviceAccountName": service.app,
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": POD_SECURITY,
                    "containers": [
                        {
                            "name": "migrate",
                            "image": catalog.IMAGE,
                            "args": ["migrate", service.name],
                            "envFrom": _env_from(service),
                            "env": _env(service, with_nats=False),
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "192Mi"},
                                "limits": {"cpu": "1", "memory": "512Mi"},
                            },
                            "securityContext": CONTAINER_SECURITY,
                            "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                        }
                    ],
                    "volumes": [_tmp_volume()],
                },
            },
        },
    }


def manifests(service: Service) -> list[Manifest]:
    return [
        service_account(service),
        config_map(service),
        kube_service(service),
        *([headless_service(service)] if is_called(service) else []),
        deployment(service),
        pod_disruption_budget(service),
    ]


def common_config_map() -> Manifest:
    """Settings every service shares; overlays patch the environment-specific ones."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "leadflow-common",
            "labels": {"app.kubernetes.io/part-of": catalog.PART_OF, "app.kubernetes.io/component": "config"},
        },
        "data": {
            "LEADFLOW_DATA_DIR": DATA_DIR,
            "LEADFLOW_METRICS_HOST": "0.0.0.0",
            "LEADFLOW_MIGRATE_ON_START": "false",
            "LEADFLOW_LOG_LEVEL": "INFO",
            "LEADFLOW_NATS_URL": f"nats://{catalog.NATS_SERVICE}:{catalog.NATS_CLIENT_PORT}",
            "LEADFLOW_NATS_STREAM_REPLICAS": "1",
            "LEADFLOW_SHUTDOWN_DELAY_SECONDS": str(catalog.SHUTDOWN_DELAY_SECONDS),
            "LEADFLOW_SHUTDOWN_GRACE_SECONDS": str(catalog.SHUTDOWN_GRACE_SECONDS),
            "LEADFLOW_DB_HOST": "postgres",
            "LEADFLOW_DB_SSLMODE": "disable",
            # OpenTelemetry (standard variables): tracing is off while the endpoint is empty.
            "OTEL_EXPORTER_OTLP_ENDPOINT": "",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
            "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
            "OTEL_TRACES_SAMPLER_ARG": "0.1",
            "OTEL_PROPAGATORS": "tracecontext,baggage",
        },
    }
