"""What a platform team checks in review, asserted on the rendered manifests of both overlays."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import pytest

from deploy.gen import catalog
from services.common.config import SERVICES
from tests.deploy.kube import combinations, of_kind, render

ALL = combinations()
SERVICE_APPS = {f"leadflow-{s}" for s in SERVICES}


def _id(value: Any) -> str:
    return "+".join(value) if isinstance(value, tuple) else str(value)


def _env(container: dict[str, Any]) -> dict[str, str]:
    return {e["name"]: e.get("value", "<from secret>") for e in container.get("env", [])}


def _config(docs: list[dict[str, Any]], name: str) -> dict[str, str]:
    return next(d for d in of_kind(docs, "ConfigMap") if d["metadata"]["name"] == name)["data"]


def _workloads(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] in ("Deployment", "StatefulSet", "Job")]


@pytest.mark.parametrize(("overlay", "components"), ALL, ids=_id)
def test_every_deployment_is_hardened_probed_and_sized(overlay: str, components: tuple[str, ...]) -> None:
    docs = render(overlay, components)
    deployments = of_kind(docs, "Deployment")
    assert {d["metadata"]["name"] for d in deployments} == SERVICE_APPS
    for deployment in deployments:
        name = deployment["metadata"]["name"]
        pod = deployment["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["serviceAccountName"] == name
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        (container,) = pod["containers"]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert probe in container, f"{name}: {probe}"
        readiness = container["readinessProbe"]
        service = next(s for s in catalog.SERVICE_CATALOG if s.app == name)
        if "mtls" in components:
            assert service.grpc_service in readiness["exec"]["command"]
        else:
            assert readiness["grpc"] == {"port": service.grpc_port, "service": service.grpc_service}
            assert container["livenessProbe"]["grpc"]["service"] == ""
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][kind]), f"{name}: {kind}"
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"]["drop"] == ["ALL"]
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert "emptyDir" in next(v for v in pod["volumes"] if v["name"] == mounts["/tmp"])
        assert container["args"] == ["serve", service.name]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"grpc": service.grpc_port, "metrics": service.metrics_port}


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_pod_meets_pod_security_restricted(overlay: str) -> None:
    """Pod Security Standards "restricted" (kubernetes.io/docs/concepts/security/pod-security-standards)."""
    for workload in _workloads(render(overlay)):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, workload["metadata"]["name"]
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        assert not pod.get("hostNetwork") and not pod.get("hostPID") and not pod.get("hostIPC")
        for container in pod["containers"] + pod.get("initContainers", []):
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False, container["name"]
            assert security["capabilities"]["drop"] == ["ALL"]
            assert not security.get("privileged")
            assert "resources" in container and "limits" in container["resources"], container["name"]
        for volume in pod.get("volumes", []):
            assert "hostPath" not in volume


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_shutdown_timings_match_the_servers_settings(overlay: str) -> None:
    docs = render(overlay)
    common = _config(docs, "leadflow-common")
    delay = float(common["LEADFLOW_SHUTDOWN_DELAY_SECONDS"])
    grace = float(common["LEADFLOW_SHUTDOWN_GRACE_SECONDS"])
    for deployment in of_kind(docs, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        pre_stop = pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
        # runtime.py: NOT_SERVING, sleep(delay), server.stop(grace), then up to grace for consumers, then drain.
        needed = pre_stop + delay + 2 * grace
        assert pod["terminationGracePeriodSeconds"] >= needed + 5, deployment["metadata"]["name"]
        assert pod["terminationGracePeriodSeconds"] <= needed + 30, (
            "a stuck pod should not linger for minutes"
        )
    assert common["LEADFLOW_MIGRATE_ON_START"] == "false"


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_deployment_has_a_disruption_budget_and_a_migration_job(overlay: str) -> None:
    docs = render(overlay)
    for deployment in of_kind(docs, "Deployment"):
        labels = deployment["spec"]["selector"]["matchLabels"]
        budgets = [
            p for p in of_kind(docs, "PodDisruptionBudget") if p["spec"]["selector"]["matchLabels"] == labels
        ]
        assert len(budgets) == 1, deployment["metadata"]["name"]
        assert budgets[0]["spec"].get("maxUnavailable") == 1
        strategy = deployment["spec"]["strategy"]["rollingUpdate"]
        assert strategy["maxUnavailable"] == 0, "a rollout never lowers capacity"
    jobs = {j["metadata"]["name"]: j for j in of_kind(docs, "Job")}
    for service in SERVICES:
        job = jobs[f"leadflow-{service}-migrate"]
        (container,) = job["spec"]["template"]["spec"]["containers"]
        assert container["args"] == ["migrate", service]
        env = _env(container)
        assert f"LEADFLOW_{service.upper()}_DATABASE_URL" in env
        assert "LEADFLOW_NATS_PASSWORD_FILE" not in env, "migrating needs no NATS credentials"


@pytest.mark.parametrize(
    ("overlay", "components"), [c for c in ALL if "network-policies" in c[1]] + [("prod", ())], ids=_id
)
def test_default_deny_and_an_allow_for_every_flow(overlay: str, components: tuple[str, ...]) -> None:
    docs = render(overlay, components)
    policies = {p["metadata"]["name"]: p["spec"] for p in of_kind(docs, "NetworkPolicy")}
    deny = policies["default-deny"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert not deny.get("ingress") and not deny.get("egress")

    def allowed_in(pod_labels: dict[str, str], port: int, peer: dict[str, str]) -> bool:
        for spec in policies.values():
            if not _selects(spec["podSelector"], pod_labels):
                continue
            for rule in spec.get("ingress", []):
                if any(p["port"] == port for p in rule["ports"]) and any(
                    "podSelector" in f and "namespaceSelector" not in f and _selects(f["podSelector"], peer)
                    for f in rule["from"]
                ):
                    return True
        return False

    def allowed_out(pod_labels: dict[str, str], port: int, peer: dict[str, str]) -> bool:
        for spec in policies.values():
            if not _selects(spec["podSelector"], pod_labels):
                continue
            for rule in spec.get("egress", []):
                if any(p["port"] == port for p in rule["ports"]) and any(
                    "podSelector" in t and _selects(t["podSelector"], peer) for t in rule["to"]
                ):
                    return True
        return False

    pods = {d["metadata"]["name"]: d["spec"]["template"]["metadata"]["labels"] for d in _workloads(docs)}
    nats = pods["nats"]
    database = (
        next(labels for labels in pods.values() if labels.get("leadflow.io/role") == "database")
        if overlay == "dev"
        else {"leadflow.io/role": "database", "cnpg.io/cluster": "leadflow-pg"}
    )
    for service in catalog.SERVICE_CATALOG:
        for pod_name in (service.app, f"{service.app}-migrate"):
            labels = pods[pod_name]
            assert allowed_out(labels, catalog.NATS_CLIENT_PORT, nats), f"{pod_name} → NATS"
            assert allowed_out(labels, catalog.POSTGRES_PORT, database), f"{pod_name} → PostgreSQL"
            assert allowed_in(nats, catalog.NATS_CLIENT_PORT, labels), f"NATS ← {pod_name}"
            assert allowed_in(database, catalog.POSTGRES_PORT, labels), f"PostgreSQL ← {pod_name}"
        prometheus_rules = [
            rule
            for spec in policies.values()
            if _selects(spec["podSelector"], pods[service.app])
            for rule in spec.get("ingress", [])
            if any(p["port"] == service.metrics_port for p in rule["ports"])
        ]
        assert prometheus_rules, f"Prometheus → {service.name} metrics"
    ingest, dedup = pods["leadflow-ingest"], pods["leadflow-dedup"]
    assert allowed_out(ingest, 50052, dedup) and allowed_in(dedup, 50052, ingest), "ingest → dedup"
    for other in ("leadflow-assign", "leadflow-telephony", "leadflow-refund"):
        assert not allowed_in(dedup, 50052, pods[other]), f"dedup is called only by ingest, not {other}"
    assert not allowed_out(pods["leadflow-assign"], 50052, dedup)
    push = [r for r in policies["leadflow-ingest"]["egress"] if any("ipBlock" in t for t in r["to"])]
    assert push, "ingest pushes to advertisers over HTTPS"
    for block in (t["ipBlock"] for r in push for t in r["to"]):
        assert ipaddress.ip_network("10.0.0.0/8").subnet_of(ipaddress.ip_network(block["cidr"]))
        assert "10.0.0.0/8" in block["except"] and "169.254.0.0/16" in block["except"], (
            "no SSRF into the cluster"
        )


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items())


def test_prod_scales_spreads_and_replicates() -> None:
    docs = render("prod")
    hpas = {h["spec"]["scaleTargetRef"]["name"]: h["spec"] for h in of_kind(docs, "HorizontalPodAutoscaler")}
    assert set(hpas) == SERVICE_APPS
    for deployment in of_kind(docs, "Deployment"):
        name = deployment["metadata"]["name"]
        assert "replicas" not in deployment["spec"], f"{name}: the HPA owns replicas"
        assert hpas[name]["minReplicas"] == 3
        pod = deployment["spec"]["template"]["spec"]
        keys = {c["topologyKey"] for c in pod["topologySpreadConstraints"]}
        assert "topology.kubernetes.io/zone" in keys
        assert pod["affinity"]["podAntiAffinity"]
    statefulset = next(s for s in of_kind(docs, "StatefulSet") if s["metadata"]["name"] == "nats")
    assert statefulset["spec"]["replicas"] == 3
    conf = _config(docs, "nats-config")
    routes = re.findall(r"nats://nats-(\d)\.nats-headless:6222", conf["nats.conf"])
    assert routes == ["0", "1", "2"]
    assert 'include "accounts.conf"' in conf["nats.conf"] and "accounts.conf" in conf
    assert _config(docs, "leadflow-common")["LEADFLOW_NATS_STREAM_REPLICAS"] == "3"
    (cluster,) = of_kind(docs, "Cluster")
    assert cluster["spec"]["instances"] == 3
    assert {r["name"] for r in cluster["spec"]["managed"]["roles"]} == set(SERVICES)
    databases = {d["spec"]["name"]: d["spec"]["owner"] for d in of_kind(docs, "Database")}
    assert databases == {s: s for s in SERVICES}, "one database per service, owned by its own role"


def test_dev_is_one_of_everything() -> None:
    docs = render("dev")
    for deployment in of_kind(docs, "Deployment"):
        assert deployment["spec"]["replicas"] == 1
    assert (
        next(s for s in of_kind(docs, "StatefulSet") if s["metadata"]["name"] == "nats")["spec"]["replicas"]
        == 1
    )
    assert "cluster {" not in _config(docs, "nats-config")["nats.conf"]
    assert _config(docs, "leadflow-common")["LEADFLOW_NATS_STREAM_REPLICAS"] == "1"
    assert not of_kind(docs, "Cluster") and not of_kind(docs, "HorizontalPodAutoscaler")


def test_connection_pools_fit_postgres_max_connections() -> None:
    """Every service at its HPA ceiling, each replica with pool_size + overflow (services/common/db.py), plus one
    migration Job each, stays under max_connections minus the superuser reserve."""
    docs = render("prod")
    (cluster,) = of_kind(docs, "Cluster")
    parameters = cluster["spec"]["postgresql"]["parameters"]
    budget = int(parameters["max_connections"]) - int(parameters["superuser_reserved_connections"])
    hpas = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"]["maxReplicas"]
        for h in of_kind(docs, "HorizontalPodAutoscaler")
    }
    worst = 0
    for service in catalog.SERVICE_CATALOG:
        pool = int(_config(docs, f"{service.app}-config")[f"{service.env_prefix}DB_POOL_SIZE"])
        worst += hpas[service.app] * 2 * pool + 1
    assert worst <= budget, f"{worst} connections at the ceiling, {budget} available"


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_secrets_are_referenced_never_embedded_and_images_are_pinned(overlay: str) -> None:
    docs = render(overlay)
    assert not of_kind(docs, "Secret"), "Secrets are created by the platform team (deploy/README.md)"
    for workload in _workloads(docs):
        for container in workload["spec"]["template"]["spec"]["containers"]:
            image = container["image"]
            assert ":" in image.rsplit("/", 1)[-1] or "@sha256:" in image, image
            assert not image.endswith(":latest"), image
            env = _env(container)
            for name, value in env.items():
                if re.search(r"(KEY|PASSWORD)$", name):
                    assert value == "<from secret>", f"{name} must come from a Secret"
    for deployment in of_kind(docs, "Deployment"):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        env = _env(container)
        service = deployment["metadata"]["labels"]["leadflow.io/service"]
        assert env["LEADFLOW_NATS_USER"] == service
        assert env["LEADFLOW_NATS_INBOX_PREFIX"] == f"_INBOX_{service}"
        assert env["LEADFLOW_NATS_PASSWORD_FILE"].startswith("/etc/leadflow/nats/")
        url = env[f"LEADFLOW_{service.upper()}_DATABASE_URL"]
        assert url.endswith(f"/{service}?sslmode=$(LEADFLOW_DB_SSLMODE)"), "each service its own database"
