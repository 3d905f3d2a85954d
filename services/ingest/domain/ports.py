"""Ports: what the ingest use cases need from outside — the dedup service, the push sender, and storage as one small
repository per aggregate behind a unit of work:

    uow.leads         leads and the accounts they are visible from
    uow.submissions   submissions (the audit trail, and the idempotency keys)
    uow.rules         per-tenant settings, blocklists (phones and sensitive words) and the dead-number list
    uow.push          push rules and push deliveries (线索推送)
    uow.events        domain events (``domain.events``), written to the outbox in the same transaction

Adapters: ``adapters/db`` (SQLAlchemy), ``adapters/dedup_client.py`` (gRPC), ``adapters/push_sender.py`` (HTTP);
in-memory fakes for handler tests live in ``tests/ingest/fakes.py``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from services.common.errors import DomainError, FailedPrecondition
from services.common.uow import EventLog
from services.ingest.domain.model import (
    BlocklistEntry,
    BlocklistKind,
    DedupAction,
    Dimension,
    Lead,
    LeadStatus,
    Match,
    Submission,
    TenantSettings,
    Verdict,
)
from services.ingest.domain.push import (
    AttemptOutcome,
    ClaimedDelivery,
    DeliveryStatus,
    NewDelivery,
    PushDelivery,
    PushRequest,
    PushRule,
    Transition,
)

# ---------------------------------------------------------------------------------------------- dedup


@dataclass(frozen=True)
class ClaimRequest:
    """What ingest asks dedup: fingerprints only, never raw personal data."""

    account_id: str
    collect_account_id: str
    candidate_lead_id: str
    fingerprints: tuple[tuple[Dimension, bytes], ...]
    submit_time: datetime
    request_id: str


@dataclass(frozen=True)
class ClaimAnswer:
    verdict: Verdict
    canonical_lead_id: str
    matches: tuple[Match, ...]
    action: DedupAction


class ClaimConflict(FailedPrecondition):
    """Dedup already holds a different claim under this submission's claim request id: a concurrent attempt of
    the same submission, or an earlier attempt that crashed after dedup answered (see handlers.submit)."""

    reason = "CLAIM_CONFLICT"


class DedupPort(ABC):
    @abstractmethod
    async def claim(self, tenant_id: str, request: ClaimRequest) -> ClaimAnswer:
        """Raises ``Unavailable`` when dedup cannot answer in time, ``ClaimConflict`` on a request id reuse."""

    @abstractmethod
    async def batch_claim(
        self, tenant_id: str, requests: Sequence[ClaimRequest]
    ) -> list[ClaimAnswer | DomainError]:
        """Claims in order (later items see earlier ones); per-item errors. Raises ``Unavailable`` for the call."""

    @abstractmethod
    async def forget(self, tenant_id: str, lead_id: str) -> None:
        """Have dedup remove every key of the lead (a lead dedup never saw counts as forgotten). Raises
        ``Unavailable`` when dedup cannot answer in time."""


# ---------------------------------------------------------------------------------------------- push sender


class PushSender(ABC):
    @abstractmethod
    async def send(self, request: PushRequest) -> AttemptOutcome:
        """POST one push; never raises for the endpoint's failures (they are outcomes to retry or give up)."""


# ---------------------------------------------------------------------------------------------- storage


@dataclass(frozen=True)
class LeadFilter:
    account_id: str = ""
    channel: int = 0
    traffic_source: int = 0
    business_source: int = 0
    verdict: int = 0
    status: int = 0
    submit_start: datetime | None = None
    submit_end: datetime | None = None
    has_phone: bool | None = None


@dataclass(frozen=True)
class SubmissionFilter:
    """Submissions matching all the set fields; empty or zero fields do not filter."""

    lead_id: str = ""
    account_id: str = ""
    verdict: int = 0
    submit_start: datetime | None = None
    submit_end: datetime | None = None


ExternalKey = tuple[str, int, str]  # (account_id, channel, external_id)


