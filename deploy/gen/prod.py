"""The prod overlay's generated parts: per-service placement (zones, anti-affinity), HorizontalPodAutoscalers,
and the NATS cluster patch (3 JetStream servers)."""

from __future__ import annotations

from typing import Any

from deploy.gen import catalog, nats
from deploy.gen.services import Manifest, selector

MIN_REPLICAS = 3
NATS_REPLICAS = 3


def placement_patches() -> list[Manifest]:
    """Strategic-merge patches: the HPA owns replicas (null removes the field, so an apply never scales a
    Deployment back down); pods spread across zones and, preferably, across nodes."""
    patches = []
    for service in catalog.SERVICE_CATALOG:
        match = {"matchLabels": selector(service)}
        patches.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": service.app},
                "spec": {
                    "replicas": None,
                    "template": {
                        "spec": {
                            "topologySpreadConstraints": [
                                {
                                    "maxSkew": 1,
                                    "topologyKey": "topology.kubernetes.io/zone",
                                    "whenUnsatisfiable": "DoNotSchedule",
                                    "labelSelector": match,
                                    "matchLabelKeys": ["pod-template-hash"],
                                },
                                {
                                    "maxSkew": 1,
                                    "topologyKey": "kubernetes.io/hostname",
                                    "whenUnsatisfiable": "ScheduleAnyway",
                                    "labelSelector": match,
                                    "matchLabelKeys": ["pod-template-hash"],
                                },
                            ],
                            "affinity": {
                                "podAntiAffinity": {
                                    "preferredDuringSchedulingIgnoredDuringExecution": [
                                        {
                                            "weight": 100,
                                            "podAffinityTerm": {
                                                "topologyKey": "kubernetes.io/hostname",
                                                "labelSelector": match,
                                            },
                                        }
                                    ]
                                }
                            },
                        }
                    },
                },
            }
        )
    return patches


def autoscalers() -> list[Manifest]:
    return [
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": s.app, "labels": {"app.kubernetes.io/part-of": catalog.PART_OF}},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": s.app},
                "minReplicas": MIN_REPLICAS,
                "maxReplicas": s.max_replicas,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 70},
                        },
                    }
                ],
                # Scale down slowly: a replica that leaves drains its consumers and its relay hands over.
                "behavior": {
                    "scaleDown": {
                        "stabilizationWindowSeconds": 300,
                        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
                    }
                },
            },
        }
        for s in catalog.SERVICE_CATALOG
    ]


def nats_cluster_patches() -> list[Manifest]:
    statefulset = nats.stateful_set(NATS_REPLICAS)
    container = statefulset["spec"]["template"]["spec"]["containers"][0]
    anti_affinity: dict[str, Any] = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": nats.SELECTOR}}
            ]
        }
    }
    headless = nats.services(cluster=True)[0]
    return [
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {"name": "nats"},
            "spec": {
                "replicas": NATS_REPLICAS,
                "template": {
                    "spec": {
                        "containers": [{"name": "nats", "ports": container["ports"]}],
                        "affinity": anti_affinity,
                        "topologySpreadConstraints": [
                            {
                                "maxSkew": 1,
                                "topologyKey": "topology.kubernetes.io/zone",
                                "whenUnsatisfiable": "DoNotSchedule",
                                "labelSelector": {"matchLabels": nats.SELECTOR},
                            }
                        ],
                    }
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "nats-headless"},
            "spec": {"ports": headless["spec"]["ports"]},
        },
    ]
