"""Push delivery end to end: SubmitLead -> lead.accepted through NATS -> the push consumer -> the worker POSTs to a
real local HTTP endpoint that fails, stalls past the deadline, then succeeds; ListPushDeliveries shows the log."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import grpc
import pytest
import pytest_asyncio

from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.ingest.domain.push import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from tests.ingest.helpers import lead_request, mobile, unique
from tests.ingest.push.receiver import Receiver
from tests.ingest.stack import POSTGRES_URL, Stack, start_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
SECRET = "whsec_" + "s" * 40
PUSH_ENV = {
    "LEADFLOW_INGEST_PUSH_ALLOW_HTTP": "true",  # a loopback endpoint over plain http: tests only
    "LEADFLOW_INGEST_PUSH_ALLOW_PRIVATE_NETWORKS": "true",
    "LEADFLOW_INGEST_PUSH_TIMEOUT_SECONDS": "0.5",
    "LEADFLOW_INGEST_PUSH_RETRY_BASE_SECONDS": "0.2",
    "LEADFLOW_INGEST_PUSH_RETRY_CAP_SECONDS": "0.4",
}


@pytest_asyncio.fixture(
    scope="module",
    loop_scope="module",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Stack]:
    if request.param == "postgres" and not POSTGRES_URL:
        pytest.skip("PostgreSQL tier: set LEADFLOW_TEST_POSTGRES_URL to run it")
    running = await start_stack(tmp_path_factory.mktemp("push"), request.param, ingest_env=PUSH_ENV)
    try:
        yield running
    finally:
        await running.stop()


async def _deliveries(stack, md, condition, timeout: float = 20.0) -> list[pb.PushDelivery]:
    ingest = stack.ingest_stub()
    deadline = time.monotonic() + timeout
    while True:
        page = await ingest.ListPushDeliveries(
            pb.ListPushDeliveriesRequest(account_id="acct-push"), metadata=md
        )
        if condition(list(page.deliveries)):
            return list(page.deliveries)
        assert time.monotonic() < deadline, f"deliveries never got there: {page}"
        await asyncio.sleep(0.1)


async def test_push_retries_until_the_endpoint_accepts(stack) -> None:
    tenant = unique("tenant")
    admin = stack.metadata(tenant, "admin")
    ingest = stack.ingest_stub()
    with Receiver() as receiver:
        receiver.answer(500, "sleep:1.0", 200)  # fails, stalls past the 0.5 s deadline, then accepts
        rule = await ingest.SetPushRule(
            pb.SetPushRuleRequest(
                push_rule=pb.PushRule(
                    account_id="acct-push",
                    endpoint_url=receiver.url(),
                    enabled=True,
                    selected_fields=["phone", "channel", "name", "email"],
                    secret=SECRET,
                )
            ),
            metadata=admin,
        )
        assert rule.push_rule.has_secret and not rule.push_rule.secret
        got = await ingest.GetPushRule(pb.GetPushRuleRequest(account_id="acct-push"), metadata=admin)
        assert got.push_rule.endpoint_url == receiver.url()

        phone = mobile()
        lead = (
            await ingest.SubmitLead(
                lead_request(account_id="acct-push", phone=phone, name="王小明", email="XM@Example.com"),
                metadata=stack.metadata(tenant),
            )
        ).lead
        # A duplicate is not pushed again (only lead.accepted is).
        await ingest.SubmitLead(
            lead_request(account_id="acct-push", phone=phone), metadata=stack.metadata(tenant)
        )

        delivered = await _deliveries(
            stack, admin, lambda ds: ds and ds[0].status == pb.PUSH_DELIVERY_STATUS_DELIVERED
        )
        assert len(delivered) == 1
        delivery = delivered[0]
        assert delivery.lead_id == lead.id and delivery.attempt_count == 3
        assert delivery.last_http_status == 200 and delivery.HasField("deliver_time")
        assert len(receiver.received) == 3
        final = receiver.received[-1]
        headers = {k.lower(): v for k, v in final.headers.items()}
        assert verify_signature(
            SECRET,
            headers[TIMESTAMP_HEADER.lower()],
            final.body,
            headers[SIGNATURE_HEADER.lower()],
            now=datetime.now(UTC),
        )
        body = json.loads(final.body)
        assert json.dumps(body, ensure_ascii=False).count("+86" + phone) == 1
        # Name and e-mail come from ingest's own leads table (the event does not carry them), as stored.
        assert body["lead"] == {
            "phone": "+86" + phone,
            "channel": "CHANNEL_FORM",
            "name": "王小明",
            "email": lead.email,
        }
        assert lead.email == "xm@example.com"

        by_lead = await ingest.ListPushDeliveries(
            pb.ListPushDeliveriesRequest(lead_id=lead.id), metadata=admin
        )
        assert [d.id for d in by_lead.deliveries] == [delivery.id]


async def test_push_rpcs_are_for_admins_and_validated(stack) -> None:
    tenant = unique("tenant")
    ingest = stack.ingest_stub()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest.GetPushRule(
            pb.GetPushRuleRequest(account_id="acct-push"), metadata=stack.metadata(tenant)
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest.GetPushRule(
            pb.GetPushRuleRequest(account_id="nobody"), metadata=stack.metadata(tenant, "admin")
        )
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest.SetPushRule(
            pb.SetPushRuleRequest(push_rule=pb.PushRule(account_id="a", endpoint_url="ftp://x")),
            metadata=stack.metadata(tenant, "admin"),
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def _publish(stack, stream, subject: str, event, **headers: str):  # type: ignore[no-untyped-def]
    """``event`` on ``subject`` as its producer's relay publishes it (its id as Nats-Msg-Id); the server's ack."""
    from services.common.messaging import MSG_ID_HEADER, ensure_stream

    nc = await stack.nats()
    try:
        js = nc.jetstream()
        await ensure_stream(js, stream)
        return await js.publish(
            subject, event.SerializeToString(), headers={MSG_ID_HEADER: event.event_id, **headers}
        )
    finally:
        await nc.close()


async def _publish_status_changed(stack, event) -> None:
    from services.common.events import ASSIGN_STREAM, LEAD_STATUS_CHANGED

    await _publish(stack, ASSIGN_STREAM, LEAD_STATUS_CHANGED, event)


def _status_changed(tenant: str, lead_id: str, status: int, reason: int = 0, account: str = "acct-push"):  # type: ignore[no-untyped-def]
    import uuid

    from leadflow.assign.v1 import events_pb2 as assign_events
    from services.common.protoconv import timestamp

    return assign_events.LeadStatusChanged(
        event_id=uuid.uuid4().hex,
        tenant_id=tenant,
        occurred_time=timestamp(datetime(2026, 11, 30, 9, 30, tzinfo=UTC)),
        lead_id=lead_id,
        account_id=account,
        status=status,
        invalid_reason=reason,
        follow_up_id="fu-1",
        agent_id="agent-7",
    )


async def test_a_conversion_is_pushed_back_to_the_advertiser_once(stack) -> None:
    """回传: an agent's CONVERTED (lead.status_changed from assign) sets the lead's status and, with a rule that
    asks for status changes, reaches the endpoint signed, with the change and no personal data; a redelivered
    event and a later change of a final status push nothing more."""
    from leadflow.assign.v1 import assign_service_pb2 as assign_pb
    from leadflow.common.v1 import lead_pb2

    tenant = unique("tenant")
    admin = stack.metadata(tenant, "admin")
    ingest = stack.ingest_stub()
    with Receiver() as receiver:
        receiver.answer(200, 200, 200, 200)
        rule = await ingest.SetPushRule(
            pb.SetPushRuleRequest(
                push_rule=pb.PushRule(
                    account_id="acct-push",
                    endpoint_url=receiver.url(),
                    enabled=True,
                    selected_fields=["phone"],
                    secret=SECRET,
                    event_types=[pb.PUSH_EVENT_TYPE_LEAD_STATUS_CHANGED, pb.PUSH_EVENT_TYPE_LEAD_ACCEPTED],
                )
            ),
            metadata=admin,
        )
        assert list(rule.push_rule.event_types) == [
            pb.PUSH_EVENT_TYPE_LEAD_STATUS_CHANGED,
            pb.PUSH_EVENT_TYPE_LEAD_ACCEPTED,
        ]
        phone = mobile()
        lead = (
            await ingest.SubmitLead(
                lead_request(account_id="acct-push", phone=phone), metadata=stack.metadata(tenant)
            )
        ).lead
        converted = _status_changed(tenant, lead.id, lead_pb2.LEAD_STATUS_CONVERTED)
        await _publish_status_changed(stack, converted)
        # Redelivered (a second publish with a new stream sequence, the same event id) and a later INVALID: the
        # lead stays CONVERTED (final) and neither is pushed.
        await _publish_status_changed(stack, converted)
        await _publish_status_changed(
            stack,
            _status_changed(
                tenant, lead.id, lead_pb2.LEAD_STATUS_INVALID, assign_pb.LEAD_INVALID_REASON_NO_INTENT
            ),
        )
        deliveries = await _deliveries(
            stack,
            admin,
            lambda ds: len(ds) == 2 and all(d.status == pb.PUSH_DELIVERY_STATUS_DELIVERED for d in ds),
        )
        assert sorted(d.event_type for d in deliveries) == [
            pb.PUSH_EVENT_TYPE_LEAD_ACCEPTED,
            pb.PUSH_EVENT_TYPE_LEAD_STATUS_CHANGED,
        ]
        got = await ingest.GetLead(pb.GetLeadRequest(lead_id=lead.id), metadata=stack.metadata(tenant))
        assert got.lead.status == lead_pb2.LEAD_STATUS_CONVERTED
        await asyncio.sleep(1.0)  # give a wrongly scheduled third push the time to arrive
        bodies = [json.loads(r.body) for r in receiver.received]
        assert sorted(b["type"] for b in bodies) == ["lead.accepted", "lead.status_changed"]
        [change] = [b for b in bodies if b["type"] == "lead.status_changed"]
        assert change["lead_id"] == lead.id and change["account_id"] == "acct-push"
        assert change["change"] == {
            "status": "CONVERTED",
            "invalid_reason": None,
            "change_time": "2026-11-30T09:30:00Z",
            "follow_up_id": "fu-1",
            "agent_id": "agent-7",
        }
        assert phone not in json.dumps(change)
        signed = next(r for r in receiver.received if json.loads(r.body)["type"] == "lead.status_changed")
        headers = {k.lower(): v for k, v in signed.headers.items()}
        assert verify_signature(
            SECRET,
            headers[TIMESTAMP_HEADER.lower()],
            signed.body,
            headers[SIGNATURE_HEADER.lower()],
            now=datetime.now(UTC),
        )


async def test_an_agents_invalid_is_recorded_and_not_pushed_without_the_rule_asking(stack) -> None:
    from leadflow.assign.v1 import assign_service_pb2 as assign_pb
    from leadflow.common.v1 import lead_pb2

    tenant = unique("tenant")
    admin = stack.metadata(tenant, "admin")
    ingest = stack.ingest_stub()
    with Receiver() as receiver:
        receiver.answer(200, 200)
        await ingest.SetPushRule(  # no event_types: accepted leads only, as rules were before
            pb.SetPushRuleRequest(
                push_rule=pb.PushRule(
                    account_id="acct-push", endpoint_url=receiver.url(), enabled=True, secret=SECRET
                )
            ),
            metadata=admin,
        )
        got = await ingest.GetPushRule(pb.GetPushRuleRequest(account_id="acct-push"), metadata=admin)
        assert list(got.push_rule.event_types) == [pb.PUSH_EVENT_TYPE_LEAD_ACCEPTED]
        lead = (
            await ingest.SubmitLead(
                lead_request(account_id="acct-push", phone=mobile()), metadata=stack.metadata(tenant)
            )
        ).lead
        await _publish_status_changed(
            stack,
            _status_changed(
                tenant, lead.id, lead_pb2.LEAD_STATUS_INVALID, assign_pb.LEAD_INVALID_REASON_WRONG_PERSON
            ),
        )
        deadline = time.monotonic() + 20
        while True:
            current = (
                await ingest.GetLead(pb.GetLeadRequest(lead_id=lead.id), metadata=stack.metadata(tenant))
            ).lead
            if current.status == lead_pb2.LEAD_STATUS_INVALID:
                break
            assert time.monotonic() < deadline, f"the lead never became INVALID: {current}"
            await asyncio.sleep(0.1)
        assert current.invalid_reason == "WRONG_PERSON"
        deliveries = await _deliveries(
            stack, admin, lambda ds: len(ds) == 1 and ds[0].status == pb.PUSH_DELIVERY_STATUS_DELIVERED
        )
        assert deliveries[0].event_type == pb.PUSH_EVENT_TYPE_LEAD_ACCEPTED


@pytest.mark.parametrize(
    ("event_types", "violation"),
    [
        ([7], "push_rule.event_types[0]"),
        ([pb.PUSH_EVENT_TYPE_LEAD_ACCEPTED, pb.PUSH_EVENT_TYPE_UNSPECIFIED], "push_rule.event_types[1]"),
        ([pb.PUSH_EVENT_TYPE_LEAD_ACCEPTED, pb.PUSH_EVENT_TYPE_LEAD_ACCEPTED], "push_rule.event_types"),
    ],
    ids=["unknown", "unspecified", "twice"],
)
async def test_bad_event_types_name_the_field_and_change_nothing(stack, event_types, violation) -> None:
    from google.rpc import error_details_pb2
    from grpc_status import rpc_status

    tenant = unique("tenant")
    admin = stack.metadata(tenant, "admin")
    ingest = stack.ingest_stub()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await ingest.SetPushRule(
            pb.SetPushRuleRequest(
                push_rule=pb.PushRule(
                    account_id="acct-bad",
                    endpoint_url="https://push.example.com/leads",
                    enabled=True,
                    secret=SECRET,
                    event_types=event_types,
                )
            ),
            metadata=admin,
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status = rpc_status.from_call(caught.value)
    fields = []
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields += [v.field for v in bad.field_violations]
    assert fields == [violation]
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await ingest.GetPushRule(pb.GetPushRuleRequest(account_id="acct-bad"), metadata=admin)
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_leads_push_commits_with_it_and_older_versions_events_are_still_scheduled(stack) -> None:
    """This version schedules a lead's push in the submission's transaction: the delivery is there when SubmitLead
    answers. A lead.accepted an older ingest recorded (no header) is scheduled by the ingest-push consumer; one this
    version recorded (the header) is acknowledged without scheduling anything."""
    from services.common.events import INGEST_STREAM, LEAD_ACCEPTED
    from services.ingest.consumers import PUSH_CONSUMER
    from services.ingest.converters.events import PUSH_SCHEDULED_HEADER
    from tests.ingest.push.helpers import accepted

    tenant = unique("tenant")
    admin = stack.metadata(tenant, "admin")
    ingest = stack.ingest_stub()
    with Receiver() as receiver:
        receiver.answer(*[200] * 5)
        await ingest.SetPushRule(
            pb.SetPushRuleRequest(
                push_rule=pb.PushRule(
                    account_id="acct-push",
                    endpoint_url=receiver.url(),
                    enabled=True,
                    selected_fields=["channel", "campaign_id"],
                    secret=SECRET,
                )
            ),
            metadata=admin,
        )
        lead = (
            await ingest.SubmitLead(
                lead_request(account_id="acct-push", phone=mobile()), metadata=stack.metadata(tenant)
            )
        ).lead
        at_once = await ingest.ListPushDeliveries(
            pb.ListPushDeliveriesRequest(lead_id=lead.id), metadata=admin
        )
        assert [d.lead_id for d in at_once.deliveries] == [lead.id]

        older, marked = accepted(tenant, "acct-push"), accepted(tenant, "acct-push")
        for event in (older, marked):
            event.ClearField("encrypted_phone")  # sealed under another key than this ingest's; not pushed
        await _publish(stack, INGEST_STREAM, LEAD_ACCEPTED, older)
        ack = await _publish(stack, INGEST_STREAM, LEAD_ACCEPTED, marked, **{PUSH_SCHEDULED_HEADER: "1"})
        nc = await stack.nats()
        try:
            deadline = time.monotonic() + 20
            while True:
                info = await nc.jetstream().consumer_info(INGEST_STREAM.name, PUSH_CONSUMER)
                if info.delivered.stream_seq >= ack.seq and info.num_ack_pending == 0:
                    break
                assert time.monotonic() < deadline, f"ingest-push never got to the events: {info}"
                await asyncio.sleep(0.1)
        finally:
            await nc.close()
        scheduled = await ingest.ListPushDeliveries(
            pb.ListPushDeliveriesRequest(lead_id=older.lead_id), metadata=admin
        )
        assert [d.lead_id for d in scheduled.deliveries] == [older.lead_id]
        untouched = await ingest.ListPushDeliveries(
            pb.ListPushDeliveriesRequest(lead_id=marked.lead_id), metadata=admin
        )
        assert list(untouched.deliveries) == []
