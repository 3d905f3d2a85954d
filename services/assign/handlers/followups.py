"""Follow-ups: record one (idempotent on request_id), list them, and count a telephony call as one by itself.

- RecordFollowUp: on the lead's active assignment, by its holder (an administrator may record for the holder).
  The first follow-up stops the reminders and the reclaim timer. An outcome of CONVERTED or INVALID closes the
  assignment (its held slot is given back) and records lead.status_changed, which ingest applies and pushes to the
  advertiser's system (回传).
- call.completed: a CALL follow-up of the calling agent when it holds the lead and the call started during the
  assignment (``domain.followups.call_counts``); its id is derived from the call id, so a replayed or corrected
  call.completed records nothing more.
- ListFollowUps: of a lead and/or by an agent, newest first. An agent lists its own, or every follow-up of a lead
  it holds.
"""

from __future__ import annotations

from datetime import datetime

from services.assign.domain.checks import check_identifier
from services.assign.domain.commands import RecordCommand
from services.assign.domain.errors import AssignmentNotActive, LeadNotFound
from services.assign.domain.events import LeadStatusChanged
from services.assign.domain.followups import (
    CallFacts,
    FollowUp,
    FollowUpApplied,
    apply_follow_up,
    call_counts,
    check_follow_up,
    follow_up_from_call,
    from_draft,
)
from services.assign.domain.ports import AssignUnitOfWork
from services.assign.handlers import moves
from services.assign.handlers.callers import caller_of
from services.assign.handlers.ids import derived_id, id_at
from services.assign.handlers.requests import RequestLog, check_request_id
from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import ViolationCollector
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.uow import Transactions, TransientConflict


def call_follow_up_id(tenant: str, call: CallFacts) -> str:
    return derived_id(call.start_time, f"call\x00{tenant}\x00{call.call_id}")


def apply(uow: AssignUnitOfWork, tenant: str, applied: FollowUpApplied, now: datetime) -> None:
    """Store a follow-up applied to its assignment: the follow-up, the assignment, and — when it settled the lead
    — the closing (held slot back, timers cancelled) and lead.status_changed."""
    if not uow.follow_ups.insert(tenant, applied.follow_up):
        raise TransientConflict()
    if applied.status_change is None:
        moves.save(uow, tenant, applied.assignment)
        moves.cancel_timers(uow, applied.cancel)
        return
    stored = moves.finish(uow, tenant, applied.assignment, applied.cancel)
    uow.events.add(LeadStatusChanged(tenant, applied.status_change, stored, applied.follow_up.id, now))


class FollowUpHandlers:
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

    async def record(self, principal: Principal, command: RecordCommand, request_id: str) -> FollowUp:
        """The recorded follow-up; INVALID_ARGUMENT (``follow_up.*``), FAILED_PRECONDITION
        ASSIGNMENT_NOT_ACTIVE, PERMISSION_DENIED NOT_ASSIGNEE."""
        now = self._clock.now()
        errors = ViolationCollector()
        check_identifier(errors, "follow_up.agent_id", command.agent_id, required=False)
        check_request_id(errors, request_id)
        errors.raise_if_any()
        check_follow_up(command.draft, now)
        tenant = principal.tenant_id
        digest = self._requests.digest("follow_up", principal, command)
        lead_id = command.draft.lead_id

        def record(uow: AssignUnitOfWork) -> FollowUp:
            now = self._clock.now()
            replayed = self._requests.replayed(uow, tenant, "follow_up", request_id, digest, now)
            if replayed is not None:
                found = uow.follow_ups.get(tenant, replayed)
                if found is None:
                    raise TransientConflict()
                return found
            if uow.leads.get(tenant, lead_id) is None:
                raise LeadNotFound(lead_id)
            assignment = uow.assignments.active_of_lead(tenant, lead_id)
            if assignment is None:
                raise AssignmentNotActive("the lead is not held by an agent")
            caller = caller_of(uow, principal)
            if command.agent_id:
                caller.require_self_or_admin(command.agent_id, "record follow-ups")
                doer = command.agent_id
            elif caller.is_admin:
                doer = caller.agent_id or assignment.agent_id
            else:
                doer = caller.require_agent().id
            follow_up = from_draft(command.draft, id_at(now), doer, now)
            applied = apply_follow_up(assignment, follow_up, is_admin=caller.is_admin)
            apply(uow, tenant, applied, now)
            self._requests.complete(uow, tenant, request_id, applied.follow_up.id)
            return applied.follow_up

        return await self._tx.write(record)

    def on_call_completed(self, uow: AssignUnitOfWork, tenant: str, call: CallFacts) -> FollowUp | None:
        """The CALL follow-up the call made, or None when the call is not a follow-up (or was already counted)."""

        def count() -> FollowUp | None:
            assignment = uow.assignments.active_of_lead(tenant, call.lead_id) if call.lead_id else None
            if not call_counts(call, assignment):
                return None
            assert assignment is not None
            follow_up_id = call_follow_up_id(tenant, call)
            if uow.follow_ups.get(tenant, follow_up_id) is not None:
                return None
            now = self._clock.now()
            applied = apply_follow_up(assignment, follow_up_from_call(call, follow_up_id, now))
            apply(uow, tenant, applied, now)
            return applied.follow_up

        return moves.retrying(uow, count)

    async def list(
        self, principal: Principal, lead_id: str, agent_id: str, page_size: int, page_token: str
    ) -> Page[FollowUp]:
        errors = ViolationCollector()
        check_identifier(errors, "lead_id", lead_id, required=False)
        check_identifier(errors, "agent_id", agent_id, required=False)
        if not lead_id and not agent_id:
            errors.add("lead_id", "at least one of lead_id and agent_id is required")
        errors.raise_if_any()
        size = resolve_page_size(page_size)
        tenant = principal.tenant_id

        def read(uow: AssignUnitOfWork) -> Page[FollowUp]:
            caller = caller_of(uow, principal)
            by_agent = agent_id
            if not caller.sees_all:
                own = caller.require_agent().id
                caller.require_self_or_admin(agent_id or own, "list follow-ups")
                held = uow.assignments.active_of_lead(tenant, lead_id) if lead_id and not agent_id else None
                by_agent = "" if held is not None and held.agent_id == own else own
            binding = filter_binding(tenant, "follow_ups", lead_id, by_agent)
            cursor = read_cursor(self._tokens.decode(page_token, binding=binding), ("t", str), ("id", str))
            after = (datetime.fromisoformat(cursor[0]), cursor[1]) if cursor is not None else None
            rows = uow.follow_ups.list(tenant, lead_id, by_agent, after, size + 1)
            return next_page(
                rows,
                size,
                self._tokens,
                binding,
                lambda last: {"t": last.follow_up_time.isoformat(), "id": last.id},
            )

        return await self._tx.read(read)
