"""The real telephony service in-process (its bootstrap, a real nats-server, a SQLite file, a fake clock): events
from ingest and assign published to their streams build its leads and agents; StartCall, carrier events from the
simulated carrier, the produced call.started / call.completed; field violations, tenancy and roles."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import grpc
import pytest
from google.protobuf import field_mask_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from leadflow.assign.v1 import events_pb2 as assign_events
from leadflow.common.v1 import call_pb2, region_pb2, schedule_pb2
from leadflow.ingest.v1 import events_pb2 as ingest_events
from leadflow.telephony.v1 import events_pb2 as telephony_events
from leadflow.telephony.v1 import telephony_service_pb2 as pb
from leadflow.telephony.v1 import telephony_service_pb2_grpc
from services.common.auth import Role
from services.common.clock import FakeClock
from services.common.events import (
    CALL_COMPLETED,
    CALL_STARTED,
    CALLABLE_HOURS_CHANGED,
    INGEST_STREAM,
    LEAD_ACCEPTED,
    LEAD_ASSIGNED,
    TELEPHONY_STREAM,
)
from services.common.messaging import MSG_ID_HEADER, ensure_stream
from services.common.protoconv import encrypted_value, sealed_value, timestamp
from services.common.sealing import AGENT_PHONE, LEAD_PHONE, KeyRing, Sealer
from services.telephony.converters.events import AGENT_CREATED, AGENT_STREAM
from tests.common.helpers import read_stream
from tests.harness import TokenMinter, service_environ, start_service
from tests.telephony.helpers import T0, unique

KEYS = "test1:" + "B" * 43 + "="
SEALER = Sealer(KeyRing.parse(KEYS))


class Stack:
    def __init__(self, running, minter: TokenMinter, stub, clock: FakeClock, nats_url: str) -> None:  # type: ignore[no-untyped-def]
        self.running, self.minter, self.stub, self.clock, self.nats_url = (
            running,
            minter,
            stub,
            clock,
            nats_url,
        )

    def md(self, tenant: str, role: Role = Role.ADMIN, subject: str = "admin") -> tuple:
        return self.minter.metadata(tenant, role, subject)

    async def publish(self, stream, subject: str, message) -> None:  # type: ignore[no-untyped-def]
        import nats

        nc = await nats.connect(self.nats_url)
        try:
            js = nc.jetstream()
            await ensure_stream(js, stream)
            await js.publish(subject, message.SerializeToString(), headers={MSG_ID_HEADER: message.event_id})
        finally:
            await nc.close()

    async def world(self, tenant: str, *, phone: str = "+8613900007777") -> tuple[str, str]:
        """A lead held by an agent whose user is "agent-user", known to telephony through published events."""
        lead, agent = unique("lead"), unique("agent")
        await self.publish(
            AGENT_STREAM,
            AGENT_CREATED,
            assign_events.AgentCreated(
                event_id=unique("e"),
                tenant_id=tenant,
                agent=assign_events.AgentSnapshot(
                    agent_id=agent,
                    revision=1,
                    user_id="agent-user",
                    phone=encrypted_value(SEALER.seal(tenant, AGENT_PHONE, "+8613800006666")),
                    phone_masked="138****6666",
                ),
            ),
        )
        await self.publish(
            INGEST_STREAM,
            LEAD_ACCEPTED,
            ingest_events.LeadAccepted(
                event_id=unique("e"),
                tenant_id=tenant,
                occurred_time=timestamp(self.clock.now()),
                lead_id=lead,
                account_id="acct-1",
                encrypted_phone=encrypted_value(SEALER.seal(tenant, LEAD_PHONE, phone)),
                phone_region=region_pb2.Region(province="广东省", city="深圳市"),
            ),
        )
        await self.publish(
            AGENT_STREAM,
            LEAD_ASSIGNED,
            assign_events.LeadAssigned(
                event_id=unique("e"),
                tenant_id=tenant,
                occurred_time=timestamp(self.clock.now()),
                lead_id=lead,
                account_id="acct-1",
                agent_id=agent,
            ),
        )
        return lead, agent

    async def start_eventually(
        self, tenant: str, lead: str, request_id: str, timeout: float = 20.0
    ) -> pb.StartCallResponse:
        """StartCall as the agent, once the consumed events have reached telephony."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return await self.stub.StartCall(
                    pb.StartCallRequest(lead_id=lead, request_id=request_id),
                    metadata=self.md(tenant, Role.AGENT, "agent-user"),
                )
            except grpc.aio.AioRpcError as error:
                if time.monotonic() > deadline or error.code() not in (
                    grpc.StatusCode.NOT_FOUND,
                    grpc.StatusCode.PERMISSION_DENIED,
                    grpc.StatusCode.FAILED_PRECONDITION,
                ):
                    raise
                await asyncio.sleep(0.1)


