"""gRPC over TLS and mTLS from certificate files, with certificates made for the test."""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
from pathlib import Path

import grpc
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.platform.helpers import service_env, start_service


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _issue(subject: str, issuer_key, issuer_name, *, ca: bool = False):  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name or _name(subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    return key, cert


def _pem(key, cert) -> tuple[bytes, bytes]:  # type: ignore[no-untyped-def]
    return (
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        cert.public_bytes(serialization.Encoding.PEM),
    )


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, bytes]:
    ca_key, ca_cert = _issue("leadflow test CA", None, None, ca=True)
    server = _pem(*_issue("assign", ca_key, ca_cert.subject))
    client = _pem(*_issue("ingest", ca_key, ca_cert.subject))
    files = {
        "ca": ca_cert.public_bytes(serialization.Encoding.PEM),
        "server_key": server[0],
        "server_cert": server[1],
        "client_key": client[0],
        "client_cert": client[1],
    }
    for name, data in files.items():
        (tmp_path / f"{name}.pem").write_bytes(data)
    return files


def test_mtls_serves_a_client_with_a_certificate_and_refuses_one_without(
    tmp_path: Path, nats_server, pki
) -> None:  # type: ignore[no-untyped-def]
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
    try:
        with_cert = grpc.ssl_channel_credentials(pki["ca"], pki["client_key"], pki["client_cert"])
        deadline_reached = None
        for _ in range(300):
            try:
                with grpc.secure_channel(proc.address, with_cert) as channel:
                    reply = health_pb2_grpc.HealthStub(channel).Check(
                        health_pb2.HealthCheckRequest(), timeout=1
                    )
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    break
            except grpc.RpcError as exc:
                deadline_reached = exc
                if proc.process.poll() is not None:
                    raise AssertionError(proc.log()) from exc
                time.sleep(0.1)
        else:
            raise AssertionError(f"never SERVING over mTLS: {deadline_reached}\n{proc.log()}")
        without_cert = grpc.ssl_channel_credentials(pki["ca"])
        with (
            pytest.raises(grpc.RpcError) as refused,
            grpc.secure_channel(proc.address, without_cert) as channel,
        ):
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        with pytest.raises(grpc.RpcError), grpc.insecure_channel(proc.address) as channel:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
    finally:
        proc.process.terminate()
        assert proc.process.wait(timeout=30) == 0


def test_half_a_tls_configuration_names_the_missing_variable(tmp_path: Path) -> None:
    from services.common.config import ConfigError, ServiceSettings

    (tmp_path / "cert.pem").write_text("x")
    with pytest.raises(ConfigError) as err:
        ServiceSettings.from_env(
            "assign",
            {"LEADFLOW_DATA_DIR": str(tmp_path), "LEADFLOW_TLS_CERT_FILE": str(tmp_path / "cert.pem")},
        )
    assert err.value.variable == "LEADFLOW_TLS_KEY_FILE"
