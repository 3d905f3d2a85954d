"""The routing facts of received leads (``assign_leads``): inserted once with ``ON CONFLICT DO NOTHING``, so a
lead is routed once however often its lead.accepted arrives (a consumer batch inserts its leads in one statement and
routes those the RETURNING clause names)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db import rows
from services.assign.adapters.db.tables import assign_leads
from services.assign.domain.ports import KnownLead, LeadRepository
from services.common.db import PerDialect, dialect_insert, rowcount

_l = assign_leads.c


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.insert = (
            dialect_insert(dialect)(assign_leads)
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        )
        self.insert_returning = (
            dialect_insert(dialect)(assign_leads).on_conflict_do_nothing().returning(_l.lead_id)
        )
        self.get = sa.select(assign_leads).where(
            _l.tenant_id == sa.bindparam("t"), _l.lead_id == sa.bindparam("lead")
        )


_STATEMENTS = PerDialect(_Statements)


class SqlLeads(LeadRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def insert(self, tenant: str, lead: KnownLead) -> bool:
        return rowcount(self._s.execute(self._q.insert, rows.lead_values(tenant, lead))) == 1

    def insert_many(self, tenant: str, leads: Sequence[KnownLead]) -> set[str]:
        if not leads:
            return set()
        # One multi-row INSERT ... ON CONFLICT DO NOTHING RETURNING (SQLAlchemy's insertmanyvalues): the ids it
        # returns are the leads that were new.
        values = [rows.lead_values(tenant, lead) for lead in leads]
        return set(self._s.execute(self._q.insert_returning, values).scalars())

    def get(self, tenant: str, lead_id: str) -> KnownLead | None:
        row = self._s.execute(self._q.get, {"t": tenant, "lead": lead_id}).first()
        return None if row is None else rows.known_lead(row)

    def erase(self, tenant: str, lead_id: str) -> None:
        self._s.execute(
            sa.update(assign_leads)
            .where(_l.tenant_id == tenant, _l.lead_id == lead_id)
            .values(province="", city="")
        )
