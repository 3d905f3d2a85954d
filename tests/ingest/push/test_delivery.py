"""Push delivery end to end against a real HTTP endpoint on loopback, on SQLite and (PostgreSQL tier) PostgreSQL.

Time is a FakeClock: backoffs of minutes and the 24-hour give-up are crossed by moving the clock, never by sleeping;
only the sender's deadline (0.5 s) is real.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from services.common.clock import FakeClock
from services.common.db import Database
from services.ingest.adapters.db.tables import leads
from services.ingest.domain.push import (
    DeliveryQuery,
    DeliveryStatus,
    RetryPolicy,
    Transition,
    verify_signature,
)
from services.ingest.workers import PushWorker
from tests.ingest.push.conftest import SHORT_TIMEOUT_CONFIG, TEST_CONFIG
from tests.ingest.push.helpers import (
    SECRET,
    T0,
    SessionPush,
    SyncPushHandlers,
    accepted,
    admin,
    get,
    push_worker,
    schedule,
    set_rule,
)
from tests.ingest.push.receiver import Receiver


def _verify_all(receiver: Receiver, clock: FakeClock) -> None:
    for request in receiver.received:
        h = request.headers
        assert h["Content-Type"] == "application/json"
        assert h["X-Leadflow-Signature"].startswith("sha256=")
        assert verify_signature(
            SECRET,
            h["X-Leadflow-Timestamp"],
            request.body,
            h["X-Leadflow-Signature"],
            now=clock.now(),
            tolerance=timedelta(days=2),
        )


async def test_retries_after_500_and_timeout_then_delivers(
    handlers: SyncPushHandlers,
    worker: PushWorker,
    database: Database,
    repository: SessionPush,
    clock: FakeClock,
    receiver: Receiver,
) -> None:
    set_rule(handlers, receiver.url())
    scheduled = schedule(handlers, database, accepted())
    assert scheduled is not None and scheduled.status == DeliveryStatus.PENDING
    receiver.answer(500, "sleep:3", 200)
    policy = TEST_CONFIG.retry
    # The stall is judged by a 0.5 s deadline; the 500 and the 200 by the usual one, so a slow machine cannot turn
    # them into timeouts. Both workers are replicas over the same table.
    hasty = push_worker(database, clock, SHORT_TIMEOUT_CONFIG, rand=random.Random(7).random)

    assert await worker.run_once() == 1  # 500
    first = get(handlers, database, repository, "tenant-a", scheduled.id)
    assert (first.status, first.attempts, first.last_http_status, first.last_error) == (
        DeliveryStatus.FAILED,
        1,
        500,
        "HTTP 500 Internal Server Error",
    )
    assert first.first_attempt_time == T0
    assert T0 + policy.floor <= first.next_attempt_time <= T0 + policy.ceiling(1)

    assert await worker.run_once() == 0  # not due yet: nothing is sent early
    assert len(receiver.received) == 1

    clock.set(first.next_attempt_time)
    assert await hasty.run_once() == 1  # the endpoint stalls past the 0.5 s deadline
    second = get(handlers, database, repository, "tenant-a", scheduled.id)
    assert (second.status, second.attempts, second.last_http_status) == (DeliveryStatus.FAILED, 2, 0)
    assert second.last_error == "timeout after 0.5s"
    assert clock.now() + policy.floor <= second.next_attempt_time <= clock.now() + policy.ceiling(2)

    clock.set(second.next_attempt_time)
    assert await worker.run_once() == 1
    done = get(handlers, database, repository, "tenant-a", scheduled.id)
    assert (done.status, done.attempts, done.last_http_status, done.last_error) == (
        DeliveryStatus.DELIVERED,
        3,
        200,
        "",
    )
    assert done.delivered_time == clock.now() and done.next_attempt_time is None

    # Every attempt carried the same delivery id and body, signed so the receiver can verify it.
    assert len(receiver.received) == 3
    assert {r.headers["X-Leadflow-Delivery-Id"] for r in receiver.received} == {scheduled.id}
    assert len({r.body for r in receiver.received}) == 1
    assert receiver.received[0].path == "/hooks/leads?token=query-secret"
    _verify_all(receiver, clock)
    body = json.loads(receiver.received[-1].body)
    assert body["lead"] == {
        "id": scheduled.lead_id,
        "phone": "+8613800138000",
        "phone_region": {"province": "广东", "city": "深圳"},
        "campaign_id": "cmp-9",
        "cost": {"currency_code": "CNY", "units": 12, "nanos": 500_000_000},
    }
    assert body["delivery_id"] == scheduled.id and body["account_id"] == "acct-1"

    # The delivery log shows the attempts.
    page, token = handlers.list_push_deliveries(admin(), DeliveryQuery(lead_id=scheduled.lead_id))
    assert token == "" and [(d.id, d.attempts, d.status) for d in page] == [
        (scheduled.id, 3, DeliveryStatus.DELIVERED)
    ]


async def test_gives_up_24_hours_after_the_first_attempt(
    handlers: SyncPushHandlers,
    worker: PushWorker,
    database: Database,
    repository: SessionPush,
    clock: FakeClock,
) -> None:
    with Receiver(default_status=503) as receiver:
        set_rule(handlers, receiver.url())
        scheduled = schedule(handlers, database, accepted())
        assert scheduled is not None
        attempts = 0
        while True:
            assert await worker.run_once() == 1
            attempts += 1
            current = get(handlers, database, repository, "tenant-a", scheduled.id)
            if current.status != DeliveryStatus.FAILED:
                break
            assert current.next_attempt_time <= T0 + timedelta(hours=24)
            clock.set(current.next_attempt_time)
        assert current.status == DeliveryStatus.GAVE_UP
        assert clock.now() == T0 + timedelta(hours=24)
        assert current.attempts == attempts == len(receiver.received)
        assert current.next_attempt_time is None and current.last_http_status == 503
        assert 20 <= attempts <= 100  # exponential, jittered, capped at an hour, over one day
        _verify_all(receiver, clock)
        clock.advance(timedelta(days=3))
        assert await worker.run_once() == 0  # nothing more, ever


async def test_410_gone_gives_up_at_once(
    handlers: SyncPushHandlers,
    worker: PushWorker,
    database: Database,
    repository: SessionPush,
    clock: FakeClock,
    receiver: Receiver,
) -> None:
    set_rule(handlers, receiver.url())
    scheduled = schedule(handlers, database, accepted())
    receiver.answer(410)
    assert await worker.run_once() == 1
    gone = get(handlers, database, repository, "tenant-a", scheduled.id)
    assert (gone.status, gone.attempts, gone.last_http_status, gone.next_attempt_time) == (
        DeliveryStatus.GAVE_UP,
        1,
        410,
        None,
    )
    clock.advance(timedelta(hours=1))
    assert await worker.run_once() == 0 and len(receiver.received) == 1


async def test_an_event_schedules_one_delivery_and_only_for_an_enabled_rule(
    handlers: SyncPushHandlers, database: Database, receiver: Receiver
) -> None:
    assert schedule(handlers, database, accepted(account="no-rule")) is None
    set_rule(handlers, receiver.url(), account="off", enabled=False)
    assert schedule(handlers, database, accepted(account="off")) is None
    set_rule(handlers, receiver.url())
    event = accepted()
    assert schedule(handlers, database, event) is not None
    assert schedule(handlers, database, event) is None  # a redelivered event: ON CONFLICT (event_id)
    # Another tenant's rule for the same account id does not apply.
    assert schedule(handlers, database, accepted(tenant="tenant-b")) is None
    page, _ = handlers.list_push_deliveries(admin(), DeliveryQuery(account_id="acct-1"))
    assert len(page) == 1


async def test_rule_disabled_after_scheduling_ends_the_delivery_without_sending(
    handlers: SyncPushHandlers,
    worker: PushWorker,
    database: Database,
    repository: SessionPush,
    receiver: Receiver,
) -> None:
    set_rule(handlers, receiver.url())
    scheduled = schedule(handlers, database, accepted())
    set_rule(handlers, receiver.url(), enabled=False)
    assert await worker.run_once() == 1
    ended = get(handlers, database, repository, "tenant-a", scheduled.id)
    assert (ended.status, ended.last_error) == (DeliveryStatus.GAVE_UP, "push rule disabled")
    assert receiver.received == []


async def test_a_claim_hides_the_delivery_for_its_lease_and_fences_late_results(
    handlers: SyncPushHandlers,
    database: Database,
    repository: SessionPush,
    clock: FakeClock,
    receiver: Receiver,
) -> None:
    set_rule(handlers, receiver.url())
    scheduled = schedule(handlers, database, accepted())
    lease = TEST_CONFIG.lease
    with database.transaction() as session:
        [claim] = repository.claim_due(session, now=clock.now(), lease=lease, limit=10)
    assert claim.attempt == 1 and claim.rule is not None and claim.rule.secret == SECRET
    # The worker "dies" here. Until the lease ends nobody else may take the delivery.
    clock.advance(lease - timedelta(seconds=1))
    with database.transaction() as session:
        assert repository.claim_due(session, now=clock.now(), lease=lease, limit=10) == []
    clock.advance(timedelta(seconds=1))
    with database.transaction() as session:
        [again] = repository.claim_due(session, now=clock.now(), lease=lease, limit=10)
    assert again.attempt == 2 and again.delivery.first_attempt_time == T0
    # The first claimant's late result can't overwrite the attempt now in progress.
    late = Transition(DeliveryStatus.DELIVERED, None, clock.now(), 200, "")
    with database.transaction() as session:
        assert repository.record_attempt(session, scheduled.id, claim.attempt, late, clock.now()) is False
        assert repository.record_attempt(session, scheduled.id, again.attempt, late, clock.now()) is True


async def test_two_workers_never_deliver_one_delivery_twice(
    database_url: str,
    handlers: SyncPushHandlers,
    database: Database,
    repository: SessionPush,
    clock: FakeClock,
) -> None:
    """Two replicas (own engines and pools) work the same table at once; SKIP LOCKED + lease split the work."""
    with Receiver() as receiver:
        set_rule(handlers, receiver.url())
        ids = {schedule(handlers, database, accepted()).id for _ in range(60)}
        config = TEST_CONFIG.__class__(**{**TEST_CONFIG.__dict__, "batch": 5})
        replicas = [Database(database_url) for _ in range(2)]
        try:
            workers = [
                push_worker(db, clock, config, rand=random.Random(i).random) for i, db in enumerate(replicas)
            ]

            async def drain(w: PushWorker) -> int:
                total = 0
                while (n := await w.run_once()) > 0:
                    total += n
                return total

            counts = await asyncio.gather(drain(workers[0]), drain(workers[1]))
        finally:
            for db in replicas:
                db.dispose()
        sent = Counter(r.headers["X-Leadflow-Delivery-Id"] for r in receiver.received)
        assert set(sent) == ids and max(sent.values()) == 1
        assert sum(counts) == 60 and min(counts) > 0  # both replicas did part of the work
        page, _ = handlers.list_push_deliveries(admin(), DeliveryQuery(account_id="acct-1", page_size=100))
        assert {d.status for d in page} == {DeliveryStatus.DELIVERED} and {d.attempts for d in page} == {1}


async def test_run_loop_delivers_and_stops_promptly(
    handlers: SyncPushHandlers,
    database: Database,
    repository: SessionPush,
    clock: FakeClock,
    receiver: Receiver,
) -> None:
    config = TEST_CONFIG.__class__(**{**TEST_CONFIG.__dict__, "poll_interval": 0.05, "min_wait": 0.01})
    worker = push_worker(database, clock, config)
    set_rule(handlers, receiver.url())
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    scheduled = schedule(handlers, database, accepted())
    for _ in range(200):
        if get(handlers, database, repository, "tenant-a", scheduled.id).status == DeliveryStatus.DELIVERED:
            break
        await asyncio.sleep(0.01)
    assert get(handlers, database, repository, "tenant-a", scheduled.id).status == DeliveryStatus.DELIVERED
    receiver.answer(500)
    failing = schedule(handlers, database, accepted())
    for _ in range(200):
        if get(handlers, database, repository, "tenant-a", failing.id).attempts == 1:
            break
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.2)  # the retry is due in fake minutes: the loop idles instead of spinning on it
    assert get(handlers, database, repository, "tenant-a", failing.id).attempts == 1
    stop.set()
    await asyncio.wait_for(task, timeout=2)


async def test_private_addresses_are_refused_by_default(
    handlers: SyncPushHandlers,
    database: Database,
    repository: SessionPush,
    clock: FakeClock,
    receiver: Receiver,
) -> None:
    """A production worker won't POST to loopback even when the rule was stored under a laxer configuration."""
    set_rule(handlers, receiver.url(host="localhost"))
    scheduled = schedule(handlers, database, accepted())
    strict = TEST_CONFIG.__class__(**{**TEST_CONFIG.__dict__, "allow_private_networks": False})
    worker = push_worker(database, clock, strict)
    assert await worker.run_once() == 1
    refused = get(handlers, database, repository, "tenant-a", scheduled.id)
    assert refused.status == DeliveryStatus.FAILED
    assert refused.last_error == "endpoint resolves to a loopback, private or reserved address"
    assert receiver.received == []


