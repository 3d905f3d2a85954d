"""Ports: what the refund use cases need from storage, one small repository per aggregate behind a unit of work.

    uow.cases      eligibility cases (one per charge, unique per tenant, lead and submission) and their standing
    uow.calls      call reports per lead (every report of every call; corrections are chosen by ``calls``)
    uow.rules      each account's refund rules (only the fields it set)
    uow.refunds    refunds (unique per case: one refund per charge, ever)
    uow.requests   idempotency records of RequestRefund, AppealCase and DecideAppeal
    uow.appeals    appeals (at most one PENDING per case)
    uow.ledger     the double-entry ledger (insert only)
    uow.timers     each case's timer at its next change time, and the re-evaluation after a rules change (the
                   runtime's ``services.common.timers`` port)
    uow.events     domain events (``domain.events``), written to the outbox in the same transaction

Every method takes the tenant (or a value that carries it): rows are namespaced by tenant, so another tenant's ids
are simply not found. Uniqueness is decided by the store's constraints: an ``insert`` answers False when the row
exists. Adapters: ``adapters/db`` (SQLAlchemy); in-memory fakes for handler tests live in ``tests/refund/fakes.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.common.timeconv import to_us
from services.common.timers import TimerRepository
from services.common.uow import EventLog
from services.refund.domain.appeals import Appeal, AppealState
from services.refund.domain.callable_hours import CallableWindow
from services.refund.domain.calls import CallRecord
from services.refund.domain.cases import Case, CaseState, RefundReason, RejectionReason, Standing
from services.refund.domain.idempotency import IdempotencyRecord
from services.refund.domain.ledger import LedgerEntry, LedgerTransaction
from services.refund.domain.money import Money
from services.refund.domain.refunds import Refund
from services.refund.domain.rules import StoredRules
from services.refund.domain.statement import LedgerMovement

# ---------------------------------------------------------------------------------------------- cases


@dataclass(frozen=True)
class StoredCase:
    """A case as stored: the case, its standing at the latest evaluation, when that was, and the row's version
    (compare-and-set: a save that finds another version raises ``TransientConflict`` and the use case runs again)."""

    case: Case
    standing: Standing
    updated_at: datetime
    version: int = 1


@dataclass(frozen=True)
class CaseFilter:
    """ListCases filters; empty strings and None mean "any"."""

    account_id: str = ""
    lead_id: str = ""
    state: CaseState | None = None
    reason: RefundReason | None = None
    rejection_reason: RejectionReason | None = None
    create_start: datetime | None = None
    create_end: datetime | None = None


Cursor = tuple[datetime, str]
"""The (time, id) of the last item of a page; the next page starts after it in the list's order."""


class CaseRepository(ABC):
    @abstractmethod
    def insert(self, case: Case, standing: Standing, now: datetime) -> bool:
        """Insert unless the tenant already has a case for this lead and submission; True when inserted."""

    @abstractmethod
    def get(self, tenant: str, case_id: str) -> StoredCase | None: ...

    @abstractmethod
    def lock_lead(self, tenant: str, lead_id: str) -> None:
        """Lock the lead until the end of the transaction (its lock row on PostgreSQL, created on first use;
        SQLite's write transactions are serial already), so that the writers of one lead take turns and each reads
        what the one before it committed: every case and call report of the lead, including the one that added the
        lead's first case, which no lock on existing case rows could have covered. Call it before reading the
        lead."""

    @abstractmethod
    def of_lead(self, tenant: str, lead_id: str) -> list[StoredCase]:
        """Every case of the lead (open and closed), by case id."""

    @abstractmethod
    def of_leads(self, tenant: str, lead_ids: Sequence[str]) -> list[StoredCase]: ...

    @abstractmethod
    def save(self, stored: StoredCase, case: Case, standing: Standing, now: datetime) -> bool:
        """Replace the case and its standing if the row is still at ``stored.version``; False when it is not."""

    @abstractmethod
    def open_of_account(
        self, tenant: str, account_id: str, after_case_id: str, limit: int
    ) -> list[StoredCase]:
        """Open cases of the account by case id ascending, after ``after_case_id`` ("" for the first)."""

    @abstractmethod
    def list(self, tenant: str, where: CaseFilter, after: Cursor | None, limit: int) -> list[StoredCase]:
        """Newest first (opened time, then case id, descending), after the previous page's last."""

    @abstractmethod
    def count(self, tenant: str, where: CaseFilter) -> int: ...


class CallRepository(ABC):
    @abstractmethod
    def add(self, tenant: str, report: CallRecord) -> bool:
        """Store one report of a call; False when this report (call id and report id) was stored already."""

    @abstractmethod
    def of_lead(self, tenant: str, lead_id: str) -> list[CallRecord]:
        """Every report of every call to the lead (``calls.latest_reports`` picks each call's latest)."""

    @abstractmethod
    def of_leads(self, tenant: str, lead_ids: Sequence[str]) -> dict[str, list[CallRecord]]: ...


class RulesRepository(ABC):
    @abstractmethod
    def get(self, tenant: str, account_id: str) -> StoredRules | None:
        """None when the account never changed its rules (the defaults apply)."""

    @abstractmethod
    def put(self, tenant: str, rules: StoredRules) -> None: ...


