"""Agents and teams (``assign_agents``, ``assign_teams``).

An agent's user id is unique in the tenant by a partial unique index: inserts use ``ON CONFLICT DO NOTHING`` on it
and learn from the row count whether they won; updates are a compare-and-set on the revision.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from services.assign.adapters.db import rows
from services.assign.adapters.db.tables import assign_agents, assign_teams
from services.assign.domain.agents import Agent, Team
from services.assign.domain.ports import AgentFilter, AgentRepository, TeamRepository, UserIdTaken
from services.common.db import PerDialect, dialect_insert, rowcount
from services.common.txmemo import TransactionMemo

_a = assign_agents.c
_t = assign_teams.c


class _Statements:
    """The routing path's reads, built once per dialect."""

    def __init__(self, dialect: str) -> None:
        tenant = _a.tenant_id == sa.bindparam("t")
        self.of_teams = sa.select(assign_agents).where(
            tenant, _a.team_id.in_(sa.bindparam("ids", expanding=True))
        )
        self.by_ids = sa.select(assign_agents).where(tenant, _a.id.in_(sa.bindparam("ids", expanding=True)))


_STATEMENTS = PerDialect(_Statements)
# A consumer batch routes many leads to the same teams: their agents are read once per transaction.
_TEAM_AGENTS: TransactionMemo[dict[str, Agent]] = TransactionMemo("assign.team_agents")


class SqlAgents(AgentRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        dialect = session.dialect.name
        self._insert = dialect_insert(dialect)
        self._q = _STATEMENTS(dialect)

    def _select(self, tenant: str, *where: Any) -> list[Agent]:
        query = sa.select(assign_agents).where(_a.tenant_id == tenant, *where)
        return [rows.agent(row) for row in self._s.execute(query)]

    def get(self, tenant: str, agent_id: str) -> Agent | None:
        found = self._select(tenant, _a.id == agent_id)
        return found[0] if found else None

    def get_many(self, tenant: str, agent_ids: Iterable[str]) -> dict[str, Agent]:
        wanted = sorted(set(agent_ids))
        if not wanted:
            return {}
        return {
            row.id: rows.agent(row) for row in self._s.execute(self._q.by_ids, {"t": tenant, "ids": wanted})
        }

    def by_user(self, tenant: str, user_id: str) -> Agent | None:
        found = self._select(tenant, _a.user_id == user_id, _a.user_id != "")
        return found[0] if found else None

    def of_teams(self, tenant: str, team_ids: Iterable[str]) -> dict[str, Agent]:
        wanted = sorted(set(team_ids))
        if not wanted:
            return {}

        def load() -> dict[str, Agent]:
            found = self._s.execute(self._q.of_teams, {"t": tenant, "ids": wanted})
            return {row.id: rows.agent(row) for row in found}

        return dict(_TEAM_AGENTS.get(self._s, (tenant, tuple(wanted)), load))

    def count_in_team(self, tenant: str, team_id: str) -> int:
        query = sa.select(sa.func.count()).where(_a.tenant_id == tenant, _a.team_id == team_id)
        return int(self._s.execute(query).scalar_one())

    def insert(self, tenant: str, agent: Agent) -> None:
        _TEAM_AGENTS.written(self._s)
        statement = (
            self._insert(assign_agents)
            .values(**rows.agent_values(tenant, agent))
            .on_conflict_do_nothing(
                index_elements=[_a.tenant_id, _a.user_id], index_where=sa.text("user_id <> ''")
            )
            .execution_options(preserve_rowcount=True)
        )
        if rowcount(self._s.execute(statement)) != 1:
            raise UserIdTaken()

    def update(self, tenant: str, agent: Agent, expected_revision: int) -> bool:
        _TEAM_AGENTS.written(self._s)
        if agent.user_id:
            other = self.by_user(tenant, agent.user_id)
            if other is not None and other.id != agent.id:
                raise UserIdTaken()
        values = rows.agent_values(tenant, agent)
        statement = (
            sa.update(assign_agents)
            .where(_a.tenant_id == tenant, _a.id == agent.id, _a.revision == expected_revision)
            .values(**{k: v for k, v in values.items() if k not in ("tenant_id", "id")})
        )
        try:
            return rowcount(self._s.execute(statement)) == 1
        except IntegrityError:
            raise UserIdTaken() from None  # linked to the same subject by a concurrent change

    def delete(self, tenant: str, agent_id: str) -> bool:
        _TEAM_AGENTS.written(self._s)
        result = self._s.execute(sa.delete(assign_agents).where(_a.tenant_id == tenant, _a.id == agent_id))
        return rowcount(result) == 1

    def list(self, tenant: str, where: AgentFilter, after: str | None, limit: int) -> list[Agent]:
        conditions: list[Any] = []
        if where.team_id:
            conditions.append(_a.team_id == where.team_id)
        if where.status:
            conditions.append(_a.status == int(where.status))
        if after is not None:
            conditions.append(_a.id > after)
        query = (
            sa.select(assign_agents).where(_a.tenant_id == tenant, *conditions).order_by(_a.id).limit(limit)
        )
        return [rows.agent(row) for row in self._s.execute(query)]


class SqlTeams(TeamRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session

    def _select(self, tenant: str, *where: Any) -> list[Team]:
        query = sa.select(assign_teams).where(_t.tenant_id == tenant, *where).order_by(_t.id)
        return [rows.team(row) for row in self._s.execute(query)]

    def get(self, tenant: str, team_id: str) -> Team | None:
        found = self._select(tenant, _t.id == team_id)
        return found[0] if found else None

    def get_many(self, tenant: str, team_ids: Iterable[str]) -> dict[str, Team]:
        wanted = sorted(set(team_ids))
        if not wanted:
            return {}
        return {t.id: t for t in self._select(tenant, _t.id.in_(wanted))}

    def insert(self, tenant: str, team: Team) -> None:
        self._s.execute(sa.insert(assign_teams).values(**rows.team_values(tenant, team)))

    def update(self, tenant: str, team: Team) -> bool:
        values = rows.team_values(tenant, team)
        statement = (
            sa.update(assign_teams)
            .where(_t.tenant_id == tenant, _t.id == team.id)
            .values(**{k: v for k, v in values.items() if k not in ("tenant_id", "id", "create_us")})
        )
        return rowcount(self._s.execute(statement)) == 1

    def delete(self, tenant: str, team_id: str) -> bool:
        result = self._s.execute(sa.delete(assign_teams).where(_t.tenant_id == tenant, _t.id == team_id))
        return rowcount(result) == 1

    def administered_by(self, tenant: str, agent_id: str) -> list[Team]:
        # A tenant has few teams; a JSON containment test would differ between SQLite and PostgreSQL.
        return [team for team in self._select(tenant) if agent_id in team.admin_agent_ids]

    def list(self, tenant: str, after: str | None, limit: int) -> list[Team]:
        query = sa.select(assign_teams).where(_t.tenant_id == tenant)
        if after is not None:
            query = query.where(_t.id > after)
        return [rows.team(row) for row in self._s.execute(query.order_by(_t.id).limit(limit))]
