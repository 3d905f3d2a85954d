"""Per-agent capacity counters (``assign_agent_loads``): leads held now, and leads received on the agent's
current local day.

Taking a lead is one conditional UPDATE that re-checks the limits against the row as it is written. On PostgreSQL
(READ COMMITTED) a second transaction updating the same agent waits for the first to commit and then evaluates
its WHERE against the committed row, so two rules that pick one agent at once can never both pass its max held
or daily capacity: the loser writes zero rows and routes again. On SQLite writers are serialised anyway, and a
consumer batch reads each agent's row once (``txmemo.WriteLockedRows``), then follows its own writes.
``take_many`` takes a batch's leads of several agents in one executemany, each row's limits checked for all of its
leads at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db.tables import assign_agent_loads
from services.assign.domain.agents import AgentLoad
from services.assign.domain.ports import LoadRepository, LoadTake
from services.common.db import PerDialect, dialect_insert, rowcount
from services.common.timeconv import to_us
from services.common.txmemo import WriteLockedRows

_l = assign_agent_loads.c


@dataclass(frozen=True)
class _Row:
    held: int
    day_start_us: int
    assigned_today: int


# (tenant, agent id) -> the row, as this transaction last read or wrote it (SQLite only, see WriteLockedRows).
_ROWS: WriteLockedRows[tuple[str, str], _Row] = WriteLockedRows("assign_agent_loads")


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
        # take, n leads at once (a consumer batch's leads of one agent): each limit holds after all n.
        leads = sa.bindparam("n", type_=sa.Integer())
        self.take_many = (
            sa.update(assign_agent_loads)
            .where(
                key,
                sa.or_(max_held == 0, _l.held + leads <= max_held),
                sa.or_(cap == 0, sa.case((same_day, _l.assigned_today), else_=0) + leads <= cap),
            )
            .values(
                held=_l.held + leads,
                assigned_today=sa.case((same_day, _l.assigned_today + leads), else_=leads),
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
        _ROWS.forget(self._s, (tenant, agent_id))
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
        def load(keys: list[tuple[str, str]]) -> dict[tuple[str, str], _Row]:
            found = self._s.execute(self._q.select, {"t": tenant, "agents": sorted(a for _, a in keys)})
            return {
                (tenant, row.agent_id): _Row(row.held, row.day_start_us, row.assigned_today) for row in found
            }

        rows = _ROWS.read(self._s, ((tenant, agent_id) for agent_id in sorted(days)), load)
        loads = {}
        for (_, agent_id), row in rows.items():
            today = row.assigned_today if row.day_start_us == to_us(days[agent_id][0]) else 0
            loads[agent_id] = AgentLoad(held=row.held, assigned_today=today)
        return loads

    def take(
        self, tenant: str, agent_id: str, day: tuple[datetime, datetime], max_held: int, daily_capacity: int
    ) -> bool:
        day_start = to_us(day[0])
        params = {
            "t": tenant,
            "a": agent_id,
            "ds": day_start,
            "de": to_us(day[1]),
            "max_held": max_held,
            "cap": daily_capacity,
        }
        key = (tenant, agent_id)
        known = _ROWS.known(self._s, key)
        taken = rowcount(self._s.execute(self._q.take, params)) == 1
        if taken and known is not None:
            # The UPDATE's SET, applied to the row this transaction holds the only write lock on.
            today = known.assigned_today + 1 if known.day_start_us == day_start else 1
            _ROWS.put(self._s, key, _Row(known.held + 1, day_start, today))
        else:
            _ROWS.forget(self._s, key)
        return taken

    def take_many(self, tenant: str, takes: Sequence[LoadTake]) -> bool:
        if not takes:
            return True
        # By agent id: two transactions taking the same agents lock their rows in one order (no deadlock).
        ordered = sorted(takes, key=lambda take: take.agent_id)
        params = [
            {
                "t": tenant,
                "a": take.agent_id,
                "ds": to_us(take.day[0]),
                "de": to_us(take.day[1]),
                "n": take.leads,
                "max_held": take.max_held,
                "cap": take.daily_capacity,
            }
            for take in ordered
        ]
        # An executemany's row count is the sum over its rows (both drivers): every agent took its leads, or not.
        taken = rowcount(self._s.execute(self._q.take_many, params)) == len(ordered)
        for take in ordered:
            key = (tenant, take.agent_id)
            known = _ROWS.known(self._s, key)
            if taken and known is not None:
                day_start = to_us(take.day[0])
                today = known.assigned_today if known.day_start_us == day_start else 0
                _ROWS.put(self._s, key, _Row(known.held + take.leads, day_start, today + take.leads))
            else:
                _ROWS.forget(self._s, key)
        return taken

    def release(self, tenant: str, agent_id: str) -> None:
        _ROWS.forget(self._s, (tenant, agent_id))
        self._s.execute(self._q.release, {"t": tenant, "a": agent_id})

    def uncount(self, tenant: str, agent_id: str, assign_time: datetime) -> None:
        _ROWS.forget(self._s, (tenant, agent_id))
        self._s.execute(self._q.uncount, {"t": tenant, "a": agent_id, "at": to_us(assign_time)})
