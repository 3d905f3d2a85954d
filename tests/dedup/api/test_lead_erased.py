"""Dedup consumes ``lead.erased`` from ingest's stream on a real nats-server: the erased lead's keys go even though
nobody called ForgetLead (ingest stopped after its commit), and a redelivery changes nothing."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import grpc
import nats

from leadflow.dedup.v1 import dedup_service_pb2 as pb
from leadflow.dedup.v1 import dedup_service_pb2_grpc
from leadflow.ingest.v1 import events_pb2 as ingest_events
from services.common.auth import Role
from services.common.events import INGEST_STREAM, LEAD_ERASED
from services.common.messaging import MSG_ID_HEADER, ensure_stream
from tests.dedup.api.conftest import start_dedup
from tests.dedup.api.test_api import DUPLICATE, NEW, PHONE, claim_request


async def test_lead_erased_forgets_the_keys_without_a_forget_call(tmp_path: Path, nats_server) -> None:  # type: ignore[no-untyped-def]
    running, codec = await start_dedup(tmp_path, nats_server.url)
    ingest = (("authorization", "Bearer " + codec.mint(tenant="t1", role=Role.SERVICE, subject="ingest")),)
    nc = await nats.connect(nats_server.url)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            stub = dedup_service_pb2_grpc.DedupServiceStub(channel)
            claimed = await stub.ClaimLead(
                claim_request("acct", {PHONE: "+8613800138000"}, lead="L1"), metadata=ingest
            )
            kept = await stub.ClaimLead(
                claim_request("acct", {PHONE: "+8613912345678"}, lead="L2"), metadata=ingest
            )
            assert claimed.verdict == NEW and kept.verdict == NEW

            js = nc.jetstream()
            await ensure_stream(js, INGEST_STREAM)
            event = ingest_events.LeadErased(event_id=uuid.uuid4().hex, tenant_id="t1", lead_id="L1")
            for _ in range(2):  # the second publish is dropped by the stream (same Nats-Msg-Id)
                await js.publish(
                    LEAD_ERASED, event.SerializeToString(), headers={MSG_ID_HEADER: event.event_id}
                )

            deadline = time.monotonic() + 15
            while (await stub.ExplainLead(pb.ExplainLeadRequest(lead_id="L1"), metadata=ingest)).keys:
                assert time.monotonic() < deadline, "dedup never forgot the erased lead's keys"
                await asyncio.sleep(0.1)
            again = await stub.ClaimLead(
                claim_request("acct", {PHONE: "+8613800138000"}, lead="L3"), metadata=ingest
            )
            assert again.verdict == NEW and again.canonical_lead_id == "L3"
            other = await stub.ClaimLead(
                claim_request("acct", {PHONE: "+8613912345678"}, lead="L4"), metadata=ingest
            )
            assert (
                other.verdict == DUPLICATE and other.canonical_lead_id == "L2"
            )  # only the erased lead's keys went
    finally:
        await nc.close()
        await running.stop()
