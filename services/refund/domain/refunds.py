"""Refunds: who may refund a case, how much, and the refund record. Paying exactly once is three guarantees:

1. one refund per charge: a case closed as REFUNDED refuses another (AlreadyRefunded), and the store backs this with
   a unique constraint on the refund's case;
2. every refund carries an idempotency key (``request_id``): the automatic payment of a settled case uses
   ``settle:<case_id>``, an approved appeal ``appeal:<appeal_id>``, RequestRefund the caller's key (see
   ``idempotency``);
3. the amount never exceeds the charge, and the refunds of a lead never exceed its charges, per currency.

Who may refund what:

==============================  =====================================================  ==================
case state                      path                                                   reason paid
==============================  =====================================================  ==================
ELIGIBLE                        the settling timer, or RequestRefund (anyone allowed)  the case's reason
any open case (not closed)      RequestRefund by an administrator, reason MANUAL       MANUAL
NOT_REFUNDABLE or EXPIRED       an approved appeal of the case                         APPEAL_APPROVED
REFUNDED                        none: AlreadyRefunded                                  —
==============================  =====================================================  ==================

A case is open until its decision settles and it is closed; a closed NOT_REFUNDABLE or EXPIRED case is refunded
only through an appeal, so that every reversal of a final decision leaves an appeal on record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.common.errors import ViolationCollector
from services.refund.domain.appeals import APPEALABLE_STATES, Appeal, AppealState
from services.refund.domain.cases import Case, CaseState, Charge, Closure, RefundReason
from services.refund.domain.errors import AlreadyRefunded, CaseNotRefundable, RefundsExceedCharges
from services.refund.domain.evaluation import Evaluation
from services.refund.domain.idempotency import check_request_id, fingerprint
from services.refund.domain.money import Money

MAX_NOTE_LENGTH = 256

AUTOMATIC_REASONS = frozenset(
    {
        RefundReason.EMPTY_NUMBER,
        RefundReason.SUSPENDED,
        RefundReason.POWERED_OFF,
        RefundReason.NEVER_REACHED,
        RefundReason.DUPLICATE_CHARGE,
    }
)


@dataclass(frozen=True)
class RefundRequest:
    """A request to refund a case: ``reason`` None means the case's own reason (MANUAL for an administrator on a
    case that has none); ``amount`` None means the whole charge; ``request_id`` is the idempotency key."""

    case_id: str
    request_id: str
    reason: RefundReason | None = None
    amount: Money | None = None
    note: str = ""

    def fingerprint(self) -> str:
        """The request's content for idempotency (the key itself excluded)."""
        amount = None if self.amount is None else [self.amount.currency, self.amount.fen]
        reason = None if self.reason is None else self.reason.value
        return fingerprint(
            "RequestRefund", {"case_id": self.case_id, "reason": reason, "amount": amount, "note": self.note}
        )


def settlement_request(case_id: str) -> RefundRequest:
    """The request the settling timer pays a settled ELIGIBLE case with; its key is stable, so a retry after a
    crash replays instead of paying twice."""
    return RefundRequest(case_id=case_id, request_id=f"settle:{case_id}")


def appeal_request(appeal: Appeal) -> RefundRequest:
    """The request an approved appeal pays with (whole charge, APPEAL_APPROVED, key ``appeal:<appeal_id>``)."""
    return RefundRequest(
        case_id=appeal.case_id, request_id=f"appeal:{appeal.appeal_id}", reason=RefundReason.APPEAL_APPROVED
    )


@dataclass(frozen=True)
class Refund:
    """One payment back to the advertiser; ``amount`` is positive and at most the charge."""

    refund_id: str
    tenant_id: str
    case_id: str
    lead_id: str
    submission_id: str
    account_id: str
    amount: Money
    reason: RefundReason
    request_id: str
    created_at: datetime
    ledger_transaction_id: str
    evidence_summary: str = ""
    note: str = ""
    appeal_id: str | None = None


def check_request(request: RefundRequest, errors: ViolationCollector | None = None) -> None:
    """Raise InvalidArgument naming every bad field of ``request`` (request_id, note, amount), together with those
    already in ``errors`` (a caller's checks of its own fields)."""
    errors = errors or ViolationCollector()
    check_request_id(errors, request.request_id)
    if len(request.note) > MAX_NOTE_LENGTH:
        errors.add("note", f"must be at most {MAX_NOTE_LENGTH} characters")
    elif any(not ch.isprintable() for ch in request.note):
        errors.add("note", "must not contain control characters")
    if request.amount is not None and not request.amount.is_positive:
        errors.add("amount", "must be positive")
    errors.raise_if_any()


