"""Outbound gRPC channels between services: TLS when configured, retries only through the service config, and the
caller's trace carried to the callee (a CLIENT span per unary call, ``services.common.telemetry``)."""

from __future__ import annotations

import json
from typing import Any

import grpc

from services.common import telemetry, tracecontext
from services.common.config import TlsSettings


class TracingInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """Sends the ``traceparent`` of a CLIENT span (child of the work running now) with every unary call, so the
    callee's SERVER span joins the caller's trace."""

    async def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        method = client_call_details.method
        name = method.decode() if isinstance(method, bytes) else str(method)
        with telemetry.span(
            name.strip("/"), telemetry.CLIENT, tracecontext.current(), telemetry.rpc_attributes(name)
        ) as current:
            metadata = list(client_call_details.metadata or ())
            metadata.append(("traceparent", tracecontext.current() or ""))
            details = client_call_details._replace(metadata=grpc.aio.Metadata(*metadata))
            call = await continuation(details, request)
            code = await call.code()
            if code is not grpc.StatusCode.OK:
                telemetry.mark_error(current, code.name)
            return call


def client_service_config(service_name: str, *, attempts: int = 3) -> str:
    """The service config of leadflow's clients (gRPC's service config JSON, gRFC A6 retries and A17 health).

    - Retry UNAVAILABLE only (the call never reached a handler or the server is restarting), ``attempts`` in all,
      backoff 50 ms doubling to 500 ms; ``attempts=1``: no retries.
    - ``round_robin`` over every address the name resolves to, with client-side health checking of the overall
      service (``healthCheckConfig``, the grpc.health.v1 Watch): a server that has entered graceful shutdown says
      NOT_SERVING for ``LEADFLOW_SHUTDOWN_DELAY_SECONDS`` before it stops, and in that time clients stop sending it
      calls. Without it a client keeps sending to the draining server until its GOAWAY, and the calls that reach
      it then, not yet matched to a handler, end CANCELLED (grpc/grpc#41785), which no retry policy retries.
    """
    config: dict[str, object] = {
        "loadBalancingConfig": [{"round_robin": {}}],
        "healthCheckConfig": {"serviceName": ""},
    }
    if attempts > 1:  # a retry policy needs at least two attempts (gRFC A6); one means no retries
        config["methodConfig"] = [
            {
                "name": [{"service": service_name}],
                "retryPolicy": {
                    "maxAttempts": attempts,
                    "initialBackoff": "0.05s",
                    "maxBackoff": "0.5s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            }
        ]
    return json.dumps(config)


# Reconnect to an address that refused within a second, not gRPC's default of up to 120 s: a replica's address
# refuses until its process is up (a rolling update, a restart), and round robin can use it only once connected.
RECONNECT_OPTIONS: tuple[tuple[str, int], ...] = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
)


def open_channel(address: str, *, service_name: str, tls: TlsSettings | None) -> grpc.aio.Channel:
    options = [
        ("grpc.service_config", client_service_config(service_name)),
        ("grpc.enable_retries", 1),
        ("grpc.keepalive_time_ms", 30_000),
        *RECONNECT_OPTIONS,
    ]
    interceptors = [TracingInterceptor()]
    if tls is None:
        return grpc.aio.insecure_channel(address, options=options, interceptors=interceptors)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=tls.ca_bundle, private_key=tls.private_key, certificate_chain=tls.cert_chain
    )
    return grpc.aio.secure_channel(address, credentials, options=options, interceptors=interceptors)
