"""The exec probe the mtls component uses (deploy/image/grpc_health_probe.py) against a real service over mTLS."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from tests.deploy.kube import ROOT
from tests.platform.helpers import service_env, start_service
from tests.platform.test_tls import _issue, _pem

PROBE = ROOT / "deploy" / "image" / "grpc_health_probe.py"


def _probe(port: int, env: dict[str, str], service: str = "") -> subprocess.CompletedProcess[str]:
    args = [sys.executable, str(PROBE), "--port", str(port), "--server-name", "localhost", "--timeout", "2"]
    if service:
        args += ["--service", service]
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=30)


def test_the_probe_checks_health_over_mtls(tmp_path: Path, nats_server) -> None:  # type: ignore[no-untyped-def]
    ca_key, ca_cert = _issue("leadflow test CA", None, None, ca=True)
    files = {"ca.pem": ca_cert.public_bytes(serialization.Encoding.PEM)}
    for role in ("server", "client"):
        key, cert = _pem(*_issue(role, ca_key, ca_cert.subject))
        files[f"{role}_key.pem"], files[f"{role}_cert.pem"] = key, cert
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    env = service_env(
        "assign",
        tmp_path,
        nats_server.url,
        LEADFLOW_TLS_CERT_FILE=str(tmp_path / "server_cert.pem"),
        LEADFLOW_TLS_KEY_FILE=str(tmp_path / "server_key.pem"),
        LEADFLOW_TLS_CA_FILE=str(tmp_path / "ca.pem"),
        LEADFLOW_SHUTDOWN_DELAY_SECONDS="0",
    )
    proc = start_service("assign", env, tmp_path / "assign.log")
    client = {
        "PATH": "/usr/bin:/bin",
        "LEADFLOW_TLS_CERT_FILE": str(tmp_path / "client_cert.pem"),
        "LEADFLOW_TLS_KEY_FILE": str(tmp_path / "client_key.pem"),
        "LEADFLOW_TLS_CA_FILE": str(tmp_path / "ca.pem"),
    }
    try:
        deadline = time.monotonic() + 60
        while (done := _probe(proc.grpc_port, client)).returncode != 0:
            assert proc.process.poll() is None, proc.log()
            assert time.monotonic() < deadline, f"never SERVING: {done.stderr}\n{proc.log()}"
            time.sleep(0.2)
        assert _probe(proc.grpc_port, client, "leadflow.assign.v1.AssignService").returncode == 0
        unknown = _probe(proc.grpc_port, client, "no.such.Service")
        assert unknown.returncode == 2 and "NOT_FOUND" in unknown.stderr
        # Without a client certificate the server refuses the handshake: the probe fails, it does not pass.
        no_cert = _probe(
            proc.grpc_port, {"PATH": "/usr/bin:/bin", "LEADFLOW_TLS_CA_FILE": str(tmp_path / "ca.pem")}
        )
        assert no_cert.returncode == 2
    finally:
        proc.process.terminate()
        proc.process.wait(timeout=30)