async def test_connection_refused_is_retried(
    handlers: SyncPushHandlers, worker: PushWorker, database: Database, repository: SessionPush
) -> None:
    from services.common.netutil import free_port

    set_rule(handlers, f"http://127.0.0.1:{free_port()}/hook")
    scheduled = schedule(handlers, database, accepted())
    assert await worker.run_once() == 1
    failed = get(handlers, database, repository, "tenant-a", scheduled.id)
    assert (failed.status, failed.last_http_status) == (DeliveryStatus.FAILED, 0)
    assert failed.last_error == "connection error (ConnectionRefusedError)"


def test_retry_policy_of_the_test_config_is_the_production_one() -> None:
    assert TEST_CONFIG.retry == RetryPolicy()


def _store_lead(database: Database, tenant: str, lead_id: str, **contact: str) -> None:
    """A row in ingest's own leads table, as SubmitLead stores it before lead.accepted is published."""
    with database.transaction() as session:
        session.execute(
            sa.insert(leads).values(
                id=lead_id,
                tenant_id=tenant,
                status=1,
                verdict=1,
                channel=1,
                traffic_source=1,
                business_source=1,
                first_submit_us=0,
                last_submit_us=0,
                submission_count=1,
                create_us=0,
                update_us=0,
                **contact,
            )
        )


