"""Events: the domain events refund records, as the ``leadflow.refund.v1`` messages the relay publishes; and the
events refund consumes, decoded to the plain values its handlers take. A payload that does not decode raises, so the
consumer retries it and finally dead-letters it.

Callable hours: refund judges a lead by the window telephony enforced when it called it, which ``call.completed``
carries as ``callable_hours`` (``leadflow.common.v1.DailyWindow``) and ``time_zone`` (the lead's IANA zone, else
the tenant's default); a report without them (from a telephony older than the fields) is judged by telephony's
documented default.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from google.protobuf.message import Message

from leadflow.common.v1 import call_pb2
from leadflow.ingest.v1 import events_pb2 as ingest_events
from leadflow.refund.v1 import events_pb2
from leadflow.refund.v1 import refund_service_pb2 as pb
from leadflow.telephony.v1 import events_pb2 as telephony_events
from services.common.events import REFUND_ISSUED, REFUND_REJECTED
from services.common.ids import new_id
from services.common.messaging.outbox import OutboxMessage
from services.common.protoconv import enum_name, optional_time, timestamp, to_datetime, to_timedelta
from services.refund.converters.values import enum_number, money_message, window_of
from services.refund.domain.callable_hours import DEFAULT_TIME_ZONE, CallableWindow
from services.refund.domain.calls import CallOutcome, CallRecord, ring_duration_between
from services.refund.domain.cases import ChargeKind
from services.refund.domain.events import (
    CallableHoursAnnounced,
    CallReported,
    ChargeReported,
    RefundIssued,
    RefundRejected,
)
from services.refund.domain.money import Money

log = logging.getLogger("leadflow.refund")

# ---------------------------------------------------------------------------------------------- produced


def encode_event(event: object) -> OutboxMessage:
    """The bus message of a recorded domain event (the outbox's ``EventEncoder``); each gets a new event id."""
    event_id = new_id()
    if isinstance(event, RefundIssued):
        return OutboxMessage(REFUND_ISSUED, issued_message(event_id, event), event.refund.lead_id, event_id)
    if isinstance(event, RefundRejected):
        return OutboxMessage(REFUND_REJECTED, rejected_message(event_id, event), event.case.lead_id, event_id)
    raise TypeError(f"refund records no event of type {type(event).__name__}")


def issued_message(event_id: str, event: RefundIssued) -> events_pb2.RefundIssued:
    refund = event.refund
    return events_pb2.RefundIssued(
        event_id=event_id,
        tenant_id=refund.tenant_id,
        occurred_time=timestamp(refund.created_at),
        refund_id=refund.refund_id,
        case_id=refund.case_id,
        lead_id=refund.lead_id,
        submission_id=refund.submission_id,
        account_id=refund.account_id,
        amount=money_message(refund.amount),
        reason=enum_number(pb.RefundReason, "REFUND_REASON_", refund.reason),
        evidence_summary=refund.evidence_summary,
    )


def rejected_message(event_id: str, event: RefundRejected) -> events_pb2.RefundRejected:
    case = event.case
    return events_pb2.RefundRejected(
        event_id=event_id,
        tenant_id=case.tenant_id,
        occurred_time=timestamp(event.occurred_at),
        case_id=case.case_id,
        lead_id=case.lead_id,
        submission_id=case.submission_id,
        account_id=case.account_id,
        state=enum_number(pb.CaseState, "CASE_STATE_", event.state),
        reason=enum_number(pb.RefundRejectionReason, "REFUND_REJECTION_REASON_", event.reason),
        evidence_summary=event.summary,
        appeal_id=event.appeal_id,
    )


# ---------------------------------------------------------------------------------------------- consumed


def _required(value: str, name: str) -> str:
    if not value:
        raise ValueError(f"the event has no {name}")
    return value


def _cost(message: ingest_events.LeadAccepted | ingest_events.LeadDuplicate) -> Money | None:
    if not message.HasField("cost"):
        return None
    cost = message.cost
    return Money.from_units_nanos(cost.currency_code, cost.units, cost.nanos)


def lead_accepted(data: bytes) -> ChargeReported:
    """``lead.accepted``: the lead's own charge (kind LEAD). The phone it carries is not read."""
    event = ingest_events.LeadAccepted.FromString(data)
    return _charge(event, ChargeKind.LEAD)


def lead_duplicate(data: bytes) -> ChargeReported:
    """``lead.duplicate``: a duplicate submission's charge (kind DUPLICATE)."""
    return _charge(ingest_events.LeadDuplicate.FromString(data), ChargeKind.DUPLICATE)


def _charge(
    event: ingest_events.LeadAccepted | ingest_events.LeadDuplicate, kind: ChargeKind
) -> ChargeReported:
    submit_time = optional_time(event, "submit_time") or to_datetime(event.occurred_time, "occurred_time")
    return ChargeReported(
        tenant_id=_required(event.tenant_id, "tenant_id"),
        lead_id=_required(event.lead_id, "lead_id"),
        submission_id=_required(event.submission_id, "submission_id"),
        account_id=event.account_id,
        kind=kind,
        submit_time=submit_time,
        cost=_cost(event),
    )


def callable_hours_changed(data: bytes) -> CallableHoursAnnounced:
    """``telephony.callable_hours_changed``. Raises ValueError (the consumer retries, then dead-letters) for hours or
    a zone the domain refuses, or a change without its time."""
    event = telephony_events.CallableHoursChanged.FromString(data)
    if not event.HasField("callable_hours") or not event.HasField("change_time"):
        raise ValueError("callable_hours_changed needs callable_hours and change_time")
    window = window_of(event.callable_hours, event.default_time_zone or DEFAULT_TIME_ZONE)
    return CallableHoursAnnounced(
        _required(event.tenant_id, "tenant_id"), window, to_datetime(event.change_time, "change_time")
    )


def call_completed(data: bytes) -> CallReported:
    """``call.completed``: one report of a call; a correction is a later report (higher ``outcome_revision``)."""
    return call_reported(telephony_events.CallCompleted.FromString(data))


def call_reported(event: telephony_events.CallCompleted) -> CallReported:
    outcome_name = enum_name(call_pb2.CallOutcome, event.outcome, "CALL_OUTCOME_")
    try:
        outcome = CallOutcome(outcome_name)
    except ValueError:
        outcome = CallOutcome.UNKNOWN  # an outcome newer than this code proves nothing either way
    ring = to_timedelta(event.ring_duration, "ring_duration")
    if not ring and event.HasField("ring_time"):
        ring = ring_duration_between(
            to_datetime(event.ring_time, "ring_time"),
            optional_time(event, "answer_time"),
            optional_time(event, "release_time"),
        )
    if not event.HasField("start_time"):
        raise ValueError("the call has no start_time; decisions follow the calls' start times")
    record = CallRecord(
        call_id=_required(event.call_id, "call_id"),
        lead_id=_required(event.lead_id, "lead_id"),
        start_time=to_datetime(event.start_time, "start_time"),
        outcome=outcome,
        ring_duration=max(ring, timedelta(0)),
        talk_duration=max(to_timedelta(event.talk_duration, "talk_duration"), timedelta(0)),
        reported_at=optional_time(event, "occurred_time"),
        report_id=_required(event.event_id, "event_id"),
        revision=max(event.outcome_revision, 0),
        window=reported_window(event),
    )
    return CallReported(_required(event.tenant_id, "tenant_id"), record)


def reported_window(event: Message) -> CallableWindow | None:
    """The callable window telephony says it enforced for the call (fields ``callable_hours`` and ``time_zone``),
    None when the report does not carry one (an older telephony). A window the domain refuses is logged and ignored
    (the default then applies) rather than holding the call report back."""
    if not event.HasField("callable_hours"):
        return None
    try:
        return window_of(event.callable_hours, event.time_zone or DEFAULT_TIME_ZONE)
    except ValueError as error:
        log.warning("call.completed carries a callable window refund cannot use: %s", error)
        return None
