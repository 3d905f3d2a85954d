"""Telephony's copy of leads and agents (``telephony_leads``, ``telephony_agents``), written by upserts."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import dialect_insert
from services.telephony.adapters.db import rows
from services.telephony.adapters.db.tables import agents, leads
from services.telephony.domain.parties import AgentRecord, LeadRecord
from services.telephony.domain.ports import AgentRepository, LeadRepository


class SqlLeads(LeadRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    def get(self, tenant: str, lead_id: str, *, for_update: bool = False) -> LeadRecord | None:
        query = sa.select(leads).where(leads.c.tenant_id == tenant, leads.c.lead_id == lead_id)
        # FOR UPDATE on PostgreSQL; SQLite renders none (BEGIN IMMEDIATE already holds the write lock).
        row = self._s.execute(query.with_for_update() if for_update else query).first()
        if row is None:
            return None
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

    def put(self, tenant: str, lead: LeadRecord) -> None:
        values = {
            "account_id": lead.account_id,
            "phone": lead.phone,
            "province": lead.province,
            "city": lead.city,
            "time_zone": lead.time_zone,
            "accepted_us": rows.us(lead.accepted_time),
            "holder_agent_id": lead.holder_agent_id,
            "holder_us": rows.us(lead.holder_time),
        }
        statement = self._insert(leads).values(tenant_id=tenant, lead_id=lead.lead_id, **values)
        self._s.execute(
            statement.on_conflict_do_update(index_elements=[leads.c.tenant_id, leads.c.lead_id], set_=values)
        )


class SqlAgents(AgentRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    @staticmethod
    def _record(row: sa.Row) -> AgentRecord:  # type: ignore[type-arg]
        return AgentRecord(row.agent_id, row.user_id, row.phone, row.revision, row.deleted)

    def get(self, tenant: str, agent_id: str) -> AgentRecord | None:
        a = agents
        row = self._s.execute(sa.select(a).where(a.c.tenant_id == tenant, a.c.agent_id == agent_id)).first()
        return None if row is None else self._record(row)

    def by_user(self, tenant: str, user_id: str) -> AgentRecord | None:
        a = agents
        row = self._s.execute(
            sa.select(a)
            .where(a.c.tenant_id == tenant, a.c.user_id == user_id, a.c.deleted.is_(False))
            .order_by(a.c.revision.desc())
            .limit(1)
        ).first()
        return None if row is None else self._record(row)

    def put(self, tenant: str, agent: AgentRecord) -> None:
        values = {
            "user_id": agent.user_id,
            "phone": agent.phone,
            "revision": agent.revision,
            "deleted": agent.deleted,
        }
        statement = self._insert(agents).values(tenant_id=tenant, agent_id=agent.agent_id, **values)
        self._s.execute(
            statement.on_conflict_do_update(
                index_elements=[agents.c.tenant_id, agents.c.agent_id], set_=values
            )
        )
