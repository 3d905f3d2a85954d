"""Failure modes through the real stack: dedup down or silent, oversized messages, blocklists, batch limits."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import grpc
import pytest

from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.grpc_errors import error_info_of, field_violations_of
from tests.ingest.helpers import lead_request, mobile, unique
from tests.ingest.stack import start_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_dedup_down_is_unavailable_and_stores_nothing(tmp_path: Path) -> None:
    stack = await start_stack(tmp_path)
    try:
        tenant = unique("tenant")
        md = stack.metadata(tenant)
        ingest = stack.ingest_stub()
        await ingest.SubmitLead(lead_request(), metadata=md)
        await stack.stop_dedup()
        request = lead_request()
        for call in (
            ingest.SubmitLead(request, metadata=md),
            ingest.BatchSubmitLeads(
                pb.BatchSubmitLeadsRequest(requests=[lead_request(), request]), metadata=md
            ),
        ):
            with pytest.raises(grpc.aio.AioRpcError) as caught:
                await call
            assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
            assert error_info_of(caught.value).reason == "DEDUP_UNAVAILABLE"
        # A rejected lead needs no dedup: it is still answered and stored.
        rejected = await ingest.SubmitLead(lead_request(phone="123"), metadata=md)
        assert rejected.verdict == lead_pb2.LEAD_VERDICT_REJECTED
        listed = await ingest.ListLeads(pb.ListLeadsRequest(), metadata=md)
        assert listed.total_size == 1  # only the lead from before dedup went down
    finally:
        await stack.stop()


async def test_silent_dedup_hits_the_deadline(tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts connections, never answers
    port = silent.getsockname()[1]
    stack = await start_stack(
        tmp_path,
        ingest_env={
            "LEADFLOW_INGEST_DEDUP_ADDRESS": f"127.0.0.1:{port}",
            "LEADFLOW_INGEST_DEDUP_TIMEOUT_SECONDS": "0.3",
        },
    )
    try:
        md = stack.metadata(unique("tenant"))
        started = asyncio.get_running_loop().time()
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stack.ingest_stub().SubmitLead(lead_request(), metadata=md, timeout=10)
        assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
        assert asyncio.get_running_loop().time() - started < 5
        assert (await stack.ingest_stub().ListLeads(pb.ListLeadsRequest(), metadata=md)).total_size == 0
    finally:
        await stack.stop()
        silent.close()


async def test_oversized_message_is_resource_exhausted(stack) -> None:
    request = lead_request(attributes={"blob": "x" * (5 * 1024 * 1024)})
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stack.ingest_stub().SubmitLead(request, metadata=stack.metadata(unique("tenant")))
    assert caught.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED


async def test_over_long_fields_are_invalid_argument(stack) -> None:
    request = lead_request(
        name="名" * 101, external_id="e" * 129, attributes={"k": "v" * 1025}, campaign_id="c" * 65
    )
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await stack.ingest_stub().SubmitLead(request, metadata=stack.metadata(unique("tenant")))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    fields = {f for f, _ in field_violations_of(caught.value)}
    assert {"name", "external_id", "campaign_id", 'attributes["k"]'} <= fields


async def test_blocklist_phone_and_sensitive_word(stack) -> None:
    tenant = unique("tenant")
    admin = stack.metadata(tenant, "admin")
    ingest = stack.ingest_stub()
    blocked = mobile()
    reply = await ingest.SetBlocklist(
        pb.SetBlocklistRequest(
            entries=[
                pb.BlocklistEntry(kind=pb.BLOCKLIST_ENTRY_KIND_PHONE, value="+86 " + blocked, note="fraud"),
                pb.BlocklistEntry(kind=pb.BLOCKLIST_ENTRY_KIND_KEYWORD, value="VIP"),
                pb.BlocklistEntry(kind=pb.BLOCKLIST_ENTRY_KIND_KEYWORD, value="刷单"),
                pb.BlocklistEntry(kind=pb.BLOCKLIST_ENTRY_KIND_KEYWORD, value="刷单"),
            ]
        ),
        metadata=admin,
    )
    assert (reply.phone_count, reply.keyword_count) == (1, 2)
    listed = await ingest.ListBlocklist(pb.ListBlocklistRequest(page_size=2), metadata=admin)
    assert [(e.kind, e.value) for e in listed.entries] == [
        (pb.BLOCKLIST_ENTRY_KIND_PHONE, "+86" + blocked),
        (pb.BLOCKLIST_ENTRY_KIND_KEYWORD, "VIP"),
    ]
    rest = await ingest.ListBlocklist(
        pb.ListBlocklistRequest(page_size=2, page_token=listed.next_page_token), metadata=admin
    )
    assert [e.value for e in rest.entries] == ["刷单"] and not rest.next_page_token

    md = stack.metadata(tenant)
    phone_hit = await ingest.SubmitLead(lead_request(phone=blocked), metadata=md)
    assert [r.code for r in phone_hit.rejection_reasons] == [pb.REJECTION_CODE_BLOCKLISTED_PHONE]
    assert blocked not in phone_hit.rejection_reasons[0].rule
    word_hit = await ingest.SubmitLead(
        lead_request(name="ｖｉｐ客户", attributes={"备注": "帮忙刷单"}), metadata=md
    )
    assert sorted(r.code for r in word_hit.rejection_reasons) == [pb.REJECTION_CODE_SENSITIVE_WORD] * 2
    assert {r.rule for r in word_hit.rejection_reasons} == {"VIP", "刷单"}
    # Clearing the blocklist lets the same content in.
    await ingest.SetBlocklist(pb.SetBlocklistRequest(), metadata=admin)
    clean = await ingest.SubmitLead(lead_request(phone=blocked), metadata=md)
    assert clean.verdict == lead_pb2.LEAD_VERDICT_NEW

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest.SetBlocklist(
            pb.SetBlocklistRequest(
                entries=[
                    pb.BlocklistEntry(kind=pb.BLOCKLIST_ENTRY_KIND_PHONE, value="not a phone"),
                    pb.BlocklistEntry(value="x"),
                ]
            ),
            metadata=admin,
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {f for f, _ in field_violations_of(caught.value)} == {"entries[0].value", "entries[1].kind"}
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest.SetBlocklist(pb.SetBlocklistRequest(), metadata=md)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_batch_items_fail_on_their_own(stack) -> None:
    md = stack.metadata(unique("tenant"))
    ingest = stack.ingest_stub()
    phone = mobile()
    reply = await ingest.BatchSubmitLeads(
        pb.BatchSubmitLeadsRequest(
            requests=[
                lead_request(phone=phone),
                lead_request(account_id=""),
                lead_request(phone="12"),
                lead_request(phone=phone),
            ]
        ),
        metadata=md,
    )
    kinds = [r.WhichOneof("result") for r in reply.results]
    assert kinds == ["response", "error", "response", "response"]
    assert reply.results[1].error.code == "INVALID_ARGUMENT"
    assert reply.results[1].error.field_violations[0].field == "account_id"
    assert reply.results[2].response.verdict == lead_pb2.LEAD_VERDICT_REJECTED
    assert reply.results[3].response.verdict == lead_pb2.LEAD_VERDICT_DUPLICATE
    assert reply.results[3].response.lead.id == reply.results[0].response.lead.id

    for count in (0, 501):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await ingest.BatchSubmitLeads(
                pb.BatchSubmitLeadsRequest(requests=[lead_request() for _ in range(count)]), metadata=md
            )
        assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert [f for f, _ in field_violations_of(caught.value)] == ["requests"]


async def test_import_stream_summary(stack) -> None:
    md = stack.metadata(unique("tenant"))
    phone = mobile()
    requests = [
        lead_request(phone=phone),
        lead_request(phone=phone),
        lead_request(phone="1"),
        lead_request(request_id=""),
        *[lead_request() for _ in range(300)],
    ]

    async def stream():
        for request in requests:
            yield pb.ImportLeadsRequest(request=request)

    # One message per stored chunk (cumulative counts, that chunk's failures); the last is the summary.
    messages = [message async for message in stack.ingest_stub().ImportLeads(stream(), metadata=md)]
    summary = messages[-1]
    failures = [failure for message in messages for failure in message.failures]
    assert [m.received_count for m in messages] == [200, 304]
    assert summary.received_count == 304
    assert (summary.new_count, summary.duplicate_count, summary.rejected_count, summary.failed_count) == (
        301,
        1,
        1,
        1,
    )
    assert failures[0].index == 3
    assert failures[0].error.field_violations[0].field == "request_id"


async def test_import_counts_replays_and_names_every_row_to_fix(stack) -> None:
    """Rows repeating an earlier row of the stream, or an earlier import, are REPLAYED; rejected rows are listed
    with their reasons, replayed ones too (issue 12 item 10)."""
    md = stack.metadata(unique("tenant"))
    bad = lead_request(phone="12345")
    good = [lead_request() for _ in range(3)]
    rows = [*good, bad, good[0]]

    async def stream():
        for request in rows:
            yield pb.ImportLeadsRequest(request=request)

    first = [message async for message in stack.ingest_stub().ImportLeads(stream(), metadata=md)][-1]
    assert (first.new_count, first.rejected_count, first.replayed_count) == (3, 1, 1)
    assert [r.index for r in first.rejections] == [3] and first.rejections[0].reasons
    again = [message async for message in stack.ingest_stub().ImportLeads(stream(), metadata=md)][-1]
    assert (again.new_count, again.rejected_count, again.replayed_count) == (0, 0, 5)
    assert [r.index for r in again.rejections] == [3]  # still named, so the error file lists it
