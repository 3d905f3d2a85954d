"""The monitoring component: ServiceMonitor for the five services, PodMonitor for NATS' exporter, the Grafana
dashboard ConfigMap (picked up by the Grafana sidecar's ``grafana_dashboard`` label). The alerts are hand-written
in deploy/k8s/components/monitoring/alerts.yaml."""

from __future__ import annotations

from deploy.gen import catalog
from deploy.gen.dashboard import dashboard_json
from deploy.gen.services import Manifest


def manifests() -> list[Manifest]:
    part_of = {"app.kubernetes.io/part-of": catalog.PART_OF}
    return [
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "ServiceMonitor",
            "metadata": {"name": "leadflow", "labels": part_of},
            "spec": {
                "selector": {"matchExpressions": [{"key": "leadflow.io/service", "operator": "Exists"}]},
                "endpoints": [{"port": "metrics", "interval": "30s", "scrapeTimeout": "10s"}],
            },
        },
        {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PodMonitor",
            "metadata": {"name": "nats", "labels": part_of},
            "spec": {
                "selector": {
                    "matchLabels": {"app.kubernetes.io/name": "nats", "app.kubernetes.io/component": "nats"}
                },
                "podMetricsEndpoints": [{"port": "prom-metrics", "interval": "30s"}],
            },
        },
    ]


def dashboard_config_map() -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": "leadflow-dashboard",
            "labels": {"app.kubernetes.io/part-of": catalog.PART_OF, "grafana_dashboard": "1"},
        },
        "data": {"leadflow.json": dashboard_json()},
    }
