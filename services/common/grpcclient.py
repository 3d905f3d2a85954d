"""Outbound gRPC channels between services: TLS when configured, and retries only through the service config."""

from __future__ import annotations

import json

import grpc

from services.common.config import TlsSettings


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
    if tls is None:
        return grpc.aio.insecure_channel(address, options=options)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=tls.ca_bundle, private_key=tls.private_key, certificate_chain=tls.cert_chain
    )
    return grpc.aio.secure_channel(address, credentials, options=options)
