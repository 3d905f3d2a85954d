"""Assignment policies: set (replace, recording the revision in the history; idempotent on request_id), get (the
default — every lead to the pool — when never set), and the history of revisions, newest first.

The rules' agents and teams must exist in the tenant when the policy is set (INVALID_ARGUMENT naming
``policy.rules[i].agent_id`` / ``team_id``); a team or agent deleted later simply has nobody available, and the
lead passes to the next rule. Rotation state is keyed by (account, rule id), so editing a policy keeps the
rotation of every rule whose id stays.
"""

from __future__ import annotations

from datetime import datetime

from services.assign.domain.checks import MAX_ACCOUNT_ID_LENGTH, check_identifier
from services.assign.domain.enums import AssignmentMethod
from services.assign.domain.policy import TEAM_METHODS, AssignmentPolicy, default_policy
from services.assign.domain.policy_checks import PolicyDraft, build_policy
from services.assign.domain.ports import AssignUnitOfWork, PolicyRevision
from services.assign.handlers.ids import id_at
from services.assign.handlers.requests import RequestLog, check_request_id
from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import ViolationCollector
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.uow import Transactions, TransientConflict


def policy_of(uow: AssignUnitOfWork, tenant: str, account_id: str) -> AssignmentPolicy:
    return uow.policies.get(tenant, account_id) or default_policy(account_id)


class PolicyHandlers:
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

    async def set_policy(self, principal: Principal, draft: PolicyDraft, request_id: str) -> AssignmentPolicy:
        """The stored policy; INVALID_ARGUMENT naming every bad ``policy.*`` field."""
        errors = ViolationCollector()
        check_request_id(errors, request_id, required=False)
        errors.raise_if_any()
        now = self._clock.now()
        policy = build_policy(draft, principal.subject, now)
        tenant = principal.tenant_id
        digest = self._requests.digest("set_policy", principal, draft)

        def store(uow: AssignUnitOfWork) -> AssignmentPolicy:
            replayed = self._requests.replayed(uow, tenant, "set_policy", request_id, digest, now)
            if replayed is not None:
                revision = uow.policies.revision(tenant, replayed)
                if revision is None:
                    raise TransientConflict()
                return revision.policy
            _check_references(uow, tenant, policy)
            revision = PolicyRevision(id_at(now), principal.subject, now, policy)
            uow.policies.put(tenant, revision)
            self._requests.complete(uow, tenant, request_id, revision.id)
            return policy

        return await self._tx.write(store)

    async def get_policy(self, principal: Principal, account_id: str) -> AssignmentPolicy:
        _check_account("account_id", account_id)
        return await self._tx.read(lambda uow: policy_of(uow, principal.tenant_id, account_id))

    async def list_history(
        self, principal: Principal, account_id: str, page_size: int, page_token: str
    ) -> Page[PolicyRevision]:
        _check_account("account_id", account_id)
        size = resolve_page_size(page_size)
        tenant = principal.tenant_id
        binding = filter_binding(tenant, "policy_history", account_id)
        cursor = read_cursor(self._tokens.decode(page_token, binding=binding), ("t", str), ("id", str))
        after = (datetime.fromisoformat(cursor[0]), cursor[1]) if cursor is not None else None
        rows = await self._tx.read(lambda uow: uow.policies.history(tenant, account_id, after, size + 1))
        return next_page(
            rows, size, self._tokens, binding, lambda last: {"t": last.change_time.isoformat(), "id": last.id}
        )


def _check_account(path: str, account_id: str) -> None:
    errors = ViolationCollector()
    check_identifier(errors, path, account_id, max_length=MAX_ACCOUNT_ID_LENGTH)
    errors.raise_if_any()


def _check_references(uow: AssignUnitOfWork, tenant: str, policy: AssignmentPolicy) -> None:
    agents = uow.agents.get_many(
        tenant, [r.agent_id for r in policy.rules if r.method == AssignmentMethod.DESIGNATED]
    )
    teams = uow.teams.get_many(tenant, [r.team_id for r in policy.rules if r.method in TEAM_METHODS])
    errors = ViolationCollector()
    for index, rule in enumerate(policy.rules):
        if rule.method == AssignmentMethod.DESIGNATED and rule.agent_id not in agents:
            errors.add(f"policy.rules[{index}].agent_id", "names no agent of this tenant")
        if rule.method in TEAM_METHODS and rule.team_id not in teams:
            errors.add(f"policy.rules[{index}].team_id", "names no team of this tenant")
    errors.raise_if_any()
