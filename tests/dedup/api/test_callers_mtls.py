"""Over mTLS, dedup's internal methods need ingest's certificate as well as ingest's token: a service that holds the
signing key but another service's certificate is refused (issue 13 item 6, "a `sub` claim or the mTLS peer")."""

from __future__ import annotations

from pathlib import Path

import grpc
import pytest
from cryptography.hazmat.primitives import serialization

from leadflow.dedup.v1 import dedup_service_pb2 as pb
from leadflow.dedup.v1 import dedup_service_pb2_grpc
from services.common.auth import Role
from services.common.grpc_errors import error_info_of
from tests.dedup.api.test_api import PHONE, claim_request
from tests.harness import TokenMinter, service_environ, start_service
from tests.platform.test_tls import _issue, _pem


def _pki(tmp_path: Path) -> dict[str, tuple[bytes, bytes]]:
    ca_key, ca_cert = _issue("leadflow test CA", None, None, ca=True)
    pairs = {name: _pem(*_issue(name, ca_key, ca_cert.subject)) for name in ("dedup", "ingest", "telephony")}
    (tmp_path / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    key, cert = pairs["dedup"]
    (tmp_path / "dedup-key.pem").write_bytes(key)
    (tmp_path / "dedup-cert.pem").write_bytes(cert)
    return pairs


async def test_the_certificate_must_be_ingests_too(tmp_path: Path, shared_nats_server) -> None:  # type: ignore[no-untyped-def]
    pairs = _pki(tmp_path)
    env = service_environ(
        "dedup",
        tmp_path,
        shared_nats_server.url,
        LEADFLOW_TLS_CERT_FILE=str(tmp_path / "dedup-cert.pem"),
        LEADFLOW_TLS_KEY_FILE=str(tmp_path / "dedup-key.pem"),
        LEADFLOW_TLS_CA_FILE=str(tmp_path / "ca.pem"),
    )
    running = await start_service("dedup", env)
    ingest_token = (("authorization", "Bearer " + TokenMinter(env).token("t1", Role.SERVICE, "ingest")),)
    ca = (tmp_path / "ca.pem").read_bytes()

    async def claim(certificate: str, lead: str) -> pb.ClaimLeadResponse:
        key, cert = pairs[certificate]
        credentials = grpc.ssl_channel_credentials(ca, key, cert)
        async with grpc.aio.secure_channel(f"localhost:{running.port}", credentials) as channel:
            stub = dedup_service_pb2_grpc.DedupServiceStub(channel)
            return await stub.ClaimLead(
                claim_request("acct", {PHONE: "+8613800138000"}, lead=lead), metadata=ingest_token, timeout=10
            )

    try:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await claim("telephony", "L-by-telephony")
        assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
        info = error_info_of(refused.value)
        assert info is not None and info.reason == "CALLER_NOT_ALLOWED"
        # The refused call claimed nothing: ingest's claim of the same phone is NEW.
        assert (await claim("ingest", "L-by-ingest")).canonical_lead_id == "L-by-ingest"
    finally:
        await running.stop()
