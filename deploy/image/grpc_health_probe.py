"""Exec probe for gRPC health over TLS/mTLS, which the kubelet's native gRPC probe cannot speak.

Usage: ``python /app/bin/grpc_health_probe.py --port 50051 --service NAME --server-name leadflow-ingest``.
Reads LEADFLOW_TLS_CERT_FILE / LEADFLOW_TLS_KEY_FILE / LEADFLOW_TLS_CA_FILE, as the server does. Exit 0 when the
service is SERVING, 1 when it answers anything else, 2 when it cannot be reached in time. (Protocol:
grpc/grpc doc/health-checking.md.)
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def _read(variable: str) -> bytes | None:
    path = os.environ.get(variable)
    return Path(path).read_bytes() if path else None


def check(port: int, service: str, server_name: str, timeout: float) -> int:
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read("LEADFLOW_TLS_CA_FILE"),
        private_key=_read("LEADFLOW_TLS_KEY_FILE"),
        certificate_chain=_read("LEADFLOW_TLS_CERT_FILE"),
    )
    options = [("grpc.ssl_target_name_override", server_name)]
    with grpc.secure_channel(f"127.0.0.1:{port}", credentials, options=options) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout
            )
        except grpc.RpcError as exc:
            print(f"health check failed: {exc.code().name}", file=sys.stderr)
            return 2
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        print(f"status {health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--service", default="")
    parser.add_argument("--server-name", required=True, help="a DNS name in the server's certificate")
    parser.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args(argv)
    return check(args.port, args.service, args.server_name, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
