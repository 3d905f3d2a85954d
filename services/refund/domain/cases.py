"""Charges and cases: one eligibility case per charge, its states and reasons, and duplicate charges.

A charge is a ``lead.accepted`` with a cost (the lead's first submission) or a ``lead.duplicate`` with a cost (a
charged duplicate submission of the lead). A case is opened for each charge with a positive cost; a free lead has
nothing to refund. The case's identity is (tenant, lead, submission): the store enforces one case per charge and one
refund per case, so the refunds of a lead can never exceed its charges.

A case is evaluated from its call evidence (``evaluation``) until its decision settles; then it is closed
(``Closure``): REFUNDED, NOT_REFUNDABLE or EXPIRED, and no later evidence changes it. Only an approved appeal turns a
NOT_REFUNDABLE or EXPIRED closure into REFUNDED.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from services.common.errors import ViolationCollector
from services.refund.domain.money import Money
from services.refund.domain.rules import RefundRules


class CaseState(StrEnum):
    """Where a case stands, one for one with ``leadflow.refund.v1.CaseState``."""

    PENDING = "PENDING"
    ELIGIBLE = "ELIGIBLE"
    REFUNDED = "REFUNDED"
    NOT_REFUNDABLE = "NOT_REFUNDABLE"
    EXPIRED = "EXPIRED"


class RefundReason(StrEnum):
    """Why a charge is refunded, one for one with ``leadflow.refund.v1.RefundReason``."""

    EMPTY_NUMBER = "EMPTY_NUMBER"
    SUSPENDED = "SUSPENDED"
    POWERED_OFF = "POWERED_OFF"
    NEVER_REACHED = "NEVER_REACHED"
    DUPLICATE_CHARGE = "DUPLICATE_CHARGE"
    MANUAL = "MANUAL"
    APPEAL_APPROVED = "APPEAL_APPROVED"


class RejectionReason(StrEnum):
    """Why a case ended without a refund, one for one with ``leadflow.refund.v1.RefundRejectionReason``."""

    ANSWERED = "ANSWERED"
    CLAIM_WINDOW_EXPIRED = "CLAIM_WINDOW_EXPIRED"
    APPEAL_DENIED = "APPEAL_DENIED"


class ChargeKind(StrEnum):
    """Which event charged: the lead's first submission (``lead.accepted``) or a duplicate (``lead.duplicate``)."""

    LEAD = "LEAD"
    DUPLICATE = "DUPLICATE"


@dataclass(frozen=True)
class Charge:
    """What an account was charged for one submission of a lead; ``submit_time`` is the person's own submit time."""

    lead_id: str
    submission_id: str
    account_id: str
    amount: Money
    submit_time: datetime
    kind: ChargeKind = ChargeKind.LEAD


def is_chargeable(cost: Money | None) -> bool:
    """Whether an event's cost opens a case: set and positive (a free lead has nothing to refund)."""
    return cost is not None and cost.is_positive


@dataclass(frozen=True)
class Standing:
    """Where a case stood at its latest evaluation, as the store keeps it for filters (ListCases by state and
    reason) and for its timer (``next_change_time``). ``state`` is the evaluated state of an open case (PENDING,
    ELIGIBLE, NOT_REFUNDABLE, EXPIRED) or the closure's state of a closed one."""

    state: CaseState
    refund_reason: RefundReason | None = None
    rejection_reason: RejectionReason | None = None
    decided_at: datetime | None = None
    settle_time: datetime | None = None
    next_change_time: datetime | None = None


@dataclass(frozen=True)
class Closure:
    """The final outcome of a case, recorded when its decision settled (or an appeal was approved).

    ``state`` is REFUNDED, NOT_REFUNDABLE or EXPIRED; exactly one of ``refund_reason`` (REFUNDED) and
    ``rejection_reason`` (otherwise) is set. ``decided_at`` is the evidence time of the decision, ``closed_at`` when
    the case was closed; ``deciding_call_id`` the call that decided it, when a call did.
    """

    state: CaseState
    decided_at: datetime
    closed_at: datetime
    refund_reason: RefundReason | None = None
    rejection_reason: RejectionReason | None = None
    refund_id: str | None = None
    deciding_call_id: str | None = None

    def __post_init__(self) -> None:
        if self.state is CaseState.REFUNDED:
            if self.refund_reason is None or self.rejection_reason is not None or not self.refund_id:
                raise ValueError(
                    "a REFUNDED closure has a refund reason and a refund id, and no rejection reason"
                )
        elif self.state in (CaseState.NOT_REFUNDABLE, CaseState.EXPIRED):
            if self.rejection_reason is None or self.refund_reason is not None:
                raise ValueError("a rejected closure has a rejection reason and no refund reason")
        else:
            raise ValueError(f"a case cannot be closed as {self.state}")

    def standing(self) -> Standing:
        """The standing of a case closed by this closure (nothing left to change: no next change time)."""
        return Standing(
            state=self.state,
            refund_reason=self.refund_reason,
            rejection_reason=self.rejection_reason,
            decided_at=self.decided_at,
            settle_time=self.closed_at,
        )


