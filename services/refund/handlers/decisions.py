"""The one path from evidence to money: evaluate a lead's cases, pay the settled ELIGIBLE ones, close the settled
rejections, and keep each open case's timer at its next change time. Every caller — the consumers, the timers,
RequestRefund and an approved appeal — goes through here, inside the caller's unit of work.

Per evaluation (``refresh``): load the lead's cases, every report of its calls, its charges and each account's rules;
``evaluate()`` each open case at ``now``; then, in the same transaction,

- settled and ELIGIBLE: ``pay`` — the refund row (unique per case: one refund per charge, ever), the ledger
  transaction (debit platform expense, credit the advertiser), the case closed as REFUNDED, its timer cancelled,
  ``RefundIssued`` to the outbox;
- settled and NOT_REFUNDABLE or EXPIRED: the case closed, its timer cancelled, ``RefundRejected`` to the outbox;
- otherwise: the standing stored (for ListCases filters) when it changed, and the timer set to the evaluation's
  ``next_change_time``.

Every write path locks the lead before it reads anything of it (``cases.lock_lead``: the lead's row in
``refund_lead_locks``, ``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's writers are serial), so the writers of one
lead — two charges of one person, a charge and a call report, a timer, a RequestRefund, on two replicas — take turns,
and each reads everything the one before it committed. Locking the lead's case rows instead would not do: a charge
being added has no committed row for the other writer to wait on, and under READ COMMITTED two charges of one person
handled at once each found only its own case, both were judged the first, and the duplicate was never refunded. The
first charge is decided by the charges' own submit times and ids (``cases.duplicate_charges``), never by which
transaction commits first: the writer that goes second evaluates every open case of the lead again. A case row still
changes only by compare-and-set on its version, and a refund only by its unique key: should anything bypass the lock,
the loser runs again and sees the winner's result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from services.common.errors import NotFound
from services.common.ids import new_id
from services.common.timers import Timer
from services.common.uow import TransientConflict
from services.refund.domain.appeals import Appeal
from services.refund.domain.callable_hours import CallableWindow
from services.refund.domain.calls import CallRecord, enforced_window
from services.refund.domain.cases import Case, CaseState, Charge, Standing
from services.refund.domain.evaluation import Evaluation, evaluate
from services.refund.domain.events import RefundIssued, RefundRejected
from services.refund.domain.ledger import refund_transaction
from services.refund.domain.ports import CASE_TIMER, RefundUnitOfWork, StoredCase, case_timer_key
from services.refund.domain.refunds import (
    Refund,
    RefundRequest,
    close_rejected,
    issue_refund,
    settlement_request,
)
from services.refund.domain.rules import DEFAULT_RULES, RefundRules


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


class RulesBook:
    """The rules of each account, read once per unit of work."""

    def __init__(self, uow: RefundUnitOfWork, tenant: str) -> None:
        self._uow = uow
        self._tenant = tenant
        self._rules: dict[str, RefundRules] = {}

    def of(self, account_id: str) -> RefundRules:
        rules = self._rules.get(account_id)
        if rules is None:
            stored = self._uow.rules.get(self._tenant, account_id)
            rules = self._rules[account_id] = stored.rules if stored is not None else DEFAULT_RULES
        return rules


@dataclass(frozen=True)
class LeadFile:
    """Everything a lead's cases are judged by: its cases, every report of its calls and the callable window."""

    tenant: str
    lead_id: str
    cases: tuple[StoredCase, ...]
    calls: tuple[CallRecord, ...]
    window: CallableWindow

    @classmethod
    def of(
        cls,
        tenant: str,
        lead_id: str,
        cases: Sequence[StoredCase],
        calls: Sequence[CallRecord],
        tenant_window: CallableWindow | None,
    ) -> LeadFile:
        """``tenant_window``: the tenant's callable hours as telephony announced them (None: its default), for a
        lead no call has reported a window for yet (``calls.enforced_window``)."""
        return cls(tenant, lead_id, tuple(cases), tuple(calls), enforced_window(calls, tenant_window))

    @classmethod
    def load(cls, uow: RefundUnitOfWork, tenant: str, lead_id: str, *, for_update: bool = False) -> LeadFile:
        """The lead's file; ``for_update`` (every write path) first locks the lead (``CaseRepository.lock_lead``),
        so the cases, calls and refunds read after it include everything every other writer of the lead committed,
        and no other writer of the lead commits until this transaction ends."""
        if for_update:
            uow.cases.lock_lead(tenant, lead_id)
        cases = uow.cases.of_lead(tenant, lead_id)
        calls = uow.calls.of_lead(tenant, lead_id)
        return cls.of(tenant, lead_id, cases, calls, uow.callable_hours.get(tenant))

    @property
    def charges(self) -> tuple[Charge, ...]:
        return tuple(stored.case.charge for stored in self.cases)

    def case(self, case_id: str) -> StoredCase | None:
        return next((stored for stored in self.cases if stored.case.case_id == case_id), None)

    def evaluate(self, case: Case, rules: RefundRules, now: datetime) -> Evaluation:
        return evaluate(case, self.calls, rules, self.window, now, lead_charges=self.charges)


