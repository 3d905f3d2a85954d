"""PostgreSQL: one database and one role per service. Prod: a CloudNativePG ``Cluster`` with declarative roles
(``spec.managed.roles``) and ``Database`` resources (CloudNativePG >= 1.25; followed: the 1.28 API reference).
Dev: one PostgreSQL StatefulSet whose first start creates the roles and databases from the same Secrets."""

from __future__ import annotations

from typing import Any

from deploy.gen import catalog
from deploy.gen.services import CONTAINER_SECURITY, Manifest

CLUSTER = "leadflow-pg"
POSTGRES_IMAGE = "postgres:17.6-bookworm"  # dev only; CNPG picks its own operand image
POSTGRES_UID = 999  # the postgres user of the official image


def _labels(component: str) -> dict[str, str]:
    return {
        "app.kubernetes.io/name": "postgres",
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": catalog.PART_OF,
        "leadflow.io/role": "database",
    }


def _resource_labels() -> dict[str, str]:
    return {"app.kubernetes.io/name": "postgres", "app.kubernetes.io/part-of": catalog.PART_OF}


def cnpg_manifests() -> list[Manifest]:
    cluster: Manifest = {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": {"name": CLUSTER, "labels": _resource_labels()},
        "spec": {
            "instances": 3,
            "inheritedMetadata": {"labels": _labels("database")},
            "primaryUpdateStrategy": "unsupervised",
            "storage": {"size": "50Gi"},
            "walStorage": {"size": "10Gi"},
            "postgresql": {
                "parameters": {
                    "max_connections": str(catalog.POSTGRES_MAX_CONNECTIONS),
                    "superuser_reserved_connections": str(catalog.POSTGRES_RESERVED_CONNECTIONS),
                }
            },
            "affinity": {"topologyKey": "topology.kubernetes.io/zone", "podAntiAffinityType": "required"},
            "monitoring": {"enablePodMonitor": True},
            "managed": {
                "roles": [
                    {
                        "name": s.name,
                        "ensure": "present",
                        "login": True,
                        "connectionLimit": 2 * s.db_pool_size * s.max_replicas + 4,
                        "passwordSecret": {"name": catalog.db_secret(s.name)},
                    }
                    for s in catalog.SERVICE_CATALOG
                ]
            },
        },
    }
    databases = [
        {
            "apiVersion": "postgresql.cnpg.io/v1",
            "kind": "Database",
            "metadata": {
                "name": f"{CLUSTER}-{s.name}",
                "labels": _resource_labels(),
            },
            "spec": {"name": s.name, "owner": s.name, "cluster": {"name": CLUSTER}, "ensure": "present"},
        }
        for s in catalog.SERVICE_CATALOG
    ]
    return [cluster, *databases]


INIT_SCRIPT = """#!/bin/sh
# Runs once, on the first start of an empty data directory (docker-entrypoint-initdb.d).
set -eu
for svc in {services}; do
  upper=$(echo "$svc" | tr a-z A-Z)
  eval user=\\$${{upper}}_DB_USER
  eval password=\\$${{upper}}_DB_PASSWORD
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \\
    -v role="$user" -v password="$password" -v db="$svc" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"db" OWNER :"role";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
SQL
done
"""


def dev_manifests() -> list[Manifest]:
    labels = _labels("database")
    selector = {"app.kubernetes.io/name": "postgres", "app.kubernetes.io/component": "database"}
    env: list[dict[str, Any]] = [
        {"name": "POSTGRES_USER", "value": "postgres"},
        {
            "name": "POSTGRES_PASSWORD",
            "valueFrom": {"secretKeyRef": {"name": "leadflow-postgres-superuser", "key": "password"}},
        },
        {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
    ]
    for s in catalog.SERVICE_CATALOG:
        for key in ("username", "password"):
            env.append(
                {
                    "name": f"{s.name.upper()}_DB_{'USER' if key == 'username' else 'PASSWORD'}",
                    "valueFrom": {"secretKeyRef": {"name": catalog.db_secret(s.name), "key": key}},
                }
            )
    probe = {"exec": {"command": ["pg_isready", "-U", "postgres", "-h", "127.0.0.1"]}, "periodSeconds": 10}
    statefulset: Manifest = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "postgres", "labels": labels},
        "spec": {
            "serviceName": "postgres",
            "replicas": 1,
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "automountServiceAccountToken": False,
                    "enableServiceLinks": False,
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": POSTGRES_UID,
                        "runAsGroup": POSTGRES_UID,
                        "fsGroup": POSTGRES_UID,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "containers": [
                        {
                            "name": "postgres",
                            "image": POSTGRES_IMAGE,
                            "ports": [{"name": "postgres", "containerPort": catalog.POSTGRES_PORT}],
                            "env": env,
                            "readinessProbe": probe,
                            "livenessProbe": {**probe, "failureThreshold": 6},
                            "resources": {
                                "requests": {"cpu": "250m", "memory": "512Mi"},
                                "limits": {"cpu": "2", "memory": "1Gi"},
                            },
                            "securityContext": CONTAINER_SECURITY,
                            "volumeMounts": [
                                {"name": "data", "mountPath": "/var/lib/postgresql/data"},
                                {"name": "run", "mountPath": "/var/run/postgresql"},
                                {"name": "tmp", "mountPath": "/tmp"},
                                {
                                    "name": "init",
                                    "mountPath": "/docker-entrypoint-initdb.d",
                                    "readOnly": True,
                                },
                            ],
                        }
                    ],
                    "volumes": [
                        {"name": "run", "emptyDir": {}},
                        {"name": "tmp", "emptyDir": {}},
                        {"name": "init", "configMap": {"name": "postgres-init"}},
                    ],
                },
            },
            "volumeClaimTemplates": [
                {
                    "metadata": {"name": "data"},
                    "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "10Gi"}},
                    },
                }
            ],
        },
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "postgres-init", "labels": labels},
            "data": {
                "create-databases.sh": INIT_SCRIPT.format(
                    services=" ".join(s.name for s in catalog.SERVICE_CATALOG)
                )
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "postgres", "labels": labels},
            "spec": {
                "selector": selector,
                "ports": [{"name": "postgres", "port": catalog.POSTGRES_PORT, "targetPort": "postgres"}],
            },
        },
        statefulset,
    ]
