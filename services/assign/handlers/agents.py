"""Agents and teams: create (idempotent on request_id), get, update under a field mask, delete, list.

- An agent belongs to an existing team; a team's administrators are existing agents (INVALID_ARGUMENT naming the
  field otherwise). An agent's user_id (its JWT subject) is unique in the tenant (ALREADY_EXISTS, USER_ID_TAKEN).
- Every change of an agent records agent.created / agent.updated / agent.deleted with the agent's revision, so
  telephony keeps its copy of the agents it dials for; an update that changes nothing records nothing.
- An agent-role caller may change its own status only (ONLINE / OFFLINE / ON_LEAVE); everything else is for
  administrators (PERMISSION_DENIED).
- Deleting an agent returns its active assignments to the pool (lead.reclaimed, AGENT_DELETED, no cooling) and
  takes it off every team's administrators. A team is deleted only when no agent is left in it (TEAM_NOT_EMPTY).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from services.assign.domain import agent_checks
from services.assign.domain.agent_checks import AgentDraft, TeamDraft
from services.assign.domain.agents import Agent, Team
from services.assign.domain.checks import check_enum, check_identifier
from services.assign.domain.enums import AgentStatus, ReclaimReason
from services.assign.domain.errors import AgentNotFound, TeamNotEmpty, TeamNotFound, UserIdInUse
from services.assign.domain.events import AgentCreated, AgentDeleted, AgentUpdated, LeadReclaimed
from services.assign.domain.ports import AgentFilter, AssignUnitOfWork, UserIdTaken
from services.assign.domain.reclaim import reclaim_for_deleted_agent
from services.assign.handlers import moves
from services.assign.handlers.callers import caller_of
from services.assign.handlers.ids import id_at
from services.assign.handlers.requests import RequestLog, check_request_id
from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import PermissionDenied, ViolationCollector
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.uow import Transactions, TransientConflict

AGENT_SELF_SERVICE_FIELDS = frozenset({"status"})


class AgentHandlers:
    def __init__(
        self,
        transactions: Transactions[AssignUnitOfWork],
        clock: Clock,
        page_tokens: PageTokens,
        requests: RequestLog,
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._tokens = page_tokens
        self._requests = requests

    # ------------------------------------------------------------------------------------------- agents

    async def create_agent(self, principal: Principal, draft: AgentDraft, request_id: str) -> Agent:
        """The new agent; INVALID_ARGUMENT (``agent.*``, ``request_id``), ALREADY_EXISTS (USER_ID_TAKEN)."""
        errors = ViolationCollector()
        check_request_id(errors, request_id)
        errors.raise_if_any()
        now = self._clock.now()
        agent = agent_checks.new_agent(id_at(now), draft, now)
        tenant = principal.tenant_id
        digest = self._requests.digest("create_agent", principal, draft)

        def create(uow: AssignUnitOfWork) -> Agent:
            replayed = self._requests.replayed(uow, tenant, "create_agent", request_id, digest, now)
            if replayed is not None:
                return _agent_or_404(uow, tenant, replayed)
            _require_team(uow, tenant, agent.team_id, "agent.team_id")
            try:
                uow.agents.insert(tenant, agent)
            except UserIdTaken:
                raise UserIdInUse() from None
            uow.loads.create(tenant, agent.id)
            uow.events.add(AgentCreated(tenant, agent, now))
            self._requests.complete(uow, tenant, request_id, agent.id)
            return agent

        return await self._tx.write(create)

    async def get_agent(self, principal: Principal, agent_id: str) -> Agent:
        _check_id("agent_id", agent_id)
        return await self._tx.read(lambda uow: _agent_or_404(uow, principal.tenant_id, agent_id))

    async def update_agent(
        self, principal: Principal, agent_id: str, draft: AgentDraft, mask: Sequence[str]
    ) -> Agent:
        """The stored agent; an agent-role caller may change only its own ``status``."""
        _check_id("agent.id", agent_id)
        agent_checks.check_agent_update(draft, mask)
        tenant = principal.tenant_id

        def update(uow: AssignUnitOfWork) -> Agent:
            current = _agent_or_404(uow, tenant, agent_id)
            now = self._clock.now()
            change = agent_checks.update_agent(current, draft, mask, now)
            caller = caller_of(uow, principal)
            if not caller.is_admin:
                caller.require_self_or_admin(agent_id, "change an agent")
                if not set(change.changed_fields) <= AGENT_SELF_SERVICE_FIELDS:
                    raise PermissionDenied(
                        "an agent may change only its own status", reason="FIELD_NOT_EDITABLE_BY_AGENT"
                    )
            if not change.changed_fields:
                return current
            if "team_id" in change.changed_fields:
                _require_team(uow, tenant, change.value.team_id, "agent.team_id")
            try:
                stored = uow.agents.update(tenant, change.value, current.revision)
            except UserIdTaken:
                raise UserIdInUse() from None
            if not stored:
                raise TransientConflict()
            uow.events.add(AgentUpdated(tenant, change.value, change.changed_fields, now))
            return change.value

        return await self._tx.write(update)

    async def delete_agent(self, principal: Principal, agent_id: str) -> int:
        """How many active assignments of the agent returned to the pool."""
        _check_id("agent_id", agent_id)
        tenant = principal.tenant_id

        def delete(uow: AssignUnitOfWork) -> int:
            agent = _agent_or_404(uow, tenant, agent_id)
            now = self._clock.now()
            held = uow.assignments.active_of_agent(tenant, agent_id)
            for assignment in held:
                reclaimed = reclaim_for_deleted_agent(assignment, now)
                stored = moves.finish(uow, tenant, reclaimed.assignment, reclaimed.cancel)
                uow.pool.insert(tenant, reclaimed.entry)
                uow.events.add(LeadReclaimed(tenant, stored, ReclaimReason.AGENT_DELETED, None, now))
            for team in uow.teams.administered_by(tenant, agent_id):
                admins = tuple(a for a in team.admin_agent_ids if a != agent_id)
                uow.teams.update(tenant, replace(team, admin_agent_ids=admins, update_time=now))
            if not uow.agents.delete(tenant, agent_id):
                raise TransientConflict()
            uow.events.add(AgentDeleted(tenant, agent_id, agent.team_id, agent.revision + 1, now))
            return len(held)

        return await self._tx.write(delete)

    async def list_agents(
        self, principal: Principal, where: AgentFilter, page_size: int, page_token: str
    ) -> Page[Agent]:
        errors = ViolationCollector()
        check_identifier(errors, "team_id", where.team_id, required=False)
        check_enum(errors, "status", int(where.status), AgentStatus, required=False)
        errors.raise_if_any()
        size = resolve_page_size(page_size)
        tenant = principal.tenant_id
        binding = filter_binding(tenant, "agents", where.team_id, int(where.status))
        after = read_cursor(self._tokens.decode(page_token, binding=binding), ("id", str))
        rows = await self._tx.read(
            lambda uow: uow.agents.list(tenant, where, after[0] if after else None, size + 1)
        )
        return next_page(rows, size, self._tokens, binding, lambda last: {"id": last.id})

    # ------------------------------------------------------------------------------------------- teams

    async def create_team(self, principal: Principal, draft: TeamDraft, request_id: str) -> Team:
        errors = ViolationCollector()
        check_request_id(errors, request_id)
        errors.raise_if_any()
        now = self._clock.now()
        team = agent_checks.new_team(id_at(now), draft, now)
        tenant = principal.tenant_id
        digest = self._requests.digest("create_team", principal, draft)

        def create(uow: AssignUnitOfWork) -> Team:
            replayed = self._requests.replayed(uow, tenant, "create_team", request_id, digest, now)
            if replayed is not None:
                return _team_or_404(uow, tenant, replayed)
            _require_agents(uow, tenant, team.admin_agent_ids)
            uow.teams.insert(tenant, team)
            self._requests.complete(uow, tenant, request_id, team.id)
            return team

        return await self._tx.write(create)

    async def get_team(self, principal: Principal, team_id: str) -> Team:
        _check_id("team_id", team_id)
        return await self._tx.read(lambda uow: _team_or_404(uow, principal.tenant_id, team_id))

    async def update_team(
        self, principal: Principal, team_id: str, draft: TeamDraft, mask: Sequence[str]
    ) -> Team:
        _check_id("team.id", team_id)
        agent_checks.check_team_update(draft, mask)
        tenant = principal.tenant_id

        def update(uow: AssignUnitOfWork) -> Team:
            current = _team_or_404(uow, tenant, team_id)
            change = agent_checks.update_team(current, draft, mask, self._clock.now())
            if not change.changed_fields:
                return current
            if "admin_agent_ids" in change.changed_fields:
                _require_agents(uow, tenant, change.value.admin_agent_ids)
            if not uow.teams.update(tenant, change.value):
                raise TransientConflict()
            return change.value

        return await self._tx.write(update)

    async def delete_team(self, principal: Principal, team_id: str) -> None:
        _check_id("team_id", team_id)
        tenant = principal.tenant_id

        def delete(uow: AssignUnitOfWork) -> None:
            _team_or_404(uow, tenant, team_id)
            members = uow.agents.count_in_team(tenant, team_id)
            if members:
                raise TeamNotEmpty(
                    f"team {team_id} still has {members} agents; move or delete them first",
                    metadata={"team_id": team_id},
                )
            uow.teams.delete(tenant, team_id)

        await self._tx.write(delete)

    async def list_teams(self, principal: Principal, page_size: int, page_token: str) -> Page[Team]:
        size = resolve_page_size(page_size)
        tenant = principal.tenant_id
        binding = filter_binding(tenant, "teams")
        after = read_cursor(self._tokens.decode(page_token, binding=binding), ("id", str))
        rows = await self._tx.read(lambda uow: uow.teams.list(tenant, after[0] if after else None, size + 1))
        return next_page(rows, size, self._tokens, binding, lambda last: {"id": last.id})


def _check_id(path: str, value: str) -> None:
    errors = ViolationCollector()
    check_identifier(errors, path, value)
    errors.raise_if_any()


def _agent_or_404(uow: AssignUnitOfWork, tenant: str, agent_id: str) -> Agent:
    agent = uow.agents.get(tenant, agent_id)
    if agent is None:
        raise AgentNotFound(agent_id)
    return agent


def _team_or_404(uow: AssignUnitOfWork, tenant: str, team_id: str) -> Team:
    team = uow.teams.get(tenant, team_id)
    if team is None:
        raise TeamNotFound(team_id)
    return team


def _require_team(uow: AssignUnitOfWork, tenant: str, team_id: str, path: str) -> None:
    if uow.teams.get(tenant, team_id) is None:
        errors = ViolationCollector()
        errors.add(path, "names no team of this tenant")
        errors.raise_if_any()


def _require_agents(uow: AssignUnitOfWork, tenant: str, agent_ids: Sequence[str]) -> None:
    found = uow.agents.get_many(tenant, agent_ids)
    errors = ViolationCollector()
    for index, agent_id in enumerate(agent_ids):
        if agent_id not in found:
            errors.add(f"team.admin_agent_ids[{index}]", "names no agent of this tenant")
    errors.raise_if_any()
