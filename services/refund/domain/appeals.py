"""Appeals: an advertiser asks to reconsider a case that ended without a refund; an administrator decides.

- ``open_appeal``: only a NOT_REFUNDABLE or EXPIRED case, with a reason of 1..1,000 characters, and at most one
  PENDING appeal per case at a time (a denied appeal may be followed by a new one with new arguments).
- ``decide_appeal``: APPROVE or DENY a PENDING appeal, with a note of at most 1,000 characters. Deciding an appeal
  again the same way replays it; deciding it the other way fails.
- An approved appeal is paid through the same path as every refund (``refunds.issue_refund`` with the appeal), so it
  pays once: the case's one-refund rule and the idempotency key ``appeal:<appeal_id>`` both hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from services.common.errors import ViolationCollector
from services.refund.domain.cases import Case, CaseState
from services.refund.domain.errors import AppealAlreadyDecided, AppealPending, CaseNotAppealable
from services.refund.domain.idempotency import check_request_id

MAX_APPEAL_TEXT = 1000

APPEALABLE_STATES = (CaseState.NOT_REFUNDABLE, CaseState.EXPIRED)


class AppealState(StrEnum):
    """One for one with ``leadflow.refund.v1.AppealState``."""

    PENDING = "PENDING"
    APPROVED = "APPROVED"
    DENIED = "DENIED"


class AppealDecision(StrEnum):
    """One for one with ``leadflow.refund.v1.AppealDecision``."""

    APPROVE = "APPROVE"
    DENY = "DENY"


@dataclass(frozen=True)
class Appeal:
    """An appeal of one case. ``requested_by``/``decided_by`` are JWT subjects; ``refund_id`` is set once an
    approved appeal was paid."""

    appeal_id: str
    case_id: str
    lead_id: str
    account_id: str
    reason: str
    state: AppealState
    requested_by: str
    request_id: str
    created_at: datetime
    decided_by: str = ""
    decision_note: str = ""
    decided_at: datetime | None = None
    refund_id: str | None = None


def _check_text(errors: ViolationCollector, field: str, text: str, *, required: bool) -> None:
    if required and not text.strip():
        errors.add(field, "is required")
    elif len(text) > MAX_APPEAL_TEXT:
        errors.add(field, f"must be at most {MAX_APPEAL_TEXT:,} characters")
    elif any(not ch.isprintable() and ch not in "\n\t" for ch in text):
        errors.add(field, "must not contain control characters")


def check_appeal_request(reason: str, request_id: str, errors: ViolationCollector | None = None) -> None:
    """Raise InvalidArgument naming every bad field of an appeal (reason, request_id), with those already in
    ``errors``."""
    errors = errors or ViolationCollector()
    _check_text(errors, "reason", reason, required=True)
    check_request_id(errors, request_id)
    errors.raise_if_any()


def check_decision_request(note: str, request_id: str, errors: ViolationCollector | None = None) -> None:
    """Raise InvalidArgument naming every bad field of a decision (note, request_id), with those already in
    ``errors``."""
    errors = errors or ViolationCollector()
    _check_text(errors, "note", note, required=False)
    check_request_id(errors, request_id)
    errors.raise_if_any()


def open_appeal(
    case: Case,
    case_state: CaseState,
    *,
    reason: str,
    requested_by: str,
    request_id: str,
    appeal_id: str,
    now: datetime,
    appeals_of_case: Iterable[Appeal] = (),
) -> Appeal:
    """A new PENDING appeal of ``case`` (whose current state is ``case_state``).

    Raises InvalidArgument (reason, request_id), CaseNotAppealable (the state is not NOT_REFUNDABLE or EXPIRED),
    AppealPending (the case already has a PENDING appeal).
    """
    check_appeal_request(reason, request_id)
    if case_state not in APPEALABLE_STATES:
        raise CaseNotAppealable(
            f"case {case.case_id} is {case_state.value}; only NOT_REFUNDABLE or EXPIRED cases can be appealed",
            metadata={"case_id": case.case_id, "state": case_state.value},
        )
    pending = [a for a in appeals_of_case if a.case_id == case.case_id and a.state is AppealState.PENDING]
    if pending:
        raise AppealPending(
            f"case {case.case_id} already has a pending appeal {pending[0].appeal_id}",
            metadata={"appeal_id": pending[0].appeal_id},
        )
    return Appeal(
        appeal_id=appeal_id,
        case_id=case.case_id,
        lead_id=case.lead_id,
        account_id=case.account_id,
        reason=reason,
        state=AppealState.PENDING,
        requested_by=requested_by,
        request_id=request_id,
        created_at=now,
    )


def decide_appeal(
    appeal: Appeal, decision: AppealDecision, *, note: str, decided_by: str, now: datetime
) -> Appeal:
    """``appeal`` APPROVED or DENIED. The same decision on a decided appeal returns it unchanged (a retry);
    the other decision raises AppealAlreadyDecided. Raises InvalidArgument for a bad note."""
    errors = ViolationCollector()
    _check_text(errors, "note", note, required=False)
    errors.raise_if_any()
    target = AppealState.APPROVED if decision is AppealDecision.APPROVE else AppealState.DENIED
    if appeal.state is not AppealState.PENDING:
        if appeal.state is target:
            return appeal
        raise AppealAlreadyDecided(
            f"appeal {appeal.appeal_id} was {appeal.state.value} already",
            metadata={"appeal_id": appeal.appeal_id, "state": appeal.state.value},
        )
    return replace(appeal, state=target, decided_by=decided_by, decision_note=note, decided_at=now)


def with_refund(appeal: Appeal, refund_id: str) -> Appeal:
    """An APPROVED appeal with the refund that paid it. Raises ValueError for any other state."""
    if appeal.state is not AppealState.APPROVED:
        raise ValueError(f"appeal {appeal.appeal_id} is {appeal.state.value}, not APPROVED")
    return replace(appeal, refund_id=refund_id)