@pytest.fixture
async def stack(tmp_path, nats_server) -> AsyncIterator[Stack]:  # type: ignore[no-untyped-def]
    env = service_environ("telephony", tmp_path, nats_server.url, LEADFLOW_PII_KEYS=KEYS)
    clock = FakeClock(T0)
    running = await start_service("telephony", env, clock=clock)
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
            yield Stack(
                running,
                TokenMinter(env),
                telephony_service_pb2_grpc.TelephonyServiceStub(channel),
                clock,
                nats_server.url,
            )
    finally:
        await running.stop()


def _violations(error: grpc.aio.AioRpcError) -> list[str]:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    fields = []
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields.extend(v.field for v in bad.field_violations)
    return fields


def _reason(error: grpc.aio.AioRpcError) -> str:
    status = rpc_status.from_call(error)  # type: ignore[arg-type]
    for detail in status.details if status else []:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info.reason
    return ""


async def test_a_call_from_events_to_outcome_with_the_produced_events(stack: Stack) -> None:
    tenant = unique("tenant")
    added = await stack.stub.AddNumbers(
        pb.AddNumbersRequest(
            numbers=[pb.MaskedNumber(phone_number="+8613800138401")], request_id=unique("add")
        ),
        metadata=stack.md(tenant),
    )
    assert added.numbers[0].region.province and added.numbers[0].carrier == "simulated"
    await stack.stub.UpdateTelephonySettings(  # a window open all day in a zone other than the default
        pb.UpdateTelephonySettingsRequest(
            settings=pb.TelephonySettings(
                callable_hours=schedule_pb2.DailyWindow(
                    start=schedule_pb2.TimeOfDay(hours=0), end=schedule_pb2.TimeOfDay(hours=24)
                ),
                default_time_zone="Asia/Urumqi",
            ),
            update_mask=field_mask_pb2.FieldMask(paths=["callable_hours", "default_time_zone"]),
        ),
        metadata=stack.md(tenant),
    )
    lead, agent = await stack.world(tenant)
    request_id = unique("req")
    started = await stack.start_eventually(tenant, lead, request_id)
    assert started.dial_number == "+8613800138401" and started.call.agent_id == agent
    assert started.binding.state == pb.BINDING_STATE_ACTIVE
    replay = await stack.stub.StartCall(
        pb.StartCallRequest(lead_id=lead, request_id=request_id),
        metadata=stack.md(tenant, Role.AGENT, "agent-user"),
    )
    assert replay.call.id == started.call.id
    with pytest.raises(grpc.aio.AioRpcError) as busy:  # a second call would ring the lead twice
        await stack.stub.StartCall(
            pb.StartCallRequest(lead_id=lead, request_id=unique("req")),
            metadata=stack.md(tenant, Role.AGENT, "agent-user"),
        )
    assert busy.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert _reason(busy.value) == "CALL_IN_PROGRESS"
    assert started.call.id in (busy.value.details() or "")
    assert "13900007777" not in (busy.value.details() or "")
    stack.clock.advance(timedelta(hours=6))  # every simulated report is due by now
    deadline = time.monotonic() + 20
    while True:
        call = (
            await stack.stub.GetCall(pb.GetCallRequest(call_id=started.call.id), metadata=stack.md(tenant))
        ).call
        # The 6 h step makes the simulator's reports and the call's own timeout due together; when the timeout runs
        # first the call ends from its times alone (UNSPECIFIED, no evidence) and the reports correct it after.
        if (
            call.state == pb.CALL_STATE_ENDED
            and call.evidence
            and call.outcome != call_pb2.CALL_OUTCOME_UNSPECIFIED
        ):
            break
        assert time.monotonic() < deadline, f"the simulated events never ended the call: {call}"
        await asyncio.sleep(0.1)
    assert call.outcome != call_pb2.CALL_OUTCOME_UNSPECIFIED and call.evidence
    # Every code says when leadflow received it: after the call started, not after now.
    for piece in call.evidence:
        assert piece.HasField("receive_time"), piece
        assert (
            started.call.start_time.ToDatetime()
            <= piece.receive_time.ToDatetime()
            <= stack.clock.now().replace(tzinfo=None)
        )
    listed = await stack.stub.ListCalls(pb.ListCallsRequest(lead_id=lead), metadata=stack.md(tenant))
    assert [c.id for c in listed.calls] == [started.call.id]
    import nats

    nc = await nats.connect(stack.nats_url)
    try:
        deadline = time.monotonic() + 20
        while True:
            messages = await read_stream(nc.jetstream(), TELEPHONY_STREAM.name, "leadflow.call.v1.>")
            subjects = [m.subject for m in messages]
            if CALL_COMPLETED in subjects:
                break
            assert time.monotonic() < deadline
            await asyncio.sleep(0.2)
    finally:
        await nc.close()
    started_events = [
        telephony_events.CallStarted.FromString(m.data) for m in messages if m.subject == CALL_STARTED
    ]
    completed = [
        telephony_events.CallCompleted.FromString(m.data) for m in messages if m.subject == CALL_COMPLETED
    ]
    assert [e.call_id for e in started_events] == [started.call.id]
    assert completed[-1].outcome == call.outcome
    # The window telephony enforced, for refund: the tenant's hours, in the lead's own zone (a +86 mobile's, not the
    # tenant's default).
    hours = completed[-1].callable_hours
    assert (hours.start.hours, hours.end.hours, completed[-1].time_zone) == (0, 24, "Asia/Shanghai")
    assert b"13900007777" not in completed[-1].SerializeToString()  # the phone travels sealed only
    opened = SEALER.open(tenant, LEAD_PHONE, sealed_value(completed[-1].encrypted_lead_phone))
    assert opened == "+8613900007777"
    again = await stack.stub.StartCall(  # the call ended: the lead can be called again
        pb.StartCallRequest(lead_id=lead, request_id=unique("req")),
        metadata=stack.md(tenant, Role.AGENT, "agent-user"),
    )
    assert again.call.attempt_number == 2 and again.call.id != started.call.id