def refund_reason_for(
    case: Case,
    evaluation: Evaluation,
    request: RefundRequest,
    *,
    by_admin: bool,
    appeal: Appeal | None = None,
) -> RefundReason:
    """The reason ``request`` may pay ``case`` with, given the case's current ``evaluation`` (see the table above).

    Raises AlreadyRefunded, or CaseNotRefundable when the state, the caller or the requested reason does not allow it.
    """
    if case.closure is not None and case.closure.state is CaseState.REFUNDED:
        raise AlreadyRefunded(
            f"case {case.case_id} was refunded already by refund {case.closure.refund_id}",
            metadata={"case_id": case.case_id, "refund_id": case.closure.refund_id or ""},
        )
    state = evaluation.state
    if appeal is not None:
        if appeal.case_id != case.case_id or appeal.state is not AppealState.APPROVED:
            raise CaseNotRefundable(
                f"appeal {appeal.appeal_id} is not an approved appeal of case {case.case_id}"
            )
        if state not in APPEALABLE_STATES:
            raise CaseNotRefundable(
                f"case {case.case_id} is {state.value}; an appeal pays only a rejected case"
            )
        return RefundReason.APPEAL_APPROVED
    requested = request.reason
    if requested is RefundReason.APPEAL_APPROVED:
        raise CaseNotRefundable("only an approved appeal pays with reason APPEAL_APPROVED")
    own = evaluation.refund_reason
    if state is CaseState.ELIGIBLE and own is not None and requested in (None, own):
        return own
    if by_admin and case.closure is None and requested in (None, RefundReason.MANUAL):
        return RefundReason.MANUAL
    if requested in AUTOMATIC_REASONS and requested is not evaluation.refund_reason:
        raise CaseNotRefundable(
            f"case {case.case_id} is {state.value} without evidence for {requested.value}",
            metadata={"case_id": case.case_id, "state": state.value},
        )
    if case.closure is not None:
        hint = "it is closed; appeal it instead"
    else:
        hint = "only an administrator may refund it (MANUAL)"
    raise CaseNotRefundable(
        f"case {case.case_id} is {state.value}: {hint}",
        metadata={"case_id": case.case_id, "state": state.value},
    )


def refund_amount(
    case: Case, request: RefundRequest, *, lead_charges: Iterable[Charge], lead_refunds: Iterable[Refund]
) -> Money:
    """The amount to pay: the request's, or the whole charge. Raises InvalidArgument (amount in another currency, or
    more than the charge) or RefundsExceedCharges (the lead's refunds would exceed its charges in that currency).

    ``lead_charges`` are the lead's charges (this case's is added if missing); ``lead_refunds`` its refunds so far.
    """
    charge = case.charge.amount
    amount = request.amount or charge
    errors = ViolationCollector()
    if amount.currency != charge.currency:
        errors.add("amount.currency_code", f"must be the charge's currency, {charge.currency}")
    elif amount.fen > charge.fen:
        errors.add("amount", f"must not exceed the charge of {charge}")
    errors.raise_if_any()
    charges = {c.submission_id: c for c in lead_charges}
    charges[case.submission_id] = case.charge
    charged = sum(c.amount.fen for c in charges.values() if c.amount.currency == amount.currency)
    refunded = sum(
        r.amount.fen
        for r in {r.refund_id: r for r in lead_refunds}.values()
        if r.amount.currency == amount.currency
    )
    if refunded + amount.fen > charged:
        raise RefundsExceedCharges(
            f"lead {case.lead_id} was charged {Money(amount.currency, charged)} and refunded "
            f"{Money(amount.currency, refunded)}; {amount} more would exceed its charges",
            metadata={"lead_id": case.lead_id},
        )
    return amount


def issue_refund(
    case: Case,
    evaluation: Evaluation,
    request: RefundRequest,
    *,
    refund_id: str,
    ledger_transaction_id: str,
    now: datetime,
    by_admin: bool = False,
    appeal: Appeal | None = None,
    lead_charges: Iterable[Charge] = (),
    lead_refunds: Iterable[Refund] = (),
) -> tuple[Refund, Case]:
    """The refund ``request`` pays for ``case``, and the case closed as REFUNDED by it.

    Validates the request, the reason (``refund_reason_for``) and the amount (``refund_amount``); raises their
    errors. The caller posts ``ledger.refund_transaction(refund, ...)`` in the same unit of work.
    """
    check_request(request)
    reason = refund_reason_for(case, evaluation, request, by_admin=by_admin, appeal=appeal)
    amount = refund_amount(case, request, lead_charges=lead_charges, lead_refunds=lead_refunds)
    refund = Refund(
        refund_id=refund_id,
        tenant_id=case.tenant_id,
        case_id=case.case_id,
        lead_id=case.lead_id,
        submission_id=case.submission_id,
        account_id=case.account_id,
        amount=amount,
        reason=reason,
        request_id=request.request_id,
        created_at=now,
        ledger_transaction_id=ledger_transaction_id,
        evidence_summary=evaluation.summary,
        note=request.note,
        appeal_id=appeal.appeal_id if appeal is not None else None,
    )
    closure = Closure(
        state=CaseState.REFUNDED,
        decided_at=evaluation.decided_at or now,
        closed_at=now,
        refund_reason=reason,
        refund_id=refund_id,
        deciding_call_id=evaluation.deciding_call_id,
    )
    return refund, case.closed(closure)


def close_rejected(case: Case, evaluation: Evaluation, now: datetime) -> Case:
    """``case`` closed as NOT_REFUNDABLE or EXPIRED once its evaluation settled. Raises ValueError when the
    evaluation is not a settled rejection (a caller bug)."""
    if not evaluation.settled or evaluation.rejection_reason is None or evaluation.decided_at is None:
        raise ValueError(f"case {case.case_id} has no settled rejection to close with")
    closure = Closure(
        state=evaluation.state,
        decided_at=evaluation.decided_at,
        closed_at=now,
        rejection_reason=evaluation.rejection_reason,
        deciding_call_id=evaluation.deciding_call_id,
    )
    return case.closed(closure)
