"""The masked-number pool (``telephony_numbers``) with each number's load counters.

Taking a place on X is one compare-and-set UPDATE (``active_bindings < limit``), so two StartCalls racing for the
last place on a number cannot both win, on SQLite or PostgreSQL; the loser's transaction runs again and chooses
anew. The calls-today counter restarts when the pool's day changes, in the same statement.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import PerDialect, dialect_insert, rowcount
from services.common.timeconv import to_us
from services.telephony.adapters.db import rows
from services.telephony.adapters.db.tables import numbers
from services.telephony.domain.numbers import MaskedNumber, NumberStatus
from services.telephony.domain.ports import NumberFilter, NumberRepository, NumberView
from services.telephony.domain.selection import NumberUsage


def day_number(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


class _Statements:
    def __init__(self, dialect: str) -> None:
        n = numbers
        mine = sa.and_(n.c.tenant_id == sa.bindparam("tenant"), n.c.id == sa.bindparam("number_id"))
        self.insert = dialect_insert(dialect)(n).on_conflict_do_nothing().returning(n.c.id)
        self.by_phone = sa.select(n).where(
            n.c.tenant_id == sa.bindparam("tenant"), n.c.phone_number == sa.bindparam("phone")
        )
        self.get = sa.select(n).where(mine)
        # The pool gauges' two reads (every GAUGE_INTERVAL_SECONDS).
        resting = n.c.status.in_([int(NumberStatus.COOLING), int(NumberStatus.QUARANTINED)])
        rested = sa.and_(
            resting, n.c.cooling_end_us.is_not(None), n.c.cooling_end_us <= sa.bindparam("now_us")
        )
        effective = sa.case((rested, int(NumberStatus.ACTIVE)), else_=n.c.status)
        self.status_counts = sa.select(effective.label("status"), sa.func.count()).group_by(effective)
        self.active_binding_total = sa.select(sa.func.coalesce(sa.func.sum(n.c.active_bindings), 0))
        self.usage = sa.select(n).where(
            n.c.tenant_id == sa.bindparam("tenant"), n.c.status != int(NumberStatus.RETIRED)
        )
        self.take = (
            sa.update(n)
            .where(mine, n.c.active_bindings < sa.bindparam("limit"))
            .values(
                active_bindings=n.c.active_bindings + 1,
                last_bind_us=sa.bindparam("now"),
                update_us=sa.bindparam("now"),
            )
        )
        today = sa.bindparam("day", type_=sa.Integer())
        self.count_call = (
            sa.update(n)
            .where(mine)
            .values(
                calls_today=sa.case((n.c.calls_day == today, n.c.calls_today + 1), else_=1),
                calls_day=today,
            )
        )
        self.give_back = (
            sa.update(n).where(mine, n.c.active_bindings > 0).values(active_bindings=n.c.active_bindings - 1)
        )


_STATEMENTS = PerDialect(_Statements)


def _view(row: Any, day: date) -> NumberView:
    calls_today = row.calls_today if row.calls_day == day_number(day) else 0
    return NumberView(
        number=rows.number(row),
        active_bindings=row.active_bindings,
        calls_today=calls_today,
        create_time=rows.moment(row.create_us),
        update_time=rows.moment(row.update_us),
    )


class SqlNumbers(NumberRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def add(self, tenant: str, number: MaskedNumber, now: datetime) -> MaskedNumber:
        at = to_us(now)
        self._s.execute(
            self._q.insert,
            {
                "id": number.number_id,
                "tenant_id": tenant,
                "phone_number": number.phone_number,
                "province": number.province,
                "city": number.city,
                "provider": number.provider,
                "status": int(number.status),
                "status_reason": number.status_reason,
                "cooling_end_us": None,
                "status_change_us": None,
                "max_concurrent_bindings": number.max_concurrent_bindings,
                "max_daily_calls": number.max_daily_calls,
                "last_bind_us": None,
                "active_bindings": 0,
                "calls_day": 0,
                "calls_today": 0,
                "create_us": at,
                "update_us": at,
            },
        )
        row = self._s.execute(self._q.by_phone, {"tenant": tenant, "phone": number.phone_number}).one()
        return rows.number(row)

    def get(self, tenant: str, number_id: str) -> MaskedNumber | None:
        row = self._s.execute(self._q.get, {"tenant": tenant, "number_id": number_id}).first()
        return None if row is None else rows.number(row)

    def view(self, tenant: str, number_id: str, day: date) -> NumberView | None:
        row = self._s.execute(self._q.get, {"tenant": tenant, "number_id": number_id}).first()
        return None if row is None else _view(row, day)

    def page(
        self, tenant: str, where: NumberFilter, after: str | None, limit: int, day: date
    ) -> list[NumberView]:
        n = numbers
        query = sa.select(n).where(n.c.tenant_id == tenant)
        if where.status is not NumberStatus.UNSPECIFIED:
            query = query.where(n.c.status == int(where.status))
        for column, value in (
            (n.c.province, where.province),
            (n.c.city, where.city),
            (n.c.provider, where.provider),
        ):
            if value:
                query = query.where(column == value)
        if after is not None:
            query = query.where(n.c.phone_number > after)
        query = query.order_by(n.c.phone_number).limit(limit)
        return [_view(row, day) for row in self._s.execute(query)]

    def usage(self, tenant: str, day: date) -> list[NumberUsage]:
        today = day_number(day)
        return [
            NumberUsage(
                rows.number(row), row.active_bindings, row.calls_today if row.calls_day == today else 0
            )
            for row in self._s.execute(self._q.usage, {"tenant": tenant})
        ]

    def take(self, tenant: str, number_id: str, now: datetime, day: date, binding_limit: int) -> bool:
        result = self._s.execute(
            self._q.take,
            {"tenant": tenant, "number_id": number_id, "limit": binding_limit, "now": to_us(now)},
        )
        return rowcount(result) == 1

    def count_call(self, tenant: str, number_id: str, day: date) -> None:
        self._s.execute(
            self._q.count_call, {"tenant": tenant, "number_id": number_id, "day": day_number(day)}
        )

    def give_back(self, tenant: str, number_id: str) -> None:
        self._s.execute(self._q.give_back, {"tenant": tenant, "number_id": number_id})

    def save_status(self, tenant: str, number: MaskedNumber, now: datetime) -> None:
        n = numbers
        self._s.execute(
            sa.update(n)
            .where(n.c.tenant_id == tenant, n.c.id == number.number_id)
            .values(
                status=int(number.status),
                status_reason=number.status_reason,
                cooling_end_us=rows.us(number.cooling_end_time),
                status_change_us=rows.us(number.status_change_time),
                update_us=to_us(now),
            )
        )

    def status_counts(self, now: datetime) -> dict[NumberStatus, int]:
        counts: dict[NumberStatus, int] = {s: 0 for s in NumberStatus if s is not NumberStatus.UNSPECIFIED}
        for status, count in self._s.execute(self._q.status_counts, {"now_us": to_us(now)}):
            counts[NumberStatus(status)] = int(count)
        return counts

    def active_binding_total(self) -> int:
        return int(self._s.execute(self._q.active_binding_total).scalar_one())
