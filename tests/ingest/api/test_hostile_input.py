"""Hostile input through the real stack: whatever a caller sends, the answer is a verdict or a caller-side error
(INVALID_ARGUMENT, FAILED_PRECONDITION), never INTERNAL or UNKNOWN."""

from __future__ import annotations

import random

import grpc
import pytest
from google.protobuf import timestamp_pb2

from leadflow.common.v1 import money_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from tests.ingest.helpers import unique

pytestmark = pytest.mark.asyncio(loop_scope="module")

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\u202e13800138000",
    "１３８００１３８０００",
    "+86 138-0013-8000",
    "13800138000",
    "😀" * 30,
    "'; DROP TABLE leads; --",
    '{"a": 1}',
    "e\u0301",
    "\ufeff",
    "\u200b",
    "x" * 200,
    "名" * 101,
    "wxid_abc123",
    "Zhang_San-88",
    "user@例子.中国",
    "a@b",
    "::ffff:1.2.3.4",
    "fe80::1%eth0",
    "999.1.1.1",
    "00000000-0000-0000-0000-000000000000",
    "35-209900-176148-1",
    "\r\n\t",
    "null",
    "0",
    "-1",
    "1e309",
    "\U0010ffff",
    "\ue000",
    "ｖｉｐ",
    "400-800-8888",
    "+1 650 253 0000",
    "010-12345678",
    "１",
]
OK_CODES = {grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.FAILED_PRECONDITION}


def _text(rng: random.Random) -> str:
    if rng.random() < 0.7:
        return rng.choice(NASTY)
    return "".join(
        chr(rng.choice([rng.randrange(32, 127), rng.randrange(0x80, 0xD7FF), rng.randrange(0, 32)]))
        for _ in range(rng.randrange(0, 40))
    )


def _request(rng: random.Random) -> pb.SubmitLeadRequest:
    request = pb.SubmitLeadRequest(
        account_id=rng.choice(["acct-1", _text(rng)]),
        channel=rng.randrange(-1, 9),
        traffic_source=rng.randrange(-1, 5),
        business_source=rng.randrange(-1, 9),
        request_id=rng.choice([unique("r"), _text(rng)]),
        external_id=_text(rng),
        name=_text(rng),
        phone=_text(rng),
        wechat=_text(rng),
        email=_text(rng),
        ip=_text(rng),
        device_id=_text(rng),
        campaign_id=_text(rng),
        attributes={_text(rng): _text(rng) for _ in range(rng.randrange(0, 4))},
    )
    if rng.random() < 0.5:
        request.collect_account_id = _text(rng)
    if rng.random() < 0.5:
        request.cost.CopyFrom(
            money_pb2.Money(
                currency_code=rng.choice(["CNY", "", "usd", "€€€"]),
                units=rng.randrange(-5, 10**12),
                nanos=rng.randrange(-2 * 10**9, 2 * 10**9),
            )
        )
    if rng.random() < 0.5:
        request.submit_time.CopyFrom(
            timestamp_pb2.Timestamp(
                seconds=rng.choice([0, -(10**11), 1_760_000_000, 10**11]), nanos=rng.randrange(0, 10**9)
            )
        )
    if rng.random() < 0.3:
        request.consent.notice_version = _text(rng)
        request.consent.grant_time.seconds = rng.choice([0, 1_760_000_000, 10**11])
    return request


async def test_no_hostile_submission_is_an_internal_error(stack) -> None:
    rng = random.Random(4242)
    ingest = stack.ingest_stub()
    md = stack.metadata(unique("tenant"))
    for _ in range(150):
        request = _request(rng)
        try:
            await ingest.SubmitLead(request, metadata=md)
        except grpc.aio.AioRpcError as exc:
            assert exc.code() in OK_CODES, (exc.code(), exc.details(), request)
    batch = pb.BatchSubmitLeadsRequest(requests=[_request(rng) for _ in range(200)])
    reply = await ingest.BatchSubmitLeads(batch, metadata=md)
    assert len(reply.results) == 200
    for result in reply.results:
        if result.WhichOneof("result") == "error":
            assert result.error.code in {"INVALID_ARGUMENT", "FAILED_PRECONDITION"}, result


async def test_hostile_reads(stack) -> None:
    rng = random.Random(7)
    ingest = stack.ingest_stub()
    md = stack.metadata(unique("tenant"), "admin")
    calls = []
    for _ in range(40):
        calls += [
            ingest.GetLead(pb.GetLeadRequest(lead_id=_text(rng)), metadata=md),
            ingest.ListLeads(
                pb.ListLeadsRequest(
                    account_id=_text(rng),
                    page_token=_text(rng),
                    page_size=rng.randrange(-3, 5000),
                    status=rng.randrange(-1, 9),
                ),
                metadata=md,
            ),
            ingest.ListLeadSubmissions(
                pb.ListLeadSubmissionsRequest(lead_id=_text(rng), page_token=_text(rng)), metadata=md
            ),
            ingest.SetBlocklist(
                pb.SetBlocklistRequest(
                    entries=[pb.BlocklistEntry(kind=rng.randrange(-1, 4), value=_text(rng), note=_text(rng))]
                ),
                metadata=md,
            ),
            ingest.ListBlocklist(
                pb.ListBlocklistRequest(kind=rng.randrange(-1, 4), page_token=_text(rng)), metadata=md
            ),
        ]
    for call in calls:
        try:
            await call
        except grpc.aio.AioRpcError as exc:
            assert exc.code() in OK_CODES | {grpc.StatusCode.NOT_FOUND}, (exc.code(), exc.details())
