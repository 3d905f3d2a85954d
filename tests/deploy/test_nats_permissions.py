"""The per-service NATS users of deploy/k8s (accounts.conf) are enough for the services to run and to move an
event end to end, and refuse what a service has no business doing. Real nats-server, real service processes."""

from __future__ import annotations

import asyncio
import time

import grpc
import nats
import pytest

from leadflow.ingest.v1 import ingest_service_pb2_grpc
from services.common import events
from services.common.auth import TokenCodec
from services.common.config import SERVICES, AuthSettings, Env
from tests.deploy.stack import Stack
from tests.ingest.helpers import lead_request
from tests.platform.helpers import TEST_JWT_KEY


def _token() -> str:
    auth = AuthSettings.from_env(Env({"LEADFLOW_JWT_HS256_KEY": TEST_JWT_KEY}), data_directory=None)  # type: ignore[arg-type]
    return TokenCodec(auth).mint(tenant="perm-test", role="admin", subject="test")


def _wait_for(condition, what: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout}s: {what}")


def test_an_accepted_lead_flows_through_jetstream_under_the_services_own_users(stack: Stack) -> None:
    with grpc.insecure_channel(stack.services["ingest"].address) as channel:
        reply = ingest_service_pb2_grpc.IngestServiceStub(channel).SubmitLead(
            lead_request(), metadata=[("authorization", f"Bearer {_token()}")], timeout=15
        )
    assert reply.lead.id
    # The relay published (ingest may publish lead.accepted) and ingest's push consumer, a durable pull consumer
    # on its own stream, fetched and acknowledged it (CONSUMER.CREATE/MSG.NEXT/ACK and its inbox are allowed): as
    # already applied, the submission having scheduled the push itself.
    _wait_for(
        lambda: stack.sample("ingest", "leadflow_outbox_published_total", subject=events.LEAD_ACCEPTED) >= 1,
        "ingest published lead.accepted",
    )
    _wait_for(
        lambda: (
            stack.sample("ingest", "leadflow_consumer_already_applied_total", consumer="ingest-push") >= 1
        ),
        "ingest-push consumed it",
    )
    assert stack.sample("ingest", "leadflow_outbox_publish_errors_total") == 0
    # The ack reached the server (the counter moves before the ack is sent).
    _wait_for(
        lambda: asyncio.run(_ack_pending(stack, "LEADFLOW_INGEST", "ingest-push")) == 0, "ingest-push acked"
    )
    for name, process in stack.services.items():
        assert process.process.poll() is None, f"{name} died:\n{process.log()}"
        assert "permissions violation" not in process.log().lower(), f"{name}:\n{process.log()}"


async def _ack_pending(stack: Stack, stream: str, consumer: str) -> int:
    nc = await nats.connect(stack.nats_url, user="admin", password=stack.admin_password)
    try:
        info = await nc.jetstream().consumer_info(stream, consumer)
        assert info.delivered.stream_seq >= 1
        return int(info.num_ack_pending)
    finally:
        await nc.close()


async def test_the_services_created_their_streams_and_consumers(stack: Stack) -> None:
    nc = await nats.connect(stack.nats_url, user="admin", password=stack.admin_password)
    try:
        js = nc.jetstream()
        for service in SERVICES:
            info = await js.stream_info(events.STREAM_OF_SERVICE[service].name)
            assert set(info.config.subjects) == set(events.STREAM_OF_SERVICE[service].subjects)
        consumers = {
            c.name
            for stream in ("LEADFLOW_INGEST", "LEADFLOW_ASSIGN", "LEADFLOW_TELEPHONY", "LEADFLOW_REFUND")
            for c in await js.consumers_info(stream)
        }
        assert {
            "ingest-push",
            "ingest-lead-assigned",
            "ingest-call-completed",
            "ingest-refund-issued",
        } <= consumers
    finally:
        await nc.close()


async def _violations(stack: Stack, user: str, action) -> list[str]:  # type: ignore[no-untyped-def]
    errors: list[str] = []

    async def on_error(exc: Exception) -> None:
        errors.append(str(exc))

    nc = await nats.connect(
        stack.nats_url,
        user=user,
        password=stack.passwords[user],
        error_cb=on_error,
        inbox_prefix=f"_INBOX_{user}",
    )
    try:
        await action(nc)
        await nc.flush(timeout=5)
        await asyncio.sleep(0.3)  # the server's -ERR arrives asynchronously
    finally:
        await nc.close()
    return errors


@pytest.mark.parametrize(
    ("user", "description", "action"),
    [
        (
            "telephony",
            "publish another service's event",
            lambda nc: nc.publish(events.LEAD_ACCEPTED, b"forged"),
        ),
        ("assign", "read another service's inbox", lambda nc: nc.subscribe("_INBOX_ingest.>")),
        ("refund", "subscribe to an event subject directly", lambda nc: nc.subscribe("leadflow.lead.v1.>")),
        ("dedup", "delete a stream", lambda nc: nc.publish("$JS.API.STREAM.DELETE.LEADFLOW_INGEST", b"")),
        (
            "telephony",
            "purge its own stream",
            lambda nc: nc.publish("$JS.API.STREAM.PURGE.LEADFLOW_TELEPHONY", b""),
        ),
        (
            "dedup",
            "consume a stream it does not consume",
            lambda nc: nc.publish("$JS.API.CONSUMER.CREATE.LEADFLOW_REFUND.x", b"{}"),
        ),
        (
            "ingest",
            "delete a consumer",
            lambda nc: nc.publish("$JS.API.CONSUMER.DELETE.LEADFLOW_INGEST.ingest-push", b""),
        ),
    ],
)
async def test_the_server_refuses_what_a_service_may_not_do(
    stack: Stack, user: str, description: str, action
) -> None:  # type: ignore[no-untyped-def]
    errors = await _violations(stack, user, action)
    assert any("permissions violation" in e.lower() for e in errors), f"{user} could {description}: {errors}"


async def test_a_forged_event_never_reaches_the_stream(stack: Stack) -> None:
    admin = await nats.connect(stack.nats_url, user="admin", password=stack.admin_password)
    try:
        js = admin.jetstream()
        before = (await js.stream_info("LEADFLOW_INGEST")).state.messages
        await _violations(stack, "refund", lambda nc: nc.publish(events.LEAD_REJECTED, b"forged"))
        assert (await js.stream_info("LEADFLOW_INGEST")).state.messages == before
    finally:
        await admin.close()
