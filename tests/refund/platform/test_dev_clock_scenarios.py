"""Issue 10's boundary scenarios from outside, on the dev clock: a refund service process started with
``LEADFLOW_DEV_CLOCK=true``, real events published to the producers' streams, the stack's time moved with
``leadflow clock set`` between steps, the answers read through the gRPC API.

One timeline (Asia/Shanghai, March 2026) carries every scenario, each on its own lead:

- A: submitted at 06:00, three unanswered calls the same day: never reached when its 24 h close, paid 6 h later;
- B, C: submitted at 22:50 and 23:30: their 12 callable hours end at 20:00 the next day;
- D, E: an answered call of 9 s (an attempt) and of 10 s (the lead reached);
- F, G: the third attempt at exactly 24 h after submission, and one second after;
- H, I: two 关机 15 minutes apart, in different clock hours (10:50 and 11:05) and in the same one (10:10 and 10:25).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import grpc
import nats
import pytest

from leadflow.refund.v1 import refund_service_pb2 as pb
from leadflow.refund.v1 import refund_service_pb2_grpc
from services.common.auth import Role
from services.common.events import STREAM_OF_SERVICE
from services.common.messaging import MSG_ID_HEADER, ensure_stream
from services.refund.domain.calls import CallOutcome
from tests.harness import TokenMinter
from tests.platform.helpers import ServiceProcess, service_env, start_service, wait_serving
from tests.refund.events import Event, call_completed, lead_accepted
from tests.refund.unit.builders import at

pytestmark = pytest.mark.slow

TENANT = "tenant-dev-clock"
NO_ANSWER, ANSWERED, OFF = CallOutcome.NO_ANSWER, CallOutcome.ANSWERED, CallOutcome.POWERED_OFF
STREAM_OF_SUBJECT = {subject: spec for spec in STREAM_OF_SERVICE.values() for subject in spec.subjects}


class Stack:
    def __init__(self, nats_url: str, process: ServiceProcess, env: dict[str, str]) -> None:
        self.nats_url, self.process = nats_url, process
        self.metadata = TokenMinter(env).metadata(TENANT, Role.ADMIN)
        self.channel = grpc.aio.insecure_channel(process.address)
        self.stub = refund_service_pb2_grpc.RefundServiceStub(self.channel)

    async def set_time(self, moment: datetime) -> None:
        """``leadflow clock set``, then wait until the service follows (it logs every move, at DEBUG)."""
        moves = self.process.log().count("dev clock moved")
        args = [sys.executable, "-m", "services.cli.main", "clock", "--nats-url", self.nats_url, "set"]
        done = await asyncio.to_thread(
            subprocess.run, [*args, moment.isoformat()], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 30
        while self.process.log().count("dev clock moved") <= moves:
            assert time.monotonic() < deadline, "the service did not follow the dev clock"
            await asyncio.sleep(0.05)

    async def publish(self, *events: Event) -> None:
        nc = await nats.connect(self.nats_url)
        try:
            js = nc.jetstream()
            for event in events:
                await ensure_stream(js, STREAM_OF_SUBJECT[event.subject])
                await js.publish(event.subject, event.data, headers={MSG_ID_HEADER: event.event_id})
        finally:
            await nc.close()

    async def case(self, lead: str, accept, timeout: float = 30) -> pb.Case:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        last: object = None
        while time.monotonic() < deadline:
            try:
                last = (
                    await self.stub.GetEligibility(
                        pb.GetEligibilityRequest(lead_id=lead), metadata=self.metadata
                    )
                ).case
                if accept(last):
                    return last  # type: ignore[return-value]
            except grpc.aio.AioRpcError as error:
                if error.code() != grpc.StatusCode.NOT_FOUND:
                    raise
                last = error
            await asyncio.sleep(0.05)
        raise AssertionError(f"case of {lead} never as expected; last: {last}")


def state(expected: int, reason: int = 0):  # type: ignore[no-untyped-def]
    return lambda case: case.state == expected and (not reason or case.reason == reason)


def calls(lead: str, *spec: tuple) -> list[Event]:  # type: ignore[type-arg]
    return [
        call_completed(
            TENANT, lead, f"{lead}-c{n}", item[0], item[1], talk_seconds=item[2] if len(item) > 2 else 0
        )
        for n, item in enumerate(spec, start=1)
    ]


async def test_the_boundary_scenarios_on_the_dev_clock(tmp_path: Path, nats_server) -> None:  # type: ignore[no-untyped-def]
    env = service_env(
        "refund", tmp_path, nats_server.url, LEADFLOW_DEV_CLOCK="true", LEADFLOW_LOG_LEVEL="DEBUG"
    )  # every move of the dev clock is a DEBUG line: set_time waits for it
    process = start_service("refund", env, tmp_path / "refund.log")
    try:
        wait_serving(process, timeout=60)
        stack = Stack(nats_server.url, process, env)
        p = pb

        # Day 2, 16:00. A: three unanswered calls by 15:00 meet never reached, decided only when its window closes.
        await stack.set_time(at(2, 16, 0))
        await stack.publish(
            *(lead_accepted(TENANT, lead, at(2, 6 if lead == "A" else 10, 0)) for lead in "ADEFGHI"),
            *calls("A", (at(2, 10, 5), NO_ANSWER), (at(2, 11, 30), NO_ANSWER), (at(2, 15, 0), NO_ANSWER)),
            *calls("D", (at(2, 10, 5), NO_ANSWER), (at(2, 11, 30), ANSWERED, 9), (at(2, 15, 0), NO_ANSWER)),
            *calls("E", (at(2, 10, 5), NO_ANSWER), (at(2, 11, 30), ANSWERED, 10), (at(2, 15, 0), NO_ANSWER)),
            *calls("F", (at(2, 10, 5), NO_ANSWER), (at(2, 11, 30), NO_ANSWER)),
            *calls("G", (at(2, 10, 5), NO_ANSWER), (at(2, 11, 30), NO_ANSWER)),
            *calls("H", (at(2, 10, 50), OFF), (at(2, 11, 5), OFF)),
            *calls("I", (at(2, 10, 10), OFF), (at(2, 10, 25), OFF)),
        )
        a = await stack.case("A", lambda c: c.attempt_count == 3)
        assert a.state == p.CASE_STATE_PENDING
        assert [m.kind for m in a.missing] == [p.REQUIREMENT_KIND_REACH_WINDOW_CLOSE]
        assert "the 24 h window closes at 06:00 tomorrow" in a.missing[0].description
        d = await stack.case("D", lambda c: c.attempt_count == 3)
        assert d.state == p.CASE_STATE_PENDING
        await stack.case("E", state(p.CASE_STATE_NOT_REFUNDABLE))
        await stack.case("H", state(p.CASE_STATE_ELIGIBLE, p.REFUND_REASON_POWERED_OFF))
        i = await stack.case("I", lambda c: len(c.calls) == 2)
        assert i.state == p.CASE_STATE_PENDING
        assert p.REQUIREMENT_KIND_POWERED_OFF_CONFIRMATION in [m.kind for m in i.missing]

        # Day 3, 06:00: A's window closed; H was paid at 17:05. B and C, submitted last evening, arrive.
        await stack.set_time(at(3, 6, 0))
        a = await stack.case("A", state(p.CASE_STATE_ELIGIBLE, p.REFUND_REASON_NEVER_REACHED))
        assert a.missing[0].description == "paid after the settling period at 12:00"
        await stack.case("H", state(p.CASE_STATE_REFUNDED))
        e = await stack.case("E", lambda c: not c.missing)
        assert e.rejection_reason == p.REFUND_REJECTION_REASON_ANSWERED
        await stack.publish(
            lead_accepted(TENANT, "B", at(2, 22, 50)), lead_accepted(TENANT, "C", at(2, 23, 30))
        )
        for lead in "BC":
            case = await stack.case(lead, lambda c: True)
            assert case.missing[0].description.startswith("a first attempt before 20:00")

        # Day 3, 10:05: the third attempts at exactly 24 h (F) and one second after (G); D's window has closed.
        await stack.set_time(at(3, 10, 5))
        await stack.publish(
            call_completed(TENANT, "F", "F-c3", at(3, 10, 0, 0), NO_ANSWER),
            call_completed(TENANT, "G", "G-c3", at(3, 10, 0, 1), NO_ANSWER),
        )
        await stack.case("F", state(p.CASE_STATE_ELIGIBLE, p.REFUND_REASON_NEVER_REACHED))
        g = await stack.case("G", lambda c: len(c.calls) == 3)
        assert g.state == p.CASE_STATE_PENDING and g.attempt_count == 2
        assert g.calls[2].exclusion == p.ATTEMPT_EXCLUSION_AFTER_REACH_WINDOW
        await stack.case("D", state(p.CASE_STATE_ELIGIBLE, p.REFUND_REASON_NEVER_REACHED))

        # Day 3, 21:00: B and C were called before and after 20:00; A was paid at 12:00.
        await stack.set_time(at(3, 21, 0))
        await stack.case("A", state(p.CASE_STATE_REFUNDED))
        for lead in "BC":
            await stack.publish(
                *calls(
                    lead, (at(3, 19, 59), NO_ANSWER), (at(3, 20, 10), NO_ANSWER), (at(3, 20, 40), NO_ANSWER)
                )
            )

        # Day 4, 00:00: B's and C's windows closed at 22:50 and 23:30.
        await stack.set_time(at(4, 0, 0))
        for lead in "BC":
            await stack.case(lead, state(p.CASE_STATE_ELIGIBLE, p.REFUND_REASON_NEVER_REACHED))
        refunds = (await stack.stub.ListRefunds(pb.ListRefundsRequest(), metadata=stack.metadata)).refunds
        assert sorted(r.lead_id for r in refunds) == ["A", "D", "F", "H"]
        await stack.channel.close()
    finally:
        if process.process.poll() is None:
            process.process.terminate()
            process.process.wait(timeout=30)
