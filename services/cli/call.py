"""`leadflow call SERVICE/METHOD [JSON]`: one unary RPC of the five services, its request and answer in the proto3 JSON
mapping (lowerCamelCase fields, enums by name, a FieldMask as one comma-separated string), the way grpcurl takes
and prints them, without installing anything.

``SERVICE`` is the service's proto name, full (``leadflow.refund.v1.RefundService``) or short (``RefundService``);
the address defaults to the service's default port on 127.0.0.1 (ARCHITECTURE §7: ingest 50051 … refund 50055);
the token comes from ``--token`` or ``LEADFLOW_TOKEN`` (``leadflow token`` mints one, ``make run`` prints one).

Exit codes: 0 answered; 1 the service answered with an error (its code, message, and each field violation or
reason on a line of its own, on stderr); 2 a request this command cannot send (unknown method, JSON that does not
fit the request message, a streaming method).
"""

from __future__ import annotations

import importlib
import os
import sys
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message_factory import GetMessageClass

from services.cli import stackfile
from services.common.config import SERVICES, Env
from services.common.grpc_errors import error_info_of, field_violations_of

_PACKAGE_OF = {service: f"leadflow.{service}.v1" for service in SERVICES}


class CallError(ValueError):
    """A request this command cannot send; the message says why."""


@dataclass(frozen=True)
class Target:
    service: str  # leadflow's service name: ingest, dedup, …
    method: MethodDescriptor


def _services() -> dict[str, tuple[str, ServiceDescriptor]]:
    """Every gRPC service of the five, by full and by short name."""
    found: dict[str, tuple[str, ServiceDescriptor]] = {}
    for name in SERVICES:
        module = importlib.import_module(f"leadflow.{name}.v1.{name}_service_pb2")
        for descriptor in module.DESCRIPTOR.services_by_name.values():
            found[descriptor.full_name] = (name, descriptor)
            found[descriptor.name] = (name, descriptor)
    return found


def resolve(name: str) -> Target:
    """``Service/Method`` (a ``.`` before the method is accepted too). Raises CallError naming what exists."""
    service_name, slash, method_name = name.rpartition("/")
    if not slash:
        service_name, _, method_name = name.rpartition(".")
    services = _services()
    if service_name not in services:
        known = sorted({d.name for _, d in services.values()})
        raise CallError(f"no service {service_name!r}; one of {', '.join(known)}")
    service, descriptor = services[service_name]
    method = descriptor.methods_by_name.get(method_name)
    if method is None:
        raise CallError(
            f"{descriptor.name} has no method {method_name!r}; it has {', '.join(sorted(descriptor.methods_by_name))}"
        )
    if method.client_streaming or method.server_streaming:
        raise CallError(f"{descriptor.name}/{method.name} streams; this command makes unary calls only")
    return Target(service, method)


def request_message(target: Target, body: str) -> Any:
    """The request from its JSON; raises CallError naming the field JSON mapping refused."""
    message = GetMessageClass(target.method.input_type)()
    try:
        json_format.Parse(body or "{}", message)
    except json_format.ParseError as error:
        raise CallError(f"the JSON does not fit {target.method.input_type.full_name}: {error}") from None
    return message


def describe_error(error: grpc.RpcError) -> list[str]:
    """The status code and message, then each field violation and error reason of its rich details."""
    code = error.code()  # type: ignore[attr-defined]
    lines = [f"{code.name}: {error.details()}"]  # type: ignore[attr-defined]
    lines += [f"  {field}: {description}" for field, description in field_violations_of(error)]
    info = error_info_of(error)
    if info is not None:
        lines.append(f"  reason {info.reason} ({info.domain})")
        lines += [f"  {key}: {value}" for key, value in sorted(info.metadata.items())]
    return lines


def run_call(name: str, body: str, address: str | None, token: str | None, timeout: float) -> int:
    try:
        target = resolve(name)
        request = request_message(target, body)
    except CallError as error:
        print(f"leadflow call: {error}", file=sys.stderr)
        return 2
    address = address or f"127.0.0.1:{stackfile.grpc_port(Env(), target.service)}"
    response_class = GetMessageClass(target.method.output_type)
    metadata = [("authorization", f"Bearer {token}")] if token else []
    with grpc.insecure_channel(address) as channel:
        stub = channel.unary_unary(
            f"/{target.method.containing_service.full_name}/{target.method.name}",
            request_serializer=lambda message: message.SerializeToString(),
            response_deserializer=response_class.FromString,
        )
        try:
            response = stub(request, metadata=metadata, timeout=timeout)
        except grpc.RpcError as error:
            print("\n".join(describe_error(error)), file=sys.stderr)
            return 1
    try:
        print(json_format.MessageToJson(response, ensure_ascii=False, indent=2), flush=True)
    except BrokenPipeError:
        # The reader stopped early (`| head`): not an error of the call. Python's own recipe: point stdout at
        # devnull so the interpreter's flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0
