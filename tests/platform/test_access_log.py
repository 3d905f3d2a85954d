"""LEADFLOW_ACCESS_LOG: one ``leadflow.access`` line per call of a bound service, with its method, status code,
duration and tenant, never the request; none for health checks, none when off. In-process (the runtime's server
with caplog), then through a real service process and its JSON log file."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer

from leadflow.assign.v1 import assign_service_pb2, assign_service_pb2_grpc
from services.common.auth import TokenCodec
from services.common.config import AuthSettings, Env, ServiceSettings
from services.common.grpcserver.bindings import GrpcBinding
from services.common.grpcserver.server import create_server
from tests.common.helpers import eventually
from tests.platform.helpers import TEST_JWT_KEY, service_env, start_service, wait_serving

SERVICE = "leadflow.assign.v1.AssignService"
FIRST_METHOD = assign_service_pb2.DESCRIPTOR.services_by_name["AssignService"].methods[0].name
SECRET_LOOKING = "13800138000"  # sent as the request's bytes: it must never reach the log


def _token(tmp_path: Path, tenant: str) -> str:
    auth = AuthSettings.from_env(Env({"LEADFLOW_JWT_HS256_KEY": TEST_JWT_KEY}), tmp_path)
    return TokenCodec(auth).mint(tenant=tenant, role="admin")


def _settings(tmp_path: Path, **env: str) -> ServiceSettings:
    return ServiceSettings.from_env(
        "assign",
        {
            "LEADFLOW_DATA_DIR": str(tmp_path),
            "LEADFLOW_JWT_HS256_KEY": TEST_JWT_KEY,
            "LEADFLOW_ASSIGN_GRPC_PORT": "0",
            **env,
        },
    )


async def _calls(settings: ServiceSettings, tmp_path: Path) -> None:
    """A call with a token (UNIMPLEMENTED: the servicer is the generated base), one without (UNAUTHENTICATED),
    and a health check."""
    unbuilt = assign_service_pb2_grpc.AssignServiceServicer()
    binding = GrpcBinding(
        SERVICE, lambda server: assign_service_pb2_grpc.add_AssignServiceServicer_to_server(unbuilt, server)
    )
    server, port = create_server(settings, [binding], HealthServicer())
    await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary(f"/{SERVICE}/{FIRST_METHOD}")
            for metadata in ((("authorization", f"Bearer {_token(tmp_path, 'tenant-a')}"),), ()):
                with pytest.raises(grpc.aio.AioRpcError):
                    await call(SECRET_LOOKING.encode(), metadata=metadata, timeout=5)
            await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
    finally:
        await server.stop(None)


async def test_each_call_of_a_bound_service_logs_one_line_without_the_request(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="leadflow.access"):
        await _calls(_settings(tmp_path, LEADFLOW_ACCESS_LOG="true"), tmp_path)
    lines = [r for r in caplog.records if r.name == "leadflow.access"]
    assert [(r.rpc, r.code, r.tenant) for r in lines] == [  # type: ignore[attr-defined]
        (f"{SERVICE}/{FIRST_METHOD}", "UNIMPLEMENTED", "tenant-a"),
        (f"{SERVICE}/{FIRST_METHOD}", "UNAUTHENTICATED", ""),
    ]
    assert all(r.duration_ms >= 0 for r in lines)  # type: ignore[attr-defined]
    assert SECRET_LOOKING not in caplog.text


async def test_no_access_line_when_it_is_off(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="leadflow.access"):
        await _calls(_settings(tmp_path), tmp_path)
    assert not [r for r in caplog.records if r.name == "leadflow.access"]


async def test_a_service_process_writes_its_access_lines_as_json(tmp_path: Path, nats_server) -> None:  # type: ignore[no-untyped-def]
    env = service_env("assign", tmp_path, nats_server.url, LEADFLOW_ACCESS_LOG="true")
    log_path = tmp_path / "assign.log"
    proc = start_service("assign", env, log_path)
    try:
        wait_serving(proc)
        with grpc.insecure_channel(proc.address) as channel:
            stub = assign_service_pb2_grpc.AssignServiceStub(channel)
            metadata = (("authorization", f"Bearer {_token(tmp_path, 'tenant-b')}"),)
            stub.ListTeams(assign_service_pb2.ListTeamsRequest(), metadata=metadata, timeout=10)

        def access_lines() -> list[dict]:
            return [
                entry
                for line in log_path.read_text().splitlines()
                if line.startswith("{") and (entry := json.loads(line)).get("logger") == "leadflow.access"
            ]

        await eventually(lambda: bool(access_lines()), timeout=10, what="an access line in the log")
        [entry] = access_lines()
        assert (entry["rpc"], entry["code"], entry["tenant"], entry["service"]) == (
            f"{SERVICE}/ListTeams",
            "OK",
            "tenant-b",
            "assign",
        )
        assert isinstance(entry["duration_ms"], float)
    finally:
        if proc.process.poll() is None:
            proc.process.kill()
            proc.process.wait()
