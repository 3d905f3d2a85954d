"""Helpers of the push tests: principals, lead.accepted events, scheduling inside a transaction."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from leadflow.common.v1 import lead_pb2, money_pb2, region_pb2
from leadflow.ingest.v1 import events_pb2
from services.common.auth import Principal, Role
from services.common.db import Database
from services.ingest.domain.push import PushDelivery, PushRule, SetPushRuleCommand
from services.ingest.push_handlers import PushHandlers

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
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
        phone="+8613800138000",
        phone_region=region_pb2.Region(province="广东", city="深圳"),
    )


def set_rule(
    handlers: PushHandlers,
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
    handlers: PushHandlers, database: Database, event: events_pb2.LeadAccepted
) -> PushDelivery | None:
    with database.transaction() as session:
        return handlers.schedule_for_accepted_lead(session, event, event.event_id)


def get(
    handlers: PushHandlers, database: Database, repository, tenant: str, delivery_id: str
) -> PushDelivery:
    with database.read() as session:
        found = repository.get_delivery(session, tenant, delivery_id)
    assert found is not None
    return found
