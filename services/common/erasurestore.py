"""Erased leads on SQLAlchemy: the ``erased_leads`` table a consuming service adds to its schema (ids and a time
only) and the ``uow.erased`` repository (``services.common.erasure``)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.common.db import dialect_insert, rowcount
from services.common.erasure import ErasedLeadRepository
from services.common.timeconv import to_us

TENANT = 64
LEAD = 128


def erased_leads_table(metadata: sa.MetaData) -> sa.Table:
    """Add ``erased_leads`` to a service's MetaData (its tables.py) and return it; migrations create it with
    ``create_erased_leads_table``."""
    return sa.Table(
        "erased_leads",
        metadata,
        sa.Column("tenant_id", sa.String(TENANT), primary_key=True),
        sa.Column("lead_id", sa.String(LEAD), primary_key=True),
        sa.Column("erase_us", sa.BigInteger(), nullable=False),
    )


def create_erased_leads_table(bind: sa.Connection) -> None:
    """For a migration's upgrade(): create the table as ``erased_leads_table`` describes it."""
    from services.common.db import new_metadata

    erased_leads_table(new_metadata()).create(bind)


def drop_erased_leads_table(bind: sa.Connection) -> None:
    from services.common.db import new_metadata

    erased_leads_table(new_metadata()).drop(bind)


class SqlErasedLeads(ErasedLeadRepository):
    def __init__(self, session: Session, table: sa.Table) -> None:
        self._s = session
        self._t = table
        self._insert = dialect_insert(session.get_bind().dialect.name)

    def mark(self, tenant: str, lead_id: str, erase_time: datetime) -> bool:
        statement = (
            self._insert(self._t)
            .values(tenant_id=tenant, lead_id=lead_id, erase_us=to_us(erase_time))
            .on_conflict_do_nothing(index_elements=["tenant_id", "lead_id"])
            .execution_options(preserve_rowcount=True)
        )
        return rowcount(self._s.execute(statement)) == 1

    def contains(self, tenant: str, lead_id: str) -> bool:
        c = self._t.c
        found = self._s.execute(
            sa.select(c.erase_us).where(c.tenant_id == tenant, c.lead_id == lead_id)
        ).first()
        return found is not None