class LeadRepository(ABC):
    @abstractmethod
    def get(self, tenant: str, lead_id: str) -> Lead | None: ...

    @abstractmethod
    def status_of(self, tenant: str, lead_id: str) -> LeadStatus | None:
        """The lead's status alone (None: no such lead of ``tenant``): what an event that moves a lead needs."""

    @abstractmethod
    def get_many(self, tenant: str, lead_ids: Iterable[str]) -> dict[str, Lead]: ...

    @abstractmethod
    def insert(self, lead: Lead) -> bool:
        """False (and nothing written) when a lead with this id exists."""

    def insert_many(self, leads: Sequence[Lead]) -> set[str]:
        """``insert`` of each lead (one statement in SQL); the ids of those written."""
        return {lead.id for lead in leads if self.insert(lead)}

    @abstractmethod
    def attach(self, tenant: str, lead_id: str, submit_time: datetime, now: datetime) -> None:
        """Count one more submission on the lead and move its last_submit_time forward."""

    @abstractmethod
    def add_accounts(self, tenant: str, lead_id: str, account_ids: Sequence[str], now: datetime) -> None:
        """Make the lead visible from these accounts (those it already has are kept, in their order)."""

    def add_accounts_many(self, tenant: str, leads: Sequence[tuple[str, Sequence[str], datetime]]) -> None:
        """``add_accounts`` for each (lead id, account ids, now) (one statement in SQL)."""
        for lead_id, account_ids, now in leads:
            self.add_accounts(tenant, lead_id, account_ids, now)

    @abstractmethod
    def move_status(
        self,
        tenant: str,
        lead_id: str,
        status: LeadStatus,
        invalid_reason: str,
        now: datetime,
        *,
        only_from: frozenset[LeadStatus],
    ) -> bool:
        """Set the lead's status (and invalid reason) if its status now is one of ``only_from``, in one statement;
        whether it changed (False also when there is no such lead: ``status_of`` tells them apart)."""

    def move_status_many(
        self,
        moves: Sequence[tuple[str, str]],
        status: LeadStatus,
        invalid_reason: str,
        now: datetime,
        *,
        only_from: frozenset[LeadStatus],
    ) -> int | None:
        """``move_status`` of each (tenant, lead id) of ``moves`` (one statement in SQL, run for all of them); how
        many changed, or None when the driver cannot say (then ``status_of`` or ``get_many`` tells)."""
        return sum(
            self.move_status(tenant, lead_id, status, invalid_reason, now, only_from=only_from)
            for tenant, lead_id in moves
        )

    @abstractmethod
    def list(self, tenant: str, where: LeadFilter, after: tuple[int, str] | None, limit: int) -> list[Lead]:
        """By first_submit_time descending then id descending; ``after`` is the (first_submit_us, id) of the
        previous page's last."""

    @abstractmethod
    def count(self, tenant: str, where: LeadFilter) -> int: ...

    @abstractmethod
    def contact_fields(self, tenant: str, lead_id: str, names: Sequence[str]) -> dict[str, str] | None:
        """The named contact fields of a stored lead (personal data); None when the lead is not stored."""

    @abstractmethod
    def erase(self, tenant: str, lead_id: str, now: datetime, erased_by: str) -> bool:
        """Empty the lead's personal fields (``domain.erasure``) and mark it erased at ``now`` by ``erased_by``;
        False (and nothing changed) when it is erased already, by a concurrent erasure that committed first."""

    @abstractmethod
    def is_erased(self, tenant: str, lead_id: str) -> bool: ...


class SubmissionRepository(ABC):
    @abstractmethod
    def by_request_ids(self, tenant: str, request_ids: Iterable[str]) -> dict[str, Submission]: ...

    @abstractmethod
    def by_external_keys(self, tenant: str, keys: Iterable[ExternalKey]) -> dict[ExternalKey, Submission]: ...

    @abstractmethod
    def insert(self, submission: Submission) -> bool:
        """False (and nothing written) when its request_id or external key is already stored."""

    def insert_many(self, submissions: Sequence[Submission]) -> set[str]:
        """``insert`` of each submission (one statement in SQL); the ids of those written."""
        return {submission.id for submission in submissions if self.insert(submission)}

    @abstractmethod
    def list(
        self, tenant: str, where: SubmissionFilter, after: tuple[int, str] | None, limit: int
    ) -> list[Submission]:
        """By submit time, then id, ascending; ``after`` is the (submit_us, id) of the previous page's last."""

    @abstractmethod
    def erase(self, tenant: str, lead_id: str, numbers: Sequence[str]) -> int:
        """Empty the personal fields and attributes of the lead's submissions and of the REJECTED submissions whose
        phone is one of ``numbers``; how many submissions changed."""


