"""Per-agent capacity counters (``assign_agent_loads``): leads held now, and leads received on the agent's
current local day.

Taking a lead is one conditional UPDATE that re-checks the limits against the row as it is written. On PostgreSQL
(READ COMMITTED) a second transaction updating the same agent waits for the first to commit and then evaluates
its WHERE against the committed row, so two rules that pick one agent at once can never both pass its max held
or daily capacity: the loser writes zero rows and routes again. On SQLite writers are serialised anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db.tables import assign_agent_loads
from services.assign.domain.agents import AgentLoad
from services.assign.domain.ports import LoadRepository
from services.common.db import PerDialect, dialect_insert, rowcount
from services.common.timeconv import to_us

_l = assign_agent_loads.c


class _Statements:
    def __init__(self, dialect: str) -> None:
        key = sa.and_(_l.tenant_id == sa.bindparam("t"), _l.agent_id == sa.bindparam("a"))
        day_start = sa.bindparam("ds", type_=sa.BigInteger())
        max_held = sa.bindparam("max_held", type_=sa.Integer())
        cap = sa.bindparam("cap", type_=sa.Integer())
        same_day = _l.day_start_us == day_start
        self.take = (
            sa.update(assign_agent_loads)
            .where(
                key,
                sa.or_(max_held == 0, _l.held < max_held),
                sa.or_(cap == 0, _l.day_start_us != day_start, _l.assigned_today < cap),
            )
            .values(
                held=_l.held + 1,
                assigned_today=sa.case((same_day, _l.assigned_today + 1), else_=1),
                day_start_us=day_start,
                day_end_us=sa.bindparam("de", type_=sa.BigInteger()),
            )
        )
        self.release = sa.update(assign_agent_loads).where(key, _l.held > 0).values(held=_l.held - 1)
        self.uncount = (
            sa.update(assign_agent_loads)
            .where(
                key,
                _l.day_start_us <= sa.bindparam("at"),
                _l.day_end_us > sa.bindparam("at"),
                _l.assigned_today > 0,
            )
            .values(assigned_today=_l.assigned_today - 1)
        )
        self.select = sa.select(_l.agent_id, _l.held, _l.day_start_us, _l.assigned_today).where(
            _l.tenant_id == sa.bindparam("t"), _l.agent_id.in_(sa.bindparam("agents", expanding=True))
        )
        self.create = dialect_insert(dialect)(assign_agent_loads).on_conflict_do_nothing()


_STATEMENTS = PerDialect(_Statements)


class SqlLoads(LoadRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def create(self, tenant: str, agent_id: str) -> None:
        self._s.execute(
            self._q.create,
            {
                "tenant_id": tenant,
                "agent_id": agent_id,
                "held": 0,
                "day_start_us": 0,
                "day_end_us": 0,
                "assigned_today": 0,
            },
        )

    def get_many(self, tenant: str, days: Mapping[str, tuple[datetime, datetime]]) -> dict[str, AgentLoad]:
        found = self._s.execute(self._q.select, {"t": tenant, "agents": sorted(days)})
        loads = {}
        for row in found:
            today = row.assigned_today if row.day_start_us == to_us(days[row.agent_id][0]) else 0
            loads[row.agent_id] = AgentLoad(held=row.held, assigned_today=today)
        return loads

    def take(
        self, tenant: str, agent_id: str, day: tuple[datetime, datetime], max_held: int, daily_capacity: int
    ) -> bool:
        params = {
            "t": tenant,
            "a": agent_id,
            "ds": to_us(day[0]),
            "de": to_us(day[1]),
            "max_held": max_held,
            "cap": daily_capacity,
        }
        return rowcount(self._s.execute(self._q.take, params)) == 1

    def release(self, tenant: str, agent_id: str) -> None:
        self._s.execute(self._q.release, {"t": tenant, "a": agent_id})

    def uncount(self, tenant: str, agent_id: str, assign_time: datetime) -> None:
        self._s.execute(self._q.uncount, {"t": tenant, "a": agent_id, "at": to_us(assign_time)})
