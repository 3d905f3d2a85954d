"""In-memory fakes of the refund ports, with the semantics the SQL adapters have (unique keys, compare-and-set,
ordering), for handler tests on ``tests.common.fakes.FakeTransactions``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from services.common.erasure import redact
from services.common.timers import Timer, TimerRepository
from services.refund.domain.appeals import Appeal, AppealState
from services.refund.domain.callable_hours import CallableWindow
from services.refund.domain.calls import CallRecord
from services.refund.domain.cases import Case, Standing
from services.refund.domain.idempotency import IdempotencyRecord
from services.refund.domain.ledger import LedgerEntry, LedgerTransaction, check_posting, imbalance
from services.refund.domain.money import Money
from services.refund.domain.ports import (
    AppealFilter,
    AppealRepository,
    CallableHoursRepository,
    CallRepository,
    CaseFilter,
    CaseRepository,
    Cursor,
    LedgerFilter,
    LedgerRepository,
    RefundFilter,
    RefundRepository,
    RequestRepository,
    RulesRepository,
    StoredCase,
)
from services.refund.domain.refunds import Refund
from services.refund.domain.rules import StoredRules
from services.refund.domain.statement import LedgerMovement, movements
from tests.common.fakes import EventList


def _desc_after(key: Cursor, after: Cursor | None) -> bool:
    return after is None or key < after


class FakeCases(CaseRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], StoredCase] = {}

    def insert(self, case: Case, standing: Standing, now: datetime) -> bool:
        if any(
            (s.case.tenant_id, s.case.lead_id, s.case.submission_id)
            == (case.tenant_id, case.lead_id, case.submission_id)
            for s in self.rows.values()
        ):
            return False
        self.rows[(case.tenant_id, case.case_id)] = StoredCase(case, standing, now, 1)
        return True

    def get(self, tenant: str, case_id: str) -> StoredCase | None:
        return self.rows.get((tenant, case_id))

    def lock_lead(self, tenant: str, lead_id: str) -> None:
        """Nothing to do: the fake transactions run one at a time."""

    def of_lead(self, tenant: str, lead_id: str) -> list[StoredCase]:
        return self.of_leads(tenant, [lead_id])

    def of_leads(self, tenant: str, lead_ids: Sequence[str]) -> list[StoredCase]:
        wanted = set(lead_ids)
        found = [s for (t, _), s in self.rows.items() if t == tenant and s.case.lead_id in wanted]
        return sorted(found, key=lambda s: s.case.case_id)

    def save(self, stored: StoredCase, case: Case, standing: Standing, now: datetime) -> bool:
        key = (case.tenant_id, case.case_id)
        current = self.rows.get(key)
        if current is None or current.version != stored.version:
            return False
        self.rows[key] = StoredCase(case, standing, now, stored.version + 1)
        return True

    def _matching(self, tenant: str, where: CaseFilter) -> list[StoredCase]:
        def ok(s: StoredCase) -> bool:
            c, st = s.case, s.standing
            return (
                c.tenant_id == tenant
                and (not where.account_id or c.account_id == where.account_id)
                and (not where.lead_id or c.lead_id == where.lead_id)
                and (where.state is None or st.state is where.state)
                and (where.reason is None or st.refund_reason is where.reason)
                and (where.rejection_reason is None or st.rejection_reason is where.rejection_reason)
                and (where.create_start is None or c.opened_at >= where.create_start)
                and (where.create_end is None or c.opened_at < where.create_end)
            )

        return [s for s in self.rows.values() if ok(s)]

    def list(self, tenant: str, where: CaseFilter, after: Cursor | None, limit: int) -> list[StoredCase]:
        rows = [
            s for s in self._matching(tenant, where) if _desc_after((s.case.opened_at, s.case.case_id), after)
        ]
        return sorted(rows, key=lambda s: (s.case.opened_at, s.case.case_id), reverse=True)[:limit]

    def count(self, tenant: str, where: CaseFilter) -> int:
        return len(self._matching(tenant, where))

    def open_of_account(
        self, tenant: str, account_id: str, after_case_id: str, limit: int
    ) -> list[StoredCase]:
        rows = [
            s
            for (t, case_id), s in self.rows.items()
            if t == tenant and s.case.account_id == account_id and s.case.is_open and case_id > after_case_id
        ]
        return sorted(rows, key=lambda s: s.case.case_id)[:limit]


class FakeCalls(CallRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], CallRecord] = {}

    def add(self, tenant: str, report: CallRecord) -> bool:
        key = (tenant, report.call_id, report.report_id)
        if key in self.rows:
            return False
        self.rows[key] = report
        return True

    def of_lead(self, tenant: str, lead_id: str) -> list[CallRecord]:
        return self.of_leads(tenant, [lead_id]).get(lead_id, [])

    def of_leads(self, tenant: str, lead_ids: Sequence[str]) -> dict[str, list[CallRecord]]:
        found: dict[str, list[CallRecord]] = defaultdict(list)
        for (t, _, _), report in self.rows.items():
            if t == tenant and report.lead_id in lead_ids:
                found[report.lead_id].append(report)
        return dict(found)


class FakeCallableHours(CallableHoursRepository):
    def __init__(self) -> None:
        self.rows: dict[str, tuple[CallableWindow, datetime]] = {}

    def get(self, tenant: str) -> CallableWindow | None:
        found = self.rows.get(tenant)
        return None if found is None else found[0]

    def put(self, tenant: str, window: CallableWindow, change_time: datetime) -> bool:
        kept = self.rows.get(tenant)
        if kept is not None and kept[1] >= change_time:
            return False
        self.rows[tenant] = (window, change_time)
        return True


class FakeRules(RulesRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], StoredRules] = {}

    def get(self, tenant: str, account_id: str) -> StoredRules | None:
        return self.rows.get((tenant, account_id))

    def put(self, tenant: str, rules: StoredRules) -> None:
        self.rows[(tenant, rules.account_id)] = rules


class FakeRefunds(RefundRepository):
    def __init__(self) -> None:
        self.rows: dict[str, Refund] = {}

    def insert(self, refund: Refund, charge: Money) -> bool:
        assert 0 < refund.amount.fen <= charge.fen, "the store's check constraints refuse this amount"
        if any((r.tenant_id, r.case_id) == (refund.tenant_id, refund.case_id) for r in self.rows.values()):
            return False
        self.rows[refund.refund_id] = refund
        return True

    def get(self, tenant: str, refund_id: str) -> Refund | None:
        refund = self.rows.get(refund_id)
        return refund if refund is not None and refund.tenant_id == tenant else None

    def of_lead(self, tenant: str, lead_id: str) -> list[Refund]:
        return [r for r in self.rows.values() if r.tenant_id == tenant and r.lead_id == lead_id]

    def redact_texts(self, tenant: str, lead_id: str) -> int:
        changed = 0
        for refund in self.of_lead(tenant, lead_id):
            redacted = replace(
                refund, note=redact(refund.note), evidence_summary=redact(refund.evidence_summary)
            )
            if redacted != refund:
                self.rows[refund.refund_id] = redacted
                changed += 1
        return changed

    def list(self, tenant: str, where: RefundFilter, after: Cursor | None, limit: int) -> list[Refund]:
        rows = [
            r
            for r in self.rows.values()
            if r.tenant_id == tenant
            and (not where.account_id or r.account_id == where.account_id)
            and (not where.lead_id or r.lead_id == where.lead_id)
            and (where.reason is None or r.reason is where.reason)
            and (where.create_start is None or r.created_at >= where.create_start)
            and (where.create_end is None or r.created_at < where.create_end)
            and _desc_after((r.created_at, r.refund_id), after)
        ]
        return sorted(rows, key=lambda r: (r.created_at, r.refund_id), reverse=True)[:limit]


class FakeRequests(RequestRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], IdempotencyRecord] = {}

    def get(self, tenant: str, operation: str, request_id: str) -> IdempotencyRecord | None:
        return self.rows.get((tenant, operation, request_id))

    def insert(self, tenant: str, record: IdempotencyRecord, now: datetime) -> bool:
        key = (tenant, record.operation, record.request_id)
        if key in self.rows:
            return False
        self.rows[key] = record
        return True


class FakeAppeals(AppealRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Appeal] = {}

    def insert(self, tenant: str, appeal: Appeal) -> bool:
        if any(
            t == tenant and a.case_id == appeal.case_id and a.state is AppealState.PENDING
            for (t, _), a in self.rows.items()
        ):
            return False
        self.rows[(tenant, appeal.appeal_id)] = appeal
        return True

    def get(self, tenant: str, appeal_id: str) -> Appeal | None:
        return self.rows.get((tenant, appeal_id))

    def of_case(self, tenant: str, case_id: str) -> list[Appeal]:
        return [a for (t, _), a in self.rows.items() if t == tenant and a.case_id == case_id]

    def redact_texts(self, tenant: str, lead_id: str) -> int:
        changed = 0
        for key, appeal in list(self.rows.items()):
            if key[0] != tenant or appeal.lead_id != lead_id:
                continue
            redacted = replace(
                appeal, reason=redact(appeal.reason), decision_note=redact(appeal.decision_note)
            )
            if redacted != appeal:
                self.rows[key] = redacted
                changed += 1
        return changed

    def update(self, tenant: str, appeal: Appeal, expected_state: AppealState) -> bool:
        current = self.rows.get((tenant, appeal.appeal_id))
        if current is None or current.state is not expected_state:
            return False
        self.rows[(tenant, appeal.appeal_id)] = appeal
        return True

    def list(self, tenant: str, where: AppealFilter, after: Cursor | None, limit: int) -> list[Appeal]:
        rows = [
            a
            for (t, _), a in self.rows.items()
            if t == tenant
            and (not where.account_id or a.account_id == where.account_id)
            and (where.state is None or a.state is where.state)
            and _desc_after((a.created_at, a.appeal_id), after)
        ]
        return sorted(rows, key=lambda a: (a.created_at, a.appeal_id), reverse=True)[:limit]


class FakeLedger(LedgerRepository):
    def __init__(self) -> None:
        self.rows: list[tuple[str, LedgerEntry]] = []

    def append(self, tenant: str, transaction: LedgerTransaction) -> None:
        check_posting([e for _, e in self.rows], transaction)
        self.rows.extend((tenant, e) for e in transaction.entries)

    def _of(self, tenant: str) -> list[LedgerEntry]:
        return [e for t, e in self.rows if t == tenant]

    def entries(
        self, tenant: str, where: LedgerFilter, after: Cursor | None, limit: int
    ) -> list[LedgerEntry]:
        rows = [
            e
            for e in self._of(tenant)
            if (not where.account_id or e.account_id == where.account_id)
            and (not where.refund_id or e.refund_id == where.refund_id)
            and (where.post_start is None or e.posted_at >= where.post_start)
            and (where.post_end is None or e.posted_at < where.post_end)
            and (after is None or (e.posted_at, e.entry_id) > after)
        ]
        return sorted(rows, key=lambda e: (e.posted_at, e.entry_id))[:limit]

    def movements(self, tenant: str, account_id: str, start: datetime, end: datetime) -> list[LedgerMovement]:
        return movements(self._of(tenant), account_id, start, end)

    def imbalance(
        self, *, posted_from: datetime | None = None, posted_before: datetime | None = None
    ) -> dict[str, int]:
        return imbalance(
            e
            for _, e in self.rows
            if (posted_from is None or e.posted_at >= posted_from)
            and (posted_before is None or e.posted_at < posted_before)
        )


class FakeTimers(TimerRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Timer] = {}

    def schedule(self, timer: Timer) -> None:
        self.rows[(timer.kind, timer.key)] = timer

    def cancel(self, kind: str, key: str) -> bool:
        return self.rows.pop((kind, key), None) is not None

    def get(self, kind: str, key: str) -> Timer | None:
        return self.rows.get((kind, key))

    def due(self, now: datetime) -> list[Timer]:
        return sorted((t for t in self.rows.values() if t.due_time <= now), key=lambda t: (t.due_time, t.key))


class FakeRefundUnitOfWork:
    def __init__(self) -> None:
        self.cases = FakeCases()
        self.calls = FakeCalls()
        self.rules = FakeRules()
        self.refunds = FakeRefunds()
        self.requests = FakeRequests()
        self.appeals = FakeAppeals()
        self.ledger = FakeLedger()
        self.callable_hours = FakeCallableHours()
        self.timers = FakeTimers()
        self.events = EventList()
