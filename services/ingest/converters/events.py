"""Events: the domain events ingest records, as the ``leadflow.ingest.v1`` messages the relay publishes; and the
events ingest consumes, decoded to the plain values its handlers take. A payload that does not decode raises, so
the consumer retries it and finally dead-letters it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.assign.v1 import events_pb2 as assign_events
from leadflow.common.v1 import call_pb2, lead_pb2
from leadflow.ingest.v1 import events_pb2
from leadflow.refund.v1 import events_pb2 as refund_events
from leadflow.refund.v1 import refund_service_pb2 as refund_pb
from leadflow.telephony.v1 import events_pb2 as telephony_events
from services.common.events import LEAD_ACCEPTED, LEAD_DUPLICATE, LEAD_ERASED, LEAD_REJECTED
from services.common.ids import new_id
from services.common.messaging.outbox import OutboxMessage
from services.common.protoconv import (
    encrypted_fields,
    enum_name,
    sealed_value,
    timestamp,
    timestamp_fields,
    to_datetime,
    to_enum,
)
from services.common.sealing import LEAD_PHONE, Sealer
from services.ingest.converters.values import (
    matched_dimensions,
    money_fields,
    region_fields,
    rejection_code,
)
from services.ingest.domain.events import (
    CallCompleted,
    LeadAccepted,
    LeadAssigned,
    LeadDuplicate,
    LeadErased,
    LeadRejected,
    LeadStatusChanged,
    RefundIssued,
)
from services.ingest.domain.model import LeadStatus

# ---------------------------------------------------------------------------------------------- produced

# On every lead.accepted this version records: the submission's transaction scheduled the lead's push (线索推送)
# itself, so ingest's consumer of its own events (``consumers.PUSH_CONSUMER``), kept for the events of older versions
# that did not, acknowledges it without a transaction. Ingest's own concern: other consumers ignore it.
PUSH_SCHEDULED_HEADER = "Leadflow-Push-Scheduled"
_PUSH_SCHEDULED = {PUSH_SCHEDULED_HEADER: "1"}


def push_scheduled(headers: Mapping[str, str]) -> bool:
    """Whether a lead.accepted message's headers say its push was scheduled when it was recorded."""
    return PUSH_SCHEDULED_HEADER in headers


class EventEncoder:
    """The outbox's encoder of ingest's domain events; personal fields are sealed with ``sealer``."""

    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer

    def __call__(self, event: object) -> OutboxMessage:
        return encode_event(event, self._sealer)


def encode_event(event: object, sealer: Sealer) -> OutboxMessage:
    """The bus message of a recorded domain event; each gets a new event id but ``LeadAccepted``, which has its
    own."""
    if isinstance(event, LeadAccepted):
        return OutboxMessage(
            LEAD_ACCEPTED,
            accepted_message(event.event_id, event, sealer),
            event.lead.id,
            event.event_id,
            headers=_PUSH_SCHEDULED,
        )
    event_id = new_id()
    if isinstance(event, LeadDuplicate):
        return OutboxMessage(LEAD_DUPLICATE, duplicate_message(event_id, event), event.lead_id, event_id)
    if isinstance(event, LeadRejected):
        return OutboxMessage(LEAD_REJECTED, rejected_message(event_id, event), event.submission.id, event_id)
    if isinstance(event, LeadErased):
        return OutboxMessage(LEAD_ERASED, erased_message(event_id, event), event.lead_id, event_id)
    raise TypeError(f"ingest records no event of type {type(event).__name__}")


def accepted_message(event_id: str, event: LeadAccepted, sealer: Sealer) -> events_pb2.LeadAccepted:
    """Built from field dicts, as the submit answers are (``protoconv.timestamp_fields`` says why)."""
    lead, submission = event.lead, event.submission
    contact = lead.contact
    fields: dict[str, Any] = {
        "event_id": event_id,
        "tenant_id": lead.tenant_id,
        "occurred_time": timestamp_fields(event.occurred_time),
        "lead_id": lead.id,
        "submission_id": submission.id,
        "account_id": submission.account_id,
        "account_ids": lead.account_ids,
        "verdict": to_enum(lead_pb2.LeadVerdict, lead.verdict),
        "returning_of_lead_id": lead.returning_of_lead_id,
        "channel": to_enum(lead_pb2.Channel, submission.channel),
        "traffic_source": to_enum(lead_pb2.TrafficSource, submission.traffic_source),
        "business_source": to_enum(lead_pb2.BusinessSource, submission.business_source),
        "campaign_id": submission.campaign_id,
        "adgroup_id": submission.adgroup_id,
        "creative_id": submission.creative_id,
        "cost": money_fields(submission.cost),
        "submit_time": timestamp_fields(submission.submit_time),
        "encrypted_phone": (
            encrypted_fields(sealer.seal(lead.tenant_id, LEAD_PHONE, contact.phone))
            if contact.phone
            else None
        ),
        "phone_from_wechat": contact.phone_from_wechat,
        "phone_region": region_fields(contact),
    }
    if submission.collect_account_id is not None and submission.collect_account_id != submission.account_id:
        fields["collect_account_id"] = submission.collect_account_id
    return events_pb2.LeadAccepted(**fields)


