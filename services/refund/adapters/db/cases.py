"""Cases (``refund_cases``): one per charge by the unique (tenant, lead, submission); every change is a
compare-and-set on ``version``. The lead's lock (``refund_lead_locks``) that every write path of a lead takes first is
here too: it guards the lead's cases, including those not yet inserted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import PerDialect, dialect_insert, rowcount
from services.common.timeconv import to_us
from services.refund.adapters.db import rows
from services.refund.adapters.db.tables import refund_cases, refund_lead_locks
from services.refund.domain.cases import Case, Standing
from services.refund.domain.ports import CaseFilter, CaseRepository, Cursor, StoredCase

c = refund_cases


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.insert = (
            dialect_insert(dialect)(c)
            .on_conflict_do_nothing(index_elements=["tenant_id", "lead_id", "submission_id"])
            .returning(c.c.case_id)
        )
        self.of_lead = (
            sa.select(c)
            .where(c.c.tenant_id == sa.bindparam("tenant"), c.c.lead_id == sa.bindparam("lead"))
            .order_by(c.c.case_id)
        )
        # The lead's lock row: created on first use (a concurrent creator waits for the first one's commit on the
        # primary key, then finds it), then locked.
        self.lock_row = (
            dialect_insert(dialect)(refund_lead_locks)
            .values(tenant_id=sa.bindparam("tenant"), lead_id=sa.bindparam("lead"))
            .on_conflict_do_nothing(index_elements=["tenant_id", "lead_id"])
        )
        self.lock = (
            sa.select(refund_lead_locks.c.lead_id)
            .where(
                refund_lead_locks.c.tenant_id == sa.bindparam("tenant"),
                refund_lead_locks.c.lead_id == sa.bindparam("lead"),
            )
            .with_for_update()
        )
        self.get = sa.select(c).where(
            c.c.tenant_id == sa.bindparam("tenant"), c.c.case_id == sa.bindparam("case")
        )
        changing = [col.name for col in c.columns if col.name not in ("case_id", "tenant_id", "version")]
        self.save = (
            sa.update(c)
            .where(
                c.c.case_id == sa.bindparam("b_case"),
                c.c.tenant_id == sa.bindparam("b_tenant"),
                c.c.version == sa.bindparam("b_version"),
            )
            .values({name: sa.bindparam(f"v_{name}") for name in [*changing, "version"]})
        )


_STATEMENTS = PerDialect(_Statements)


def _where(query: Any, tenant: str, where: CaseFilter) -> Any:
    query = query.where(c.c.tenant_id == tenant)
    if where.account_id:
        query = query.where(c.c.account_id == where.account_id)
    if where.lead_id:
        query = query.where(c.c.lead_id == where.lead_id)
    if where.state is not None:
        query = query.where(c.c.state == where.state.value)
    if where.reason is not None:
        query = query.where(c.c.refund_reason == where.reason.value)
    if where.rejection_reason is not None:
        query = query.where(c.c.rejection_reason == where.rejection_reason.value)
    if where.create_start is not None:
        query = query.where(c.c.opened_us >= to_us(where.create_start))
    if where.create_end is not None:
        query = query.where(c.c.opened_us < to_us(where.create_end))
    return query


class SqlCases(CaseRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)
        self._serial = session.dialect.name == "sqlite"

    def insert(self, case: Case, standing: Standing, now: datetime) -> bool:
        result = self._s.execute(self._q.insert, rows.case_values(case, standing, now, 1))
        return result.first() is not None

    def get(self, tenant: str, case_id: str) -> StoredCase | None:
        row = self._s.execute(self._q.get, {"tenant": tenant, "case": case_id}).one_or_none()
        return None if row is None else rows.stored_case(row)

    def lock_lead(self, tenant: str, lead_id: str) -> None:
        if self._serial:
            return  # SQLite: this transaction began with BEGIN IMMEDIATE and is the only writer
        params = {"tenant": tenant, "lead": lead_id}
        self._s.execute(self._q.lock_row, params)
        self._s.execute(self._q.lock, params)

    def of_lead(self, tenant: str, lead_id: str) -> list[StoredCase]:
        return [
            rows.stored_case(row)
            for row in self._s.execute(self._q.of_lead, {"tenant": tenant, "lead": lead_id})
        ]

    def of_leads(self, tenant: str, lead_ids: Sequence[str]) -> list[StoredCase]:
        if not lead_ids:
            return []
        query = (
            sa.select(c).where(c.c.tenant_id == tenant, c.c.lead_id.in_(list(lead_ids))).order_by(c.c.case_id)
        )
        return [rows.stored_case(row) for row in self._s.execute(query)]

    def save(self, stored: StoredCase, case: Case, standing: Standing, now: datetime) -> bool:
        values = rows.case_values(case, standing, now, stored.version + 1)
        params = {
            f"v_{name}": value for name, value in values.items() if name not in ("case_id", "tenant_id")
        }
        params |= {"b_case": case.case_id, "b_tenant": case.tenant_id, "b_version": stored.version}
        return rowcount(self._s.execute(self._q.save, params)) == 1

    def open_of_account(
        self, tenant: str, account_id: str, after_case_id: str, limit: int
    ) -> list[StoredCase]:
        query = (
            sa.select(c)
            .where(
                c.c.tenant_id == tenant,
                c.c.account_id == account_id,
                c.c.case_id > after_case_id,
                c.c.closed_us.is_(None),
            )
            .order_by(c.c.case_id)
            .limit(limit)
        )
        return [rows.stored_case(row) for row in self._s.execute(query)]

    def list(self, tenant: str, where: CaseFilter, after: Cursor | None, limit: int) -> list[StoredCase]:
        query = _where(sa.select(c), tenant, where)
        if after is not None:
            opened, case_id = to_us(after[0]), after[1]
            query = query.where(
                sa.or_(c.c.opened_us < opened, sa.and_(c.c.opened_us == opened, c.c.case_id < case_id))
            )
        query = query.order_by(c.c.opened_us.desc(), c.c.case_id.desc()).limit(limit)
        return [rows.stored_case(row) for row in self._s.execute(query)]

    def count(self, tenant: str, where: CaseFilter) -> int:
        return int(
            self._s.execute(_where(sa.select(sa.func.count()).select_from(c), tenant, where)).scalar_one()
        )
