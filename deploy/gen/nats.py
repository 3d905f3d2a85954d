"""The NATS JetStream server, as the official chart renders it, written out as static manifests.

Followed: Helm chart ``nats`` 2.14.2 (appVersion 2.14.2) from nats-io/k8s ``helm/charts/nats`` with values
``config.jetstream.enabled=true``, ``config.jetstream.fileStore.pvc.size=10Gi``, ``config.cluster.enabled`` (prod:
true, ``replicas=3``), ``promExporter.enabled=true``, ``reloader.enabled=true``, ``natsBox.enabled=false``, plus
``config.merge`` with ``include "accounts.conf"`` and a hardened ``podTemplate`` (non-root, read-only root file
system, seccomp, drop ALL) — the chart's defaults run as root. No helm binary is installable from the package
registries we use, so the templates' output (probes, ports, lame-duck preStop, reloader, exporter arguments) is
copied here from the chart's own expected-output test (helm/charts/nats/test/defaults_test.go) and templates.
"""

from __future__ import annotations

from typing import Any

from deploy.gen import catalog
from deploy.gen.natsauth import ADMIN_PASSWORD_VARIABLE, password_variable
from deploy.gen.services import CONTAINER_SECURITY, Manifest

CHART = "nats"
CHART_VERSION = "2.14.2"
NATS_IMAGE = "nats:2.14.2-alpine"
RELOADER_IMAGE = "natsio/nats-server-config-reloader:0.23.0"
EXPORTER_IMAGE = "natsio/prometheus-nats-exporter:0.20.1"
NATS_UID = 1000  # an unprivileged uid; the alpine image needs no particular one

LABELS = {
    "app.kubernetes.io/name": "nats",
    "app.kubernetes.io/component": "nats",
    "app.kubernetes.io/part-of": catalog.PART_OF,
    "app.kubernetes.io/version": CHART_VERSION,
    "helm.sh/chart": f"{CHART}-{CHART_VERSION}",
}
SELECTOR = {"app.kubernetes.io/name": "nats", "app.kubernetes.io/component": "nats"}


def _meta(name: str) -> dict[str, Any]:
    return {"name": name, "labels": LABELS}


def server_conf(*, cluster_replicas: int) -> str:
    """nats.conf as the chart renders it; ``cluster_replicas`` > 1 adds the cluster block with its routes."""
    cluster = ""
    if cluster_replicas > 1:
        routes = "".join(
            f"    nats://nats-{i}.nats-headless:{catalog.NATS_CLUSTER_PORT}\n"
            for i in range(cluster_replicas)
        )
        cluster = (
            "cluster {\n"
            "  name: nats\n"
            f"  port: {catalog.NATS_CLUSTER_PORT}\n"
            "  no_advertise: true\n"
            f"  routes: [\n{routes}  ]\n"
            "}\n"
        )
    return (
        "# Rendered from the nats Helm chart's values (deploy/gen/nats.py).\n"
        "server_name: $SERVER_NAME\n"
        "lame_duck_grace_period: 10s\n"
        "lame_duck_duration: 30s\n"
        "pid_file: /var/run/nats/nats.pid\n"
        f"port: {catalog.NATS_CLIENT_PORT}\n"
        f"http_port: {catalog.NATS_MONITOR_PORT}\n"
        "jetstream {\n"
        "  max_memory_store: 0\n"
        "  store_dir: /data\n"
        "  max_file_store: 10Gi\n"
        "}\n"
        f"{cluster}"
        'include "accounts.conf"\n'
    )


def _http_probe(path: str, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "monitor"},
        "initialDelaySeconds": 10,
        "timeoutSeconds": 5,
        "periodSeconds": period,
        "successThreshold": 1,
        "failureThreshold": failures,
    }


def _password_env() -> list[dict[str, Any]]:
    env = [
        {
            "name": password_variable(s.name),
            "valueFrom": {"secretKeyRef": {"name": catalog.nats_secret(s.name), "key": "password"}},
        }
        for s in catalog.SERVICE_CATALOG
    ]
    env.append(
        {
            "name": ADMIN_PASSWORD_VARIABLE,
            "valueFrom": {"secretKeyRef": {"name": catalog.NATS_ADMIN_SECRET, "key": "password"}},
        }
    )
    return env


