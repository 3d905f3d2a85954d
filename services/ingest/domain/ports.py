"""The ports the ingest use cases need: the lead store and the dedup service. Adapters implement them.

Store methods run inside one transaction (``IngestStore.write()`` / ``read()``); event handlers get a transaction
bound to the consumer's own session, so the inbox claim and the state change commit together.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from services.common.errors import DomainError, FailedPrecondition
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
    the same submission, or an earlier attempt that crashed after dedup answered (see handlers)."""

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


@dataclass(frozen=True)
class LeadPage:
    leads: list[Lead]
    total_size: int


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


class IngestTx(ABC):
    """One transaction on the ingest store."""

    # -- idempotency and leads
    @abstractmethod
    def submissions_by_request_id(self, tenant: str, request_ids: Iterable[str]) -> dict[str, Submission]: ...

    @abstractmethod
    def submissions_by_external_key(
        self, tenant: str, keys: Iterable[tuple[str, int, str]]
    ) -> dict[tuple[str, int, str], Submission]: ...

    @abstractmethod
    def get_lead(self, tenant: str, lead_id: str) -> Lead | None: ...

    @abstractmethod
    def get_leads(self, tenant: str, lead_ids: Iterable[str]) -> dict[str, Lead]: ...

    @abstractmethod
    def insert_submission(self, submission: Submission) -> bool:
        """False (and nothing written) when its request_id or external key is already stored."""

    @abstractmethod
    def insert_lead(self, lead: Lead) -> bool:
        """False (and nothing written) when a lead with this id exists."""

    @abstractmethod
    def attach(self, tenant: str, lead_id: str, submit_time: datetime, now: datetime) -> None:
        """Count one more submission on the lead and move its last_submit_time forward."""

    @abstractmethod
    def add_accounts(self, tenant: str, lead_id: str, account_ids: Sequence[str], now: datetime) -> None:
        """Make the lead visible from these accounts (those it already has are kept, in their order)."""

    @abstractmethod
    def set_status(
        self, tenant: str, lead_id: str, status: LeadStatus, invalid_reason: str, now: datetime
    ) -> None: ...

    @abstractmethod
    def list_leads(
        self, tenant: str, where: LeadFilter, after: tuple[int, str] | None, limit: int, count: bool
    ) -> LeadPage: ...

    @abstractmethod
    def list_submissions(
        self, tenant: str, where: SubmissionFilter, after: tuple[int, str] | None, limit: int
    ) -> list[Submission]:
        """By submit time, then id, ascending; ``after`` is the (submit_us, id) of the previous page's last."""

    # -- rules
    @abstractmethod
    def tenant_settings(self, tenant: str) -> tuple[TenantSettings, int]:
        """The tenant's settings (or the default row) and its blocklist version."""

    @abstractmethod
    def settings_update_time(self, tenant: str) -> datetime | None:
        """When the tenant's own settings row last changed; None while the tenant uses the default row."""

    @abstractmethod
    def update_tenant_settings(
        self, tenant: str, settings: TenantSettings, fields: frozenset[str], now: datetime
    ) -> None:
        """Store the named fields (``default_region``, ``landline_allowed``) of ``settings`` as the tenant's own;
        the other fields keep their current value (the default row's when the tenant has no row yet)."""

    @abstractmethod
    def keywords(self, tenant: str) -> list[str]: ...

    @abstractmethod
    def blocked_phones(self, tenant: str) -> list[str]: ...

    @abstractmethod
    def dead_phones(self, tenant: str, phones: Iterable[str]) -> set[str]: ...

    @abstractmethod
    def add_dead_number(
        self, tenant: str, phone: str, reason: str, lead_id: str, call_id: str, now: datetime
    ) -> None: ...

    @abstractmethod
    def replace_blocklist(
        self, tenant: str, entries: Sequence[BlocklistEntry], now: datetime
    ) -> tuple[int, int]:
        """Replace the whole blocklist, keep create times of entries that stay; returns (phones, keywords)."""

    @abstractmethod
    def list_blocklist(
        self, tenant: str, kind: BlocklistKind | None, after: tuple[int, str] | None, limit: int
    ) -> list[BlocklistEntry]: ...

    # -- events (written to the outbox of this transaction)
    @abstractmethod
    def record_accepted(self, lead: Lead, submission: Submission, now: datetime) -> None: ...

    @abstractmethod
    def record_duplicate(self, lead_id: str, submission: Submission, now: datetime) -> None: ...

    @abstractmethod
    def record_rejected(self, submission: Submission, now: datetime) -> None: ...


class IngestStore(ABC):
    @abstractmethod
    def write(self) -> AbstractContextManager[IngestTx]: ...

    @abstractmethod
    def read(self) -> AbstractContextManager[IngestTx]: ...


class TransientConflict(Exception):
    """A write transaction lost a race it can retry (deadlock, serialization failure)."""
