"""The public pool (公海): list it; claim a lead from it; release a held lead to it; reassign a lead (held or
pooled) to another agent. Claims, releases and reassignments are idempotent on request_id.

- Claim: the calling agent (or, for administrators, the named agent) takes the lead within its max held leads,
  unless the lead was reclaimed from it and its cooling period runs. Two agents racing for one lead: the pool
  entry is removed by a conditional delete, so one claim wins and the other gets FAILED_PRECONDITION
  (LEAD_NOT_IN_POOL). A claim does not count against the agent's daily capacity's limit (a deliberate act), but
  the lead counts toward the day like any lead received.
- Release: the holder (or an administrator) gives the lead back, with an optional reason; its timers stop.
- Reassign (administrators): the lead moves to the named agent with a reason; cooling periods, status and working
  hours are overridden, max held is not (``domain.handover.reassign``).

An unknown lead (another tenant's included) answers NOT_FOUND (LEAD_NOT_FOUND).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from services.assign.domain import handover
from services.assign.domain.agents import Agent, AgentLoad
from services.assign.domain.assignments import Assignment
from services.assign.domain.availability import capacity_day
from services.assign.domain.checks import (
    MAX_ACCOUNT_ID_LENGTH,
    check_enum,
    check_identifier,
    check_reason,
)
from services.assign.domain.commands import ClaimCommand, ReassignCommand, ReleaseCommand
from services.assign.domain.enums import Channel, PoolReason
from services.assign.domain.errors import AgentNotFound, AssignmentNotActive, LeadNotFound, LeadNotInPool
from services.assign.domain.pool import PoolEntry
from services.assign.domain.ports import AssignUnitOfWork, PoolFilter
from services.assign.domain.views import PoolView
from services.assign.handlers import moves
from services.assign.handlers.callers import caller_of
from services.assign.handlers.ids import id_at
from services.assign.handlers.policies import policy_of
from services.assign.handlers.requests import RequestLog, check_request_id
from services.assign.handlers.tags import check_tag_filter, visible_tags_of_leads
from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import ViolationCollector
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.uow import Transactions, TransientConflict

MAX_PROVINCE_LENGTH = 32


def released_entry(assignment: Assignment) -> PoolEntry:
    """The pool entry a release made, as the released assignment tells it (answers a replayed release)."""
    assert assignment.end_time is not None
    return PoolEntry(assignment.lead, PoolReason.RELEASED, assignment.end_time, assignment.agent_id)


def _load_of(uow: AssignUnitOfWork, tenant: str, agent: Agent, now: datetime) -> AgentLoad:
    loads = uow.loads.get_many(tenant, {agent.id: capacity_day(agent, now)})
    return loads.get(agent.id, AgentLoad())


class PoolHandlers:
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

    async def list_pool(
        self, principal: Principal, where: PoolFilter, page_size: int, page_token: str
    ) -> Page[PoolView]:
        errors = ViolationCollector()
        check_identifier(
            errors, "account_id", where.account_id, required=False, max_length=MAX_ACCOUNT_ID_LENGTH
        )
        for index, tag_id in enumerate(where.tag_ids):
            check_identifier(errors, f"tag_ids[{index}]", tag_id)
        check_enum(errors, "channel", int(where.channel), Channel, required=False)
        check_enum(errors, "reason", int(where.reason), PoolReason, required=False)
        if len(where.province) > MAX_PROVINCE_LENGTH:
            errors.add("province", f"must be at most {MAX_PROVINCE_LENGTH} characters")
        errors.raise_if_any()
        size = resolve_page_size(page_size)
        tenant = principal.tenant_id

        def read(uow: AssignUnitOfWork) -> Page[PoolView]:
            caller = caller_of(uow, principal)
            check_tag_filter(uow, tenant, caller, where.tag_ids)
            binding = filter_binding(tenant, "pool", caller.agent_id, repr(where))
            cursor = read_cursor(self._tokens.decode(page_token, binding=binding), ("t", str), ("id", str))
            after = (datetime.fromisoformat(cursor[0]), cursor[1]) if cursor is not None else None
            rows = uow.pool.list(tenant, where, after, size + 1)
            total = uow.pool.count(tenant, where)
            tags = visible_tags_of_leads(uow, tenant, caller, [e.lead.lead_id for e in rows[:size]])
            views = [PoolView(e, tags.get(e.lead.lead_id, ())) for e in rows]
            return next_page(
                views,
                size,
                self._tokens,
                binding,
                lambda last: {"t": last.entry.enter_time.isoformat(), "id": last.entry.lead.lead_id},
                total_size=total,
            )

        return await self._tx.read(read)

    async def claim(self, principal: Principal, command: ClaimCommand, request_id: str) -> Assignment:
        """The new assignment; FAILED_PRECONDITION LEAD_NOT_IN_POOL / CLAIM_COOLING_DOWN / AGENT_AT_MAX_HELD."""
        errors = ViolationCollector()
        check_identifier(errors, "lead_id", command.lead_id)
        check_identifier(errors, "agent_id", command.agent_id, required=False)
        check_request_id(errors, request_id)
        errors.raise_if_any()
        tenant = principal.tenant_id
        digest = self._requests.digest("claim", principal, command)

        def claim(uow: AssignUnitOfWork) -> Assignment:
            now = self._clock.now()
            replayed = self._requests.replayed(uow, tenant, "claim", request_id, digest, now)
            if replayed is not None:
                return _assignment(uow, tenant, replayed)
            caller = caller_of(uow, principal)
            target_id = command.agent_id or caller.require_agent().id
            caller.require_self_or_admin(target_id, "claim leads")
            agent = uow.agents.get(tenant, target_id)
            if agent is None:
                raise AgentNotFound(target_id)
            if uow.leads.get(tenant, command.lead_id) is None:
                raise LeadNotFound(command.lead_id)
            entry = uow.pool.get(tenant, command.lead_id)
            policy = policy_of(uow, tenant, entry.lead.account_id if entry else "")
            cooldowns = uow.cooldowns.of_lead(tenant, command.lead_id)
            load = _load_of(uow, tenant, agent, now)
            opened = handover.claim(id_at(now), entry, agent, load, cooldowns, now, policy)
            if not uow.pool.remove(tenant, command.lead_id):
                raise LeadNotInPool("the lead is not in the pool (another agent claimed it first)")
            stored = moves.start(uow, tenant, opened, agent, now, daily_capacity=False)
            self._requests.complete(uow, tenant, request_id, stored.id)
            return stored

        return await self._tx.write(claim)

    async def release(self, principal: Principal, command: ReleaseCommand, request_id: str) -> PoolEntry:
        """The lead's new pool entry; FAILED_PRECONDITION ASSIGNMENT_NOT_ACTIVE, PERMISSION_DENIED NOT_ASSIGNEE."""
        errors = ViolationCollector()
        check_identifier(errors, "lead_id", command.lead_id)
        check_reason(errors, "reason", command.reason, required=False)
        check_request_id(errors, request_id)
        errors.raise_if_any()
        tenant = principal.tenant_id
        digest = self._requests.digest("release", principal, command)

        def release(uow: AssignUnitOfWork) -> PoolEntry:
            now = self._clock.now()
            replayed = self._requests.replayed(uow, tenant, "release", request_id, digest, now)
            if replayed is not None:
                return released_entry(_assignment(uow, tenant, replayed))
            if uow.leads.get(tenant, command.lead_id) is None:
                raise LeadNotFound(command.lead_id)
            current = uow.assignments.active_of_lead(tenant, command.lead_id)
            if current is None:
                raise AssignmentNotActive("the lead is not held by an agent")
            caller = caller_of(uow, principal)
            released = handover.release(current, caller.agent_id, now, is_admin=caller.is_admin)
            ended = replace(released.assignment, release_reason=command.reason.strip())
            stored = moves.finish(uow, tenant, ended, released.cancel)
            if not uow.pool.insert(tenant, released.entry):
                raise TransientConflict()
            self._requests.complete(uow, tenant, request_id, stored.id)
            return released.entry

        return await self._tx.write(release)

    async def reassign(self, principal: Principal, command: ReassignCommand, request_id: str) -> Assignment:
        """The new assignment; FAILED_PRECONDITION ALREADY_HELD_BY_AGENT / AGENT_AT_MAX_HELD /
        ASSIGNMENT_NOT_ACTIVE (neither held nor pooled)."""
        errors = ViolationCollector()
        check_identifier(errors, "lead_id", command.lead_id)
        check_identifier(errors, "agent_id", command.agent_id)
        check_reason(errors, "reason", command.reason, required=True)
        check_request_id(errors, request_id)
        errors.raise_if_any()
        tenant = principal.tenant_id
        digest = self._requests.digest("reassign", principal, command)

        def reassign(uow: AssignUnitOfWork) -> Assignment:
            now = self._clock.now()
            replayed = self._requests.replayed(uow, tenant, "reassign", request_id, digest, now)
            if replayed is not None:
                return _assignment(uow, tenant, replayed)
            known = uow.leads.get(tenant, command.lead_id)
            if known is None:
                raise LeadNotFound(command.lead_id)
            target = uow.agents.get(tenant, command.agent_id)
            if target is None:
                raise AgentNotFound(command.agent_id)
            current = uow.assignments.active_of_lead(tenant, command.lead_id)
            entry = uow.pool.get(tenant, command.lead_id) if current is None else None
            policy = policy_of(uow, tenant, known.facts.account_id)
            load = _load_of(uow, tenant, target, now)
            moved = handover.reassign(id_at(now), current, entry, target, load, now, policy)
            if moved.ended is not None:
                moves.finish(uow, tenant, moved.ended, moved.cancel)
            elif not uow.pool.remove(tenant, command.lead_id):
                raise TransientConflict()  # claimed meanwhile: decide again
            opened = replace(
                moved.opened,
                assignment=replace(moved.opened.assignment, reassign_reason=command.reason.strip()),
            )
            stored = moves.start(uow, tenant, opened, target, now, daily_capacity=False)
            self._requests.complete(uow, tenant, request_id, stored.id)
            return stored

        return await self._tx.write(reassign)


def _assignment(uow: AssignUnitOfWork, tenant: str, assignment_id: str) -> Assignment:
    found = uow.assignments.get(tenant, assignment_id)
    if found is None:
        raise TransientConflict()  # recorded with the request in one transaction: cannot be missing
    return found
