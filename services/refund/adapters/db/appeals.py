"""Appeals (``refund_appeals``): at most one PENDING per case (a partial unique index); a decision is a
compare-and-set on the state it was taken from."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert, rowcount
from services.common.erasure import redact
from services.common.timeconv import to_us
from services.refund.adapters.db import rows
from services.refund.adapters.db.tables import refund_appeals
from services.refund.domain.appeals import Appeal, AppealState
from services.refund.domain.ports import AppealFilter, AppealRepository, Cursor

t = refund_appeals


class SqlAppeals(AppealRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    def insert(self, tenant: str, appeal: Appeal) -> bool:
        statement = self._insert(t).values(rows.appeal_values(tenant, appeal)).on_conflict_do_nothing()
        return self._s.execute(statement.returning(t.c.appeal_id)).first() is not None

    def get(self, tenant: str, appeal_id: str) -> Appeal | None:
        row = self._s.execute(
            sa.select(t).where(t.c.tenant_id == tenant, t.c.appeal_id == appeal_id)
        ).one_or_none()
        return None if row is None else rows.appeal(row)

    def of_case(self, tenant: str, case_id: str) -> list[Appeal]:
        query = sa.select(t).where(t.c.tenant_id == tenant, t.c.case_id == case_id).order_by(t.c.appeal_id)
        return [rows.appeal(row) for row in self._s.execute(query)]

    def update(self, tenant: str, appeal: Appeal, expected_state: AppealState) -> bool:
        values = rows.appeal_values(tenant, appeal)
        statement = (
            sa.update(t)
            .where(
                t.c.tenant_id == tenant, t.c.appeal_id == appeal.appeal_id, t.c.state == expected_state.value
            )
            .values(
                {
                    name: values[name]
                    for name in ("state", "decided_by", "decision_note", "decided_us", "refund_id")
                }
            )
        )
        return rowcount(self._s.execute(statement)) == 1

    def list(self, tenant: str, where: AppealFilter, after: Cursor | None, limit: int) -> list[Appeal]:
        query = sa.select(t).where(t.c.tenant_id == tenant)
        if where.account_id:
            query = query.where(t.c.account_id == where.account_id)
        if where.state is not None:
            query = query.where(t.c.state == where.state.value)
        if after is not None:
            created, appeal_id = to_us(after[0]), after[1]
            query = query.where(
                sa.or_(
                    t.c.created_us < created, sa.and_(t.c.created_us == created, t.c.appeal_id < appeal_id)
                )
            )
        query = query.order_by(t.c.created_us.desc(), t.c.appeal_id.desc()).limit(limit)
        return [rows.appeal(row) for row in self._s.execute(query)]

    def redact_texts(self, tenant: str, lead_id: str) -> int:
        a = refund_appeals.c
        found = self._s.execute(
            sa.select(a.appeal_id, a.reason, a.decision_note).where(
                a.tenant_id == tenant, a.lead_id == lead_id
            )
        ).all()
        changed = 0
        for appeal_id, reason, note in found:
            redacted = {"reason": redact(reason), "decision_note": redact(note)}
            if redacted != {"reason": reason, "decision_note": note}:
                self._s.execute(
                    sa.update(refund_appeals)
                    .where(a.tenant_id == tenant, a.appeal_id == appeal_id)
                    .values(redacted)
                )
                changed += 1
        return changed
