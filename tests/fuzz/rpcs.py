"""Every public RPC of the five services, read from the generated descriptors (never listed by hand), with a
callable for any channel."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, MethodDescriptor
from google.protobuf.message import Message

SERVICE_MODULES = {
    "dedup": "leadflow.dedup.v1.dedup_service_pb2",
    "ingest": "leadflow.ingest.v1.ingest_service_pb2",
    "assign": "leadflow.assign.v1.assign_service_pb2",
    "telephony": "leadflow.telephony.v1.telephony_service_pb2",
    "refund": "leadflow.refund.v1.refund_service_pb2",
}


@dataclass(frozen=True)
class Rpc:
    service: str  # "ingest"
    full_service: str  # "leadflow.ingest.v1.IngestService"
    method: str  # "SubmitLead"
    descriptor: MethodDescriptor

    @property
    def id(self) -> str:
        return f"{self.service}.{self.method}"

    @property
    def path(self) -> str:
        return f"/{self.full_service}/{self.method}"

    @property
    def input(self) -> Descriptor:
        return self.descriptor.input_type

    @property
    def client_streaming(self) -> bool:
        return bool(self.descriptor.client_streaming)

    @property
    def server_streaming(self) -> bool:
        return bool(self.descriptor.server_streaming)

    def request_class(self) -> type[Message]:
        return message_factory.GetMessageClass(self.input)

    def callable(self, channel: grpc.Channel) -> Callable[..., Any]:
        output = message_factory.GetMessageClass(self.descriptor.output_type)
        make = {
            (False, False): channel.unary_unary,
            (False, True): channel.unary_stream,
            (True, False): channel.stream_unary,
            (True, True): channel.stream_stream,
        }[(self.client_streaming, self.server_streaming)]
        return make(  # type: ignore[no-any-return]
            self.path,
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=output.FromString,
        )


def all_rpcs() -> list[Rpc]:
    """Every method of every service in ``SERVICE_MODULES``, in declaration order."""
    rpcs: list[Rpc] = []
    for service, module_name in SERVICE_MODULES.items():
        module = importlib.import_module(module_name)
        for service_descriptor in module.DESCRIPTOR.services_by_name.values():
            for method in service_descriptor.methods:
                rpcs.append(Rpc(service, service_descriptor.full_name, method.name, method))
    return rpcs


RPCS = all_rpcs()
