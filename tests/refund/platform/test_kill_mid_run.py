"""Paying exactly once through crashes: 1,000 cases, each fed its events 10 times concurrently, into a refund service
process that is SIGKILLed mid-run twice (while consuming, and while its timers pay) and restarted. Afterwards: 0
double refunds, every refund the evidence calls for, the ledger balanced, the statement equal to the ledger, and
one refund.issued per refund on the bus.

The service runs as a subprocess on the dev clock (``LEADFLOW_DEV_CLOCK``), which the test moves through the NATS
key-value entry the way ``leadflow clock`` does. The leads were submitted two hours before the system time, so the
stack's time starts at the system time (a restarted process reads the offset a moment after it starts consuming) and
moves 8 hours on to settle every decision. Each copy of an event is re-published under a new Nats-Msg-Id (so
JetStream's duplicate window does not absorb it and the service really receives 10 copies), with the same event id
and content in its payload.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import grpc
import nats
import pytest

from leadflow.refund.v1 import events_pb2, refund_service_pb2_grpc
from leadflow.refund.v1 import refund_service_pb2 as pb
from services.common import devclock
from services.common.auth import Role
from services.common.events import (
    INGEST_STREAM,
    REFUND_ISSUED,
    REFUND_STREAM,
    STREAM_OF_SERVICE,
    TELEPHONY_STREAM,
)
from services.common.messaging import MSG_ID_HEADER, ensure_stream
from services.refund.domain.calls import CallOutcome
from tests.harness import TokenMinter
from tests.platform.helpers import ServiceProcess, service_env, start_service, wait_serving
from tests.refund.events import Event, call_completed, lead_accepted, lead_duplicate

pytestmark = pytest.mark.slow

TENANT, ACCOUNT = "tenant-crash", "acct-crash"
CASES, COPIES = 1000, 10
ZONE = ZoneInfo("Asia/Shanghai")
# The start of the current clock hour in the lead's time zone: 关机 at 70 and 55 minutes before it are 15 minutes
# apart in two different clock hours.
HOUR = datetime.now(ZONE).replace(minute=0, second=0, microsecond=0)
SUBMIT = HOUR - timedelta(hours=2)
FIVE = timedelta(minutes=5)
STREAM_OF_SUBJECT = {subject: spec for spec in STREAM_OF_SERVICE.values() for subject in spec.subjects}


def lead_events() -> tuple[list[Event], dict[str, int], int]:
    """The events of 1,000 charged leads (and 100 charged duplicates): a quarter 空号, a quarter reached, a quarter
    关机 twice in different hours, a quarter called once without answer. Returns the events, the expected refund
    count per reason, and the expected refunded fen."""
    events: list[Event] = []
    expected: Counter[str] = Counter()
    fen = 0
    for i in range(CASES):
        lead, cost = f"lead-{i:04d}", 5_000 + i
        events.append(
            lead_accepted(TENANT, lead, SUBMIT, account_id=ACCOUNT, cost_fen=cost, event_id=f"acc-{i}")
        )
        kind = i % 4
        if kind == 0:
            events.append(
                call_completed(
                    TENANT, lead, f"{lead}-c1", SUBMIT + FIVE, CallOutcome.EMPTY_NUMBER, event_id=f"c1-{i}"
                )
            )
            expected["EMPTY_NUMBER"] += 1
            fen += cost
        elif kind == 1:
            events.append(
                call_completed(
                    TENANT,
                    lead,
                    f"{lead}-c1",
                    SUBMIT + FIVE,
                    CallOutcome.ANSWERED,
                    talk_seconds=30,
                    event_id=f"c1-{i}",
                )
            )
        elif kind == 2:
            for n, start in ((1, HOUR - timedelta(minutes=70)), (2, HOUR - timedelta(minutes=55))):
                events.append(
                    call_completed(
                        TENANT, lead, f"{lead}-c{n}", start, CallOutcome.POWERED_OFF, event_id=f"c{n}-{i}"
                    )
                )
            expected["POWERED_OFF"] += 1
            fen += cost
        else:
            events.append(
                call_completed(
                    TENANT, lead, f"{lead}-c1", SUBMIT + FIVE, CallOutcome.NO_ANSWER, event_id=f"c1-{i}"
                )
            )
        if i % 10 == 0:
            events.append(
                lead_duplicate(
                    TENANT,
                    lead,
                    f"{lead}-dup",
                    SUBMIT + timedelta(hours=1),
                    account_id=ACCOUNT,
                    cost_fen=2_000,
                    event_id=f"dup-{i}",
                )
            )
            expected["DUPLICATE_CHARGE"] += 1
            fen += 2_000
    return events, dict(expected), fen


class Refund:
    """The refund process, its channel and its tokens; ``kill`` is SIGKILL, ``start`` a fresh process."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.metadata = TokenMinter(env).metadata(TENANT, Role.ADMIN)
        self.process: ServiceProcess | None = None

    def start(self) -> None:
        self.process = start_service("refund", self.env, self.log)
        wait_serving(self.process, timeout=60)

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.process.pid, signal.SIGKILL)
        self.process.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.process.poll() is None:
            self.process.process.terminate()
            self.process.process.wait(timeout=30)

    def stub(self, channel: grpc.aio.Channel) -> refund_service_pb2_grpc.RefundServiceStub:
        return refund_service_pb2_grpc.RefundServiceStub(channel)

    @property
    def address(self) -> str:
        assert self.process is not None
        return self.process.address


