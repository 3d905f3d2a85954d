"""Policy use cases: read and update an account's dedup policy, bind and unbind accounts, list history and bindings.

Every change (update, bind, unbind) commits in one transaction with its history entry and the
``dedup.policy_changed`` event (``PolicyChanged``), under the tenant's lock row, so two concurrent binds cannot
build a chain (A under B while B goes under C).
"""

from __future__ import annotations

from datetime import datetime

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import NotFound, ViolationCollector
from services.common.ids import new_id
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.uow import Transactions, TransientConflict
from services.common.validation import check_account_id
from services.dedup.domain.model import (
    Binding,
    EffectivePolicy,
    HistoryEntry,
    PolicyChange,
    StoredPolicy,
)
from services.dedup.domain.policy import (
    AccountBound,
    PolicyPatch,
    apply_patch,
    check_bind,
    diff_effective,
    effective_from_source,
    effective_policy,
)
from services.dedup.domain.ports import DedupUnitOfWork, PolicyChanged


def effective_of(
    uow: DedupUnitOfWork, tenant: str, account_id: str, cache: dict[str, EffectivePolicy] | None = None
) -> EffectivePolicy:
    """The account's effective policy, read in one statement; ``cache`` memoises it within one transaction."""
    if cache is not None and account_id in cache:
        return cache[account_id]
    parent, source = uow.policies.source(tenant, account_id)
    policy = effective_from_source(account_id, parent, source)
    if cache is not None:
        cache[account_id] = policy
    return policy