async def test_push_carries_name_and_email_from_the_stored_lead(
    handlers: SyncPushHandlers, worker: PushWorker, database: Database, receiver: Receiver, caplog
) -> None:
    receiver.answer(200)
    set_rule(handlers, receiver.url(), fields=("id", "name", "email", "wechat", "phone"))
    event = accepted()
    _store_lead(
        database, "tenant-a", event.lead_id, name="王小明", email="xm@example.com", phone="+8613800138000"
    )
    # Another tenant's lead with the same id is never read.
    _store_lead(database, "tenant-b", event.lead_id + "-b", name="other", email="other@example.com")
    with caplog.at_level("DEBUG"):
        scheduled = schedule(handlers, database, event)
        assert scheduled is not None
        assert await worker.run_once() == 1
    body = json.loads(receiver.received[-1].body)
    assert body["lead"] == {
        "id": event.lead_id,
        "name": "王小明",
        "email": "xm@example.com",
        "wechat": None,
        "phone": "+8613800138000",
    }
    assert "王小明" not in caplog.text and "xm@example.com" not in caplog.text


async def test_a_lead_missing_from_the_table_is_pushed_without_its_stored_contact(
    handlers: SyncPushHandlers, worker: PushWorker, database: Database, receiver: Receiver
) -> None:
    receiver.answer(200)
    set_rule(handlers, receiver.url(), fields=("id", "name", "phone"))
    event = accepted()
    assert schedule(handlers, database, event) is not None
    assert await worker.run_once() == 1
    body = json.loads(receiver.received[-1].body)
    assert body["lead"] == {"id": event.lead_id, "name": None, "phone": "+8613800138000"}