class CallableHoursRepository(ABC):
    """Telephony's callable hours per tenant (``telephony.callable_hours_changed``)."""

    @abstractmethod
    def get(self, tenant: str) -> CallableWindow | None:
        """The tenant's hours in the tenant's default time zone; None until telephony announced a change (its
        documented default, 08:00-21:00 Asia/Shanghai, applies)."""

    @abstractmethod
    def put(self, tenant: str, window: CallableWindow, change_time: datetime) -> bool:
        """Keep ``window`` unless a change later than ``change_time`` is kept already; True when it was kept."""


# ---------------------------------------------------------------------------------------------- refunds


@dataclass(frozen=True)
class RefundFilter:
    account_id: str = ""
    lead_id: str = ""
    reason: RefundReason | None = None
    create_start: datetime | None = None
    create_end: datetime | None = None


class RefundRepository(ABC):
    @abstractmethod
    def insert(self, refund: Refund, charge: Money) -> bool:
        """Insert unless the case was refunded already (unique case); False then. The store also refuses an amount
        that is not positive or exceeds ``charge`` (check constraints)."""

    @abstractmethod
    def get(self, tenant: str, refund_id: str) -> Refund | None: ...

    @abstractmethod
    def of_lead(self, tenant: str, lead_id: str) -> list[Refund]: ...

    @abstractmethod
    def redact_texts(self, tenant: str, lead_id: str) -> int:
        """Redact the free texts (note, evidence summary) of the lead's refunds (erasure,
        ``services.common.erasure.redact``); amounts, reasons and ids stay. How many refunds changed."""

    @abstractmethod
    def list(self, tenant: str, where: RefundFilter, after: Cursor | None, limit: int) -> list[Refund]:
        """Newest first (paid time, then refund id, descending), after the previous page's last."""


class RequestRepository(ABC):
    @abstractmethod
    def get(self, tenant: str, operation: str, request_id: str) -> IdempotencyRecord | None: ...

    @abstractmethod
    def insert(self, tenant: str, record: IdempotencyRecord, now: datetime) -> bool:
        """Insert unless the key (tenant, operation, request id) exists; False then."""


@dataclass(frozen=True)
class AppealFilter:
    account_id: str = ""
    state: AppealState | None = None


class AppealRepository(ABC):
    @abstractmethod
    def insert(self, tenant: str, appeal: Appeal) -> bool:
        """Insert a PENDING appeal unless its case has a PENDING appeal already; False then."""

    @abstractmethod
    def get(self, tenant: str, appeal_id: str) -> Appeal | None: ...

    @abstractmethod
    def of_case(self, tenant: str, case_id: str) -> list[Appeal]: ...

    @abstractmethod
    def update(self, tenant: str, appeal: Appeal, expected_state: AppealState) -> bool:
        """Store ``appeal`` if the stored one is still in ``expected_state``; False when it is not."""

    @abstractmethod
    def redact_texts(self, tenant: str, lead_id: str) -> int:
        """Redact the free texts (reason, decision note) of the lead's appeals (erasure); states, deciders and
        times stay. How many appeals changed."""

    @abstractmethod
    def list(self, tenant: str, where: AppealFilter, after: Cursor | None, limit: int) -> list[Appeal]:
        """Newest first (created time, then appeal id, descending), after the previous page's last."""


@dataclass(frozen=True)
class LedgerFilter:
    account_id: str = ""
    refund_id: str = ""
    post_start: datetime | None = None
    post_end: datetime | None = None


class LedgerRepository(ABC):
    """Insert only: nothing updates or deletes an entry."""

    @abstractmethod
    def append(self, tenant: str, transaction: LedgerTransaction) -> None:
        """Insert the transaction's entries (their ids are unique, and an entry is reversed at most once)."""

    @abstractmethod
    def entries(
        self, tenant: str, where: LedgerFilter, after: Cursor | None, limit: int
    ) -> list[LedgerEntry]:
        """Oldest first (posted time, then entry id), after the previous page's last."""

    @abstractmethod
    def movements(self, tenant: str, account_id: str, start: datetime, end: datetime) -> list[LedgerMovement]:
        """The advertiser account's entries posted in ``[start, end)``, counted and summed per reason, currency
        and direction (``statement.movements`` computed by the store)."""

    @abstractmethod
    def imbalance(
        self, *, posted_from: datetime | None = None, posted_before: datetime | None = None
    ) -> dict[str, int]:
        """Debits minus credits in fen per currency over the entries of every tenant posted in
        [``posted_from``, ``posted_before``) (None: unbounded on that side); 0s when balanced, a currency with no
        entry there absent."""


# ---------------------------------------------------------------------------------------------- timers

CASE_TIMER = "refund.case"
"""The timer of one case, due at its next change time; its key is ``<case id>@<due time in µs>`` (``case_timer_key``)
so that the firing of one due time never deletes the timer its handler set for the next (the runtime deletes the
fired (kind, key) after the handler ran)."""


def case_timer_key(case_id: str, due: datetime) -> str:
    return f"{case_id}@{to_us(due)}"


RULES_TIMER = "refund.rules_changed"
"""Re-evaluation of an account's open cases after its rules changed (key: tenant/account/cursor)."""


class RefundUnitOfWork(Protocol):
    @property
    def cases(self) -> CaseRepository: ...

    @property
    def calls(self) -> CallRepository: ...

    @property
    def rules(self) -> RulesRepository: ...

    @property
    def refunds(self) -> RefundRepository: ...

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def appeals(self) -> AppealRepository: ...

    @property
    def ledger(self) -> LedgerRepository: ...

    @property
    def callable_hours(self) -> CallableHoursRepository: ...

    @property
    def timers(self) -> TimerRepository: ...

    @property
    def events(self) -> EventLog: ...