class PolicyHandlers:
    def __init__(
        self, transactions: Transactions[DedupUnitOfWork], clock: Clock, page_tokens: PageTokens
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._tokens = page_tokens

    async def get_policy(self, principal: Principal, account_id: str) -> EffectivePolicy:
        """The effective policy: the account's own, its parent's while bound, or the default (never set)."""
        errors = ViolationCollector()
        check_account_id(errors, "account_id", account_id)
        errors.raise_if_any()
        return await self._tx.read(lambda uow: effective_of(uow, principal.tenant_id, account_id))

    async def update_policy(self, principal: Principal, patch: PolicyPatch) -> EffectivePolicy:
        """Apply an update (see ``domain.policy``); a bound child is refused (ACCOUNT_BOUND, naming the parent).

        The event lists the children bound to the account, whose effective policy changes with it."""
        errors = ViolationCollector()
        check_account_id(errors, "policy.account_id", patch.account_id)
        errors.raise_if_any()
        tenant, account = principal.tenant_id, patch.account_id

        def update(uow: DedupUnitOfWork) -> EffectivePolicy:
            uow.policies.lock_tenant(tenant)
            binding = uow.bindings.get(tenant, account)
            if binding is not None:
                raise AccountBound(account, binding.parent_account_id)
            own = uow.policies.get(tenant, account)
            old = effective_policy(account, own, None, None)
            rules, changed = apply_patch(old.rules, patch)
            if not changed:
                return old
            now = self._clock.now()
            new = EffectivePolicy(
                account_id=account, rules=rules, update_time=now, updated_by=principal.subject
            )
            uow.policies.put(
                tenant,
                StoredPolicy(account_id=account, rules=rules, update_time=now, updated_by=principal.subject),
            )
            change = PolicyChange(
                account_id=account,
                actor=principal.subject,
                change_time=now,
                changed_fields=changed,
                old=old,
                new=new,
                affected_account_ids=tuple(uow.bindings.children_of(tenant, account)),
            )
            _record_change(uow, tenant, change, first=own is None)
            return new

        return await self._tx.write(update)

    async def list_history(
        self, principal: Principal, account_id: str, page_size: int, page_token: str
    ) -> Page[HistoryEntry]:
        """Changes of an account's policy (updates, binds, unbinds), newest first."""
        errors = ViolationCollector()
        check_account_id(errors, "account_id", account_id)
        errors.raise_if_any()
        size = resolve_page_size(page_size)
        binding = filter_binding(principal.tenant_id, "history", account_id)
        cursor = read_cursor(self._tokens.decode(page_token, binding=binding), ("t", str), ("id", str))
        after = (datetime.fromisoformat(cursor[0]), cursor[1]) if cursor is not None else None
        rows = await self._tx.read(
            lambda uow: uow.history.list(principal.tenant_id, account_id, after, size + 1)
        )
        return next_page(
            rows, size, self._tokens, binding, lambda last: {"t": last.change_time.isoformat(), "id": last.id}
        )

    async def bind(self, principal: Principal, parent_id: str, child_id: str) -> Binding:
        """Bind a child to a parent: the child inherits the parent's policy (and key space under ACCOUNT_GROUP).

        The child's own policy row is left untouched, so unbinding restores it exactly. Binding the same pair
        again returns the existing binding; the child is the primary key of its binding."""
        errors = ViolationCollector()
        check_account_id(errors, "parent_account_id", parent_id)
        check_account_id(errors, "child_account_id", child_id)
        errors.raise_if_any()
        tenant = principal.tenant_id

        def bind(uow: DedupUnitOfWork) -> Binding:
            uow.policies.lock_tenant(tenant)
            child_binding = uow.bindings.get(tenant, child_id)
            if check_bind(
                parent_id,
                child_id,
                child_binding=child_binding,
                parent_binding=uow.bindings.get(tenant, parent_id),
                child_has_children=bool(uow.bindings.children_of(tenant, child_id)),
            ):
                assert child_binding is not None
                return child_binding
            old = effective_of(uow, tenant, child_id)
            now = self._clock.now()
            binding = Binding(
                parent_account_id=parent_id,
                child_account_id=child_id,
                bind_time=now,
                bound_by=principal.subject,
            )
            if not uow.bindings.insert(tenant, binding):
                raise TransientConflict()
            new = effective_of(uow, tenant, child_id)
            _record_change(uow, tenant, _change(child_id, principal, now, old, new))
            return binding

        return await self._tx.write(bind)

    async def unbind(self, principal: Principal, child_id: str) -> Binding:
        """Remove a child's binding; it gets back exactly its own pre-binding policy (or the default)."""
        errors = ViolationCollector()
        check_account_id(errors, "child_account_id", child_id)
        errors.raise_if_any()
        tenant = principal.tenant_id

        def unbind(uow: DedupUnitOfWork) -> Binding:
            uow.policies.lock_tenant(tenant)
            binding = uow.bindings.get(tenant, child_id)
            if binding is None:
                raise NotFound(
                    f"account {child_id} is not bound to a parent account",
                    reason="BINDING_NOT_FOUND",
                    metadata={"child_account_id": child_id},
                )
            old = effective_of(uow, tenant, child_id)
            uow.bindings.delete(tenant, child_id)
            new = effective_of(uow, tenant, child_id)
            _record_change(uow, tenant, _change(child_id, principal, self._clock.now(), old, new))
            return binding

        return await self._tx.write(unbind)

    async def list_bindings(
        self, principal: Principal, parent_id: str, page_size: int, page_token: str
    ) -> Page[Binding]:
        """Bindings ordered by parent then child account id."""
        errors = ViolationCollector()
        check_account_id(errors, "parent_account_id", parent_id, required=False)
        errors.raise_if_any()
        size = resolve_page_size(page_size)
        binding = filter_binding(principal.tenant_id, "bindings", parent_id)
        after = read_cursor(self._tokens.decode(page_token, binding=binding), ("p", str), ("c", str))
        rows = await self._tx.read(
            lambda uow: uow.bindings.list(principal.tenant_id, parent_id, after, size + 1)  # type: ignore[arg-type]
        )
        return next_page(
            rows,
            size,
            self._tokens,
            binding,
            lambda last: {"p": last.parent_account_id, "c": last.child_account_id},
        )


def _change(
    account: str, principal: Principal, now: datetime, old: EffectivePolicy, new: EffectivePolicy
) -> PolicyChange:
    return PolicyChange(
        account_id=account,
        actor=principal.subject,
        change_time=now,
        changed_fields=diff_effective(old, new),
        old=old,
        new=new,
    )


def _record_change(uow: DedupUnitOfWork, tenant: str, change: PolicyChange, *, first: bool = False) -> None:
    """The history entry and the event of one change, with ids ordered by the change time."""
    millis = int(change.change_time.timestamp() * 1000)
    uow.history.add(
        tenant,
        HistoryEntry(
            id=new_id(millis),
            account_id=change.account_id,
            actor=change.actor,
            change_time=change.change_time,
            changed_fields=change.changed_fields,
            old=None if first else change.old,
            new=change.new,
        ),
    )
    uow.events.add(PolicyChanged(tenant, change, new_id(millis)))