def stateful_set(replicas: int) -> Manifest:
    mounts = [
        {"name": "config", "mountPath": "/etc/nats-config"},
        {"name": "pid", "mountPath": "/var/run/nats"},
    ]
    nats = {
        "name": "nats",
        "image": NATS_IMAGE,
        "ports": [
            {"name": "nats", "containerPort": catalog.NATS_CLIENT_PORT},
            *([{"name": "cluster", "containerPort": catalog.NATS_CLUSTER_PORT}] if replicas > 1 else []),
            {"name": "monitor", "containerPort": catalog.NATS_MONITOR_PORT},
        ],
        "args": ["--config", "/etc/nats-config/nats.conf"],
        "env": [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            {"name": "SERVER_NAME", "value": "$(POD_NAME)"},
            *_password_env(),
        ],
        # Lame duck mode: clients are told to move to another server before this one stops.
        "lifecycle": {"preStop": {"exec": {"command": ["nats-server", "-sl=ldm=/var/run/nats/nats.pid"]}}},
        "startupProbe": _http_probe("/healthz", 10, 90),
        "readinessProbe": _http_probe("/healthz?js-server-only=true", 10, 3),
        "livenessProbe": _http_probe("/healthz?js-enabled-only=true", 30, 3),
        "resources": {
            "requests": {"cpu": "250m", "memory": "512Mi"},
            "limits": {"cpu": "2", "memory": "2Gi"},
        },
        "securityContext": CONTAINER_SECURITY,
        "volumeMounts": [*mounts, {"name": "nats-js", "mountPath": "/data"}],
    }
    reloader = {
        "name": "reloader",
        "image": RELOADER_IMAGE,
        "args": ["-pid", "/var/run/nats/nats.pid", "-config", "/etc/nats-config/nats.conf"],
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"cpu": "100m", "memory": "64Mi"},
        },
        "securityContext": CONTAINER_SECURITY,
        "volumeMounts": [mounts[1], mounts[0]],
    }
    exporter = {
        "name": "prom-exporter",
        "image": EXPORTER_IMAGE,
        "ports": [{"name": "prom-metrics", "containerPort": catalog.NATS_EXPORTER_PORT}],
        "args": [
            f"-port={catalog.NATS_EXPORTER_PORT}",
            "-connz",
            "-routez",
            "-subz",
            "-varz",
            "-prefix=nats",
            "-use_internal_server_id",
            "-jsz=all",
            f"http://localhost:{catalog.NATS_MONITOR_PORT}/",
        ],
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"cpu": "200m", "memory": "128Mi"},
        },
        "securityContext": CONTAINER_SECURITY,
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": _meta("nats"),
        "spec": {
            "selector": {"matchLabels": SELECTOR},
            "replicas": replicas,
            "serviceName": "nats-headless",
            "podManagementPolicy": "Parallel",
            "template": {
                "metadata": {"labels": LABELS},
                "spec": {
                    "containers": [nats, reloader, exporter],
                    "enableServiceLinks": False,
                    "shareProcessNamespace": True,  # the reloader signals nats-server
                    "serviceAccountName": "nats",
                    "automountServiceAccountToken": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": NATS_UID,
                        "runAsGroup": NATS_UID,
                        "fsGroup": NATS_UID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "volumes": [
                        {"name": "config", "configMap": {"name": "nats-config"}},
                        {"name": "pid", "emptyDir": {}},
                    ],
                    # At least lame_duck_grace_period + 20 s shutdown overhead (the chart's comment).
                    "terminationGracePeriodSeconds": 60,
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "nats-js"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "10Gi"}},
                    },
                }
            ],
        },
    }


def services(cluster: bool) -> list[Manifest]:
    headless_ports = [
        {"name": "nats", "port": catalog.NATS_CLIENT_PORT, "targetPort": "nats", "appProtocol": "tcp"},
        {
            "name": "monitor",
            "port": catalog.NATS_MONITOR_PORT,
            "targetPort": "monitor",
            "appProtocol": "http",
        },
    ]
    if cluster:
        headless_ports.insert(
            1,
            {
                "name": "cluster",
                "port": catalog.NATS_CLUSTER_PORT,
                "targetPort": "cluster",
                "appProtocol": "tcp",
            },
        )
    return [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta("nats-headless"),
            "spec": {
                "clusterIP": "None",
                "publishNotReadyAddresses": True,
                "selector": SELECTOR,
                "ports": headless_ports,
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": _meta(catalog.NATS_SERVICE),
            "spec": {
                "selector": SELECTOR,
                "ports": [
                    {
                        "name": "nats",
                        "port": catalog.NATS_CLIENT_PORT,
                        "targetPort": "nats",
                        "appProtocol": "tcp",
                    }
                ],
            },
        },
    ]


def manifests(replicas: int) -> list[Manifest]:
    return [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": _meta("nats"),
            "automountServiceAccountToken": False,
        },
        *services(replicas > 1),
        stateful_set(replicas),
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": _meta("nats"),
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": SELECTOR}},
        },
    ]
