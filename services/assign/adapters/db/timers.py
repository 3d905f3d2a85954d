"""Timers on the runtime's store (``services.common.timerstore``), with the count the overdue-reminders gauge
reads, and scheduling by a statement built once per dialect (every assignment schedules two timers)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.assign.adapters.db.tables import timers
from services.assign.domain.ports import TimerRepository
from services.common.db import PerDialect, dialect_insert
from services.common.timeconv import to_us
from services.common.timers import Timer
from services.common.timerstore import SqlTimers


class _Statements:
    def __init__(self, dialect: str) -> None:
        insert = dialect_insert(dialect)(timers)
        self.schedule = insert.on_conflict_do_update(
            index_elements=[timers.c.kind, timers.c.key],
            set_={
                "tenant_id": insert.excluded.tenant_id,
                "due_us": insert.excluded.due_us,
                "payload": insert.excluded.payload,
                "attempts": 0,
                "last_error": "",
            },
        )


_STATEMENTS = PerDialect(_Statements)


class SqlAssignTimers(SqlTimers, TimerRepository):
    def __init__(self, session: Session) -> None:
        super().__init__(session, timers)
        self._session = session
        self._q = _STATEMENTS(session.get_bind().dialect.name)

    def schedule(self, timer: Timer) -> None:
        """As the runtime's: insert, or move an existing (kind, key) to this due time and payload."""
        self._session.execute(
            self._q.schedule,
            {
                "kind": timer.kind,
                "key": timer.key,
                "tenant_id": timer.tenant_id,
                "due_us": to_us(timer.due_time),
                "payload": dict(timer.payload),
                "attempts": 0,
                "last_error": "",
            },
        )

    def count_due(self, kind: str, before: datetime) -> int:
        return self.overdue_by_kind(before).get(kind, 0)