def duplicate_message(event_id: str, event: LeadDuplicate) -> events_pb2.LeadDuplicate:
    submission = event.submission
    return events_pb2.LeadDuplicate(
        event_id=event_id,
        tenant_id=submission.tenant_id,
        occurred_time=timestamp_fields(event.occurred_time),
        lead_id=event.lead_id,
        submission_id=submission.id,
        account_id=submission.account_id,
        matched_dimensions=matched_dimensions(submission.matches),
        cost=money_fields(submission.cost),
        submit_time=timestamp_fields(submission.submit_time),
        channel=to_enum(lead_pb2.Channel, submission.channel),
    )


def rejected_message(event_id: str, event: LeadRejected) -> events_pb2.LeadRejected:
    submission = event.submission
    return events_pb2.LeadRejected(
        event_id=event_id,
        tenant_id=submission.tenant_id,
        occurred_time=timestamp_fields(event.occurred_time),
        submission_id=submission.id,
        account_id=submission.account_id,
        reasons=[rejection_code(r.code) for r in submission.rejections],
        submit_time=timestamp_fields(submission.submit_time),
        channel=to_enum(lead_pb2.Channel, submission.channel),
    )


def erased_message(event_id: str, event: LeadErased) -> events_pb2.LeadErased:
    return events_pb2.LeadErased(
        event_id=event_id,
        tenant_id=event.tenant_id,
        occurred_time=timestamp(event.occurred_time),
        lead_id=event.lead_id,
        account_ids=list(event.account_ids),
    )


# ---------------------------------------------------------------------------------------------- consumed


def refund_issued(data: bytes) -> RefundIssued:
    event = refund_events.RefundIssued.FromString(data)
    reason = enum_name(refund_pb.RefundReason, event.reason, "REFUND_REASON_")
    return RefundIssued(event.tenant_id, event.lead_id, reason)


def call_completed(data: bytes, sealer: Sealer) -> CallCompleted:
    """The lead's phone travels sealed; ingest holds the key (it keeps the dead-number list by phone)."""
    event = telephony_events.CallCompleted.FromString(data)
    outcome = enum_name(call_pb2.CallOutcome, event.outcome, "CALL_OUTCOME_")
    phone = (
        sealer.open(event.tenant_id, LEAD_PHONE, sealed_value(event.encrypted_lead_phone))
        if event.HasField("encrypted_lead_phone")
        else ""
    )
    return CallCompleted(event.tenant_id, event.lead_id, event.call_id, outcome, phone)


def lead_assigned(data: bytes) -> LeadAssigned:
    event = assign_events.LeadAssigned.FromString(data)
    return LeadAssigned(event.tenant_id, event.lead_id)


def lead_status_changed(data: bytes, event_id: str) -> LeadStatusChanged:
    """An agent's follow-up settled the lead; the invalid reason by its LeadInvalidReason name without the prefix
    (WRONG_PERSON, ...). ``event_id`` (the Nats-Msg-Id) stands in when the payload has none."""
    event = assign_events.LeadStatusChanged.FromString(data)
    try:
        status = LeadStatus(event.status)  # the shared numbering (services.common.leadenums)
    except ValueError:
        status = LeadStatus.UNSPECIFIED  # newer than this code: the handler ignores it
    reason = enum_name(assign_pb.LeadInvalidReason, event.invalid_reason, "LEAD_INVALID_REASON_")
    return LeadStatusChanged(
        event_id=event.event_id or event_id,
        tenant_id=event.tenant_id,
        lead_id=event.lead_id,
        account_id=event.account_id,
        status=status,
        invalid_reason=reason if status is LeadStatus.INVALID else "",
        occurred_time=to_datetime(event.occurred_time, "occurred_time"),
        follow_up_id=event.follow_up_id,
        agent_id=event.agent_id,
    )