class RulesRepository(ABC):
    @abstractmethod
    def settings(self, tenant: str) -> tuple[TenantSettings, int]:
        """The tenant's settings (or the default row) and its blocklist version."""

    @abstractmethod
    def settings_update_time(self, tenant: str) -> datetime | None:
        """When the tenant's own settings row last changed; None while the tenant uses the default row."""

    @abstractmethod
    def update_settings(
        self, tenant: str, settings: TenantSettings, fields: frozenset[str], now: datetime
    ) -> None:
        """Store the named fields of ``settings`` as the tenant's own; the other fields keep their current value
        (the default row's when the tenant has no row yet)."""

    @abstractmethod
    def keywords(self, tenant: str) -> list[str]: ...

    @abstractmethod
    def blocked_phones(self, tenant: str) -> list[str]: ...

    @abstractmethod
    def replace_blocklist(
        self, tenant: str, entries: Sequence[BlocklistEntry], now: datetime
    ) -> tuple[int, int]:
        """Replace the whole blocklist, keep create times of entries that stay; returns (phones, keywords)."""

    @abstractmethod
    def list_blocklist(
        self, tenant: str, kind: BlocklistKind | None, after: tuple[int, str] | None, limit: int
    ) -> list[BlocklistEntry]:
        """By kind, then value; ``after`` is the (kind, value) of the previous page's last."""

    @abstractmethod
    def dead_phones(self, tenant: str, phones: Iterable[str]) -> set[str]: ...

    @abstractmethod
    def add_dead_number(
        self, tenant: str, phone: str, reason: str, lead_id: str, call_id: str, now: datetime
    ) -> None: ...

    @abstractmethod
    def forget_dead_numbers(self, tenant: str, lead_id: str, numbers: Sequence[str]) -> int:
        """Remove the dead-number entries recorded for the lead or holding one of ``numbers``; how many."""


class PushRepository(ABC):
    @abstractmethod
    def get_rule(self, tenant: str, account_id: str, *, for_update: bool = False) -> PushRule | None: ...

    @abstractmethod
    def upsert_rule(self, rule: PushRule) -> None:
        """Create or replace the account's rule (one per tenant and account)."""

    @abstractmethod
    def create_delivery(self, new: NewDelivery) -> bool:
        """Insert a PENDING delivery, due now; False when one exists for the event already."""

    @abstractmethod
    def get_delivery(self, tenant: str, delivery_id: str) -> PushDelivery | None: ...

    @abstractmethod
    def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[ClaimedDelivery]:
        """Lease up to ``limit`` due deliveries of any tenant to the caller, counting the attempt; no other
        replica sees them as due until the lease ends."""

    @abstractmethod
    def record_attempt(self, delivery_id: str, attempt: int, transition: Transition, now: datetime) -> bool:
        """Store an attempt's result; False when the claim was lost (lease expired, another attempt began)."""

    @abstractmethod
    def next_due_time(self) -> datetime | None:
        """The earliest next attempt time of any active delivery (a lease end counts too); None when idle."""

    @abstractmethod
    def list_deliveries(
        self,
        tenant: str,
        *,
        lead_id: str,
        account_id: str,
        statuses: Sequence[DeliveryStatus],
        after: tuple[int, str] | None,
        limit: int,
    ) -> list[PushDelivery]:
        """Newest first (create time, then id, descending), after the (create_us, id) of the previous page."""

    @abstractmethod
    def erase_of_lead(self, tenant: str, lead_id: str, now: datetime) -> int:
        """Empty the payloads of the lead's deliveries and give up those still PENDING or FAILED (an attempt in
        flight can't record its result any more); how many deliveries changed."""


class IngestUnitOfWork(Protocol):
    @property
    def leads(self) -> LeadRepository: ...

    @property
    def submissions(self) -> SubmissionRepository: ...

    @property
    def rules(self) -> RulesRepository: ...

    @property
    def push(self) -> PushRepository: ...

    @property
    def events(self) -> EventLog: ...
