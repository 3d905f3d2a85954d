"""Server bootstrap: ``create_server`` builds a grpc.aio server with health, reflection and the interceptor.

Split from running it (as grpc/grpc's examples do), so tests can create a server on port 0 in-process.
"""

from __future__ import annotations

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer
from grpc_reflection.v1alpha import reflection

from services.common.auth import TokenCodec
from services.common.config import ServiceSettings
from services.common.grpcserver.bindings import GrpcBinding
from services.common.grpcserver.interceptor import ServerInterceptor

OVERALL = ""  # the empty service name is the server's overall health


class PortInUse(RuntimeError):
    def __init__(self, address: str) -> None:
        super().__init__(
            f"cannot listen on {address}: the port is taken. Stop what uses it or choose another port "
            "with the service's *_GRPC_PORT variable (0 picks a free one)."
        )


def create_server(
    settings: ServiceSettings, bindings: list[GrpcBinding], health: HealthServicer
) -> tuple[grpc.aio.Server, int]:
    """Build the server and bind its port; returns (server, port). Call ``await server.start()`` next."""
    options = [
        ("grpc.max_receive_message_length", settings.max_message_bytes),
        ("grpc.max_send_message_length", settings.max_message_bytes),
        ("grpc.so_reuseport", 0),  # two processes on one port would split traffic silently
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.min_ping_interval_without_data_ms", 10_000),
    ]
    server = grpc.aio.server(
        interceptors=[ServerInterceptor(bindings, TokenCodec(settings.auth), access_log=settings.access_log)],
        options=options,
    )
    for binding in bindings:
        binding.add_to_server(server)
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    names = [b.service_name for b in bindings]
    reflection.enable_server_reflection(
        [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME], server
    )
    address = f"{settings.grpc_host}:{settings.grpc_port}"
    try:
        if settings.tls is None:
            port = server.add_insecure_port(address)
        else:
            credentials = grpc.ssl_server_credentials(
                [(settings.tls.private_key, settings.tls.cert_chain)],
                root_certificates=settings.tls.ca_bundle,
                require_client_auth=settings.tls.ca_bundle is not None,
            )
            port = server.add_secure_port(address, credentials)
    except RuntimeError:
        raise PortInUse(address) from None
    if port == 0:
        raise PortInUse(address)
    return server, port


async def set_serving(health: HealthServicer, bindings: list[GrpcBinding], serving: bool) -> None:
    status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
    for name in [OVERALL, *(b.service_name for b in bindings)]:
        await health.set(name, status)
