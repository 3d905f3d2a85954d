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

from leadflow.assign.v1 import assign_service_pb2, assign_service_pb2_grpc
from tests.common.helpers import eventually
from tests.platform.helpers import (
    ASSIGN_FIRST_METHOD,
    ASSIGN_SERVICE,
    minted_token,
    service_env,
    start_service,
    unbuilt_assign_server,
    wait_serving,
)

SERVICE, FIRST_METHOD = ASSIGN_SERVICE, ASSIGN_FIRST_METHOD
SECRET_LOOKING = "13800138000"  # sent as the request's bytes: it must never reach the log


async def _calls(tmp_path: Path, **env: str) -> None:
    """A call with a token (UNIMPLEMENTED: the servicer is the generated base), one without (UNAUTHENTICATED),
    and a health check."""
    async with unbuilt_assign_server(tmp_path, **env) as port:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary(f"/{SERVICE}/{FIRST_METHOD}")
            for metadata in ((("authorization", f"Bearer {minted_token(tmp_path, 'tenant-a')}"),), ()):
                with pytest.raises(grpc.aio.AioRpcError):
                    await call(SECRET_LOOKING.encode(), metadata=metadata, timeout=5)
            await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)


async def test_each_call_of_a_bound_service_logs_one_line_without_the_request(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="leadflow.access"):
        await _calls(tmp_path, LEADFLOW_ACCESS_LOG="true")
    lines = [r for r in caplog.records if r.name == "leadflow.access"]
    assert [(r.rpc, r.code, r.tenant) for r in lines] == [  # type: ignore[attr-defined]
        (f"{SERVICE}/{FIRST_METHOD}", "UNIMPLEMENTED", "tenant-a"),
        (f"{SERVICE}/{FIRST_METHOD}", "UNAUTHENTICATED", ""),
    ]
    assert all(r.duration_ms >= 0 for r in lines)  # type: ignore[attr-defined]
    assert SECRET_LOOKING not in caplog.text


async def test_no_access_line_when_it_is_off(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="leadflow.access"):
        await _calls(tmp_path)
    assert not [r for r in caplog.records if r.name == "leadflow.access"]


async def test_a_service_process_writes_its_access_lines_as_json(tmp_path: Path, nats_server) -> None:  # type: ignore[no-untyped-def]
    env = service_env("assign", tmp_path, nats_server.url, LEADFLOW_ACCESS_LOG="true")
    log_path = tmp_path / "assign.log"
    proc = start_service("assign", env, log_path)
    try:
        wait_serving(proc)
        with grpc.insecure_channel(proc.address) as channel:
            stub = assign_service_pb2_grpc.AssignServiceStub(channel)
            metadata = (("authorization", f"Bearer {minted_token(tmp_path, 'tenant-b')}"),)
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
