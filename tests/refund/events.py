"""The events refund consumes, built as the producers publish them (protobuf bytes with their subject and event id),
for tests that go through the consumers."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import datetime, timedelta

from leadflow.common.v1 import call_pb2, money_pb2, schedule_pb2
from leadflow.ingest.v1 import events_pb2 as ingest_events
from leadflow.telephony.v1 import events_pb2 as telephony_events
from services.common.events import (
    CALL_COMPLETED,
    CALLABLE_HOURS_CHANGED,
    LEAD_ACCEPTED,
    LEAD_DUPLICATE,
    LEAD_ERASED,
)
from services.common.protoconv import duration, timestamp
from services.refund.domain.calls import CallOutcome

_ids = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


@dataclass(frozen=True)
class Event:
    subject: str
    event_id: str
    data: bytes


def money(fen: int, currency: str = "CNY") -> money_pb2.Money:
    return money_pb2.Money(currency_code=currency, units=fen // 100, nanos=(fen % 100) * 10_000_000)


def lead_accepted(
    tenant: str,
    lead_id: str,
    submit_time: datetime,
    *,
    account_id: str = "acct-1",
    submission_id: str | None = None,
    cost_fen: int | None = 5_000,
    event_id: str | None = None,
) -> Event:
    event_id = event_id or unique("evt-accepted")
    message = ingest_events.LeadAccepted(
        event_id=event_id,
        tenant_id=tenant,
        occurred_time=timestamp(submit_time),
        lead_id=lead_id,
        submission_id=submission_id or f"{lead_id}-sub",
        account_id=account_id,
        submit_time=timestamp(submit_time),
    )
    if cost_fen is not None:
        message.cost.CopyFrom(money(cost_fen))
    return Event(LEAD_ACCEPTED, event_id, message.SerializeToString())


def lead_duplicate(
    tenant: str,
    lead_id: str,
    submission_id: str,
    submit_time: datetime,
    *,
    account_id: str = "acct-1",
    cost_fen: int | None = 5_000,
    event_id: str | None = None,
) -> Event:
    event_id = event_id or unique("evt-duplicate")
    message = ingest_events.LeadDuplicate(
        event_id=event_id,
        tenant_id=tenant,
        occurred_time=timestamp(submit_time),
        lead_id=lead_id,
        submission_id=submission_id,
        account_id=account_id,
        submit_time=timestamp(submit_time),
    )
    if cost_fen is not None:
        message.cost.CopyFrom(money(cost_fen))
    return Event(LEAD_DUPLICATE, event_id, message.SerializeToString())


def call_completed(
    tenant: str,
    lead_id: str,
    call_id: str,
    start: datetime,
    outcome: CallOutcome,
    *,
    ring_seconds: float = 20,
    talk_seconds: float = 0,
    revision: int = 1,
    reported: datetime | None = None,
    event_id: str | None = None,
) -> Event:
    event_id = event_id or unique("evt-call")
    message = telephony_events.CallCompleted(
        event_id=event_id,
        tenant_id=tenant,
        occurred_time=timestamp(reported or start + timedelta(minutes=2)),
        call_id=call_id,
        lead_id=lead_id,
        account_id="acct-1",
        outcome=call_pb2.CallOutcome.Value("CALL_OUTCOME_" + outcome.value),
        start_time=timestamp(start),
        talk_duration=duration(timedelta(seconds=talk_seconds)),
        ring_duration=duration(timedelta(seconds=ring_seconds)),
        outcome_revision=revision,
    )
    return Event(CALL_COMPLETED, event_id, message.SerializeToString())


def lead_erased(tenant: str, lead_id: str, at: datetime, *, event_id: str | None = None) -> Event:
    event_id = event_id or unique("evt-erased")
    message = ingest_events.LeadErased(
        event_id=event_id, tenant_id=tenant, occurred_time=timestamp(at), lead_id=lead_id
    )
    return Event(LEAD_ERASED, event_id, message.SerializeToString())


def callable_hours_changed(
    tenant: str, start_hour: int, end_hour: int, change_time: datetime, *, time_zone: str = "Asia/Shanghai"
) -> Event:
    """Telephony's announcement of a tenant's new callable hours (whole hours)."""
    event_id = unique("evt-hours")
    message = telephony_events.CallableHoursChanged(
        event_id=event_id,
        tenant_id=tenant,
        callable_hours=schedule_pb2.DailyWindow(
            start=schedule_pb2.TimeOfDay(hours=start_hour), end=schedule_pb2.TimeOfDay(hours=end_hour)
        ),
        default_time_zone=time_zone,
        change_time=timestamp(change_time),
    )
    return Event(CALLABLE_HOURS_CHANGED, event_id, message.SerializeToString())