async def test_bad_input_names_the_field_and_other_tenants_and_roles_are_refused(stack: Stack) -> None:
    tenant = unique("tenant")
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await stack.stub.AddNumbers(
            pb.AddNumbersRequest(numbers=[pb.MaskedNumber(phone_number="12345", carrier="nope")]),
            metadata=stack.md(tenant),
        )
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(_violations(bad.value)) == {"request_id", "numbers[0].phone_number", "numbers[0].carrier"}
    listed = await stack.stub.ListNumbers(pb.ListNumbersRequest(), metadata=stack.md(tenant))
    assert list(listed.numbers) == []  # nothing was added
    with pytest.raises(grpc.aio.AioRpcError) as bad_call:
        await stack.stub.StartCall(pb.StartCallRequest(lead_id="", request_id=""), metadata=stack.md(tenant))
    assert set(_violations(bad_call.value)) == {"lead_id", "request_id"}
    with pytest.raises(grpc.aio.AioRpcError) as bad_event:
        await stack.stub.ReportCallEvent(
            pb.ReportCallEventRequest(
                provider="aliyun", call_id="c1", type=pb.CALL_EVENT_TYPE_FINAL_REPORT, sip_code=9999
            ),
            metadata=stack.md(tenant, Role.SERVICE),
        )
    assert "sip_code" in _violations(bad_event.value)
    await stack.stub.AddNumbers(
        pb.AddNumbersRequest(
            numbers=[pb.MaskedNumber(phone_number="+8613800138402")], request_id=unique("add")
        ),
        metadata=stack.md(tenant),
    )
    lead, _agent = await stack.world(tenant, phone="+8613900008888")
    started = await stack.start_eventually(tenant, lead, unique("req"))
    other = unique("other")
    for call in (
        stack.stub.GetCall(pb.GetCallRequest(call_id=started.call.id), metadata=stack.md(other)),
        stack.stub.EndCall(pb.EndCallRequest(call_id=started.call.id), metadata=stack.md(other)),
        stack.stub.ReleaseBinding(
            pb.ReleaseBindingRequest(binding_id=started.binding.id), metadata=stack.md(other)
        ),
        stack.stub.RetireNumber(
            pb.RetireNumberRequest(number_id=started.binding.number_id), metadata=stack.md(other)
        ),
        stack.stub.StartCall(pb.StartCallRequest(lead_id=lead, request_id="r"), metadata=stack.md(other)),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as missing:
            await call
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    for method, request, role in (
        (stack.stub.StartCall, pb.StartCallRequest(lead_id=lead, request_id="r2"), Role.SERVICE),
        (stack.stub.AddNumbers, pb.AddNumbersRequest(request_id="r3"), Role.AGENT),
        (stack.stub.UpdateTelephonySettings, pb.UpdateTelephonySettingsRequest(), Role.SERVICE),
        (stack.stub.ReportCallEvent, pb.ReportCallEventRequest(), Role.AGENT),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as denied:
            await method(request, metadata=stack.md(tenant, role))
        assert denied.value.code() == grpc.StatusCode.PERMISSION_DENIED
    ended = await stack.stub.EndCall(
        pb.EndCallRequest(call_id=started.call.id), metadata=stack.md(tenant, Role.AGENT, "agent-user")
    )
    assert (
        ended.call.state == pb.CALL_STATE_ENDED
        and ended.call.release_direction == pb.RELEASE_DIRECTION_CALLER
    )


async def test_settings_and_callable_hours_through_the_api(stack: Stack) -> None:
    tenant = unique("tenant")
    defaults = (
        await stack.stub.GetTelephonySettings(pb.GetTelephonySettingsRequest(), metadata=stack.md(tenant))
    ).settings
    assert (defaults.callable_hours.start.hours, defaults.callable_hours.end.hours) == (8, 21)
    assert defaults.default_time_zone == "Asia/Shanghai" and defaults.max_concurrent_bindings == 200
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await stack.stub.UpdateTelephonySettings(
            pb.UpdateTelephonySettingsRequest(
                settings=pb.TelephonySettings(default_time_zone="Mars/Olympus", quarantine_ratio=2),
                update_mask=field_mask_pb2.FieldMask(
                    paths=["default_time_zone", "quarantine_ratio", "colour"]
                ),
            ),
            metadata=stack.md(tenant),
        )
    assert set(_violations(bad.value)) == {
        "settings.default_time_zone",
        "settings.quarantine_ratio",
        "update_mask",
    }
    window = schedule_pb2.DailyWindow(
        start=schedule_pb2.TimeOfDay(hours=9), end=schedule_pb2.TimeOfDay(hours=10)
    )
    updated = await stack.stub.UpdateTelephonySettings(
        pb.UpdateTelephonySettingsRequest(
            settings=pb.TelephonySettings(callable_hours=window),
            update_mask=field_mask_pb2.FieldMask(paths=["callable_hours"]),
        ),
        metadata=stack.md(tenant),
    )
    assert updated.settings.callable_hours.start.hours == 9
    await stack.stub.AddNumbers(
        pb.AddNumbersRequest(
            numbers=[pb.MaskedNumber(phone_number="+8613800138403")], request_id=unique("add")
        ),
        metadata=stack.md(tenant),
    )
    lead, _ = await stack.world(tenant, phone="+8613900009999")
    deadline = time.monotonic() + 20
    while True:  # 10:00 in Beijing: outside 09:00-10:00, once the events have arrived
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stack.stub.StartCall(
                pb.StartCallRequest(lead_id=lead, request_id=unique("r")),
                metadata=stack.md(tenant, Role.AGENT, "agent-user"),
            )
        if _reason(refused.value) == "OUTSIDE_CALLABLE_HOURS" or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.1)
    assert (
        refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        and _reason(refused.value) == "OUTSIDE_CALLABLE_HOURS"
    )
    stack.clock.set(T0 - timedelta(minutes=30))  # 09:30 in Beijing
    await stack.start_eventually(tenant, lead, unique("req"))


async def test_a_change_of_callable_hours_is_announced_for_refund_and_only_a_change(stack: Stack) -> None:
    import nats

    tenant = unique("tenant")
    hours = schedule_pb2.DailyWindow(
        start=schedule_pb2.TimeOfDay(hours=9), end=schedule_pb2.TimeOfDay(hours=21)
    )
    for settings, paths in (
        (pb.TelephonySettings(callable_hours=hours), ["callable_hours"]),
        (pb.TelephonySettings(callable_hours=hours), ["callable_hours"]),  # the same hours again: no change
        (pb.TelephonySettings(max_concurrent_bindings=50), ["max_concurrent_bindings"]),  # not about hours
        (pb.TelephonySettings(default_time_zone="Asia/Urumqi"), ["default_time_zone"]),
    ):
        await stack.stub.UpdateTelephonySettings(
            pb.UpdateTelephonySettingsRequest(
                settings=settings, update_mask=field_mask_pb2.FieldMask(paths=paths)
            ),
            metadata=stack.md(tenant),
        )
    nc = await nats.connect(stack.nats_url)
    try:
        deadline = time.monotonic() + 20
        while True:
            messages = await read_stream(nc.jetstream(), TELEPHONY_STREAM.name, CALLABLE_HOURS_CHANGED)
            announced = [telephony_events.CallableHoursChanged.FromString(m.data) for m in messages]
            mine = [event for event in announced if event.tenant_id == tenant]
            if len(mine) >= 2 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
    finally:
        await nc.close()
    assert [
        (e.callable_hours.start.hours, e.callable_hours.end.hours, e.default_time_zone) for e in mine
    ] == [
        (9, 21, "Asia/Shanghai"),
        (9, 21, "Asia/Urumqi"),
    ]
    assert mine[0].change_time.ToDatetime() <= mine[1].change_time.ToDatetime()
    assert len({e.event_id for e in mine}) == 2
