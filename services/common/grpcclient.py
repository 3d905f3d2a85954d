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


def retry_service_config(service_name: str, *, attempts: int = 3) -> str:
    """Retry UNAVAILABLE only (the call never reached a handler or the server is restarting)."""
    return json.dumps(
        {
            "methodConfig": [
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
        }
    )


def open_channel(address: str, *, service_name: str, tls: TlsSettings | None) -> grpc.aio.Channel:
    options = [
        ("grpc.service_config", retry_service_config(service_name)),
        ("grpc.enable_retries", 1),
        ("grpc.keepalive_time_ms", 30_000),
    ]
    interceptors = [TracingInterceptor()]
    if tls is None:
        return grpc.aio.insecure_channel(address, options=options, interceptors=interceptors)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=tls.ca_bundle, private_key=tls.private_key, certificate_chain=tls.cert_chain
    )
    return grpc.aio.secure_channel(address, credentials, options=options, interceptors=interceptors)
