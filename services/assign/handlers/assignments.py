"""Reading assignments: one by id, and lists (an agent's 我的线索) with filters — agent, lead, account, state,
tags (the lead carries all of them), whether followed up, assignment time — newest first, with the total count.

An agent reads its own assignments only: another agent's id answers NOT_FOUND by id and PERMISSION_DENIED as a
filter; administrators and services read every agent's. Tags shown are the ones the caller may see.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from services.assign.domain.checks import MAX_ACCOUNT_ID_LENGTH, check_enum, check_identifier
from services.assign.domain.enums import AssignmentState
from services.assign.domain.errors import AssignmentNotFound
from services.assign.domain.ports import AssignmentFilter, AssignUnitOfWork
from services.assign.domain.views import AssignmentView
from services.assign.handlers.callers import caller_of
from services.assign.handlers.tags import check_tag_filter, visible_tags_of_leads
from services.common.auth import Principal
from services.common.errors import ViolationCollector
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.uow import Transactions


def check_assignment_filter(where: AssignmentFilter) -> None:
    errors = ViolationCollector()
    check_identifier(errors, "agent_id", where.agent_id, required=False)
    check_identifier(errors, "lead_id", where.lead_id, required=False)
    check_identifier(errors, "account_id", where.account_id, required=False, max_length=MAX_ACCOUNT_ID_LENGTH)
    check_enum(errors, "state", int(where.state), AssignmentState, required=False)
    for index, tag_id in enumerate(where.tag_ids):
        check_identifier(errors, f"tag_ids[{index}]", tag_id)
    if where.assign_start and where.assign_end and where.assign_end <= where.assign_start:
        errors.add("assign_end_time", "must be after assign_start_time")
    errors.raise_if_any()


class AssignmentHandlers:
    def __init__(self, transactions: Transactions[AssignUnitOfWork], page_tokens: PageTokens) -> None:
        self._tx = transactions
        self._tokens = page_tokens

    async def get(self, principal: Principal, assignment_id: str) -> AssignmentView:
        errors = ViolationCollector()
        check_identifier(errors, "assignment_id", assignment_id)
        errors.raise_if_any()
        tenant = principal.tenant_id

        def read(uow: AssignUnitOfWork) -> AssignmentView:
            caller = caller_of(uow, principal)
            assignment = uow.assignments.get(tenant, assignment_id)
            if assignment is None or not (caller.sees_all or assignment.agent_id == caller.agent_id):
                raise AssignmentNotFound(assignment_id)
            tags = visible_tags_of_leads(uow, tenant, caller, [assignment.lead.lead_id])
            return AssignmentView(assignment, tags.get(assignment.lead.lead_id, ()))

        return await self._tx.read(read)

    async def list(
        self, principal: Principal, where: AssignmentFilter, page_size: int, page_token: str
    ) -> Page[AssignmentView]:
        check_assignment_filter(where)
        size = resolve_page_size(page_size)
        tenant = principal.tenant_id

        def read(uow: AssignUnitOfWork) -> Page[AssignmentView]:
            caller = caller_of(uow, principal)
            scoped = where
            if not caller.sees_all:
                agent = caller.require_agent()
                caller.require_self_or_admin(where.agent_id or agent.id, "list assignments")
                scoped = replace(where, agent_id=agent.id)
            check_tag_filter(uow, tenant, caller, scoped.tag_ids)
            binding = filter_binding(tenant, "assignments", caller.agent_id, _key(scoped))
            cursor = read_cursor(self._tokens.decode(page_token, binding=binding), ("t", str), ("id", str))
            after = (datetime.fromisoformat(cursor[0]), cursor[1]) if cursor is not None else None
            rows = uow.assignments.list(tenant, scoped, after, size + 1)
            total = uow.assignments.count(tenant, scoped)
            tags = visible_tags_of_leads(uow, tenant, caller, [a.lead.lead_id for a in rows[:size]])
            views = [AssignmentView(a, tags.get(a.lead.lead_id, ())) for a in rows]
            return next_page(
                views,
                size,
                self._tokens,
                binding,
                lambda last: {"t": last.assignment.assign_time.isoformat(), "id": last.assignment.id},
                total_size=total,
            )

        return await self._tx.read(read)


def _key(where: AssignmentFilter) -> str:
    return repr(where)
