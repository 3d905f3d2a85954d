"""Call reports (``refund_call_reports``): every report of every call, keyed by (tenant, call, report); a repeated
report is ``INSERT ... ON CONFLICT DO NOTHING``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import PerDialect, dialect_insert
from services.refund.adapters.db import rows
from services.refund.adapters.db.tables import refund_call_reports
from services.refund.domain.calls import CallRecord
from services.refund.domain.ports import CallRepository

r = refund_call_reports


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.add = (
            dialect_insert(dialect)(r)
            .on_conflict_do_nothing(index_elements=["tenant_id", "call_id", "report_id"])
            .returning(r.c.call_id)
        )
        self.of_lead = sa.select(r).where(
            r.c.tenant_id == sa.bindparam("tenant"), r.c.lead_id == sa.bindparam("lead")
        )


_STATEMENTS = PerDialect(_Statements)


class SqlCalls(CallRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def add(self, tenant: str, report: CallRecord) -> bool:
        return self._s.execute(self._q.add, rows.call_values(tenant, report)).first() is not None

    def of_lead(self, tenant: str, lead_id: str) -> list[CallRecord]:
        return [
            rows.call_record(row)
            for row in self._s.execute(self._q.of_lead, {"tenant": tenant, "lead": lead_id})
        ]

    def of_leads(self, tenant: str, lead_ids: Sequence[str]) -> dict[str, list[CallRecord]]:
        found: dict[str, list[CallRecord]] = defaultdict(list)
        if lead_ids:
            query = sa.select(r).where(r.c.tenant_id == tenant, r.c.lead_id.in_(list(lead_ids)))
            for row in self._s.execute(query):
                found[row.lead_id].append(rows.call_record(row))
        return dict(found)
