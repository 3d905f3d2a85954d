"""In-memory fakes of dedup's ports (``services.dedup.domain.ports``), for handler tests without a database.

Uniqueness behaves as the constraints do: a key (scope, dimension, hash) and a request id each exist once, and an
insert reports whether it won; re-pointing a key is a compare-and-set on what was read.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from services.dedup.domain.model import Binding, HistoryEntry, IndexKey, KeyOrigin, StoredPolicy
from services.dedup.domain.ports import (
    AnsweredRequest,
    BindingRepository,
    HistoryRepository,
    KeyRef,
    KeyRepository,
    NewKey,
    PolicyRepository,
    RequestRepository,
    StoredRequest,
)
from services.dedup.domain.verdict import Repoint
from tests.common.fakes import EventList


class FakePolicies(PolicyRepository):
    def __init__(self, bindings: FakeBindings) -> None:
        self.rows: dict[tuple[str, str], StoredPolicy] = {}
        self._bindings = bindings

    def lock_tenant(self, tenant: str) -> None:
        pass  # one writer at a time in memory

    def get(self, tenant: str, account_id: str) -> StoredPolicy | None:
        return self.rows.get((tenant, account_id))

    def put(self, tenant: str, policy: StoredPolicy) -> None:
        self.rows[(tenant, policy.account_id)] = policy

    def source(self, tenant: str, account_id: str) -> tuple[str, StoredPolicy | None]:
        binding = self._bindings.get(tenant, account_id)
        parent = binding.parent_account_id if binding else ""
        return parent, self.rows.get((tenant, parent or account_id))


class FakeBindings(BindingRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Binding] = {}

    def get(self, tenant: str, child_account_id: str) -> Binding | None:
        return self.rows.get((tenant, child_account_id))

    def children_of(self, tenant: str, parent_account_id: str) -> list[str]:
        return sorted(
            c for (t, c), b in self.rows.items() if t == tenant and b.parent_account_id == parent_account_id
        )

    def insert(self, tenant: str, binding: Binding) -> bool:
        return self.rows.setdefault((tenant, binding.child_account_id), binding) is binding

    def delete(self, tenant: str, child_account_id: str) -> None:
        self.rows.pop((tenant, child_account_id), None)

    def list(
        self, tenant: str, parent_account_id: str, after: tuple[str, str] | None, limit: int
    ) -> list[Binding]:
        found = sorted(
            (b for (t, _), b in self.rows.items() if t == tenant),
            key=lambda b: (b.parent_account_id, b.child_account_id),
        )
        found = [b for b in found if not parent_account_id or b.parent_account_id == parent_account_id]
        if after is not None:
            found = [b for b in found if (b.parent_account_id, b.child_account_id) > after]
        return found[:limit]


class FakeHistory(HistoryRepository):
    def __init__(self) -> None:
        self.rows: list[tuple[str, HistoryEntry]] = []

    def add(self, tenant: str, entry: HistoryEntry) -> None:
        self.rows.append((tenant, entry))

    def list(
        self, tenant: str, account_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[HistoryEntry]:
        found = sorted(
            (e for t, e in self.rows if t == tenant and e.account_id == account_id),
            key=lambda e: (e.change_time, e.id),
            reverse=True,
        )
        if after is not None:
            found = [e for e in found if (e.change_time, e.id) < after]
        return found[:limit]


class FakeRequests(RequestRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], StoredRequest] = {}

    def reserve(
        self,
        tenant: str,
        kind: str,
        request_id: str,
        candidate_lead_id: str | None,
        digest: bytes,
        now: datetime,
    ) -> StoredRequest | None:
        existing = self.rows.get((tenant, request_id)) or next(
            (
                r
                for (t, _), r in self.rows.items()
                if t == tenant and candidate_lead_id and r.candidate_lead_id == candidate_lead_id
            ),
            None,
        )
        if existing is not None:
            return existing
        self.rows[(tenant, request_id)] = StoredRequest(
            kind, request_id, candidate_lead_id or "", digest, None
        )
        return None

    def save_response(self, tenant: str, request_id: str, response: dict[str, Any]) -> None:
        self.rows[(tenant, request_id)] = replace(self.rows[(tenant, request_id)], response=response)

    def taken(
        self, tenant: str, request_ids: Sequence[str], candidate_lead_ids: Sequence[str]
    ) -> tuple[set[str], set[str]]:
        mine = [r for (t, _), r in self.rows.items() if t == tenant]
        return (
            {r.request_id for r in mine if r.request_id in set(request_ids)},
            {r.candidate_lead_id for r in mine if r.candidate_lead_id in set(candidate_lead_ids)},
        )

    def insert_answered(self, tenant: str, rows: Sequence[AnsweredRequest]) -> int:
        taken_requests, taken_candidates = self.taken(
            tenant, [r.request_id for r in rows], [r.candidate_lead_id for r in rows]
        )
        count = 0
        for row in rows:
            if row.request_id in taken_requests or row.candidate_lead_id in taken_candidates:
                continue
            self.rows[(tenant, row.request_id)] = StoredRequest(
                row.kind, row.request_id, row.candidate_lead_id, row.digest, row.response
            )
            count += 1
        return count

    def lead_known(self, tenant: str, lead_id: str) -> bool:
        return any(t == tenant and r.candidate_lead_id == lead_id for (t, _), r in self.rows.items())


class FakeKeys(KeyRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, KeyRef], IndexKey] = {}
        self._ids = itertools.count(1)

    def insert(self, tenant: str, keys: Sequence[NewKey]) -> dict[KeyRef, int]:
        inserted = {}
        for key in keys:
            if (tenant, key.ref) in self.rows:
                continue
            key_id = next(self._ids)
            self.rows[(tenant, key.ref)] = IndexKey(
                key_id, key.ref.scope_key, key.ref.dimension, key.ref.key_hash, key.lead_id, key.first_seen,
                key.first_seen, key.policy_account_id, key.origin,
            )  # fmt: skip
            inserted[key.ref] = key_id
        return inserted

    def find(self, tenant: str, refs: Sequence[KeyRef]) -> list[IndexKey]:
        return [self.rows[(tenant, ref)] for ref in refs if (tenant, ref) in self.rows]

    def existing(self, tenant: str, refs: Sequence[KeyRef]) -> set[KeyRef]:
        return {ref for ref in refs if (tenant, ref) in self.rows}

    def insert_new(self, tenant: str, keys: Sequence[NewKey]) -> int:
        return len(self.insert(tenant, keys))

    def _by_id(self, tenant: str, key_id: int) -> tuple[str, KeyRef] | None:
        return next((k for k, v in self.rows.items() if k[0] == tenant and v.id == key_id), None)

    def repoint(self, tenant: str, change: Repoint, submit_time: datetime) -> bool:
        found = self._by_id(tenant, change.key.id)
        if found is None:
            return False
        current = self.rows[found]
        if (current.lead_id, current.first_seen) != (change.key.lead_id, change.key.first_seen):
            return False
        self.rows[found] = replace(
            current,
            lead_id=change.lead_id,
            first_seen=submit_time,
            last_seen=submit_time,
            policy_account_id=change.policy_account_id,
            origin=change.origin,
            origin_lead_id=change.key.lead_id,
        )
        return True

    def point(
        self, tenant: str, key_ids: Sequence[int], lead_id: str, origin: KeyOrigin, origin_lead_id: str
    ) -> None:
        for key_id in key_ids:
            found = self._by_id(tenant, key_id)
            if found is not None:
                self.rows[found] = replace(
                    self.rows[found], lead_id=lead_id, origin=origin, origin_lead_id=origin_lead_id
                )

    def touch(self, tenant: str, key_ids: Sequence[int], seen: datetime) -> None:
        for key_id in key_ids:
            found = self._by_id(tenant, key_id)
            if found is not None and self.rows[found].last_seen < seen:
                self.rows[found] = replace(self.rows[found], last_seen=seen)

    def of_lead(self, tenant: str, lead_id: str) -> list[IndexKey]:
        return [v for (t, _), v in self.rows.items() if t == tenant and v.lead_id == lead_id]

    def delete_of_lead(self, tenant: str, lead_id: str) -> int:
        doomed = [k for k, v in self.rows.items() if k[0] == tenant and v.lead_id == lead_id]
        for key in doomed:
            del self.rows[key]
        return len(doomed)


@dataclass
class FakeDedupUnitOfWork:
    bindings: FakeBindings = field(default_factory=FakeBindings)
    history: FakeHistory = field(default_factory=FakeHistory)
    requests: FakeRequests = field(default_factory=FakeRequests)
    keys: FakeKeys = field(default_factory=FakeKeys)
    events: EventList = field(default_factory=EventList)
    policies: FakePolicies = field(init=False)

    def __post_init__(self) -> None:
        self.policies = FakePolicies(self.bindings)
