"""Telephony's copy of leads and agents (``telephony_leads``, ``telephony_agents``), written by upserts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert
from services.common.iterutil import IN_CHUNK, chunks
from services.common.statements import PerDialect
from services.telephony.adapters.db import rows
from services.telephony.adapters.db.tables import agents, leads
from services.telephony.domain.parties import AgentRecord, LeadRecord
from services.telephony.domain.ports import AgentRepository, LeadRepository

_LEAD_VALUES = (
    "account_id",
    "phone",
    "province",
    "city",
    "time_zone",
    "accepted_us",
    "holder_agent_id",
    "holder_us",
)
_AGENT_VALUES = ("user_id", "phone", "revision", "deleted")


def _upsert(dialect: str, table: sa.Table, key: tuple[str, str], columns: tuple[str, ...]) -> sa.Executable:
    """INSERT … ON CONFLICT (key) DO UPDATE SET each of ``columns`` to the inserted row's, executed with a dict of
    every column."""
    insert = dialect_insert(dialect)(table)
    return insert.on_conflict_do_update(
        index_elements=[table.c[name] for name in key],
        set_={name: insert.excluded[name] for name in columns},
    )


class _Statements:
    """Built once per dialect (``services.common.statements``): a lead's copy is read and written for every event
    about it."""

    def __init__(self, dialect: str) -> None:
        lc, a = leads.c, agents.c
        self.lead = sa.select(leads).where(
            lc.tenant_id == sa.bindparam("tenant"), lc.lead_id == sa.bindparam("lead")
        )
        # FOR UPDATE on PostgreSQL; SQLite renders none (BEGIN IMMEDIATE already holds the write lock).
        self.lead_for_update = self.lead.with_for_update()
        self.put_lead = _upsert(dialect, leads, ("tenant_id", "lead_id"), _LEAD_VALUES)
        self.leads = sa.select(leads).where(
            lc.tenant_id == sa.bindparam("tenant"), lc.lead_id.in_(sa.bindparam("leads", expanding=True))
        )
        self.agent = sa.select(agents).where(
            a.tenant_id == sa.bindparam("tenant"), a.agent_id == sa.bindparam("agent")
        )
        self.agent_by_user = (
            sa.select(agents)
            .where(
                a.tenant_id == sa.bindparam("tenant"), a.user_id == sa.bindparam("user"), a.deleted.is_(False)
            )
            .order_by(a.revision.desc())
            .limit(1)
        )
        self.put_agent = _upsert(dialect, agents, ("tenant_id", "agent_id"), _AGENT_VALUES)


_STATEMENTS = PerDialect(_Statements)


class SqlLeads(LeadRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS.of(session)

    def get(self, tenant: str, lead_id: str, *, for_update: bool = False) -> LeadRecord | None:
        query = self._q.lead_for_update if for_update else self._q.lead
        row = self._s.execute(query, {"tenant": tenant, "lead": lead_id}).first()
        return None if row is None else _lead(row)

    def get_many(self, tenant: str, lead_ids: Sequence[str]) -> dict[str, LeadRecord]:
        found: dict[str, LeadRecord] = {}
        for chunk in chunks(sorted(set(lead_ids)), IN_CHUNK):
            for row in self._s.execute(self._q.leads, {"tenant": tenant, "leads": list(chunk)}):
                found[row.lead_id] = _lead(row)
        return found

    def put(self, tenant: str, lead: LeadRecord) -> None:
        self._s.execute(self._q.put_lead, _lead_values(tenant, lead))

    def put_many(self, tenant: str, leads: Sequence[LeadRecord]) -> None:
        if leads:
            self._s.execute(self._q.put_lead, [_lead_values(tenant, lead) for lead in leads])


def _lead(row: Any) -> LeadRecord:
    return LeadRecord(
        lead_id=row.lead_id,
        account_id=row.account_id,
        phone=row.phone,
        province=row.province,
        city=row.city,
        time_zone=row.time_zone,
        accepted_time=rows.moment(row.accepted_us),
        holder_agent_id=row.holder_agent_id,
        holder_time=rows.moment(row.holder_us),
    )


def _lead_values(tenant: str, lead: LeadRecord) -> dict[str, Any]:
    return {
        "tenant_id": tenant,
        "lead_id": lead.lead_id,
        "account_id": lead.account_id,
        "phone": lead.phone,
        "province": lead.province,
        "city": lead.city,
        "time_zone": lead.time_zone,
        "accepted_us": rows.us(lead.accepted_time),
        "holder_agent_id": lead.holder_agent_id,
        "holder_us": rows.us(lead.holder_time),
    }


class SqlAgents(AgentRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS.of(session)

    @staticmethod
    def _record(row: sa.Row) -> AgentRecord:  # type: ignore[type-arg]
        return AgentRecord(row.agent_id, row.user_id, row.phone, row.revision, row.deleted)

    def get(self, tenant: str, agent_id: str) -> AgentRecord | None:
        row = self._s.execute(self._q.agent, {"tenant": tenant, "agent": agent_id}).first()
        return None if row is None else self._record(row)

    def by_user(self, tenant: str, user_id: str) -> AgentRecord | None:
        row = self._s.execute(self._q.agent_by_user, {"tenant": tenant, "user": user_id}).first()
        return None if row is None else self._record(row)

    def put(self, tenant: str, agent: AgentRecord) -> None:
        values = {
            "tenant_id": tenant,
            "agent_id": agent.agent_id,
            "user_id": agent.user_id,
            "phone": agent.phone,
            "revision": agent.revision,
            "deleted": agent.deleted,
        }
        self._s.execute(self._q.put_agent, values)
