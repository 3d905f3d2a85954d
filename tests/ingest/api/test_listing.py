"""ListLeads over 1,000 leads created with BatchSubmitLeads: filters, stable order, opaque tamper-evident tokens."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import grpc
import pytest
import pytest_asyncio

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.grpc_errors import field_violations_of
from tests.ingest.helpers import lead_request, mobile, ts, unique

pytestmark = pytest.mark.asyncio(loop_scope="module")

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
CHANNELS = [
    lead_pb2.CHANNEL_FORM,
    lead_pb2.CHANNEL_WECHAT,
    lead_pb2.CHANNEL_INBOUND_CALL,
    lead_pb2.CHANNEL_IMPORT,
]


@pytest.fixture(scope="module")
def tenant() -> str:
    return unique("tenant")


def _item(i: int) -> pb.SubmitLeadRequest:
    fields = dict(
        account_id=f"acct-{i % 3}",
        channel=CHANNELS[i % 4],
        traffic_source=lead_pb2.TRAFFIC_SOURCE_ORGANIC if i % 5 == 0 else lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
        # Several leads share a submit time (i // 2), so the id decides their order.
        submit_time=ts(T0 + timedelta(seconds=i // 2)),
        external_id=f"ext-{i}",
    )
    if i % 10 == 9:  # without phone: an e-mail contact only
        fields.update(phone="", email=f"p{i}@example.com")
    else:
        fields.update(phone=mobile())
    return lead_request(**fields)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def thousand(stack, tenant) -> list[str]:
    ingest = stack.ingest_stub()
    md = stack.metadata(tenant)
    ids: list[str] = []
    for start in range(0, 1000, 500):
        reply = await ingest.BatchSubmitLeads(
            pb.BatchSubmitLeadsRequest(requests=[_item(i) for i in range(start, start + 500)]), metadata=md
        )
        for result in reply.results:
            assert result.WhichOneof("result") == "response", result
            assert result.response.verdict == lead_pb2.LEAD_VERDICT_NEW
            ids.append(result.response.lead.id)
    return ids


async def _all_pages(stack, tenant, request: pb.ListLeadsRequest) -> tuple[list[pb.Lead], int]:
    ingest = stack.ingest_stub()
    md = stack.metadata(tenant, "agent")
    leads: list[pb.Lead] = []
    token = ""
    totals = set()
    while True:
        page_request = pb.ListLeadsRequest()
        page_request.CopyFrom(request)
        page_request.page_token = token
        page = await ingest.ListLeads(page_request, metadata=md)
        assert len(page.leads) <= (request.page_size or 50)
        leads.extend(page.leads)
        totals.add(page.total_size)
        token = page.next_page_token
        if not token:
            break
    assert len(totals) == 1
    return leads, totals.pop()


def _key(lead: pb.Lead) -> tuple[int, str]:
    return (lead.first_submit_time.seconds * 10**9 + lead.first_submit_time.nanos, lead.id)


async def test_all_pages_in_stable_order(stack, tenant, thousand) -> None:
    leads, total = await _all_pages(stack, tenant, pb.ListLeadsRequest(page_size=37))
    assert total == 1000
    assert len(leads) == 1000 and {lead.id for lead in leads} == set(thousand)
    assert [_key(lead) for lead in leads] == sorted((_key(lead) for lead in leads), reverse=True)


async def test_filters(stack, tenant, thousand) -> None:
    by_account, total = await _all_pages(
        stack, tenant, pb.ListLeadsRequest(account_id="acct-1", page_size=100)
    )
    assert total == len(by_account) == len([i for i in range(1000) if i % 3 == 1])
    assert all("acct-1" in lead.account_ids for lead in by_account)

    wechat, total = await _all_pages(
        stack, tenant, pb.ListLeadsRequest(channel=lead_pb2.CHANNEL_WECHAT, page_size=100)
    )
    assert total == 250

    organic_no_phone, total = await _all_pages(
        stack,
        tenant,
        pb.ListLeadsRequest(traffic_source=lead_pb2.TRAFFIC_SOURCE_ORGANIC, has_phone=False, page_size=7),
    )
    expected = [i for i in range(1000) if i % 5 == 0 and i % 10 == 9]
    assert total == len(expected) == len(organic_no_phone)
    assert all(not lead.phone for lead in organic_no_phone)

    with_phone, total = await _all_pages(stack, tenant, pb.ListLeadsRequest(has_phone=True, page_size=500))
    assert total == 900

    window, total = await _all_pages(
        stack,
        tenant,
        pb.ListLeadsRequest(
            submit_start_time=ts(T0 + timedelta(seconds=100)),
            submit_end_time=ts(T0 + timedelta(seconds=200)),
            page_size=50,
        ),
    )
    assert total == 200
    assert all(100 <= lead.first_submit_time.seconds - int(T0.timestamp()) < 200 for lead in window)

    verdict_new, total = await _all_pages(
        stack,
        tenant,
        pb.ListLeadsRequest(
            verdict=lead_pb2.LEAD_VERDICT_NEW,
            status=lead_pb2.LEAD_STATUS_NEW,
            business_source=lead_pb2.BUSINESS_SOURCE_LANDING_PAGE,
            page_size=1000,
        ),
    )
    assert total == 1000
    none, total = await _all_pages(
        stack, tenant, pb.ListLeadsRequest(verdict=lead_pb2.LEAD_VERDICT_RETURNING)
    )
    assert total == 0 and none == []


async def test_tampered_or_mismatched_token_is_invalid_argument(stack, tenant, thousand) -> None:
    ingest = stack.ingest_stub()
    md = stack.metadata(tenant)
    page = await ingest.ListLeads(
        pb.ListLeadsRequest(page_size=10, channel=lead_pb2.CHANNEL_FORM), metadata=md
    )
    token = page.next_page_token
    body, tag = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    raw[-3] ^= 1
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode() + "." + tag
    for request, metadata in (
        (pb.ListLeadsRequest(page_size=10, channel=lead_pb2.CHANNEL_FORM, page_token=forged), md),
        (pb.ListLeadsRequest(page_size=10, channel=lead_pb2.CHANNEL_WECHAT, page_token=token), md),
        (
            pb.ListLeadsRequest(page_size=10, channel=lead_pb2.CHANNEL_FORM, page_token=token),
            stack.metadata(unique("other")),
        ),
        (pb.ListLeadsRequest(page_token="garbage"), md),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await ingest.ListLeads(request, metadata=metadata)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert [f for f, _ in field_violations_of(caught.value)] == ["page_token"]


async def test_bad_page_size_and_filters(stack, tenant) -> None:
    ingest = stack.ingest_stub()
    md = stack.metadata(tenant)
    for request, field in (
        (pb.ListLeadsRequest(page_size=-1), "page_size"),
        (pb.ListLeadsRequest(verdict=lead_pb2.LEAD_VERDICT_REJECTED), "verdict"),
        (pb.ListLeadsRequest(channel=99), "channel"),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await ingest.ListLeads(request, metadata=md)
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert field in [f for f, _ in field_violations_of(caught.value)]
