"""The dedup storage port on SQLAlchemy Core, for SQLite and PostgreSQL.

Whether an ``INSERT ... ON CONFLICT DO NOTHING`` inserted is read from its RETURNING rows (which also carry the new
key ids); SQLAlchemy does not keep an INSERT's rowcount unless asked (``preserve_rowcount``).

Uniqueness lives in the database: keys and idempotent requests are written with the dialect's
``INSERT ... ON CONFLICT DO NOTHING`` (sqlalchemy.dialects.sqlite / postgresql ``insert``) and the winner is read
back; re-pointing a key is a compare-and-set ``UPDATE ... WHERE id = :id AND lead_id = :old AND first_seen = :old``.
No read-then-write decides uniqueness and no in-process lock is involved, so any number of replicas stay correct.

On PostgreSQL (READ COMMITTED), an insert that conflicts with a row another transaction has not committed yet waits
for it, then sees it (or inserts, if that transaction rolled back); each following statement reads the latest
committed rows. Deadlocks (40P01) and serialization failures (40001) surface as ``TransientConflict`` and the use
case retries. On SQLite, write transactions start with BEGIN IMMEDIATE, so writers are serialised by the database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from services.common.db import Database, is_transient_conflict
from services.common.errors import Unavailable
from services.common.events import DEDUP_POLICY_CHANGED
from services.common.messaging import MessagingTables, record_event
from services.dedup.adapters.tables import (
    dedup_bindings,
    dedup_keys,
    dedup_policies,
    dedup_policy_history,
    dedup_requests,
    dedup_tenant_locks,
)
from services.dedup.converters import policy_changed_event
from services.dedup.domain.model import (
    Action,
    Binding,
    Dimension,
    EffectivePolicy,
    HistoryEntry,
    IndexKey,
    KeyOrigin,
    PolicyChange,
    PolicyRules,
    Scope,
    StoredPolicy,
)
from services.dedup.domain.ports import (
    DedupStore,
    DedupTx,
    KeyRef,
    NewKey,
    StoredRequest,
    TransientConflict,
)
from services.dedup.domain.verdict import Repoint

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_us(moment: datetime) -> int:
    """Exact integer microseconds since the epoch (no float rounding at a window boundary)."""
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_us(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def _span_us(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)


def rules_to_json(rules: PolicyRules) -> dict[str, Any]:
    return {
        "scope": int(rules.scope),
        "dimensions": [int(d) for d in rules.dimensions],
        "windows": [[int(d), _span_us(w)] for d, w in rules.windows],
        "ip_window_us": _span_us(rules.ip_window),
        "action": int(rules.action),
    }


def rules_from_json(data: dict[str, Any]) -> PolicyRules:
    return PolicyRules(
        scope=Scope(data["scope"]),
        dimensions=tuple(Dimension(d) for d in data["dimensions"]),
        windows=tuple((Dimension(d), timedelta(microseconds=w)) for d, w in data["windows"]),
        ip_window=timedelta(microseconds=data["ip_window_us"]),
        action=Action(data["action"]),
    )


def effective_to_json(policy: EffectivePolicy) -> dict[str, Any]:
    return {
        "account_id": policy.account_id,
        "rules": rules_to_json(policy.rules),
        "inherited_from": policy.inherited_from,
        "update_us": to_us(policy.update_time) if policy.update_time is not None else None,
        "updated_by": policy.updated_by,
    }


def effective_from_json(data: dict[str, Any]) -> EffectivePolicy:
    return EffectivePolicy(
        account_id=data["account_id"],
        rules=rules_from_json(data["rules"]),
        inherited_from=data["inherited_from"],
        update_time=from_us(data["update_us"]) if data["update_us"] is not None else None,
        updated_by=data["updated_by"],
    )


def _binding(row: Any) -> Binding:
    return Binding(
        parent_account_id=row.parent_account_id,
        child_account_id=row.child_account_id,
        bind_time=from_us(row.bind_us),
        bound_by=row.bound_by,
    )


def _key(row: Any) -> IndexKey:
    return IndexKey(
        id=row.id,
        scope_key=row.scope_key,
        dimension=Dimension(row.dimension),
        key_hash=bytes(row.key_hash),
        lead_id=row.lead_id,
        first_seen=from_us(row.first_seen_us),
        last_seen=from_us(row.last_seen_us),
        policy_account_id=row.policy_account_id,
        origin=KeyOrigin(row.origin),
        origin_lead_id=row.origin_lead_id,
    )


class _Statements:
    """The claim path's statements, built once per dialect with bind parameters: building a statement costs more
    than running it, and a prebuilt one also hits SQLAlchemy's compiled cache every time."""

    def __init__(self, dialect: str) -> None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.insert = insert
        b, p, r, k = dedup_bindings, dedup_policies, dedup_requests, dedup_keys
        tenant = sa.bindparam("tenant")
        parent = (
            sa.select(b.c.parent_account_id)
            .where(b.c.tenant_id == tenant, b.c.child_account_id == sa.bindparam("account"))
            .scalar_subquery()
        )
        one = sa.select(sa.literal(1).label("one")).subquery()
        source = sa.and_(
            p.c.tenant_id == tenant, p.c.account_id == sa.func.coalesce(parent, sa.bindparam("account"))
        )
        self.policy_source = sa.select(
            parent.label("parent"), p.c.account_id, p.c.policy, p.c.update_us, p.c.updated_by
        ).select_from(one.outerjoin(p, source))
        self.reserve = insert(r).on_conflict_do_nothing().returning(r.c.request_id)
        self.save_response = (
            sa.update(r)
            .where(r.c.tenant_id == tenant, r.c.request_id == sa.bindparam("rid"))
            .values(response=sa.bindparam("response", type_=r.c.response.type))
        )
        self.insert_key = insert(k).on_conflict_do_nothing().returning(k.c.id)
        self.touch = (
            sa.update(k)
            .where(
                k.c.tenant_id == tenant,
                k.c.id.in_(sa.bindparam("ids", expanding=True)),
                k.c.last_seen_us < sa.bindparam("seen"),
            )
            .values(last_seen_us=sa.bindparam("seen"))
        )
        self._find: dict[int, sa.Select[Any]] = {}

    def find(self, count: int) -> sa.Select[Any]:
        """A lookup of ``count`` keys: an OR of exact probes of the unique index (one B-tree descent each)."""
        statement = self._find.get(count)
        if statement is None:
            k = dedup_keys
            probes = [
                sa.and_(
                    k.c.scope_key == sa.bindparam(f"s{i}"),
                    k.c.dimension == sa.bindparam(f"d{i}"),
                    k.c.key_hash == sa.bindparam(f"h{i}", type_=k.c.key_hash.type),
                )
                for i in range(count)
            ]
            statement = sa.select(k).where(k.c.tenant_id == sa.bindparam("tenant"), sa.or_(*probes))
            self._find[count] = statement
        return statement


