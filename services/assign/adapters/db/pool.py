"""The public pool (``assign_pool``) and cooling periods (``assign_cooldowns``).

One entry per lead (the primary key). A claim removes the entry with a DELETE and learns from the row count
whether it won: on PostgreSQL the second of two racing claims waits for the first to commit and then deletes
nothing, so exactly one claim takes the lead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db import rows
from services.assign.adapters.db.assignments import tagged_with_all
from services.assign.adapters.db.tables import assign_cooldowns, assign_pool
from services.assign.domain.pool import Cooldown, PoolEntry
from services.assign.domain.ports import CooldownRepository, PoolFilter, PoolRepository
from services.common.db import PerDialect, dialect_insert, rowcount
from services.common.timeconv import from_us, to_us

_p = assign_pool.c
_c = assign_cooldowns.c


# The pool gauge's read (every few seconds): built once (services.common.statements).
_POOL_SIZE = sa.select(sa.func.count()).select_from(assign_pool)


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.insert = (
            dialect_insert(dialect)(assign_pool)
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        )
        self.insert_returning = self.insert.returning(_p.lead_id)


_STATEMENTS = PerDialect(_Statements)


class SqlPool(PoolRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def insert(self, tenant: str, entry: PoolEntry) -> bool:
        return rowcount(self._s.execute(self._q.insert, rows.pool_values(tenant, entry))) == 1

    def insert_many(self, tenant: str, entries: Sequence[PoolEntry]) -> int:
        if not entries:
            return 0
        values = [rows.pool_values(tenant, entry) for entry in entries]
        return len(self._s.execute(self._q.insert_returning, values).scalars().all())

    def get(self, tenant: str, lead_id: str) -> PoolEntry | None:
        row = self._s.execute(
            sa.select(assign_pool).where(_p.tenant_id == tenant, _p.lead_id == lead_id)
        ).first()
        return None if row is None else rows.pool_entry(row)

    def remove(self, tenant: str, lead_id: str) -> bool:
        result = self._s.execute(sa.delete(assign_pool).where(_p.tenant_id == tenant, _p.lead_id == lead_id))
        return rowcount(result) == 1

    def _conditions(self, tenant: str, where: PoolFilter) -> list[Any]:
        conditions: list[Any] = [_p.tenant_id == tenant]
        if where.account_id:
            conditions.append(_p.account_id == where.account_id)
        if where.channel:
            conditions.append(_p.channel == int(where.channel))
        if where.province:
            conditions.append(_p.province == where.province)
        if where.reason:
            conditions.append(_p.reason == int(where.reason))
        return conditions + tagged_with_all(tenant, _p.lead_id, where.tag_ids)

    def count(self, tenant: str, where: PoolFilter) -> int:
        query = sa.select(sa.func.count()).select_from(assign_pool).where(*self._conditions(tenant, where))
        return int(self._s.execute(query).scalar_one())

    def list(
        self, tenant: str, where: PoolFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[PoolEntry]:
        query = sa.select(assign_pool).where(*self._conditions(tenant, where))
        if after is not None:
            at, lead_id = to_us(after[0]), after[1]
            query = query.where(sa.or_(_p.enter_us > at, sa.and_(_p.enter_us == at, _p.lead_id > lead_id)))
        query = query.order_by(_p.enter_us, _p.lead_id).limit(limit)
        return [rows.pool_entry(row) for row in self._s.execute(query)]

    def size(self) -> int:
        return int(self._s.execute(_POOL_SIZE).scalar_one())


class SqlCooldowns(CooldownRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    def add(self, tenant: str, cooldown: Cooldown) -> None:
        end = to_us(cooldown.end_time)
        statement = self._insert(assign_cooldowns).values(
            tenant_id=tenant, lead_id=cooldown.lead_id, agent_id=cooldown.agent_id, end_us=end
        )
        self._s.execute(
            statement.on_conflict_do_update(
                index_elements=[_c.tenant_id, _c.lead_id, _c.agent_id],
                set_={"end_us": sa.case((_c.end_us < end, end), else_=_c.end_us)},
            )
        )

    def of_lead(self, tenant: str, lead_id: str) -> list[Cooldown]:
        query = sa.select(assign_cooldowns).where(_c.tenant_id == tenant, _c.lead_id == lead_id)
        return [Cooldown(row.lead_id, row.agent_id, from_us(row.end_us)) for row in self._s.execute(query)]
