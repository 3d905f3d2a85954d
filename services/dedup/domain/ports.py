"""Ports: what the dedup use cases need from storage, as small abstract classes (adapters implement them).

Every method takes the tenant explicitly: all rows are namespaced by tenant, so one tenant's accounts and leads are
invisible to another (they answer NOT_FOUND or the default policy, never the other tenant's data).
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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


class TransientConflict(Exception):  # noqa: N818 - a signal to retry, not an error the caller sees
    """The storage lost a race (deadlock, serialization failure, a compare-and-set that found the row changed, a
    key deleted between insert and read). The use case retries the whole transaction a bounded number of times."""


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


class DedupTx(abc.ABC):
    """One transaction over the dedup datastore."""

    # Policies, bindings, history.
    @abc.abstractmethod
    def lock_tenant(self, tenant: str) -> None:
        """Serialise policy and binding changes of one tenant (a row lock in the database)."""

    @abc.abstractmethod
    def get_policy(self, tenant: str, account_id: str) -> StoredPolicy | None: ...

    @abc.abstractmethod
    def put_policy(self, tenant: str, policy: StoredPolicy) -> None: ...

    @abc.abstractmethod
    def get_binding(self, tenant: str, child_account_id: str) -> Binding | None: ...

    @abc.abstractmethod
    def policy_source(self, tenant: str, account_id: str) -> tuple[str, StoredPolicy | None]:
        """In one read: the account's parent ("" when unbound) and the stored policy that applies to it (the
        parent's while bound, else its own; None when never set)."""

    @abc.abstractmethod
    def children_of(self, tenant: str, parent_account_id: str) -> list[str]: ...

    @abc.abstractmethod
    def insert_binding(self, tenant: str, binding: Binding) -> bool:
        """Insert unless the child is already bound (unique child); True when inserted."""

    @abc.abstractmethod
    def delete_binding(self, tenant: str, child_account_id: str) -> None: ...

    @abc.abstractmethod
    def list_bindings(
        self, tenant: str, parent_account_id: str, after: tuple[str, str] | None, limit: int
    ) -> list[Binding]: ...

    @abc.abstractmethod
    def add_history(self, tenant: str, entry: HistoryEntry) -> None: ...

    @abc.abstractmethod
    def list_history(
        self, tenant: str, account_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[HistoryEntry]: ...

    @abc.abstractmethod
    def record_policy_changed(self, tenant: str, change: PolicyChange, event_id: str) -> None:
        """Write the dedup.policy_changed event to the outbox, in this transaction."""

    # Idempotency.
    @abc.abstractmethod
    def reserve_request(
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
    def lead_known(self, tenant: str, lead_id: str) -> bool:
        """Whether any claim of the tenant had this lead as its candidate."""

    # The index.
    @abc.abstractmethod
    def insert_keys(self, tenant: str, keys: Sequence[NewKey]) -> dict[KeyRef, int]:
        """INSERT ... ON CONFLICT DO NOTHING in the given order; the refs actually inserted, with their ids."""

    @abc.abstractmethod
    def find_keys(self, tenant: str, refs: Sequence[KeyRef]) -> list[IndexKey]: ...

    @abc.abstractmethod
    def repoint(self, tenant: str, change: Repoint, submit_time: datetime) -> bool:
        """Compare-and-set on (lead_id, first_seen) as read; False when the row changed meanwhile."""

    @abc.abstractmethod
    def point_keys(
        self, tenant: str, key_ids: Sequence[int], lead_id: str, origin: KeyOrigin, origin_lead_id: str
    ) -> None: ...

    @abc.abstractmethod
    def touch_keys(self, tenant: str, key_ids: Sequence[int], seen: datetime) -> None:
        """last_seen = max(last_seen, seen)."""

    @abc.abstractmethod
    def keys_of_lead(self, tenant: str, lead_id: str) -> list[IndexKey]: ...

    @abc.abstractmethod
    def delete_keys_of_lead(self, tenant: str, lead_id: str) -> int: ...


class DedupStore(abc.ABC):
    @abc.abstractmethod
    def write(self) -> AbstractContextManager[DedupTx]:
        """A write transaction, committed at the end of the block; may raise TransientConflict."""

    @abc.abstractmethod
    def read(self) -> AbstractContextManager[DedupTx]:
        """A read-only transaction."""


def iter_chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
