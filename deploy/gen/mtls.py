"""The mtls component: cert-manager issues each service a certificate from a namespace CA, mounted where the
server and its clients read it (LEADFLOW_TLS_CERT_FILE, _KEY_FILE, _CA_FILE, services/common/config.py).

With a CA file the server requires client certificates (mTLS), so every caller needs one from the same issuer.
The kubelet's gRPC probe speaks plaintext only, so the probes become exec probes running
deploy/image/grpc_health_probe.py (shipped in the image) over the same mTLS.
"""

from __future__ import annotations

from typing import Any

from deploy.gen import catalog
from deploy.gen.catalog import Service
from deploy.gen.services import Manifest

TLS_DIR = "/etc/leadflow/tls"
PROBE = "/app/bin/grpc_health_probe.py"
CA_ISSUER = "leadflow-ca"


def issuers() -> list[Manifest]:
    part_of = {"app.kubernetes.io/part-of": catalog.PART_OF}
    return [
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Issuer",
            "metadata": {"name": "leadflow-selfsigned", "labels": part_of},
            "spec": {"selfSigned": {}},
        },
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Certificate",
            "metadata": {"name": "leadflow-ca", "labels": part_of},
            "spec": {
                "isCA": True,
                "commonName": "leadflow internal CA",
                "secretName": "leadflow-ca",
                "duration": "87600h",
                "privateKey": {"algorithm": "ECDSA", "size": 256},
                "issuerRef": {"name": "leadflow-selfsigned", "kind": "Issuer", "group": "cert-manager.io"},
            },
        },
        {
            "apiVersion": "cert-manager.io/v1",
            "kind": "Issuer",
            "metadata": {"name": CA_ISSUER, "labels": part_of},
            "spec": {"ca": {"secretName": "leadflow-ca"}},
        },
    ]


def certificate(service: Service) -> Manifest:
    ns = catalog.NAMESPACE
    return {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": f"{service.app}-tls", "labels": {"app.kubernetes.io/part-of": catalog.PART_OF}},
        "spec": {
            "secretName": f"{service.app}-tls",
            # The peer identity the receiving service checks (ARCHITECTURE §6: a service calls as itself).
            "commonName": service.name,
            "dnsNames": [
                name
                for host in (service.app, f"{service.app}-pods")  # the ClusterIP and the headless Service
                for name in (host, f"{host}.{ns}.svc", f"{host}.{ns}.svc.cluster.local")
            ],
            "usages": ["server auth", "client auth", "digital signature", "key encipherment"],
            "duration": "2160h",
            "renewBefore": "360h",
            "privateKey": {"algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always"},
            "issuerRef": {"name": CA_ISSUER, "kind": "Issuer", "group": "cert-manager.io"},
        },
    }


def _exec_probe(service: Service, health_name: str, probe: dict[str, Any]) -> dict[str, Any]:
    timing = {k: v for k, v in probe.items() if k != "grpc"}
    command = ["python", PROBE, "--port", str(service.grpc_port), "--server-name", service.app]
    if health_name:
        command += ["--service", health_name]
    return {"exec": {"command": command}, **timing, "timeoutSeconds": 5}


def deployment_patch(service: Service, deployment: Manifest) -> list[dict[str, Any]]:
    """JSON patch (RFC 6902) of the service's Deployment: mount the certificate, point the settings at it, and
    swap the native gRPC probes for the exec probe."""
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    base = "/spec/template/spec/containers/0"
    ops: list[dict[str, Any]] = [
        {
            "op": "add",
            "path": "/spec/template/spec/volumes/-",
            "value": {"name": "tls", "secret": {"secretName": f"{service.app}-tls", "defaultMode": 0o440}},
        },
        {
            "op": "add",
            "path": f"{base}/volumeMounts/-",
            "value": {"name": "tls", "mountPath": TLS_DIR, "readOnly": True},
        },
    ]
    for variable, file in (("CERT", "tls.crt"), ("KEY", "tls.key"), ("CA", "ca.crt")):
        ops.append(
            {
                "op": "add",
                "path": f"{base}/env/-",
                "value": {"name": f"LEADFLOW_TLS_{variable}_FILE", "value": f"{TLS_DIR}/{file}"},
            }
        )
    for probe, health_name in (
        ("startupProbe", ""),
        ("readinessProbe", service.grpc_service),
        ("livenessProbe", ""),
    ):
        ops.append(
            {
                "op": "replace",
                "path": f"{base}/{probe}",
                "value": _exec_probe(service, health_name, container[probe]),
            }
        )
    return ops