async def set_stack_time(js, moment: datetime) -> None:  # type: ignore[no-untyped-def]
    kv = await devclock.bucket(js, create=False)
    await devclock.write_offset(kv, moment - datetime.now(UTC))


async def publish_copies(js, events: list[Event], copy: int) -> None:  # type: ignore[no-untyped-def]
    shuffled = list(events)
    random.Random(copy).shuffle(shuffled)
    for event in shuffled:
        await js.publish(event.subject, event.data, headers={MSG_ID_HEADER: f"{event.event_id}#{copy}"})


async def consumed(js, stream: str, consumer: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(acknowledged, still to do) of a durable consumer."""
    try:
        info = await js.consumer_info(stream, consumer)
    except nats.js.errors.NotFoundError:
        return 0, 1
    return info.ack_floor.stream_seq, (info.num_pending or 0) + (info.num_ack_pending or 0)


async def until(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.2)


async def total(stub, state: int, md) -> int:  # type: ignore[no-untyped-def]
    return (await stub.ListCases(pb.ListCasesRequest(state=state, page_size=1), metadata=md)).total_size


async def test_a_thousand_cases_fed_ten_times_through_two_kills_pay_exactly_once(
    tmp_path: Path, nats_server
) -> None:  # type: ignore[no-untyped-def]
    events, expected, expected_fen = lead_events()
    env = service_env(
        "refund",
        tmp_path,
        nats_server.url,
        LEADFLOW_DEV_CLOCK="true",
        LEADFLOW_REFUND_LEDGER_CHECK_SECONDS="1",
        LEADFLOW_SHUTDOWN_DELAY_SECONDS="0",
    )
    service = Refund(env, tmp_path / "refund.log")
    service.start()
    nc = await nats.connect(nats_server.url)
    try:
        js = nc.jetstream()
        for stream in (INGEST_STREAM, TELEPHONY_STREAM):
            await ensure_stream(js, stream)
        # The stack's time is the system time: every call made, no decision settled (the earliest settles 6 h 5 min
        # after submission, 4 h from now).

        # 10 copies of every event, published concurrently while the service consumes; SIGKILL at a third.
        publishers = [asyncio.create_task(publish_copies(js, events, copy)) for copy in range(COPIES)]
        target = len(events) * COPIES // 3

        async def a_third_consumed() -> bool:
            charges, _ = await consumed(js, INGEST_STREAM.name, "refund-charges")
            calls, _ = await consumed(js, TELEPHONY_STREAM.name, "refund-calls")
            return charges + calls >= target

        await until(a_third_consumed, 300, "a third of the deliveries")
        service.kill()
        await asyncio.gather(*publishers)
        service.start()

        async def all_consumed() -> bool:
            charges = await consumed(js, INGEST_STREAM.name, "refund-charges")
            calls = await consumed(js, TELEPHONY_STREAM.name, "refund-calls")
            return charges[1] == calls[1] == 0

        await until(all_consumed, 600, "every delivery consumed")
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub, md = service.stub(channel), service.metadata
            assert await total(stub, pb.CASE_STATE_ELIGIBLE, md) == sum(expected.values())
            assert await total(stub, pb.CASE_STATE_REFUNDED, md) == 0

        # Past every settle time: the timers pay. SIGKILL once a hundred are paid, restart, let them finish.
        await set_stack_time(js, datetime.now(UTC) + timedelta(hours=8))
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = service.stub(channel)

            async def some_paid() -> bool:
                return await total(stub, pb.CASE_STATE_REFUNDED, md) >= 100

            await until(some_paid, 300, "the first refunds")
        service.kill()
        service.start()
        async with grpc.aio.insecure_channel(service.address) as channel:
            stub = service.stub(channel)

            async def all_paid() -> bool:
                return await total(stub, pb.CASE_STATE_REFUNDED, md) == sum(expected.values())

            await until(all_paid, 300, "every refund")
            assert await total(stub, pb.CASE_STATE_ELIGIBLE, md) == 0
            assert await total(stub, pb.CASE_STATE_NOT_REFUNDABLE, md) == CASES // 4
            assert await total(stub, pb.CASE_STATE_PENDING, md) == CASES // 4

            entries = []
            token = ""
            while True:
                page = await stub.ListLedgerEntries(
                    pb.ListLedgerEntriesRequest(page_size=1000, page_token=token), metadata=md
                )
                entries.extend(page.entries)
                if not (token := page.next_page_token):
                    break
            months = sorted(
                {
                    (moment.year, moment.month)
                    for moment in (datetime.fromtimestamp(e.post_time.seconds, ZONE) for e in entries)
                }
            )
            statements = [
                (
                    await stub.GetStatement(
                        pb.GetStatementRequest(account_id=ACCOUNT, year=year, month=month), metadata=md
                    )
                ).statement
                for year, month in months
            ]

        # 0 double refunds: one refund row per case and per charged submission, as many as the evidence calls for.
        with sqlite3.connect(tmp_path / "refund.db") as db:
            rows = db.execute(
                "SELECT count(*), count(DISTINCT case_id), count(DISTINCT lead_id || '/' || submission_id) FROM refund_refunds"
            ).fetchone()
            by_reason = dict(
                db.execute("SELECT reason, count(*) FROM refund_refunds GROUP BY reason").fetchall()
            )
        assert rows == (sum(expected.values()),) * 3
        assert by_reason == expected

        # The ledger balanced, two entries per refund; the statement equal to the ledger.
        def fen(money) -> int:  # type: ignore[no-untyped-def]
            return money.units * 100 + money.nanos // 10_000_000

        debits = sum(fen(e.amount) for e in entries if e.direction == pb.LEDGER_DIRECTION_DEBIT)
        credits = [e for e in entries if e.direction == pb.LEDGER_DIRECTION_CREDIT]
        assert len(entries) == 2 * sum(expected.values())
        assert debits == sum(fen(e.amount) for e in credits) == expected_fen
        # The statements of the months the refunds were posted in (one, unless the run straddled a month's end).
        assert sum(statement.refund_count for statement in statements) == len(credits)
        assert sum(fen(total) for statement in statements for total in statement.totals) == expected_fen
        counts: Counter[str] = Counter()
        amounts: Counter[int] = Counter()
        for statement in statements:
            for line in statement.lines:
                counts[pb.RefundReason.Name(line.reason).removeprefix("REFUND_REASON_")] += line.refund_count
                amounts[line.reason] += fen(line.amount)
        assert dict(counts) == expected
        for reason, amount in amounts.items():
            assert amount == sum(fen(e.amount) for e in credits if e.reason == reason)

        # One refund.issued per refund on the bus (the relay's re-publications after a kill carry the same id).
        sub = await js.pull_subscribe(REFUND_ISSUED, durable=None, stream=REFUND_STREAM.name)
        issued: list[str] = []
        while True:
            try:
                batch = await sub.fetch(500, timeout=2)
            except (TimeoutError, nats.errors.TimeoutError):
                break
            issued.extend(events_pb2.RefundIssued.FromString(m.data).refund_id for m in batch)
        assert len(set(issued)) == len(issued) == sum(expected.values())
    finally:
        await nc.close()
        service.stop()
