"""Refunds (``refund_refunds``): inserted once per case (unique), never changed."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import PerDialect, dialect_insert
from services.common.erasure import redact
from services.common.erasurestore import wipe_wal_after_commit
from services.common.timeconv import to_us
from services.refund.adapters.db import rows
from services.refund.adapters.db.tables import refund_refunds
from services.refund.domain.money import Money
from services.refund.domain.ports import Cursor, RefundFilter, RefundRepository
from services.refund.domain.refunds import Refund

t = refund_refunds


class _Statements:
    def __init__(self, dialect: str) -> None:
        # Either unique key (the case, or the charged submission) refuses a second refund of the charge.
        self.insert = dialect_insert(dialect)(t).on_conflict_do_nothing().returning(t.c.refund_id)
        self.get = sa.select(t).where(
            t.c.tenant_id == sa.bindparam("tenant"), t.c.refund_id == sa.bindparam("refund")
        )
        self.of_lead = sa.select(t).where(
            t.c.tenant_id == sa.bindparam("tenant"), t.c.lead_id == sa.bindparam("lead")
        )


_STATEMENTS = PerDialect(_Statements)


class SqlRefunds(RefundRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def insert(self, refund: Refund, charge: Money) -> bool:
        return self._s.execute(self._q.insert, rows.refund_values(refund, charge)).first() is not None

    def get(self, tenant: str, refund_id: str) -> Refund | None:
        row = self._s.execute(self._q.get, {"tenant": tenant, "refund": refund_id}).one_or_none()
        return None if row is None else rows.refund(row)

    def of_lead(self, tenant: str, lead_id: str) -> list[Refund]:
        return [
            rows.refund(row) for row in self._s.execute(self._q.of_lead, {"tenant": tenant, "lead": lead_id})
        ]

    def list(self, tenant: str, where: RefundFilter, after: Cursor | None, limit: int) -> list[Refund]:
        query = sa.select(t).where(t.c.tenant_id == tenant)
        if where.account_id:
            query = query.where(t.c.account_id == where.account_id)
        if where.lead_id:
            query = query.where(t.c.lead_id == where.lead_id)
        if where.reason is not None:
            query = query.where(t.c.reason == where.reason.value)
        if where.create_start is not None:
            query = query.where(t.c.created_us >= to_us(where.create_start))
        if where.create_end is not None:
            query = query.where(t.c.created_us < to_us(where.create_end))
        if after is not None:
            created, refund_id = to_us(after[0]), after[1]
            query = query.where(
                sa.or_(
                    t.c.created_us < created, sa.and_(t.c.created_us == created, t.c.refund_id < refund_id)
                )
            )
        query = query.order_by(t.c.created_us.desc(), t.c.refund_id.desc()).limit(limit)
        return [rows.refund(row) for row in self._s.execute(query)]

    def redact_texts(self, tenant: str, lead_id: str) -> int:
        wipe_wal_after_commit(self._s)
        r = refund_refunds.c
        found = self._s.execute(
            sa.select(r.refund_id, r.note, r.evidence_summary).where(
                r.tenant_id == tenant, r.lead_id == lead_id
            )
        ).all()
        changed = 0
        for refund_id, note, summary in found:
            redacted = {"note": redact(note), "evidence_summary": redact(summary)}
            if redacted != {"note": note, "evidence_summary": summary}:
                self._s.execute(
                    sa.update(refund_refunds)
                    .where(r.tenant_id == tenant, r.refund_id == refund_id)
                    .values(redacted)
                )
                changed += 1
        return changed
