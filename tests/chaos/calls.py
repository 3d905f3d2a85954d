"""Calls in the fault tests, through the Aliyun carrier as deployed: telephony binds each call at a local server that
answers as Aliyun's Dyplsapi does (``tests.telephony.carriers.fake_dyplsapi``, reached through the official SDK), and
the test pushes each call's SecretReport receipt to telephony's receipt endpoint, as Aliyun does.

While leads are submitted and processes killed, every fifth lead of a person submitted once is called: the agent
holding it is read from assign (ListAssignments), StartCall names that agent, and the call's receipt says either an
empty number (``release_cause`` 1, never answered) or a 30-second conversation. Callers retry as the API documents:
StartCall with the same request id while the answer is retryable or telephony has not yet learnt the lead, its
holder or the agent (the events are asynchronous); a receipt is pushed again until it is answered 200, as Aliyun
re-pushes one that was not acknowledged. Any other answer is a failure the tests count.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer

import aiohttp
import grpc
from google.protobuf import field_mask_pb2

from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.assign.v1 import assign_service_pb2_grpc
from leadflow.common.v1 import schedule_pb2
from leadflow.telephony.v1 import telephony_service_pb2 as telephony_pb
from leadflow.telephony.v1 import telephony_service_pb2_grpc
from services.common.leadenums import CallOutcome
from services.common.netutil import free_port
from services.telephony.domain.provider_times import BEIJING
from services.telephony.receipts import SECRET_REPORT_PATH
from tests.chaos.traffic import RETRIED, Planned, TrafficResult, metadata
from tests.pipeline import PipelineStack
from tests.telephony.carriers.fake_dyplsapi import ACCESS_KEY_ID, ACCESS_KEY_SECRET, FakeDyplsapi, serve

CALLED_EVERY = 5  # every fifth lead of a person submitted once
# 40 × 200 pairs (DEFAULT_MAX_CONCURRENT_BINDINGS) hold the full run's ~3,600 calls with room to spare.
MASKED_NUMBERS = tuple(f"+86171000{n:05d}" for n in range(40))
RECEIPT_TOKEN = "chaos-receipt-token-" + "t" * 32
# StartCall refusals that mean "telephony has not caught up yet" (its lead, holder or agent events are on the way)
# or "no masked number free right now": asked again with the same request id.
NOT_YET = (
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
)


@dataclass
class Carrier:
    """The local Dyplsapi and the environment that points telephony at it (and opens its receipt endpoint)."""

    api: FakeDyplsapi
    server: ThreadingHTTPServer
    receipt_port: int

    @classmethod
    def start(cls) -> Carrier:
        api = FakeDyplsapi()
        server, _port = serve(api)
        return cls(api, server, free_port())

    @property
    def env(self) -> dict[str, str]:
        return {
            "LEADFLOW_TELEPHONY_ALIYUN_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "LEADFLOW_TELEPHONY_ALIYUN_ACCESS_KEY_SECRET": ACCESS_KEY_SECRET,
            "LEADFLOW_TELEPHONY_ALIYUN_POOL_KEY": "FC100000012345",
            "LEADFLOW_TELEPHONY_ALIYUN_ENDPOINT": f"127.0.0.1:{self.server.server_address[1]}",
            "LEADFLOW_TELEPHONY_ALIYUN_PROTOCOL": "HTTP",
            "LEADFLOW_TELEPHONY_DEFAULT_CARRIER": "aliyun",
            "LEADFLOW_TELEPHONY_RECEIPT_PORT": str(self.receipt_port),
            "LEADFLOW_TELEPHONY_RECEIPT_TOKEN": RECEIPT_TOKEN,
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def set_up_telephony(stack: PipelineStack) -> None:
    """Masked numbers at Aliyun, and calls allowed all day (the run must not depend on the hour it runs at)."""
    md = metadata(stack)
    with stack.channel("telephony") as channel:
        telephony = telephony_service_pb2_grpc.TelephonyServiceStub(channel)
        telephony.AddNumbers(
            telephony_pb.AddNumbersRequest(
                numbers=[telephony_pb.MaskedNumber(phone_number=n, carrier="aliyun") for n in MASKED_NUMBERS],
                request_id="chaos-numbers",
            ),
            metadata=md,
            timeout=30,
        )
        all_day = schedule_pb2.DailyWindow(
            start=schedule_pb2.TimeOfDay(hours=0), end=schedule_pb2.TimeOfDay(hours=24)
        )
        telephony.UpdateTelephonySettings(
            telephony_pb.UpdateTelephonySettingsRequest(
                settings=telephony_pb.TelephonySettings(callable_hours=all_day),
                update_mask=field_mask_pb2.FieldMask(paths=["callable_hours"]),
            ),
            metadata=md,
            timeout=30,
        )


def to_call(items: list[Planned]) -> dict[str, CallOutcome]:
    """The request ids of the submissions whose lead is called, with the outcome its receipt will report: every
    fifth person submitted once, alternately an empty number and a conversation."""
    people = Counter(item.phone for item in items)
    once = [item for item in items if people[item.phone] == 1]
    return {
        item.request_id: CallOutcome.EMPTY_NUMBER if n % 2 == 0 else CallOutcome.ANSWERED
        for n, item in enumerate(once[::CALLED_EVERY])
    }


@dataclass
class CallsResult:
    started: dict[str, str] = field(default_factory=dict)  # lead id -> call id StartCall answered
    reported: dict[str, CallOutcome] = field(default_factory=dict)  # call id -> outcome its receipt said
    failed: Counter[str] = field(default_factory=Counter)  # final answers other than OK, by what and code
    retried: Counter[str] = field(default_factory=Counter)


def _beijing(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def secret_report(
    sub_id: str, provider_call_id: str, dial: datetime, outcome: CallOutcome
) -> dict[str, object]:
    """One SecretReport record (https://help.aliyun.com/document_detail/305596.html) of a call dialled at ``dial``:
    an empty number (release_cause 1, unconnected_cause 4, released 2 s later unanswered) or a conversation (rings 3 s, answered at 6 s,
    released 30 s later, release_cause 16). The numbers are masked as Aliyun masks them."""
    answered = outcome is CallOutcome.ANSWERED
    record: dict[str, object] = {
        "id": int(provider_call_id.removeprefix("chaos")),
        "call_id": provider_call_id,
        "sub_id": int(sub_id),
        "pool_key": "FC100000012345",
        "phone_no": "138****0000",
        "secret_no": "171****0000",
        "peer_no": "139****0000",
        "call_type": 0,
        "call_time": _beijing(dial),
        "call_out_time": _beijing(dial),
        "release_dir": 2 if answered else 0,
        "release_cause": 16 if answered else 1,
        # 4 其他 (not 1-3: a blacklist, no binding or a call restriction, which Aliyun's own side decided).
        "unconnected_cause": 0 if answered else 4,
    }
    if answered:
        record |= {
            "ring_time": _beijing(dial + timedelta(seconds=3)),
            "start_time": _beijing(dial + timedelta(seconds=6)),
            "release_time": _beijing(dial + timedelta(seconds=36)),
        }
    else:
        record["release_time"] = _beijing(dial + timedelta(seconds=2))
    return record


async def call_leads(
    stack: PipelineStack,
    carrier: Carrier,
    traffic: TrafficResult,
    wanted: dict[str, CallOutcome],
    traffic_done: asyncio.Event,
    *,
    concurrency: int = 4,
    retry_budget: float = 240.0,
) -> CallsResult:
    """Call the leads of ``wanted`` as their submissions are acknowledged (``traffic`` fills while this runs), until
    every one acknowledged is called and reported and ``traffic_done`` is set."""
    result = CallsResult()
    md = metadata(stack)
    queue: asyncio.Queue[str] = asyncio.Queue()
    queued: set[str] = set()
    assign_channel = stack.aio_channel("assign")
    telephony_channel = stack.aio_channel("telephony")
    assign = assign_service_pb2_grpc.AssignServiceStub(assign_channel)
    telephony = telephony_service_pb2_grpc.TelephonyServiceStub(telephony_channel)
    receipts = f"http://127.0.0.1:{carrier.receipt_port}{SECRET_REPORT_PATH}?token={RECEIPT_TOKEN}"
    provider_call_ids = (f"chaos{n}" for n in itertools.count(1))

    async def feed() -> None:
        while True:
            # Read first: everything acknowledged before the traffic ended is in traffic.acked by then.
            done = traffic_done.is_set()
            for request_id in [r for r in wanted if r in traffic.acked and r not in queued]:
                queued.add(request_id)
                queue.put_nowait(request_id)
            if done:
                return
            await asyncio.sleep(0.2)

    async def until_ok(what: str, attempt, give_up: float, retryable=RETRIED):  # type: ignore[no-untyped-def]
        pause = 0.2
        while True:
            try:
                return await attempt()
            except grpc.aio.AioRpcError as error:
                code = error.code()
                if code in retryable and time.monotonic() < give_up:
                    result.retried[f"{what} {code.name}"] += 1
                    await asyncio.sleep(pause)
                    pause = min(pause * 2, 2.0)
                    continue
                result.failed[f"{what} {code.name}: {error.details()}"] += 1
                return None

    async def holder(lead_id: str, give_up: float) -> str | None:
        while time.monotonic() < give_up:
            reply = await until_ok(
                "ListAssignments",
                lambda: assign.ListAssignments(
                    assign_pb.ListAssignmentsRequest(lead_id=lead_id), metadata=md, timeout=15
                ),
                give_up,
            )
            if reply is None:
                return None
            if reply.assignments:
                return str(reply.assignments[0].agent_id)
            await asyncio.sleep(0.5)  # the lead.accepted event has not reached assign yet
        result.failed["ListAssignments: never assigned"] += 1
        return None

    async def push(record: dict[str, object], give_up: float) -> bool:
        body = json.dumps([record], ensure_ascii=False)
        pause = 0.2
        async with aiohttp.ClientSession() as session:
            while True:
                try:
                    async with session.post(
                        receipts, data=body, timeout=aiohttp.ClientTimeout(total=15)
                    ) as answer:
                        if answer.status == 200:
                            return True
                        status = f"HTTP {answer.status}"
                        if answer.status < 500:
                            result.failed[f"receipt {status}: {await answer.text()}"] += 1
                            return False
                except (aiohttp.ClientError, TimeoutError) as error:
                    status = type(error).__name__
                if time.monotonic() > give_up:
                    result.failed[f"receipt {status}"] += 1
                    return False
                result.retried[f"receipt {status}"] += 1
                await asyncio.sleep(pause)
                pause = min(pause * 2, 2.0)

    async def call(request_id: str) -> None:
        lead_id = traffic.acked[request_id].lead_id
        give_up = time.monotonic() + retry_budget
        agent_id = await holder(lead_id, give_up)
        if agent_id is None:
            return
        started = await until_ok(
            "StartCall",
            lambda: telephony.StartCall(
                telephony_pb.StartCallRequest(
                    lead_id=lead_id, agent_id=agent_id, request_id=f"call-{request_id}"
                ),
                metadata=md,
                timeout=15,
            ),
            give_up,
            RETRIED + NOT_YET,
        )
        if started is None:
            return
        call_id, binding_id = started.call.id, started.binding.id
        result.started[lead_id] = call_id
        sub_id = carrier.api.subs_by_out_id.get(binding_id)
        if sub_id is None:
            result.failed["StartCall answered a binding Aliyun never made"] += 1
            return
        outcome = wanted[request_id]
        dial = started.call.start_time.ToDatetime(UTC)
        if await push(secret_report(sub_id, next(provider_call_ids), dial, outcome), give_up):
            result.reported[call_id] = outcome

    async def caller() -> None:
        while True:
            try:
                request_id = await asyncio.wait_for(queue.get(), timeout=0.5)
            except TimeoutError:
                if feeding.done() and queue.empty():
                    return
                continue
            await call(request_id)

    feeding = asyncio.create_task(feed())
    try:
        await asyncio.gather(feeding, *(caller() for _ in range(concurrency)))
    finally:
        await assign_channel.close()
        await telephony_channel.close()
    return result
