"""The shared server runtime, exercised through a real service process (assign; every behaviour checked here is
the runtime's, before any handler runs): health, shutdown order, auth, bad input, metrics."""

from __future__ import annotations

import signal
import time
import urllib.request
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from services.common.auth import TokenCodec
from services.common.config import AuthSettings, Env
from services.common.grpc_errors import error_info_of, field_violations_of
from tests.platform.helpers import (
    ASSIGN_FIRST_METHOD,
    ASSIGN_SERVICE,
    ServiceProcess,
    minted_token,
    service_env,
    start_service,
    unbuilt_assign_server,
    wait_serving,
)

SERVICE, FIRST_METHOD = ASSIGN_SERVICE, ASSIGN_FIRST_METHOD


@pytest.fixture
def assign(tmp_path: Path, nats_server) -> ServiceProcess:  # type: ignore[no-untyped-def]
    env = service_env("assign", tmp_path, nats_server.url, LEADFLOW_SHUTDOWN_DELAY_SECONDS="1.5")
    proc = start_service("assign", env, tmp_path / "assign.log")
    wait_serving(proc)
    yield proc
    if proc.process.poll() is None:
        proc.process.kill()
        proc.process.wait()


def _raw_call(address: str, method: str, payload: bytes, metadata: tuple = ()) -> bytes:
    with grpc.insecure_channel(address) as channel:
        call = channel.unary_unary(f"/{SERVICE}/{method}")
        return call(payload, metadata=metadata, timeout=5)


def test_health_serves_overall_and_per_service(assign: ServiceProcess) -> None:
    with grpc.insecure_channel(assign.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for name in ("", SERVICE):
            reply = stub.Check(health_pb2.HealthCheckRequest(service=name), timeout=2)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING


def test_reflection_lists_the_service_and_health(assign: ServiceProcess) -> None:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    with grpc.insecure_channel(assign.address) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]), timeout=5
        )
        names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert {SERVICE, "grpc.health.v1.Health"} <= names


def test_sigterm_turns_health_not_serving_before_the_port_closes(assign: ServiceProcess) -> None:
    with grpc.insecure_channel(assign.address) as channel:
        watch = health_pb2_grpc.HealthStub(channel).Watch(
            health_pb2.HealthCheckRequest(service=""), timeout=20
        )
        first = next(watch)
        assert first.status == health_pb2.HealthCheckResponse.SERVING
        assign.process.send_signal(signal.SIGTERM)
        second = next(watch)
        assert second.status == health_pb2.HealthCheckResponse.NOT_SERVING
        # The port still answers after NOT_SERVING was announced (the shutdown delay), then closes.
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=""), timeout=2
        )
        assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING
    assert assign.process.wait(timeout=30) == 0
    with pytest.raises(grpc.RpcError) as refused, grpc.insecure_channel(assign.address) as channel:
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
    assert refused.value.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
    assert '"service stopped"' in assign.log()


def test_a_request_without_a_token_is_unauthenticated(assign: ServiceProcess) -> None:
    with pytest.raises(grpc.RpcError) as err:
        _raw_call(assign.address, FIRST_METHOD, b"")
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED
    info = error_info_of(err.value)
    assert info is not None and info.reason == "TOKEN_MISSING" and info.domain == "leadflow.io"


def test_a_forged_token_is_unauthenticated(assign: ServiceProcess, tmp_path: Path) -> None:
    forged = TokenCodec(AuthSettings.from_env(Env({"LEADFLOW_JWT_HS256_KEY": "z" * 40}), tmp_path)).mint(
        tenant="t1", role="admin"
    )
    with pytest.raises(grpc.RpcError) as err:
        _raw_call(assign.address, FIRST_METHOD, b"", (("authorization", f"Bearer {forged}"),))
    assert err.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_role_that_may_not_call_is_permission_denied(assign: ServiceProcess, tmp_path: Path) -> None:
    # Unlisted methods default to admin and service roles; an agent token is refused before the servicer runs.
    with pytest.raises(grpc.RpcError) as err:
        _raw_call(
            assign.address,
            FIRST_METHOD,
            b"",
            (("authorization", f"Bearer {minted_token(tmp_path, role='agent')}"),),
        )
    assert err.value.code() == grpc.StatusCode.PERMISSION_DENIED


def _code_of(address: str, metadata: tuple) -> grpc.StatusCode:
    try:
        _raw_call(address, FIRST_METHOD, b"", metadata)
    except grpc.RpcError as err:
        return err.code()
    return grpc.StatusCode.OK


def test_each_call_of_a_method_is_judged_by_its_own_metadata(assign: ServiceProcess, tmp_path: Path) -> None:
    """The interceptor wraps a method's handler once, at its first call; every later call of the method is still
    authenticated with that call's own token (none, a refused role, an admin's), in any order."""
    admin = (("authorization", f"Bearer {minted_token(tmp_path, role='admin')}"),)
    agent = (("authorization", f"Bearer {minted_token(tmp_path, role='agent')}"),)
    refused = (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED)
    codes = [_code_of(assign.address, metadata) for metadata in (admin, (), agent, admin, (), admin)]
    assert codes[0] not in refused and codes[3] not in refused and codes[5] not in refused, codes
    assert codes[1] == codes[4] == grpc.StatusCode.UNAUTHENTICATED, codes
    assert codes[2] == grpc.StatusCode.PERMISSION_DENIED, codes


def test_a_malformed_request_is_invalid_argument_with_a_field_violation(
    assign: ServiceProcess, tmp_path: Path
) -> None:
    garbage = b"\xff\xff\xff\xff\x0f"  # not a protobuf message
    with pytest.raises(grpc.RpcError) as err:
        _raw_call(
            assign.address,
            FIRST_METHOD,
            garbage,
            (("authorization", f"Bearer {minted_token(tmp_path, role='admin')}"),),
        )
    assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert field_violations_of(err.value) == [("request", "the request message could not be decoded")]


async def test_an_unbuilt_method_is_unimplemented_not_internal(tmp_path: Path) -> None:
    """The runtime's server with a servicer whose methods are not built (the generated base class)."""
    async with unbuilt_assign_server(tmp_path) as port:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            call = channel.unary_unary(f"/{SERVICE}/{FIRST_METHOD}")
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await call(b"", metadata=(("authorization", f"Bearer {minted_token(tmp_path)}"),), timeout=5)
    assert err.value.code() == grpc.StatusCode.UNIMPLEMENTED


def test_metrics_page_parses_and_has_the_grpc_metrics(assign: ServiceProcess, tmp_path: Path) -> None:
    with pytest.raises(grpc.RpcError):
        _raw_call(assign.address, FIRST_METHOD, b"")
    time.sleep(0.2)
    with urllib.request.urlopen(f"http://127.0.0.1:{assign.metrics_port}/metrics", timeout=5) as response:
        text = response.read().decode()
    families = {f.name: f for f in text_string_to_metric_families(text)}
    for name in (
        "grpc_server_started",
        "grpc_server_handled",
        "grpc_server_handling_seconds",
        "leadflow_outbox_backlog",
        "leadflow_outbox_relay_lag_seconds",
        "leadflow_dead_letters",
    ):
        assert name in families, f"{name} missing from /metrics"
    handled = [
        s
        for s in families["grpc_server_handled"].samples
        if s.name == "grpc_server_handled_total" and s.labels.get("grpc_method") == FIRST_METHOD
    ]
    assert handled and handled[0].labels["grpc_code"] == "UNAUTHENTICATED" and handled[0].value >= 1
