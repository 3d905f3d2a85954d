"""SubmitLead through a real ingest and a real dedup: each verdict, the lead's accounts, and the events."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from google.protobuf import duration_pb2, field_mask_pb2

from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as dedup_pb
from leadflow.ingest.v1 import events_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.config import Env
from services.common.events import INGEST_STREAM, LEAD_ACCEPTED, LEAD_DUPLICATE, LEAD_REJECTED
from services.common.grpc_errors import error_info_of, field_violations_of
from services.common.protoconv import sealed_value
from services.common.sealing import LEAD_PHONE, KeyRing, Sealer
from tests.common.helpers import read_stream
from tests.ingest.helpers import ago, lead_request, mobile, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_new_then_duplicate_attaches_to_the_same_lead(stack) -> None:
    tenant = unique("tenant")
    ingest = stack.ingest_stub()
    md = stack.metadata(tenant)
    phone = mobile()
    first = await ingest.SubmitLead(lead_request(phone=phone), metadata=md)
    assert first.verdict == lead_pb2.LEAD_VERDICT_NEW
    assert first.lead.phone == "+86" + phone
    assert first.lead.status == lead_pb2.LEAD_STATUS_NEW
    assert first.lead.submission_count == 1
    assert first.submission.lead_id == first.lead.id

    second = await ingest.SubmitLead(lead_request(phone="+86 " + phone[:3] + "-" + phone[3:]), metadata=md)
    assert second.verdict == lead_pb2.LEAD_VERDICT_DUPLICATE
    assert second.lead.id == first.lead.id
    assert second.duplicate_of_lead_id == first.lead.id
    assert [m.dimension for m in second.matches] == [lead_pb2.DEDUP_DIMENSION_PHONE]
    assert second.lead.submission_count == 2

    history = await ingest.ListLeadSubmissions(
        pb.ListLeadSubmissionsRequest(lead_id=first.lead.id), metadata=md
    )
    assert [s.id for s in history.submissions] == [first.submission.id, second.submission.id]


async def test_returning_outside_the_window_is_a_new_linked_lead(stack) -> None:
    tenant = unique("tenant")
    md_admin = stack.metadata(tenant, "admin")
    await stack.dedup_stub().UpdateDedupPolicy(
        dedup_pb.UpdateDedupPolicyRequest(
            policy=dedup_pb.DedupPolicy(
                account_id="acct-1",
                windows=[
                    dedup_pb.DimensionWindow(
                        dimension=lead_pb2.DEDUP_DIMENSION_PHONE, window=duration_pb2.Duration(seconds=86400)
                    )
                ],
            ),
            update_mask=field_mask_pb2.FieldMask(paths=["windows"]),
        ),
        metadata=md_admin,
    )
    ingest = stack.ingest_stub()
    md = stack.metadata(tenant)
    phone = mobile()
    old = await ingest.SubmitLead(lead_request(phone=phone, submit_time=ago(days=10)), metadata=md)
    assert old.verdict == lead_pb2.LEAD_VERDICT_NEW
    again = await ingest.SubmitLead(lead_request(phone=phone), metadata=md)
    assert again.verdict == lead_pb2.LEAD_VERDICT_RETURNING
    assert again.lead.id != old.lead.id
    assert again.returning_of_lead_id == old.lead.id
    assert again.lead.returning_of_lead_id == old.lead.id
    assert again.lead.verdict == lead_pb2.LEAD_VERDICT_RETURNING


async def test_rejected_with_reasons_is_stored_and_creates_no_lead(stack) -> None:
    tenant = unique("tenant")
    ingest = stack.ingest_stub()
    md = stack.metadata(tenant)
    reply = await ingest.SubmitLead(lead_request(phone="1380013800"), metadata=md)  # ten digits
    assert reply.verdict == lead_pb2.LEAD_VERDICT_REJECTED
    assert not reply.HasField("lead")
    assert [r.code for r in reply.rejection_reasons] == [pb.REJECTION_CODE_PHONE_INVALID]
    assert reply.rejection_reasons[0].field == "phone"
    assert "1380013800" not in str(reply.rejection_reasons)
    assert reply.submission.id and reply.submission.verdict == lead_pb2.LEAD_VERDICT_REJECTED

    empty = await ingest.SubmitLead(lead_request(phone="", name="李四"), metadata=md)
    assert [r.code for r in empty.rejection_reasons] == [pb.REJECTION_CODE_CONTACT_MISSING]

    listed = await ingest.ListLeads(pb.ListLeadsRequest(), metadata=md)
    assert listed.total_size == 0


async def test_collection_and_ad_account_resolve_to_one_lead(stack) -> None:
    tenant = unique("tenant")
    ingest = stack.ingest_stub()
    md = stack.metadata(tenant)
    phone = mobile()
    first = await ingest.SubmitLead(
        lead_request(phone=phone, account_id="ad-1", collect_account_id="collect-1"), metadata=md
    )
    assert first.verdict == lead_pb2.LEAD_VERDICT_NEW
    assert list(first.lead.account_ids) == ["ad-1", "collect-1"]
    # The same person later submitted under the collection account alone: the same lead.
    later = await ingest.SubmitLead(lead_request(phone=phone, account_id="collect-1"), metadata=md)
    assert later.verdict == lead_pb2.LEAD_VERDICT_DUPLICATE
    assert later.lead.id == first.lead.id
    for account in ("ad-1", "collect-1"):
        page = await ingest.ListLeads(pb.ListLeadsRequest(account_id=account), metadata=md)
        assert [lead.id for lead in page.leads] == [first.lead.id]
    got = await ingest.GetLead(
        pb.GetLeadRequest(lead_id=first.lead.id), metadata=stack.metadata(tenant, "agent")
    )
    assert got.lead.submission_count == 2
    assert got.lead.status == lead_pb2.LEAD_STATUS_NEW


async def test_wechat_mobile_becomes_the_phone_and_dedups(stack) -> None:
    tenant = unique("tenant")
    ingest = stack.ingest_stub()
    md = stack.metadata(tenant)
    phone = mobile()
    first = await ingest.SubmitLead(
        lead_request(phone="", wechat="+86 " + phone, channel=lead_pb2.CHANNEL_WECHAT), metadata=md
    )
    assert first.verdict == lead_pb2.LEAD_VERDICT_NEW
    assert first.lead.phone == "+86" + phone and first.lead.phone_from_wechat
    second = await ingest.SubmitLead(lead_request(phone=phone), metadata=md)
    assert second.verdict == lead_pb2.LEAD_VERDICT_DUPLICATE and second.lead.id == first.lead.id


async def test_events_reach_the_stream(stack) -> None:
    tenant = unique("tenant")
    ingest = stack.ingest_stub()
    md = stack.metadata(tenant)
    phone = mobile()
    new = await ingest.SubmitLead(
        lead_request(phone=phone, account_id="ad-9", collect_account_id="col-9"), metadata=md
    )
    dup = await ingest.SubmitLead(lead_request(phone=phone, account_id="ad-9"), metadata=md)
    rejected = await ingest.SubmitLead(lead_request(phone="12345"), metadata=md)
    nc = await stack.nats()
    try:
        js = nc.jetstream()
        found: dict[str, object] = {}
        for _ in range(100):
            for msg in await read_stream(js, INGEST_STREAM.name, "leadflow.lead.v1.>"):
                if msg.subject == LEAD_ACCEPTED:
                    event = events_pb2.LeadAccepted.FromString(msg.data)
                elif msg.subject == LEAD_DUPLICATE:
                    event = events_pb2.LeadDuplicate.FromString(msg.data)
                elif msg.subject == LEAD_REJECTED:
                    event = events_pb2.LeadRejected.FromString(msg.data)
                else:
                    continue
                if event.tenant_id == tenant:
                    found[msg.subject] = event
                    assert msg.headers["Nats-Msg-Id"] == event.event_id
            if len(found) == 3:
                break
            await asyncio.sleep(0.1)
    finally:
        await nc.close()
    accepted = found[LEAD_ACCEPTED]
    assert accepted.lead_id == new.lead.id and accepted.submission_id == new.submission.id
    # The phone travels sealed: the stream's bytes never hold it, and ingest's key opens it.
    assert ("+86" + phone).encode() not in accepted.SerializeToString()
    sealer = Sealer(KeyRing.from_env(Env(stack.env), stack.tmp))
    assert sealer.open(tenant, LEAD_PHONE, sealed_value(accepted.encrypted_phone)) == "+86" + phone
    assert accepted.account_id == "ad-9" and accepted.collect_account_id == "col-9"
    assert list(accepted.account_ids) == ["ad-9", "col-9"]
    assert accepted.verdict == lead_pb2.LEAD_VERDICT_NEW
    assert accepted.cost.units == 35 and accepted.cost.currency_code == "CNY"
    assert accepted.phone_region.province  # 归属地 of a 138 number
    duplicate = found[LEAD_DUPLICATE]
    assert duplicate.lead_id == new.lead.id and duplicate.submission_id == dup.submission.id
    assert list(duplicate.matched_dimensions) == [lead_pb2.DEDUP_DIMENSION_PHONE]
    assert found[LEAD_REJECTED].submission_id == rejected.submission.id
    assert list(found[LEAD_REJECTED].reasons) == [pb.REJECTION_CODE_PHONE_INVALID]


async def test_malformed_request_is_invalid_argument_naming_fields(stack) -> None:
    ingest = stack.ingest_stub()
    md = stack.metadata(unique("tenant"))
    request = lead_request(
        account_id="", channel=lead_pb2.CHANNEL_UNSPECIFIED, ip="300.1.2.3", email="nope", request_id=""
    )
    request.cost.units = -1
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest.SubmitLead(request, metadata=md)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = {f for f, _ in field_violations_of(caught.value)}
    assert {"account_id", "channel", "ip", "email", "request_id", "cost.units"} <= fields
    assert error_info_of(caught.value).domain == "leadflow.io"


async def test_another_tenants_lead_is_not_found(stack) -> None:
    ingest = stack.ingest_stub()
    mine = await ingest.SubmitLead(lead_request(), metadata=stack.metadata(unique("tenant")))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest.GetLead(
            pb.GetLeadRequest(lead_id=mine.lead.id), metadata=stack.metadata(unique("other"))
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND


async def test_roles_are_enforced(stack) -> None:
    ingest = stack.ingest_stub()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest.SubmitLead(lead_request(), metadata=stack.metadata(unique("tenant"), "agent"))
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_the_callers_trace_reaches_the_events_it_causes(stack) -> None:
    """A SubmitLead carrying a W3C traceparent: its lead.accepted carries the same trace (a new span of it)."""
    tenant = unique("tenant")
    trace_id = "4bf92f3577b34da6a3ce929d0e0e4736"
    md = (*stack.metadata(tenant), ("traceparent", f"00-{trace_id}-00f067aa0ba902b7-01"))
    reply = await stack.ingest_stub().SubmitLead(lead_request(), metadata=md)
    nc = await stack.nats()
    try:
        headers = None
        for _ in range(100):
            for msg in await read_stream(nc.jetstream(), INGEST_STREAM.name, "leadflow.lead.v1.>"):
                if msg.subject != LEAD_ACCEPTED:
                    continue
                if events_pb2.LeadAccepted.FromString(msg.data).lead_id == reply.lead.id:
                    headers = msg.headers
            if headers is not None:
                break
            await asyncio.sleep(0.1)
    finally:
        await nc.close()
    assert headers is not None
    version, traced, span, flags = headers["traceparent"].split("-")
    assert (version, traced, flags) == ("00", trace_id, "01") and span != "00f067aa0ba902b7"


async def test_the_stream_store_holds_no_readable_phone(stack) -> None:
    """Issue 13 item 7: JetStream keeps events for days, replicated; its files must not hold a phone number."""
    tenant = unique("tenant")
    phone = mobile()
    reply = await stack.ingest_stub().SubmitLead(lead_request(phone=phone), metadata=stack.metadata(tenant))
    assert reply.verdict == lead_pb2.LEAD_VERDICT_NEW
    nc = await stack.nats()
    try:
        for _ in range(100):  # until the relay has published the lead.accepted
            found = [
                m
                for m in await read_stream(nc.jetstream(), INGEST_STREAM.name, "leadflow.lead.v1.>")
                if m.subject == LEAD_ACCEPTED and events_pb2.LeadAccepted.FromString(m.data).lead_id == reply.lead.id
            ]
            if found:
                break
            await asyncio.sleep(0.1)
    finally:
        await nc.close()
    assert found
    store = b"".join(path.read_bytes() for path in (stack.tmp / "jetstream").rglob("*") if path.is_file())
    assert reply.lead.id.encode() in store  # the event is in these files ...
    assert phone.encode() not in store and phone[-8:].encode() not in store  # ... its phone is not
