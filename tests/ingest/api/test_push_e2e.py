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
