"""ListLeadSubmissions without a lead: a tenant's rejected submissions, by account and time, paged, for audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import grpc
import pytest

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.grpc_errors import field_violations_of
from tests.ingest.helpers import lead_request, ts, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=5)
REJECTED = lead_pb2.LEAD_VERDICT_REJECTED


async def _all(ingest, md, **filters) -> list[pb.Submission]:
    found: list[pb.Submission] = []
    token = ""
    while True:
        page = await ingest.ListLeadSubmissions(
            pb.ListLeadSubmissionsRequest(page_size=2, page_token=token, **filters), metadata=md
        )
        assert len(page.submissions) <= 2
        found.extend(page.submissions)
        token = page.next_page_token
        if not token:
            return found


async def test_rejected_submissions_are_listed_with_reasons(stack) -> None:
    ingest = stack.ingest_stub()
    tenant = unique("tenant")
    md = stack.metadata(tenant)
    rejected_ids: dict[str, list[int]] = {}
    for i in range(5):
        # Odd ones have an invalid phone, even ones no contact at all; one accepted lead in between.
        fields = {"phone": "1380013800"} if i % 2 else {"phone": ""}
        reply = await ingest.SubmitLead(
            lead_request(
                account_id="acct-a" if i < 4 else "acct-b",
                submit_time=ts(T0 + timedelta(minutes=i)),
                **fields,
            ),
            metadata=md,
        )
        assert reply.verdict == REJECTED
        rejected_ids[reply.submission.id] = [r.code for r in reply.rejection_reasons]
    accepted = await ingest.SubmitLead(
        lead_request(account_id="acct-a", submit_time=ts(T0 + timedelta(minutes=2, seconds=30))), metadata=md
    )
    assert accepted.verdict == lead_pb2.LEAD_VERDICT_NEW

    every = await _all(ingest, md, verdict=REJECTED)
    assert [s.id for s in every] == list(rejected_ids)  # oldest first, across pages
    for submission in every:
        assert submission.verdict == REJECTED
        assert submission.lead_id == ""
        assert [r.code for r in submission.rejection_reasons] == rejected_ids[submission.id]
    assert pb.REJECTION_CODE_PHONE_INVALID in rejected_ids[every[1].id]
    assert pb.REJECTION_CODE_CONTACT_MISSING in rejected_ids[every[0].id]

    of_a = await _all(ingest, md, verdict=REJECTED, account_id="acct-a")
    assert [s.id for s in of_a] == [s.id for s in every[:4]]
    window = await _all(
        ingest,
        md,
        verdict=REJECTED,
        submit_start_time=ts(T0 + timedelta(minutes=1)),
        submit_end_time=ts(T0 + timedelta(minutes=3)),
    )
    assert [s.id for s in window] == [s.id for s in every[1:3]]
    # By account alone: the accepted submission too.
    assert accepted.submission.id in [s.id for s in await _all(ingest, md, account_id="acct-a")]

    # Another tenant sees none of them.
    other = stack.metadata(unique("tenant"))
    assert await _all(ingest, other, verdict=REJECTED) == []
    assert await _all(ingest, other, account_id="acct-a") == []

    # The page token is bound to the tenant and the filters.
    first = await ingest.ListLeadSubmissions(
        pb.ListLeadSubmissionsRequest(page_size=2, verdict=REJECTED), metadata=md
    )
    assert first.next_page_token
    for md_, filters in ((md, {"account_id": "acct-a"}), (other, {})):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await ingest.ListLeadSubmissions(
                pb.ListLeadSubmissionsRequest(page_token=first.next_page_token, verdict=REJECTED, **filters),
                metadata=md_,
            )
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_filter_is_required(stack) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stack.ingest_stub().ListLeadSubmissions(
            pb.ListLeadSubmissionsRequest(), metadata=stack.metadata(unique("tenant"))
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "lead_id" in [path for path, _ in field_violations_of(caught.value)]
