"""Helpers of the push tests: principals, lead.accepted events, scheduling inside a transaction."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from leadflow.common.v1 import lead_pb2, money_pb2, region_pb2
from leadflow.ingest.v1 import events_pb2
from services.common.auth import Principal, Role
from services.common.clock import Clock
from services.common.db import Database
from services.common.dbtx import SqlTransactions
from services.common.paging import PageTokens
from services.common.protoconv import encrypted_value
from services.common.sealing import LEAD_PHONE, KeyRing, Sealer
from services.ingest.adapters.db.push import SqlPush
from services.ingest.adapters.db.tables import messaging
from services.ingest.adapters.db.uow import SqlIngestUnitOfWork
from services.ingest.adapters.push_sender import HttpPushSender
from services.ingest.converters.events import EventEncoder
from services.ingest.converters.push import accepted_lead, accepted_lead_of
from services.ingest.domain.ports import PushSender
from services.ingest.domain.push import DeliveryQuery, PushDelivery, PushRule, RetryPolicy, SetPushRuleCommand
from services.ingest.handlers.push import DispatchConfig, EndpointPolicy, PushDispatch, PushHandlers
from services.ingest.workers import PushWorker, PushWorkerConfig
from tests.harness import run_sync

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
# The key ring of these tests: events are sealed and opened as ingest does, under a test key.
SEALER_KEYS = "test1:" + "A" * 43 + "="
SEALER = Sealer(KeyRing.parse(SEALER_KEYS))
SECRET = "whsec_0123456789abcdef0123456789abcdef"
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def admin(tenant: str = "tenant-a") -> Principal:
    return Principal(tenant_id=tenant, subject="admin@example.com", role=Role.ADMIN)


def accepted(
    tenant: str = "tenant-a", account: str = "acct-1", lead_id: str | None = None, event_id: str | None = None
) -> events_pb2.LeadAccepted:
    occurred = Timestamp()
    occurred.FromDatetime(T0)
    return events_pb2.LeadAccepted(
        event_id=event_id or unique("evt"),
        tenant_id=tenant,
        occurred_time=occurred,
        lead_id=lead_id or unique("lead"),
        submission_id=unique("sub"),
        account_id=account,
        account_ids=[account],
        verdict=lead_pb2.LEAD_VERDICT_NEW,
        channel=lead_pb2.CHANNEL_FORM,
        traffic_source=lead_pb2.TRAFFIC_SOURCE_AD_DIRECT,
        business_source=lead_pb2.BUSINESS_SOURCE_LEAD_FORM,
        campaign_id="cmp-9",
        cost=money_pb2.Money(currency_code="CNY", units=12, nanos=500_000_000),
        submit_time=occurred,
        encrypted_phone=encrypted_value(SEALER.seal(tenant, LEAD_PHONE, "+8613800138000")),
        phone_region=region_pb2.Region(province="广东", city="深圳"),
    )


def set_rule(
    handlers: SyncPushHandlers,
    url: str,
    *,
    tenant: str = "tenant-a",
    account: str = "acct-1",
    fields: tuple[str, ...] = ("id", "phone", "phone_region", "campaign_id", "cost"),
    enabled: bool = True,
    secret: str = SECRET,
) -> PushRule:
    return handlers.set_push_rule(
        admin(tenant),
        SetPushRuleCommand(
            account_id=account, endpoint_url=url, enabled=enabled, fields=fields, secret=secret
        ),
    )


def schedule(
    handlers: SyncPushHandlers, database: Database, event: events_pb2.LeadAccepted
) -> PushDelivery | None:
    """What the ingest-push consumer does with a lead.accepted event, in a transaction of its own."""
    return handlers.transactions.write_now(
        lambda uow: handlers.push.schedule(uow, accepted_lead(event, event.event_id, SEALER))
    )


def get(
    handlers: SyncPushHandlers, database: Database, repository, tenant: str, delivery_id: str
) -> PushDelivery:
    with database.read() as session:
        found = repository.get_delivery(session, tenant, delivery_id)
    assert found is not None
    return found


@dataclass(frozen=True)
class PushTestConfig:
    """Everything these tests vary about push, in one object (bootstrap builds the same pieces from settings)."""

    allow_http: bool = False
    allow_private_networks: bool = False
    send_timeout: timedelta = timedelta(seconds=10)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    lease: timedelta = timedelta(seconds=60)
    batch: int = 32
    poll_interval: float = 1.0
    min_wait: float = 0.05

    def endpoints(self) -> EndpointPolicy:
        return EndpointPolicy(self.allow_http, self.allow_private_networks)

    def dispatch(self) -> DispatchConfig:
        return DispatchConfig(
            retry=self.retry, lease=self.lease, batch=self.batch, send_timeout=self.send_timeout
        )

    def sender(self) -> HttpPushSender:
        return HttpPushSender(
            timeout=self.send_timeout.total_seconds(), allow_private_networks=self.allow_private_networks
        )


def transactions_of(database: Database) -> SqlTransactions[SqlIngestUnitOfWork]:
    return SqlTransactions(database, SqlIngestUnitOfWork, messaging, EventEncoder(SEALER))


def push_worker(
    database: Database,
    clock: Clock,
    config: PushTestConfig,
    *,
    sender: PushSender | None = None,
    rand: Callable[[], float] | None = None,
) -> PushWorker:
    """A push worker (one replica) over ``database``, sending through ``sender`` (the config's by default)."""
    dispatch = PushDispatch(
        transactions_of(database),
        sender or config.sender(),
        clock,
        config.dispatch(),
        **({"rand": rand} if rand is not None else {}),
    )
    return PushWorker(dispatch, PushWorkerConfig(config.poll_interval, config.min_wait))


class SyncPushHandlers:
    """The push handlers called as plain functions; list_push_deliveries answers (items, next page token)."""

    def __init__(self, database: Database, clock: Clock, config: PushTestConfig) -> None:
        self.transactions = transactions_of(database)
        self.push = PushHandlers(
            self.transactions,
            clock,
            PageTokens(b"p" * 32),
            config.endpoints(),
            describe_accepted=lambda event: accepted_lead_of(event, SEALER),
        )

    def set_push_rule(self, principal: Principal, command: SetPushRuleCommand) -> PushRule:
        return run_sync(self.push.set_push_rule(principal, command))

    def get_push_rule(self, principal: Principal, account_id: str) -> PushRule:
        return run_sync(self.push.get_push_rule(principal, account_id))

    def list_push_deliveries(
        self, principal: Principal, query: DeliveryQuery
    ) -> tuple[list[PushDelivery], str]:
        page = run_sync(self.push.list_push_deliveries(principal, query))
        return page.items, page.next_page_token


class SessionPush:
    """The push repository on a session the test opens itself (claims and fencing, step by step)."""

    def __getattr__(self, name: str) -> Any:
        def call(session: Any, *args: Any, **kwargs: Any) -> Any:
            return getattr(SqlPush(session), name)(*args, **kwargs)

        return call
