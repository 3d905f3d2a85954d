"""Idempotency (AIP-155) through the real stack: retries answer the first result and create nothing new, also
when 20 retries race each other."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.grpc_errors import error_info_of
from tests.ingest.helpers import ago, lead_request, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def _count_leads(stack, md) -> int:
    return (await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=md)).total_size


async def test_sequential_retry_returns_the_first_answer(stack) -> None:
    md = stack.metadata(unique("tenant"))
    ingest = stack.ingest_stub()
    request = lead_request()
    first = await ingest.SubmitLead(request, metadata=md)
    again = await ingest.SubmitLead(request, metadata=md)
    assert again.submission.id == first.submission.id
    assert again.lead.id == first.lead.id and again.verdict == first.verdict
    assert again.lead.submission_count == 1
    assert await _count_leads(stack, md) == 1


@pytest.mark.parametrize("with_submit_time", [True, False])
async def test_twenty_concurrent_retries_of_one_request_id(stack, with_submit_time: bool) -> None:
    md = stack.metadata(unique("tenant"))
    ingest = stack.ingest_stub()
    request = lead_request(submit_time=ago(minutes=5)) if with_submit_time else lead_request()
    replies = await asyncio.gather(*(ingest.SubmitLead(request, metadata=md) for _ in range(20)))
    assert len({r.submission.id for r in replies}) == 1
    assert len({r.lead.id for r in replies}) == 1
    assert {r.verdict for r in replies} == {lead_pb2.LEAD_VERDICT_NEW}
    assert await _count_leads(stack, md) == 1
    got = await ingest.ListLeadSubmissions(
        pb.ListLeadSubmissionsRequest(lead_id=replies[0].lead.id), metadata=md
    )
    assert len(got.submissions) == 1


async def test_twenty_concurrent_pushes_of_one_external_id(stack) -> None:
    """A source re-pushing its lead with fresh request ids: the (account, channel, external_id) key holds."""
    md = stack.metadata(unique("tenant"))
    ingest = stack.ingest_stub()
    template = lead_request(external_id="form-123", submit_time=ago(minutes=1))
    requests = []
    for _ in range(20):
        request = pb.SubmitLeadRequest()
        request.CopyFrom(template)
        request.request_id = uuid.uuid4().hex
        requests.append(request)
    replies = await asyncio.gather(*(ingest.SubmitLead(r, metadata=md) for r in requests))
    assert len({r.submission.id for r in replies}) == 1
    assert len({r.lead.id for r in replies}) == 1
    assert await _count_leads(stack, md) == 1
    lead = (await ingest.GetLead(pb.GetLeadRequest(lead_id=replies[0].lead.id), metadata=md)).lead
    assert lead.submission_count == 1
    # Another channel with the same external id is another submission (here: a duplicate of the same person).
    other = pb.SubmitLeadRequest()
    other.CopyFrom(template)
    other.request_id = uuid.uuid4().hex
    other.channel = lead_pb2.CHANNEL_THIRD_PARTY
    reply = await ingest.SubmitLead(other, metadata=md)
    assert reply.submission.id != replies[0].submission.id
    assert reply.verdict == lead_pb2.LEAD_VERDICT_DUPLICATE


async def test_reused_request_id_with_other_content_fails(stack) -> None:
    md = stack.metadata(unique("tenant"))
    ingest = stack.ingest_stub()
    request = lead_request()
    await ingest.SubmitLead(request, metadata=md)
    changed = pb.SubmitLeadRequest()
    changed.CopyFrom(request)
    changed.name = "王五"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest.SubmitLead(changed, metadata=md)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_info_of(caught.value).reason == "REQUEST_ID_REUSED"


async def test_rejected_submission_is_idempotent_too(stack) -> None:
    md = stack.metadata(unique("tenant"))
    ingest = stack.ingest_stub()
    request = lead_request(phone="999")
    replies = await asyncio.gather(*(ingest.SubmitLead(request, metadata=md) for _ in range(20)))
    assert {r.verdict for r in replies} == {lead_pb2.LEAD_VERDICT_REJECTED}
    assert len({r.submission.id for r in replies}) == 1


async def test_batch_retry_and_in_batch_repeats(stack) -> None:
    md = stack.metadata(unique("tenant"))
    ingest = stack.ingest_stub()
    a, b = lead_request(), lead_request()
    reused = pb.SubmitLeadRequest()
    reused.CopyFrom(a)
    reused.name = "其他人"
    batch = pb.BatchSubmitLeadsRequest(requests=[a, b, a, reused])
    first = await ingest.BatchSubmitLeads(batch, metadata=md)
    assert [r.index for r in first.results] == [0, 1, 2, 3]
    assert first.results[0].response.verdict == lead_pb2.LEAD_VERDICT_NEW
    assert first.results[2].response.submission.id == first.results[0].response.submission.id
    assert first.results[3].error.code == "FAILED_PRECONDITION"
    assert first.results[3].error.reason == "REQUEST_ID_REUSED"
    again = await ingest.BatchSubmitLeads(batch, metadata=md)
    assert [r.response.submission.id for r in again.results[:3]] == [
        r.response.submission.id for r in first.results[:3]
    ]
    assert await _count_leads(stack, md) == 2


async def test_twenty_concurrent_submissions_of_one_person_make_one_lead(stack) -> None:
    """Different submissions (own request ids) of the same phone at once: one NEW, the rest attached to it."""
    tenant = unique("tenant")
    md = stack.metadata(tenant)
    ingest = stack.ingest_stub()
    phone = lead_request().phone
    replies = await asyncio.gather(
        *(ingest.SubmitLead(lead_request(phone=phone), metadata=md) for _ in range(20))
    )
    verdicts = sorted(r.verdict for r in replies)
    assert verdicts == [lead_pb2.LEAD_VERDICT_NEW] + [lead_pb2.LEAD_VERDICT_DUPLICATE] * 19
    assert len({r.lead.id for r in replies}) == 1
    lead = (await ingest.GetLead(pb.GetLeadRequest(lead_id=replies[0].lead.id), metadata=md)).lead
    assert lead.submission_count == 20
    new = next(r for r in replies if r.verdict == lead_pb2.LEAD_VERDICT_NEW)
    assert lead.first_submit_time == new.submission.submit_time
