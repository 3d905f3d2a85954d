"""Policies, bindings and history of the dedup store (SQLAlchemy Core, SQLite and PostgreSQL).

The effective-policy read of the claim path (``PolicyRepository.source``) is one prebuilt statement: the account's
parent and the stored policy that applies to it, found by an outer join from a one-row subquery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import PerDialect, dialect_insert
from services.common.timeconv import from_us, to_us
from services.dedup.adapters.db import rows
from services.dedup.adapters.db.tables import (
    dedup_bindings,
    dedup_policies,
    dedup_policy_history,
    dedup_tenant_locks,
)
from services.dedup.domain.model import Binding, HistoryEntry, StoredPolicy
from services.dedup.domain.ports import BindingRepository, HistoryRepository, PolicyRepository


class _Statements:
    def __init__(self, dialect: str) -> None:
        b, p = dedup_bindings, dedup_policies
        tenant: sa.BindParameter[str] = sa.bindparam("tenant", type_=sa.String())
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


_STATEMENTS = PerDialect(_Statements)


class SqlPolicies(PolicyRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._dialect = session.dialect.name
        self._insert = dialect_insert(self._dialect)

    def lock_tenant(self, tenant: str) -> None:
        self._s.execute(self._insert(dedup_tenant_locks).values(tenant_id=tenant).on_conflict_do_nothing())
        # FOR UPDATE on PostgreSQL; SQLite renders no clause (BEGIN IMMEDIATE already holds the write lock).
        self._s.execute(
            sa.select(dedup_tenant_locks.c.tenant_id)
            .where(dedup_tenant_locks.c.tenant_id == tenant)
            .with_for_update()
        )

    def get(self, tenant: str, account_id: str) -> StoredPolicy | None:
        p = dedup_policies
        row = self._s.execute(
            sa.select(p).where(p.c.tenant_id == tenant, p.c.account_id == account_id)
        ).first()
        return None if row is None else rows.stored_policy(account_id, row)

    def put(self, tenant: str, policy: StoredPolicy) -> None:
        assert policy.update_time is not None
        values = {
            "policy": rows.rules_to_json(policy.rules),
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

    def source(self, tenant: str, account_id: str) -> tuple[str, StoredPolicy | None]:
        statement = _STATEMENTS(self._dialect).policy_source
        row = self._s.execute(statement, {"tenant": tenant, "account": account_id}).one()
        if row.account_id is None:
            return row.parent or "", None
        return row.parent or "", rows.stored_policy(row.account_id, row)


class SqlBindings(BindingRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    def get(self, tenant: str, child_account_id: str) -> Binding | None:
        b = dedup_bindings
        row = self._s.execute(
            sa.select(b).where(b.c.tenant_id == tenant, b.c.child_account_id == child_account_id)
        ).first()
        return None if row is None else rows.binding(row)

    def children_of(self, tenant: str, parent_account_id: str) -> list[str]:
        b = dedup_bindings
        result = self._s.execute(
            sa.select(b.c.child_account_id)
            .where(b.c.tenant_id == tenant, b.c.parent_account_id == parent_account_id)
            .order_by(b.c.child_account_id)
        )
        return [row.child_account_id for row in result]

    def insert(self, tenant: str, binding: Binding) -> bool:
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

    def delete(self, tenant: str, child_account_id: str) -> None:
        b = dedup_bindings
        self._s.execute(sa.delete(b).where(b.c.tenant_id == tenant, b.c.child_account_id == child_account_id))

    def list(
        self, tenant: str, parent_account_id: str, after: tuple[str, str] | None, limit: int
    ) -> list[Binding]:
        b = dedup_bindings
        query = sa.select(b).where(b.c.tenant_id == tenant)
        if parent_account_id:
            query = query.where(b.c.parent_account_id == parent_account_id)
        if after is not None:
            query = query.where(
                sa.tuple_(b.c.parent_account_id, b.c.child_account_id)
                > sa.tuple_(sa.literal(after[0]), sa.literal(after[1]))
            )
        query = query.order_by(b.c.parent_account_id, b.c.child_account_id).limit(limit)
        return [rows.binding(row) for row in self._s.execute(query)]


class SqlHistory(HistoryRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session

    def add(self, tenant: str, entry: HistoryEntry) -> None:
        self._s.execute(
            sa.insert(dedup_policy_history).values(
                id=entry.id,
                tenant_id=tenant,
                account_id=entry.account_id,
                actor=entry.actor,
                change_us=to_us(entry.change_time),
                changed_fields=list(entry.changed_fields),
                old_policy=rows.effective_to_json(entry.old) if entry.old is not None else None,
                new_policy=rows.effective_to_json(entry.new),
            )
        )

    def list(
        self, tenant: str, account_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[HistoryEntry]:
        h = dedup_policy_history
        query: Any = sa.select(h).where(h.c.tenant_id == tenant, h.c.account_id == account_id)
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
                old=rows.effective_from_json(row.old_policy) if row.old_policy is not None else None,
                new=rows.effective_from_json(row.new_policy),
            )
            for row in self._s.execute(query)
        ]
