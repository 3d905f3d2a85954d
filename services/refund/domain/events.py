"""The domain events the refund service records; the unit of work writes them to the outbox in the same transaction
as the change they report, and ``converters.events`` turns them into ``leadflow.refund.v1`` messages.

- ``RefundIssued``: a charge was refunded, exactly once (``refund.issued``; ingest marks the lead invalid, assign
  frees the agent's capacity).
- ``RefundRejected``: a case ended without a refund — NOT_REFUNDABLE or EXPIRED once its decision settled, or an
  appeal of it was denied (``refund.rejected``).

And the events it consumes, decoded to plain values: ``ChargeReported`` (``lead.accepted``, ``lead.duplicate``) and
``CallReported`` (``call.completed``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.refund.domain.callable_hours import CallableWindow
from services.refund.domain.calls import CallRecord
from services.refund.domain.cases import Case, CaseState, Charge, ChargeKind, RejectionReason, is_chargeable
from services.refund.domain.money import Money
from services.refund.domain.refunds import Refund


@dataclass(frozen=True)
class RefundIssued:
    refund: Refund


@dataclass(frozen=True)
class RefundRejected:
    """``occurred_at`` is when the case was closed (or the appeal denied); ``summary`` the evidence in English."""

    case: Case
    state: CaseState
    reason: RejectionReason
    summary: str
    occurred_at: datetime
    appeal_id: str = ""


# ---------------------------------------------------------------------------------------------- consumed


@dataclass(frozen=True)
class ChargeReported:
    """A charge as ``lead.accepted`` (kind LEAD) or ``lead.duplicate`` (kind DUPLICATE) reports it; ``cost`` is
    None when the submission was free (no case is opened then)."""

    tenant_id: str
    lead_id: str
    submission_id: str
    account_id: str
    kind: ChargeKind
    submit_time: datetime
    cost: Money | None

    def charge(self) -> Charge | None:
        """The charge to open a case for, or None when the submission cost nothing."""
        if not is_chargeable(self.cost):
            return None
        assert self.cost is not None
        return Charge(
            self.lead_id, self.submission_id, self.account_id, self.cost, self.submit_time, self.kind
        )


@dataclass(frozen=True)
class CallableHoursAnnounced:
    """``telephony.callable_hours_changed``: the tenant's callable hours (in its default time zone) from
    ``change_time`` on."""

    tenant_id: str
    window: CallableWindow
    change_time: datetime


@dataclass(frozen=True)
class CallReported:
    """One report of a call to a lead, from ``call.completed`` (a correction is a later report of the same call)."""

    tenant_id: str
    call: CallRecord