@dataclass
class Refresh:
    """What one evaluation pass did, for the inbound rooms' metrics."""

    opened: int = 0
    evaluated: int = 0
    refunds: list[Refund] = field(default_factory=list)
    rejected: int = 0

    def add(self, other: Refresh) -> None:
        self.opened += other.opened
        self.evaluated += other.evaluated
        self.refunds.extend(other.refunds)
        self.rejected += other.rejected


def refresh(uow: RefundUnitOfWork, tenant: str, lead_id: str, now: datetime) -> Refresh:
    """Evaluate every open case of the lead at ``now`` and act on each (see the module docstring)."""
    lead = LeadFile.load(uow, tenant, lead_id, for_update=True)
    book = RulesBook(uow, tenant)
    result = Refresh()
    for stored in lead.cases:
        if not stored.case.is_open:
            continue
        evaluation = lead.evaluate(stored.case, book.of(stored.case.account_id), now)
        result.evaluated += 1
        if evaluation.settled and evaluation.state is CaseState.ELIGIBLE:
            result.refunds.append(
                pay(uow, lead, stored, evaluation, settlement_request(stored.case.case_id), now)
            )
        elif evaluation.settled and evaluation.rejection_reason is not None:
            close_as_rejected(uow, stored, evaluation, now)
            result.rejected += 1
        else:
            keep_open(uow, stored, evaluation, now)
    return result


def pay(
    uow: RefundUnitOfWork,
    lead: LeadFile,
    stored: StoredCase,
    evaluation: Evaluation,
    request: RefundRequest,
    now: datetime,
    *,
    by_admin: bool = False,
    appeal: Appeal | None = None,
) -> Refund:
    """Refund ``stored``'s charge for ``request`` (the domain checks who may refund what, and how much), post the
    ledger transaction, close the case as REFUNDED and record ``RefundIssued``. Raises the domain's refusals, and
    ``TransientConflict`` when another transaction refunded or changed the case meanwhile."""
    case, tenant = stored.case, lead.tenant
    millis = _millis(now)
    refund, closed = issue_refund(
        case,
        evaluation,
        request,
        refund_id=new_id(millis),
        ledger_transaction_id=new_id(millis),
        now=now,
        by_admin=by_admin,
        appeal=appeal,
        lead_charges=lead.charges,
        lead_refunds=uow.refunds.of_lead(tenant, case.lead_id),
    )
    if not uow.refunds.insert(refund, case.charge.amount):
        raise TransientConflict()
    uow.ledger.append(tenant, refund_transaction(refund, posted_at=now))
    _close(uow, stored, closed, now)
    uow.events.add(RefundIssued(refund))
    return refund


def close_as_rejected(
    uow: RefundUnitOfWork, stored: StoredCase, evaluation: Evaluation, now: datetime
) -> None:
    closed = close_rejected(stored.case, evaluation, now)
    _close(uow, stored, closed, now)
    assert closed.closure is not None and closed.closure.rejection_reason is not None
    uow.events.add(
        RefundRejected(closed, closed.closure.state, closed.closure.rejection_reason, evaluation.summary, now)
    )


def keep_open(uow: RefundUnitOfWork, stored: StoredCase, evaluation: Evaluation, now: datetime) -> None:
    """Store the open case's new standing and move its timer to the next change time, when they changed."""
    standing = evaluation.standing()
    if standing != stored.standing:
        _save(uow, stored, stored.case, standing, now)
    _move_timer(uow, stored, standing.next_change_time)


def _close(uow: RefundUnitOfWork, stored: StoredCase, closed: Case, now: datetime) -> None:
    assert closed.closure is not None
    _save(uow, stored, closed, closed.closure.standing(), now)
    _move_timer(uow, stored, None)


def _move_timer(uow: RefundUnitOfWork, stored: StoredCase, due: datetime | None) -> None:
    """The case's one timer: at ``due``, or none. The stored standing says where the current one is (its key
    carries its due time, see ``ports.CASE_TIMER``)."""
    case, current = stored.case, stored.standing.next_change_time
    if due == current:
        return
    if current is not None:
        uow.timers.cancel(CASE_TIMER, case_timer_key(case.case_id, current))
    if due is not None:
        payload = {"lead_id": case.lead_id, "case_id": case.case_id}
        uow.timers.schedule(
            Timer(CASE_TIMER, case_timer_key(case.case_id, due), case.tenant_id, due, payload)
        )


def _save(uow: RefundUnitOfWork, stored: StoredCase, case: Case, standing: Standing, now: datetime) -> None:
    if not uow.cases.save(stored, case, standing, now):
        raise TransientConflict()


def load_case(uow: RefundUnitOfWork, tenant: str, case_id: str) -> tuple[LeadFile, StoredCase]:
    """The case and its lead's file, locked for a write (``LeadFile.load``). Raises NotFound (reason CASE_NOT_FOUND)
    when the tenant has no such case."""
    found = uow.cases.get(tenant, case_id)
    stored = None
    if found is not None:
        lead = LeadFile.load(uow, tenant, found.case.lead_id, for_update=True)
        stored = lead.case(case_id)
    if found is None or stored is None:
        raise NotFound(f"case {case_id} not found", reason="CASE_NOT_FOUND", metadata={"case_id": case_id})
    return lead, stored
