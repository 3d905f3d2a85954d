"""Timers on SQLAlchemy: the ``timers`` table a service adds to its schema, the ``uow.timers`` repository, and the
claim of due timers the timer worker fires.

Claiming: ``SELECT ... WHERE due_us <= now ORDER BY due_us LIMIT n FOR UPDATE SKIP LOCKED`` on PostgreSQL, so each
replica takes rows no other replica's open transaction holds; on SQLite the write transaction (BEGIN IMMEDIATE)
already excludes other writers. The rows stay locked until the firing transaction commits, which deletes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert, rowcount
from services.common.statements import PerTable
from services.common.timeconv import from_us, span_us, to_us
from services.common.timers import MAX_KEY, MAX_KIND, Timer, TimerRepository

ERROR_LIMIT = 500


def timers_table(metadata: sa.MetaData) -> sa.Table:
    """Add the ``timers`` table to a service's MetaData (its tables.py) and return it; migrations create it with
    ``create_timers_table``."""
    table = sa.Table(
        "timers",
        metadata,
        sa.Column("kind", sa.String(MAX_KIND), primary_key=True),
        sa.Column("key", sa.String(MAX_KEY), primary_key=True),
        sa.Column("tenant_id", sa.String(64), nullable=False),
        sa.Column("due_us", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(ERROR_LIMIT), nullable=False, server_default=""),
    )
    sa.Index("ix_timers_due_us", table.c.due_us)
    return table


def create_timers_table(bind: sa.Connection) -> None:
    """For a migration's upgrade(): create the timers table as ``timers_table`` describes it."""
    from services.common.db import new_metadata

    timers_table(new_metadata()).create(bind)


def drop_timers_table(bind: sa.Connection) -> None:
    from services.common.db import new_metadata

    timers_table(new_metadata()).drop(bind)


def _timer(row: Any) -> Timer:
    return Timer(
        kind=row.kind,
        key=row.key,
        tenant_id=row.tenant_id,
        due_time=from_us(row.due_us),
        payload=dict(row.payload or {}),
        attempts=int(row.attempts),
    )


def _schedule_values(timer: Timer) -> dict[str, object]:
    return {
        "kind": timer.kind,
        "key": timer.key,
        "tenant_id": timer.tenant_id,
        "due_us": to_us(timer.due_time),
        "payload": dict(timer.payload),
        "attempts": 0,
        "last_error": "",
    }


class _Statements:
    """The statements the hot paths run (scheduling on every routed lead, firing), built once per table and dialect
    (``services.common.statements``)."""

    def __init__(self, table: sa.Table, dialect: str) -> None:
        t = table
        insert = dialect_insert(dialect)(t)
        self.schedule = insert.on_conflict_do_update(
            index_elements=["kind", "key"],
            set_={
                "tenant_id": insert.excluded.tenant_id,
                "due_us": insert.excluded.due_us,
                "payload": insert.excluded.payload,
                "attempts": 0,
                "last_error": "",
            },
        )
        self.cancel = sa.delete(t).where(t.c.kind == sa.bindparam("k_kind"), t.c.key == sa.bindparam("k_key"))
        # The worker's polls (every few hundred ms in every service) and a failed firing.
        self.claim_due = (
            sa.select(t)
            .where(t.c.due_us <= sa.bindparam("now_us"))
            .order_by(t.c.due_us)
            .limit(sa.bindparam("limit", type_=sa.Integer()))
            .with_for_update(skip_locked=True)
        )
        self.next_due_us = sa.select(sa.func.min(t.c.due_us))
        self.overdue_by_kind = (
            sa.select(t.c.kind, sa.func.count())
            .where(t.c.due_us < sa.bindparam("before_us"))
            .group_by(t.c.kind)
        )
        self.failed = (
            sa.update(t)
            .where(t.c.kind == sa.bindparam("k_kind"), t.c.key == sa.bindparam("k_key"))
            .values(
                attempts=t.c.attempts + 1,
                due_us=t.c.due_us + sa.bindparam("retry_us", type_=sa.BigInteger()),
                last_error=sa.bindparam("error"),
            )
        )


_STATEMENTS: PerTable[sa.Table, _Statements] = PerTable(_Statements)


class SqlTimers(TimerRepository):
    def __init__(self, session: Connection, table: sa.Table) -> None:
        self._s = session
        self._t = table
        self._q = _STATEMENTS.of(table, session)

    def schedule(self, timer: Timer) -> None:
        self._s.execute(self._q.schedule, _schedule_values(timer))

    def schedule_many(self, timers: Sequence[Timer]) -> None:
        if timers:
            self._s.execute(self._q.schedule, [_schedule_values(timer) for timer in timers])

    def cancel(self, kind: str, key: str) -> bool:
        return rowcount(self._s.execute(self._q.cancel, {"k_kind": kind, "k_key": key})) == 1

    def get(self, kind: str, key: str) -> Timer | None:
        t = self._t
        row = self._s.execute(sa.select(t).where(t.c.kind == kind, t.c.key == key)).one_or_none()
        return None if row is None else _timer(row)

    # ------------------------------------------------------------------ the worker's side

    def claim_due(self, now: datetime, limit: int) -> list[Timer]:
        """Due timers, oldest first, locked for this transaction (see the module docstring)."""
        return [
            _timer(row) for row in self._s.execute(self._q.claim_due, {"now_us": to_us(now), "limit": limit})
        ]

    def fired(self, timer: Timer) -> None:
        """Delete a claimed timer. The worker does it before the handler runs, so a handler that schedules the same
        key again (a recurring reminder) writes a new timer that stays."""
        self.cancel(timer.kind, timer.key)

    def failed(self, timer: Timer, retry_after: timedelta, error: str) -> None:
        """Count a failed firing and make the timer due again after ``retry_after``."""
        self._s.execute(
            self._q.failed,
            {
                "k_kind": timer.kind,
                "k_key": timer.key,
                "retry_us": span_us(retry_after),
                "error": error[-ERROR_LIMIT:],
            },
        )

    def next_due_time(self) -> datetime | None:
        value = self._s.execute(self._q.next_due_us).scalar_one()
        return None if value is None else from_us(value)

    def overdue_by_kind(self, before: datetime) -> dict[str, int]:
        found = self._s.execute(self._q.overdue_by_kind, {"before_us": to_us(before)})
        return {kind: int(count) for kind, count in found}

    def kinds(self) -> Sequence[str]:
        return list(self._s.execute(sa.select(self._t.c.kind).distinct()).scalars())
