"""Ports: what the dedup use cases need from storage, one small repository per aggregate behind a unit of work.

    uow.policies   the accounts' own policies, and the per-tenant lock that serialises policy and binding changes
    uow.bindings   parent/child account bindings
    uow.history    the policy history (who changed what, when)
    uow.requests   idempotency records of claims and erasures
    uow.keys       the keyed-hash index
    uow.events     domain events (``PolicyChanged``), written to the outbox in the same transaction

Every method takes the tenant explicitly: all rows are namespaced by tenant, so one tenant's accounts and leads are
invisible to another (they answer NOT_FOUND or the default policy, never the other tenant's data). Adapters:
``adapters/db`` (SQLAlchemy); in-memory fakes for handler tests live in ``tests/dedup/fakes.py``.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.common.uow import EventLog
from services.dedup.domain.model import (
    Binding,
    Dimension,
    HistoryEntry,
    IndexKey,
    KeyOrigin,
    PolicyChange,
    StoredPolicy,
)
from services.dedup.domain.verdict import Repoint


@dataclass(frozen=True)
class KeyRef:
    scope_key: str
    dimension: Dimension
    key_hash: bytes


@dataclass(frozen=True)
class NewKey:
    ref: KeyRef
    lead_id: str
    first_seen: datetime
    policy_account_id: str
    origin: KeyOrigin


@dataclass(frozen=True)
class StoredRequest:
    """A recorded idempotent request: what it was (digest) and what it answered."""

    kind: str
    request_id: str
    candidate_lead_id: str
    digest: bytes
    response: dict[str, Any] | None


@dataclass(frozen=True)
class AnsweredRequest:
    """A request row written together with its answer (a claim decided without waiting on its own writes)."""

    kind: str
    request_id: str
    candidate_lead_id: str
    digest: bytes
    response: dict[str, Any]
    created: datetime


@dataclass(frozen=True)
class PolicyChanged:
    """Domain event: an account's effective policy changed (update, bind, unbind)."""

    tenant_id: str
    change: PolicyChange
    event_id: str


class PolicyRepository(abc.ABC):
    @abc.abstractmethod
    def lock_tenant(self, tenant: str) -> None:
        """Serialise policy and binding changes of one tenant (a row lock in the database)."""

    @abc.abstractmethod
    def get(self, tenant: str, account_id: str) -> StoredPolicy | None: ...

    @abc.abstractmethod
    def put(self, tenant: str, policy: StoredPolicy) -> None: ...

    @abc.abstractmethod
    def source(self, tenant: str, account_id: str) -> tuple[str, StoredPolicy | None]:
        """In one read: the account's parent ("" when unbound) and the stored policy that applies to it (the
        parent's while bound, else its own; None when never set)."""


class BindingRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, tenant: str, child_account_id: str) -> Binding | None: ...

    @abc.abstractmethod
    def children_of(self, tenant: str, parent_account_id: str) -> list[str]: ...

    @abc.abstractmethod
    def insert(self, tenant: str, binding: Binding) -> bool:
        """Insert unless the child is already bound (unique child); True when inserted."""

    @abc.abstractmethod
    def delete(self, tenant: str, child_account_id: str) -> None: ...

    @abc.abstractmethod
    def list(
        self, tenant: str, parent_account_id: str, after: tuple[str, str] | None, limit: int
    ) -> list[Binding]:
        """By (parent, child) ascending, after the (parent, child) of the previous page's last."""


class HistoryRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, tenant: str, entry: HistoryEntry) -> None: ...

    @abc.abstractmethod
    def list(
        self, tenant: str, account_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[HistoryEntry]:
        """Newest first (change time, then id, descending), after the previous page's last."""


class RequestRepository(abc.ABC):
    @abc.abstractmethod
    def reserve(
        self,
        tenant: str,
        kind: str,
        request_id: str,
        candidate_lead_id: str | None,
        digest: bytes,
        now: datetime,
    ) -> StoredRequest | None:
        """Insert the request row unless its request id (or candidate lead id) exists; None when this
        transaction now owns it, else the existing row (waiting for a concurrent owner to commit)."""

    @abc.abstractmethod
    def save_response(self, tenant: str, request_id: str, response: dict[str, Any]) -> None: ...

    @abc.abstractmethod
    def taken(
        self, tenant: str, request_ids: Sequence[str], candidate_lead_ids: Sequence[str]
    ) -> tuple[set[str], set[str]]:
        """In one read: which of the request ids, and which of the candidate lead ids, already have a row."""

    @abc.abstractmethod
    def insert_answered(self, tenant: str, rows: Sequence[AnsweredRequest]) -> int:
        """Insert request rows with their answers, ON CONFLICT DO NOTHING, in bulk; how many were inserted."""

    @abc.abstractmethod
    def lead_known(self, tenant: str, lead_id: str) -> bool:
        """Whether any claim of the tenant had this lead as its candidate."""


class KeyRepository(abc.ABC):
    @abc.abstractmethod
    def insert(self, tenant: str, keys: Sequence[NewKey]) -> dict[KeyRef, int]:
        """INSERT ... ON CONFLICT DO NOTHING in the given order; the refs actually inserted, with their ids."""

    @abc.abstractmethod
    def find(self, tenant: str, refs: Sequence[KeyRef]) -> list[IndexKey]: ...

    @abc.abstractmethod
    def existing(self, tenant: str, refs: Sequence[KeyRef]) -> set[KeyRef]:
        """Which of any number of refs are in the index (a few statements for many refs)."""

    @abc.abstractmethod
    def insert_new(self, tenant: str, keys: Sequence[NewKey]) -> int:
        """INSERT ... ON CONFLICT DO NOTHING of keys believed absent, in bulk; how many were inserted."""

    @abc.abstractmethod
    def repoint(self, tenant: str, change: Repoint, submit_time: datetime) -> bool:
        """Compare-and-set on (lead_id, first_seen) as read; False when the row changed meanwhile."""

    @abc.abstractmethod
    def point(
        self, tenant: str, key_ids: Sequence[int], lead_id: str, origin: KeyOrigin, origin_lead_id: str
    ) -> None: ...

    @abc.abstractmethod
    def touch(self, tenant: str, key_ids: Sequence[int], seen: datetime) -> None:
        """last_seen = max(last_seen, seen)."""

    @abc.abstractmethod
    def of_lead(self, tenant: str, lead_id: str) -> list[IndexKey]: ...

    @abc.abstractmethod
    def delete_of_lead(self, tenant: str, lead_id: str) -> int: ...


class DedupUnitOfWork(Protocol):
    @property
    def policies(self) -> PolicyRepository: ...

    @property
    def bindings(self) -> BindingRepository: ...

    @property
    def history(self) -> HistoryRepository: ...

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def keys(self) -> KeyRepository: ...

    @property
    def events(self) -> EventLog: ...
