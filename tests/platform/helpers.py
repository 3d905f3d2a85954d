"""Starting a real service process for platform tests, and talking to it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from leadflow.assign.v1 import assign_service_pb2
from services.common.netutil import free_port

TEST_JWT_KEY = "test-key-" + "x" * 40
# The API ``unbuilt_assign_server`` serves, and its first method (any method answers UNIMPLEMENTED there).
ASSIGN_SERVICE = "leadflow.assign.v1.AssignService"
ASSIGN_FIRST_METHOD = assign_service_pb2.DESCRIPTOR.services_by_name["AssignService"].methods[0].name


def service_env(service: str, data_dir: Path, nats_url: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "LEADFLOW_DATA_DIR": str(data_dir),
            "LEADFLOW_NATS_URL": nats_url,
            "LEADFLOW_JWT_HS256_KEY": TEST_JWT_KEY,
            f"LEADFLOW_{service.upper()}_GRPC_PORT": str(free_port()),
            f"LEADFLOW_{service.upper()}_METRICS_PORT": str(free_port()),
        }
    )
    env.update(extra)
    return env


@dataclass
class ServiceProcess:
    service: str
    process: subprocess.Popen[bytes]
    grpc_port: int
    metrics_port: int
    log_path: Path

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_service(service: str, env: dict[str, str], log_path: Path) -> ServiceProcess:
    with open(log_path, "ab") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", f"services.{service}"], env=env, stdout=log_file, stderr=subprocess.STDOUT
        )
    return ServiceProcess(
        service,
        process,
        int(env[f"LEADFLOW_{service.upper()}_GRPC_PORT"]),
        int(env[f"LEADFLOW_{service.upper()}_METRICS_PORT"]),
        log_path,
    )


def health_status(address: str, service_name: str = "", timeout: float = 1.0) -> int:
    with grpc.insecure_channel(address) as channel:
        reply = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service=service_name), timeout=timeout
        )
        return reply.status


def wait_serving(proc: ServiceProcess, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.process.poll() is not None:
            raise AssertionError(f"{proc.service} exited with {proc.process.returncode}:\n{proc.log()}")
        try:
            if health_status(proc.address) == health_pb2.HealthCheckResponse.SERVING:
                return
        except grpc.RpcError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{proc.service} not SERVING after {timeout}s:\n{proc.log()}")


def minted_token(data_dir: Path, tenant: str = "t1", role: str = "admin") -> str:
    """A token the test services accept (``TEST_JWT_KEY``)."""
    from services.common.auth import TokenCodec
    from services.common.config import AuthSettings, Env

    auth = AuthSettings.from_env(Env({"LEADFLOW_JWT_HS256_KEY": TEST_JWT_KEY}), data_dir)
    return TokenCodec(auth).mint(tenant=tenant, role=role)


@contextlib.asynccontextmanager
async def unbuilt_assign_server(data_dir: Path, **env: str) -> AsyncIterator[int]:
    """The runtime's gRPC server in this process, serving assign's API with the generated base servicer (every
    method UNIMPLEMENTED) and health, on a free port it yields; ``env``: more settings."""
    from grpc_health.v1._async import HealthServicer

    from leadflow.assign.v1 import assign_service_pb2_grpc
    from services.common.config import ServiceSettings
    from services.common.grpcserver.bindings import GrpcBinding
    from services.common.grpcserver.server import create_server

    settings = ServiceSettings.from_env(
        "assign",
        {
            "LEADFLOW_DATA_DIR": str(data_dir),
            "LEADFLOW_JWT_HS256_KEY": TEST_JWT_KEY,
            "LEADFLOW_ASSIGN_GRPC_PORT": "0",
            **env,
        },
    )
    unbuilt = assign_service_pb2_grpc.AssignServiceServicer()
    binding = GrpcBinding(
        "leadflow.assign.v1.AssignService",
        lambda server: assign_service_pb2_grpc.add_AssignServiceServicer_to_server(unbuilt, server),
    )
    server, port = create_server(settings, [binding], HealthServicer())
    await server.start()
    try:
        yield port
    finally:
        await server.stop(None)
