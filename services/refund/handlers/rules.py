"""Rule use cases: read an account's refund rules (defaults for fields never set), change them by field mask, and
re-evaluate the account's open cases under the new rules.

A change may move decisions and timers (a shorter settling period pays sooner, a shorter reach window closes
sooner), so it schedules a ``RULES_TIMER`` due at once; its handler re-evaluates the account's open cases a batch
per transaction (``REEVALUATION_BATCH``), each batch scheduling the next, so no transaction grows with the account.
"""

from __future__ import annotations

from datetime import datetime

from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import ViolationCollector
from services.common.timers import Timer
from services.common.uow import Transactions
from services.common.validation import check_account_id
from services.refund.domain.ports import RULES_TIMER, RefundUnitOfWork
from services.refund.domain.rules import RulesPatch, StoredRules, apply_rules_patch
from services.refund.handlers.decisions import Refresh, refresh

REEVALUATION_BATCH = 200


def rules_timer(tenant: str, account_id: str, after_case_id: str, due: datetime) -> Timer:
    """The timer that re-evaluates the account's open cases after ``after_case_id`` ("" for the first batch); its
    key names the batch, so a batch scheduling the next never moves its own row."""
    return Timer(
        RULES_TIMER,
        f"{tenant}/{account_id}/{after_case_id}",
        tenant,
        due,
        {"account_id": account_id, "after": after_case_id},
    )


class RulesHandlers:
    def __init__(self, transactions: Transactions[RefundUnitOfWork], clock: Clock) -> None:
        self._tx = transactions
        self._clock = clock

    async def get_rules(self, principal: Principal, account_id: str) -> StoredRules:
        """The account's rules; an account that never changed them gets the defaults (``update_time`` None)."""
        errors = ViolationCollector()
        check_account_id(errors, "account_id", account_id)
        errors.raise_if_any()
        tenant = principal.tenant_id
        stored = await self._tx.read(lambda uow: uow.rules.get(tenant, account_id))
        return stored or StoredRules(account_id)

    async def update_rules(self, principal: Principal, patch: RulesPatch) -> StoredRules:
        """Apply ``patch`` (see ``rules.apply_rules_patch``; InvalidArgument names every bad field and nothing is
        changed). An update that changes no effective value stores nothing and schedules nothing."""
        errors = ViolationCollector()
        check_account_id(errors, "rules.account_id", patch.account_id)
        errors.raise_if_any()
        tenant, account = principal.tenant_id, patch.account_id

        def update(uow: RefundUnitOfWork) -> StoredRules:
            current = uow.rules.get(tenant, account) or StoredRules(account)
            overrides, changed = apply_rules_patch(current, patch)
            if not changed and dict(overrides) == dict(current.overrides):
                return current
            now = self._clock.now()
            stored = StoredRules(account, overrides, now, principal.subject)
            uow.rules.put(tenant, stored)
            if changed:
                uow.timers.schedule(rules_timer(tenant, account, "", now))
            return stored

        return await self._tx.write(update)

    def on_rules_timer(self, uow: RefundUnitOfWork, timer: Timer) -> Refresh:
        """Re-evaluate one batch of the account's open cases (each of their leads) and schedule the next batch."""
        tenant, account = timer.tenant_id, str(timer.payload["account_id"])
        after = str(timer.payload.get("after", ""))
        now = self._clock.now()
        batch = uow.cases.open_of_account(tenant, account, after, REEVALUATION_BATCH)
        result = Refresh()
        for lead_id in dict.fromkeys(stored.case.lead_id for stored in batch):
            result.add(refresh(uow, tenant, lead_id, now))
        if len(batch) == REEVALUATION_BATCH:
            uow.timers.schedule(rules_timer(tenant, account, batch[-1].case.case_id, now))
        return result
