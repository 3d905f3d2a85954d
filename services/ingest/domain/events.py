"""The domain events ingest's use cases record (``uow.events.add``); ``converters.events`` turns them into the
``lead.accepted``, ``lead.duplicate``, ``lead.rejected`` and ``lead.erased`` messages of ``leadflow.ingest.v1``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.ingest.domain.model import Lead, LeadStatus, Submission


@dataclass(frozen=True)
class LeadAccepted:
    """A submission created a lead (NEW or RETURNING): assign, telephony and refund take it from here.
    ``event_id``: the event's id, given when it is recorded, because the push the submission schedules in the same
    transaction is keyed by it (``handlers.push``)."""

    lead: Lead
    submission: Submission
    occurred_time: datetime
    event_id: str


@dataclass(frozen=True)
class LeadDuplicate:
    """A submission was a duplicate of ``lead_id`` (attached to it, or flagged beside it)."""

    lead_id: str
    submission: Submission
    occurred_time: datetime


@dataclass(frozen=True)
class LeadRejected:
    """A submission failed the tenant's content rules; it is stored for audit and goes no further."""

    submission: Submission
    occurred_time: datetime


@dataclass(frozen=True)
class LeadErased:
    """A lead's personal data was erased: dedup forgets its keys, assign, telephony and refund erase their copies.
    Carries ids only."""

    tenant_id: str
    lead_id: str
    account_ids: tuple[str, ...]
    occurred_time: datetime


# Events of other services that ingest consumes, as the plain values its handlers need.


@dataclass(frozen=True)
class RefundIssued:
    """refund.issued: a charge of the lead was refunded, for ``reason`` (EMPTY_NUMBER, DUPLICATE_CHARGE, ...)."""

    tenant_id: str
    lead_id: str
    reason: str


@dataclass(frozen=True)
class CallCompleted:
    """call.completed: a call to the lead ended with ``outcome`` (ANSWERED, EMPTY_NUMBER, ...)."""

    tenant_id: str
    lead_id: str
    call_id: str
    outcome: str
    lead_phone: str  # E.164, personal data


@dataclass(frozen=True)
class LeadAssigned:
    """lead.assigned: an agent holds the lead now."""

    tenant_id: str
    lead_id: str


@dataclass(frozen=True)
class LeadStatusChanged:
    """lead.status_changed: an agent's follow-up settled the lead as CONVERTED or INVALID (with a reason)."""

    event_id: str
    tenant_id: str
    lead_id: str
    account_id: str
    status: LeadStatus
    invalid_reason: (
        str  # UPPER_SNAKE_CASE (the LeadInvalidReason name without its prefix), empty unless INVALID
    )
    occurred_time: datetime
    follow_up_id: str
    agent_id: str
