"""A cheap read on every service, called in a loop during a rolling restart, so each service's own restart is seen
through its own gRPC API (ingest's through SubmitLead, dedup's also through ingest)."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import grpc

from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.assign.v1 import assign_service_pb2_grpc
from leadflow.dedup.v1 import dedup_service_pb2 as dedup_pb
from leadflow.dedup.v1 import dedup_service_pb2_grpc
from leadflow.refund.v1 import refund_service_pb2 as refund_pb
from leadflow.refund.v1 import refund_service_pb2_grpc
from leadflow.telephony.v1 import telephony_service_pb2 as telephony_pb
from leadflow.telephony.v1 import telephony_service_pb2_grpc
from tests.chaos.traffic import ACCOUNT, metadata
from tests.pipeline import PipelineStack

# service -> (stub class, method name, request)
READS: dict[str, tuple[Callable[[Any], Any], str, Any]] = {
    "dedup": (
        dedup_service_pb2_grpc.DedupServiceStub,
        "GetDedupPolicy",
        dedup_pb.GetDedupPolicyRequest(account_id=ACCOUNT),
    ),
    "assign": (
        assign_service_pb2_grpc.AssignServiceStub,
        "ListAgents",
        assign_pb.ListAgentsRequest(page_size=5),
    ),
    "telephony": (
        telephony_service_pb2_grpc.TelephonyServiceStub,
        "GetTelephonySettings",
        telephony_pb.GetTelephonySettingsRequest(),
    ),
    "refund": (
        refund_service_pb2_grpc.RefundServiceStub,
        "GetRefundRules",
        refund_pb.GetRefundRulesRequest(account_id=ACCOUNT),
    ),
}


async def read_until(
    stack: PipelineStack, stop: asyncio.Event, *, grpc_retries: bool, pause: float = 0.05
) -> tuple[int, Counter[str]]:
    """Call every service's read in turn until ``stop`` is set; (calls that succeeded, failures by code)."""
    md = metadata(stack)
    channels = {service: stack.aio_channel(service, retries=grpc_retries) for service in READS}
    methods = {
        service: getattr(stub(channels[service]), method) for service, (stub, method, _) in READS.items()
    }
    ok, failed = 0, Counter[str]()
    try:
        while not stop.is_set():
            for service, (_, _, request) in READS.items():
                try:
                    await methods[service](request, metadata=md, timeout=15)
                    ok += 1
                except grpc.aio.AioRpcError as error:
                    failed[f"{service} {error.code().name}: {error.details()}"] += 1
            await asyncio.sleep(pause)
    finally:
        for channel in channels.values():
            await channel.close()
    return ok, failed
