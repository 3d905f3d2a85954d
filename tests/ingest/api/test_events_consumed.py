"""Events from other services, published to their real streams: dead numbers, refunds, assignment, contact."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from leadflow.assign.v1 import events_pb2 as assign_events
from leadflow.common.v1 import call_pb2, lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from leadflow.refund.v1 import events_pb2 as refund_events
from leadflow.refund.v1 import refund_service_pb2 as refund_pb
from leadflow.telephony.v1 import events_pb2 as telephony_events
from services.common.config import Env
from services.common.events import (
    ASSIGN_STREAM,
    CALL_COMPLETED,
    LEAD_ASSIGNED,
    REFUND_ISSUED,
    REFUND_STREAM,
    TELEPHONY_STREAM,
)
from services.common.messaging import MSG_ID_HEADER, ensure_stream
from services.common.protoconv import encrypted_value
from services.common.sealing import LEAD_PHONE, KeyRing, Sealer
from tests.ingest.helpers import lead_request, mobile, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _publish(stack, stream, subject: str, event) -> None:
    nc = await stack.nats()
    try:
        js = nc.jetstream()
        await ensure_stream(js, stream)
        await js.publish(subject, event.SerializeToString(), headers={MSG_ID_HEADER: event.event_id})
    finally:
        await nc.close()


async def _lead_eventually(stack, tenant, lead_id, condition, timeout: float = 15.0) -> pb.Lead:
    ingest = stack.ingest_stub()
    deadline = time.monotonic() + timeout
    while True:
        lead = (
            await ingest.GetLead(pb.GetLeadRequest(lead_id=lead_id), metadata=stack.metadata(tenant))
        ).lead
        if condition(lead):
            return lead
        assert time.monotonic() < deadline, f"lead never reached the expected state: {lead}"
        await asyncio.sleep(0.1)


def _call_completed(
    tenant: str, lead_id: str, outcome: int, phone: str = "", sealer: Sealer | None = None
) -> telephony_events.CallCompleted:
    """A call.completed as telephony publishes it: the lead's phone sealed (with the stack's key)."""
    event = telephony_events.CallCompleted(
        event_id=uuid.uuid4().hex,
        tenant_id=tenant,
        lead_id=lead_id,
        call_id=unique("call"),
        outcome=outcome,
        account_id="acct-1",
        attempt_number=1,
    )
    if phone and sealer is not None:
        event.encrypted_lead_phone.CopyFrom(encrypted_value(sealer.seal(tenant, LEAD_PHONE, phone)))
    return event


async def test_dead_number_from_a_call_rejects_later_leads(stack) -> None:
    tenant = unique("tenant")
    md = stack.metadata(tenant)
    ingest = stack.ingest_stub()
    phone = mobile()
    lead = (await ingest.SubmitLead(lead_request(phone=phone), metadata=md)).lead
    await _publish(
        stack,
        TELEPHONY_STREAM,
        CALL_COMPLETED,
        _call_completed(tenant, lead.id, call_pb2.CALL_OUTCOME_EMPTY_NUMBER),
    )
    deadline = time.monotonic() + 15
    while True:
        reply = await ingest.SubmitLead(lead_request(phone=phone), metadata=md)
        if reply.verdict == lead_pb2.LEAD_VERDICT_REJECTED:
            break
        assert time.monotonic() < deadline, "the dead number was never recorded"
        await asyncio.sleep(0.2)
    assert [r.code for r in reply.rejection_reasons] == [pb.REJECTION_CODE_PHONE_DEAD_NUMBER]
    assert reply.rejection_reasons[0].rule == "phone.dead_number"
    # Another tenant's leads with the same number are not affected.
    other = await ingest.SubmitLead(lead_request(phone=phone), metadata=stack.metadata(unique("other")))
    assert other.verdict == lead_pb2.LEAD_VERDICT_NEW


async def test_suspended_number_from_the_event_phone(stack) -> None:
    tenant = unique("tenant")
    md = stack.metadata(tenant)
    phone = mobile()
    # The lead is not ingest's (e.g. created before a migration): the event's own phone is used.
    await _publish(
        stack,
        TELEPHONY_STREAM,
        CALL_COMPLETED,
        _call_completed(
            tenant,
            "unknown-lead",
            call_pb2.CALL_OUTCOME_SUSPENDED,
            "+86" + phone,
            Sealer(KeyRing.from_env(Env(stack.env), stack.tmp)),
        ),
    )
    ingest = stack.ingest_stub()
    deadline = time.monotonic() + 15
    while (
        reply := await ingest.SubmitLead(lead_request(phone=phone), metadata=md)
    ).verdict != lead_pb2.LEAD_VERDICT_REJECTED:
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    assert reply.rejection_reasons[0].code == pb.REJECTION_CODE_PHONE_DEAD_NUMBER


async def test_status_follows_assignment_contact_and_refund(stack) -> None:
    tenant = unique("tenant")
    md = stack.metadata(tenant)
    lead = (await stack.ingest_stub().SubmitLead(lead_request(), metadata=md)).lead
    await _publish(
        stack,
        ASSIGN_STREAM,
        LEAD_ASSIGNED,
        assign_events.LeadAssigned(
            event_id=uuid.uuid4().hex,
            tenant_id=tenant,
            lead_id=lead.id,
            assignment_id="a1",
            agent_id="agent-1",
        ),
    )
    await _lead_eventually(stack, tenant, lead.id, lambda x: x.status == lead_pb2.LEAD_STATUS_ASSIGNED)
    await _publish(
        stack,
        TELEPHONY_STREAM,
        CALL_COMPLETED,
        _call_completed(tenant, lead.id, call_pb2.CALL_OUTCOME_ANSWERED),
    )
    await _lead_eventually(stack, tenant, lead.id, lambda x: x.status == lead_pb2.LEAD_STATUS_CONTACTED)
    refund = refund_events.RefundIssued(
        event_id=uuid.uuid4().hex,
        tenant_id=tenant,
        lead_id=lead.id,
        refund_id="r1",
        case_id="c1",
        account_id="acct-1",
        reason=refund_pb.REFUND_REASON_NEVER_REACHED,
    )
    await _publish(stack, REFUND_STREAM, REFUND_ISSUED, refund)
    await _publish(stack, REFUND_STREAM, REFUND_ISSUED, refund)  # a redelivery changes nothing
    invalid = await _lead_eventually(
        stack, tenant, lead.id, lambda x: x.status == lead_pb2.LEAD_STATUS_INVALID
    )
    assert invalid.invalid_reason == "NEVER_REACHED"
    # Final: a late assignment does not move it back.
    await _publish(
        stack,
        ASSIGN_STREAM,
        LEAD_ASSIGNED,
        assign_events.LeadAssigned(
            event_id=uuid.uuid4().hex,
            tenant_id=tenant,
            lead_id=lead.id,
            assignment_id="a2",
            agent_id="agent-2",
        ),
    )
    await asyncio.sleep(1.0)
    still = await _lead_eventually(stack, tenant, lead.id, lambda x: True)
    assert still.status == lead_pb2.LEAD_STATUS_INVALID


async def test_refund_for_empty_number_marks_invalid_with_reason(stack) -> None:
    tenant = unique("tenant")
    md = stack.metadata(tenant)
    lead = (await stack.ingest_stub().SubmitLead(lead_request(), metadata=md)).lead
    await _publish(
        stack,
        REFUND_STREAM,
        REFUND_ISSUED,
        refund_events.RefundIssued(
            event_id=uuid.uuid4().hex,
            tenant_id=tenant,
            lead_id=lead.id,
            refund_id="r1",
            reason=refund_pb.REFUND_REASON_EMPTY_NUMBER,
        ),
    )
    invalid = await _lead_eventually(
        stack, tenant, lead.id, lambda x: x.status == lead_pb2.LEAD_STATUS_INVALID
    )
    assert invalid.invalid_reason == "EMPTY_NUMBER"