_STATEMENTS: dict[str, _Statements] = {}


def _statements(dialect: str) -> _Statements:
    if dialect not in _STATEMENTS:
        _STATEMENTS[dialect] = _Statements(dialect)
    return _STATEMENTS[dialect]


class SqlDedupTx(DedupTx):
    def __init__(self, session: Session, dialect: str, messaging: MessagingTables) -> None:
        self._s = session
        self._q = _statements(dialect)
        self._insert = self._q.insert
        self._messaging = messaging

    # -------------------------------------------------------------- policies, bindings, history

    def lock_tenant(self, tenant: str) -> None:
        self._s.execute(self._insert(dedup_tenant_locks).values(tenant_id=tenant).on_conflict_do_nothing())
        # FOR UPDATE on PostgreSQL; SQLite renders no clause (BEGIN IMMEDIATE already holds the write lock).
        self._s.execute(
            sa.select(dedup_tenant_locks.c.tenant_id)
            .where(dedup_tenant_locks.c.tenant_id == tenant)
            .with_for_update()
        )

    def get_policy(self, tenant: str, account_id: str) -> StoredPolicy | None:
        row = self._s.execute(
            sa.select(dedup_policies).where(
                dedup_policies.c.tenant_id == tenant, dedup_policies.c.account_id == account_id
            )
        ).first()
        if row is None:
            return None
        return StoredPolicy(
            account_id=account_id,
            rules=rules_from_json(row.policy),
            update_time=from_us(row.update_us),
            updated_by=row.updated_by,
        )

    def put_policy(self, tenant: str, policy: StoredPolicy) -> None:
        assert policy.update_time is not None
        values = {
            "policy": rules_to_json(policy.rules),
            "update_us": to_us(policy.update_time),
            "updated_by": policy.updated_by,
        }
        statement = self._insert(dedup_policies).values(
            tenant_id=tenant, account_id=policy.account_id, **values
        )
        self._s.execute(
            statement.on_conflict_do_update(
                index_elements=[dedup_policies.c.tenant_id, dedup_policies.c.account_id], set_=values
            )
        )

    def get_binding(self, tenant: str, child_account_id: str) -> Binding | None:
        row = self._s.execute(
            sa.select(dedup_bindings).where(
                dedup_bindings.c.tenant_id == tenant, dedup_bindings.c.child_account_id == child_account_id
            )
        ).first()
        return None if row is None else _binding(row)

    def policy_source(self, tenant: str, account_id: str) -> tuple[str, StoredPolicy | None]:
        row = self._s.execute(self._q.policy_source, {"tenant": tenant, "account": account_id}).one()
        if row.account_id is None:
            return row.parent or "", None
        return row.parent or "", StoredPolicy(
            account_id=row.account_id,
            rules=rules_from_json(row.policy),
            update_time=from_us(row.update_us),
            updated_by=row.updated_by,
        )

    def children_of(self, tenant: str, parent_account_id: str) -> list[str]:
        rows = self._s.execute(
            sa.select(dedup_bindings.c.child_account_id)
            .where(
                dedup_bindings.c.tenant_id == tenant, dedup_bindings.c.parent_account_id == parent_account_id
            )
            .order_by(dedup_bindings.c.child_account_id)
        )
        return [row.child_account_id for row in rows]

    def insert_binding(self, tenant: str, binding: Binding) -> bool:
        result = self._s.execute(
            self._insert(dedup_bindings)
            .values(
                tenant_id=tenant,
                child_account_id=binding.child_account_id,
                parent_account_id=binding.parent_account_id,
                bind_us=to_us(binding.bind_time),
                bound_by=binding.bound_by,
            )
            .on_conflict_do_nothing()
            .returning(dedup_bindings.c.child_account_id)
        )
        return result.first() is not None

    def delete_binding(self, tenant: str, child_account_id: str) -> None:
        self._s.execute(
            sa.delete(dedup_bindings).where(
                dedup_bindings.c.tenant_id == tenant, dedup_bindings.c.child_account_id == child_account_id
            )
        )

    def list_bindings(
        self, tenant: str, parent_account_id: str, after: tuple[str, str] | None, limit: int
    ) -> list[Binding]:
        query = sa.select(dedup_bindings).where(dedup_bindings.c.tenant_id == tenant)
        if parent_account_id:
            query = query.where(dedup_bindings.c.parent_account_id == parent_account_id)
        if after is not None:
            query = query.where(
                sa.tuple_(dedup_bindings.c.parent_account_id, dedup_bindings.c.child_account_id)
                > sa.tuple_(sa.literal(after[0]), sa.literal(after[1]))
            )
        query = query.order_by(dedup_bindings.c.parent_account_id, dedup_bindings.c.child_account_id).limit(
            limit
        )
        return [_binding(row) for row in self._s.execute(query)]

    def add_history(self, tenant: str, entry: HistoryEntry) -> None:
        self._s.execute(
            sa.insert(dedup_policy_history).values(
                id=entry.id,
                tenant_id=tenant,
                account_id=entry.account_id,
                actor=entry.actor,
                change_us=to_us(entry.change_time),
                changed_fields=list(entry.changed_fields),
                old_policy=effective_to_json(entry.old) if entry.old is not None else None,
                new_policy=effective_to_json(entry.new),
            )
        )

    def list_history(
        self, tenant: str, account_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[HistoryEntry]:
        h = dedup_policy_history
        query = sa.select(h).where(h.c.tenant_id == tenant, h.c.account_id == account_id)
        if after is not None:
            change_us, entry_id = to_us(after[0]), after[1]
            query = query.where(
                sa.or_(h.c.change_us < change_us, sa.and_(h.c.change_us == change_us, h.c.id < entry_id))
            )
        query = query.order_by(h.c.change_us.desc(), h.c.id.desc()).limit(limit)
        return [
            HistoryEntry(
                id=row.id,
                account_id=row.account_id,
                actor=row.actor,
                change_time=from_us(row.change_us),
                changed_fields=tuple(row.changed_fields),
                old=effective_from_json(row.old_policy) if row.old_policy is not None else None,
                new=effective_from_json(row.new_policy),
            )
            for row in self._s.execute(query)
        ]

    def record_policy_changed(self, tenant: str, change: PolicyChange, event_id: str) -> None:
        record_event(
            self._s,
            self._messaging,
            subject=DEDUP_POLICY_CHANGED,
            message=policy_changed_event(tenant, change, event_id),
            aggregate_id=f"{tenant}/{change.account_id}",
            event_id=event_id,
        )

    # -------------------------------------------------------------- idempotency

    def reserve_request(
        self,
        tenant: str,
        kind: str,
        request_id: str,
        candidate_lead_id: str | None,
        digest: bytes,
        now: datetime,
    ) -> StoredRequest | None:
        result = self._s.execute(
            self._q.reserve,
            {
                "tenant_id": tenant,
                "request_id": request_id,
                "kind": kind,
                "candidate_lead_id": candidate_lead_id,
                "digest": digest,
                "response": None,
                "created_us": to_us(now),
            },
        )
        if result.first() is not None:
            return None
        r = dedup_requests
        match = r.c.request_id == request_id
        if candidate_lead_id is not None:
            match = sa.or_(match, r.c.candidate_lead_id == candidate_lead_id)
        rows = self._s.execute(sa.select(r).where(r.c.tenant_id == tenant, match)).all()
        if not rows:
            raise TransientConflict()  # cannot happen (requests are never deleted); retry rather than guess
        row = next((x for x in rows if x.request_id == request_id), rows[0])
        return StoredRequest(
            kind=row.kind,
            request_id=row.request_id,
            candidate_lead_id=row.candidate_lead_id or "",
            digest=bytes(row.digest),
            response=row.response,
        )

    def save_response(self, tenant: str, request_id: str, response: dict[str, Any]) -> None:
        self._s.execute(self._q.save_response, {"tenant": tenant, "rid": request_id, "response": response})

    def lead_known(self, tenant: str, lead_id: str) -> bool:
        return (
            self._s.execute(
                sa.select(sa.literal(1))
                .where(dedup_requests.c.tenant_id == tenant, dedup_requests.c.candidate_lead_id == lead_id)
                .limit(1)
            ).first()
            is not None
        )

    # -------------------------------------------------------------- the index

    def insert_keys(self, tenant: str, keys: Sequence[NewKey]) -> dict[KeyRef, int]:
        # One single-row statement per key, in the caller's (canonical) order: compiled once and cached, where a
        # multi-row VALUES list would be compiled anew for every claim.
        statement = self._q.insert_key
        inserted: dict[KeyRef, int] = {}
        for key in keys:
            row = self._s.execute(
                statement,
                {
                    "tenant_id": tenant,
                    "scope_key": key.ref.scope_key,
                    "dimension": int(key.ref.dimension),
                    "key_hash": key.ref.key_hash,
                    "lead_id": key.lead_id,
                    "first_seen_us": to_us(key.first_seen),
                    "last_seen_us": to_us(key.first_seen),
                    "policy_account_id": key.policy_account_id,
                    "origin": int(key.origin),
                    "origin_lead_id": "",
                },
            ).first()
            if row is not None:
                inserted[key.ref] = row.id
        return inserted

    def find_keys(self, tenant: str, refs: Sequence[KeyRef]) -> list[IndexKey]:
        params: dict[str, Any] = {"tenant": tenant}
        for i, ref in enumerate(refs):
            params[f"s{i}"], params[f"d{i}"], params[f"h{i}"] = (
                ref.scope_key,
                int(ref.dimension),
                ref.key_hash,
            )
        return [_key(row) for row in self._s.execute(self._q.find(len(refs)), params)]

    def repoint(self, tenant: str, change: Repoint, submit_time: datetime) -> bool:
        k = dedup_keys
        submit_us = to_us(submit_time)
        result = self._s.execute(
            sa.update(k)
            .where(
                k.c.tenant_id == tenant,
                k.c.id == change.key.id,
                k.c.lead_id == change.key.lead_id,
                k.c.first_seen_us == to_us(change.key.first_seen),
            )
            .values(
                lead_id=change.lead_id,
                first_seen_us=submit_us,
                last_seen_us=submit_us,
                policy_account_id=change.policy_account_id,
                origin=int(change.origin),
                origin_lead_id=change.key.lead_id,
            )
        )
        return result.rowcount == 1  # type: ignore[attr-defined]

    def point_keys(
        self, tenant: str, key_ids: Sequence[int], lead_id: str, origin: KeyOrigin, origin_lead_id: str
    ) -> None:
        k = dedup_keys
        self._s.execute(
            sa.update(k)
            .where(k.c.tenant_id == tenant, k.c.id.in_(list(key_ids)))
            .values(lead_id=lead_id, origin=int(origin), origin_lead_id=origin_lead_id)
        )

    def touch_keys(self, tenant: str, key_ids: Sequence[int], seen: datetime) -> None:
        self._s.execute(self._q.touch, {"tenant": tenant, "ids": list(key_ids), "seen": to_us(seen)})

    def keys_of_lead(self, tenant: str, lead_id: str) -> list[IndexKey]:
        k = dedup_keys
        return [
            _key(row)
            for row in self._s.execute(sa.select(k).where(k.c.tenant_id == tenant, k.c.lead_id == lead_id))
        ]

    def delete_keys_of_lead(self, tenant: str, lead_id: str) -> int:
        k = dedup_keys
        result = self._s.execute(sa.delete(k).where(k.c.tenant_id == tenant, k.c.lead_id == lead_id))
        return int(result.rowcount)  # type: ignore[attr-defined]


class SqlDedupStore(DedupStore):
    """The store over one service database (SQLite writers of this process queue in ``Database.transaction``)."""

    def __init__(self, database: Database, messaging: MessagingTables) -> None:
        self._db = database
        self._messaging = messaging

    @contextmanager
    def write(self) -> Iterator[DedupTx]:
        with _translated_errors(), self._db.transaction() as session:
            yield SqlDedupTx(session, self._db.dialect, self._messaging)

    @contextmanager
    def read(self) -> Iterator[DedupTx]:
        with _translated_errors(), self._db.read() as session:
            yield SqlDedupTx(session, self._db.dialect, self._messaging)


@contextmanager
def _translated_errors() -> Iterator[None]:
    try:
        yield
    except DBAPIError as exc:
        translated = _translate(exc)
        if translated is None:
            raise
        raise translated from exc


def _translate(exc: DBAPIError) -> Exception | None:
    """Lost races become TransientConflict (retried); a SQLite lock held past the busy timeout, UNAVAILABLE."""
    if is_transient_conflict(exc):
        return TransientConflict()
    if "database is locked" in str(exc.orig):
        return Unavailable("the dedup database is busy; retry later", reason="DATABASE_BUSY")
    return None