@dataclass(frozen=True)
class Case:
    """The eligibility case of one charge. ``closure`` is None while the case is open."""

    case_id: str
    tenant_id: str
    charge: Charge
    opened_at: datetime
    closure: Closure | None = None

    @property
    def lead_id(self) -> str:
        return self.charge.lead_id

    @property
    def submission_id(self) -> str:
        return self.charge.submission_id

    @property
    def account_id(self) -> str:
        return self.charge.account_id

    @property
    def submit_time(self) -> datetime:
        return self.charge.submit_time

    @property
    def is_open(self) -> bool:
        return self.closure is None

    def closed(self, closure: Closure) -> Case:
        """This case with ``closure``. Raises ValueError when it is closed already, except that an approved appeal
        may turn a NOT_REFUNDABLE or EXPIRED closure into REFUNDED."""
        if self.closure is not None:
            reopenable = self.closure.state in (CaseState.NOT_REFUNDABLE, CaseState.EXPIRED)
            if not (reopenable and closure.refund_reason is RefundReason.APPEAL_APPROVED):
                raise ValueError(f"case {self.case_id} is closed already as {self.closure.state}")
        return replace(self, closure=closure)


def open_case(case_id: str, tenant_id: str, charge: Charge, opened_at: datetime) -> Case:
    """A new open case for ``charge``. Raises InvalidArgument when the charge is not positive or its times are
    naive (a converter bug or a malformed event)."""
    errors = ViolationCollector()
    if not charge.amount.is_positive:
        errors.add("cost", "a case is opened only for a positive charge")
    if charge.submit_time.tzinfo is None:
        errors.add("submit_time", "must carry a time zone")
    for name, value in (("lead_id", charge.lead_id), ("submission_id", charge.submission_id)):
        if not value:
            errors.add(name, "is required")
    errors.raise_if_any()
    return Case(case_id=case_id, tenant_id=tenant_id, charge=charge, opened_at=opened_at)


def duplicate_charges(charges: Iterable[Charge], rules: RefundRules) -> dict[str, str]:
    """Which charges of one lead are duplicate charges: ``{duplicate submission_id: kept submission_id}``.

    Charges are grouped by account (a charge to another account is that account's first, not a duplicate) and
    ordered by submit time (then the lead's own charge first, then submission id), never by arrival. The earliest
    is kept; each later one is a duplicate of the last kept charge, unless ``rules.duplicate_charge_window`` is set
    and it falls outside that window after the kept charge, in which case it is kept in turn. The same set of
    charges gives the same answer in any order. Empty when ``rules.refund_duplicate_charges`` is off.
    """
    if not rules.refund_duplicate_charges:
        return {}
    # A submission charged once is reported once; should two reports of it ever differ, the same one wins in any
    # arrival order.
    unique: dict[str, Charge] = {}
    for charge in charges:
        current = unique.get(charge.submission_id)
        if current is None or _charge_order(charge) < _charge_order(current):
            unique[charge.submission_id] = charge
    by_account: dict[str, list[Charge]] = defaultdict(list)
    for charge in unique.values():
        by_account[charge.account_id].append(charge)
    result: dict[str, str] = {}
    for account_charges in by_account.values():
        ordered = sorted(account_charges, key=_charge_order)
        kept = ordered[0]
        for charge in ordered[1:]:
            window = rules.duplicate_charge_window
            if window is not None and charge.submit_time - kept.submit_time > window:
                kept = charge
                continue
            result[charge.submission_id] = kept.submission_id
    return result


def _charge_order(charge: Charge) -> tuple[datetime, bool, str, str, int]:
    return (
        charge.submit_time,
        charge.kind is not ChargeKind.LEAD,
        charge.submission_id,
        charge.account_id,
        charge.amount.fen,
    )
