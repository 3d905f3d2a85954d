"""Telephony's callable hours per tenant (``refund_callable_hours``): kept from ``telephony.callable_hours_changed``,
the latest change winning by its own change time, so a redelivered or late event never brings back older hours."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert, rowcount
from services.common.statements import PerDialect
from services.common.timeconv import to_us
from services.common.txmemo import TransactionMemo
from services.refund.adapters.db.tables import refund_callable_hours
from services.refund.domain.callable_hours import CallableWindow
from services.refund.domain.ports import CallableHoursRepository

t = refund_callable_hours
_VALUES = ("start_minute", "end_minute", "time_zone", "change_us")


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.get = sa.select(t).where(t.c.tenant_id == sa.bindparam("tenant"))
        insert = dialect_insert(dialect)(t)
        self.put = insert.on_conflict_do_update(
            index_elements=["tenant_id"],
            set_={name: insert.excluded[name] for name in _VALUES},
            where=insert.excluded.change_us > t.c.change_us,
        ).execution_options(preserve_rowcount=True)


_STATEMENTS = PerDialect(_Statements)
# Every evaluation of a lead reads its tenant's hours: once per transaction (a consumer batch, a page of cases).
_HOURS: TransactionMemo[CallableWindow | None] = TransactionMemo("refund.callable_hours")


class SqlCallableHours(CallableHoursRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS.of(session)

    def get(self, tenant: str) -> CallableWindow | None:
        def load() -> CallableWindow | None:
            row = self._s.execute(self._q.get, {"tenant": tenant}).one_or_none()
            if row is None:
                return None
            return CallableWindow(row.start_minute, row.end_minute, row.time_zone)

        return _HOURS.get(self._s, tenant, load)

    def put(self, tenant: str, window: CallableWindow, change_time: datetime) -> bool:
        _HOURS.written(self._s)
        values = {
            "tenant_id": tenant,
            "start_minute": window.start_minute,
            "end_minute": window.end_minute,
            "time_zone": window.time_zone,
            "change_us": to_us(change_time),
        }
        return rowcount(self._s.execute(self._q.put, values)) == 1
