"""Persisted timers (``assign_timers``): reminders and reclaims, unique by (kind, key).

Scheduling inserts the row or moves it (``ON CONFLICT DO UPDATE``); cancelling deletes it. Firing
(``take_due``/``fired``) is for the timer runner: it takes due rows with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
(SQLite serialises writers), runs the handler and deletes the row in the same transaction, so each timer fires
exactly once with any number of replicas, and a crash before the commit leaves it for the next pass.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.assign.adapters.db.tables import assign_timers
from services.assign.domain.ports import Timer, TimerRepository
from services.common.db import PerDialect, dialect_insert, rowcount
from services.common.timeconv import from_us, to_us

_t = assign_timers.c


class _Statements:
    def __init__(self, dialect: str) -> None:
        insert = dialect_insert(dialect)(assign_timers)
        self.schedule = insert.on_conflict_do_update(
            index_elements=[_t.kind, _t.key],
            set_={
                "due_us": insert.excluded.due_us,
                "payload": insert.excluded.payload,
                "tenant_id": insert.excluded.tenant_id,
            },
        )
        self.cancel = sa.delete(assign_timers).where(
            _t.kind == sa.bindparam("k"), _t.key == sa.bindparam("key")
        )


_STATEMENTS = PerDialect(_Statements)


def _timer(row: sa.Row) -> Timer:  # type: ignore[type-arg]
    return Timer(row.kind, row.key, row.tenant_id, from_us(row.due_us), dict(row.payload))


class SqlTimers(TimerRepository):
    def __init__(self, session: Session) -> None:
        self._s = session
        self._q = _STATEMENTS(session.get_bind().dialect.name)

    def schedule(self, timer: Timer) -> None:
        self._s.execute(
            self._q.schedule,
            {
                "kind": timer.kind,
                "key": timer.key,
                "tenant_id": timer.tenant_id,
                "due_us": to_us(timer.due_time),
                "payload": dict(timer.payload),
            },
        )

    def cancel(self, kind: str, key: str) -> None:
        self._s.execute(self._q.cancel, {"k": kind, "key": key})

    def get(self, kind: str, key: str) -> Timer | None:
        row = self._s.execute(sa.select(assign_timers).where(_t.kind == kind, _t.key == key)).first()
        return None if row is None else _timer(row)

    def count_due(self, kind: str, before: datetime) -> int:
        query = sa.select(sa.func.count()).where(_t.kind == kind, _t.due_us < to_us(before))
        return int(self._s.execute(query).scalar_one())

    def due(self, now: datetime, limit: int = 100) -> list[Timer]:
        """Timers due at ``now``, earliest first (a read: what a runner may try to take)."""
        query = (
            sa.select(assign_timers).where(_t.due_us <= to_us(now)).order_by(_t.due_us, _t.key).limit(limit)
        )
        return [_timer(row) for row in self._s.execute(query)]

    def take_due(self, now: datetime) -> Timer | None:
        """Lock one due timer no other transaction holds (SKIP LOCKED), or None."""
        query = (
            sa.select(assign_timers)
            .where(_t.due_us <= to_us(now))
            .order_by(_t.due_us, _t.key)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        row = self._s.execute(query).first()
        return None if row is None else _timer(row)

    def fired(self, timer: Timer) -> bool:
        """Delete the fired timer; False when it was moved or deleted meanwhile (then the firing is void)."""
        result = self._s.execute(
            sa.delete(assign_timers).where(
                _t.kind == timer.kind, _t.key == timer.key, _t.due_us == to_us(timer.due_time)
            )
        )
        return rowcount(result) == 1

    def next_due_time(self) -> datetime | None:
        value = self._s.execute(sa.select(sa.func.min(_t.due_us))).scalar_one()
        return None if value is None else from_us(value)
