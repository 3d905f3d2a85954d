"""Timers on the runtime's store (``services.common.timerstore``, whose statements are built once per dialect), with
the count the overdue-reminders gauge reads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from services.assign.adapters.db.tables import timers
from services.assign.domain.ports import TimerRepository
from services.common.timerstore import SqlTimers


class SqlAssignTimers(SqlTimers, TimerRepository):
    def __init__(self, session: Connection) -> None:
        super().__init__(session, timers)

    def count_due(self, kind: str, before: datetime) -> int:
        return self.overdue_by_kind(before).get(kind, 0)
