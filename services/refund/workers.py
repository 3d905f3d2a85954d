"""Refund's timers and background loops.

- Timers (``services.common.timerworker`` fires them exactly once, in a transaction with their handler):
  ``refund.case`` at each case's next change time (the 24 h reach window closing, the settling period ending, the
  7-day claim window closing) evaluates the case's lead, which pays or closes what settled;
  ``refund.rules_changed`` re-evaluates an account's open cases after its rules changed, a batch at a time.
- The ledger check: every ``interval`` seconds, debits minus credits per currency over the whole ledger into
  ``leadflow_refund_ledger_imbalance_fen{currency}`` (0 when balanced), read as a running sum
  (``handlers.ledger_check``).
"""

from __future__ import annotations

import asyncio
import logging

import sqlalchemy as sa

from services.common.errors import DomainError
from services.common.messaging.waiting import wait_for_any
from services.common.runtime import BackgroundTask
from services.common.timers import Timer
from services.common.timerworker import TimerSet, TimerSpec
from services.refund import metrics
from services.refund.domain.ports import CASE_TIMER, RULES_TIMER, RefundUnitOfWork
from services.refund.handlers.cases import CaseHandlers
from services.refund.handlers.ledger_check import LedgerCheck
from services.refund.handlers.rules import RulesHandlers

log = logging.getLogger("leadflow.refund")


def timer_set(table: sa.Table, cases: CaseHandlers, rules: RulesHandlers) -> TimerSet:
    def on_case(uow: RefundUnitOfWork, timer: Timer) -> None:
        metrics.count_refresh(cases.on_case_timer(uow, timer))

    def on_rules_changed(uow: RefundUnitOfWork, timer: Timer) -> None:
        metrics.count_refresh(rules.on_rules_timer(uow, timer))

    return TimerSet(
        table,
        (
            # A case timer evaluates its lead under the lead's lock: rounds fire them in lead order, as the
            # consumers apply their batches (services.common.events.lead_key's order).
            TimerSpec(CASE_TIMER, on_case, order_key=case_lead_key),
            TimerSpec(RULES_TIMER, on_rules_changed),
        ),
    )


def case_lead_key(timer: Timer) -> str:
    """The lead a case timer evaluates, in ``services.common.events.lead_key``'s form ("<tenant>\\x00<lead>")."""
    return f"{timer.tenant_id}\x00{timer.payload['lead_id']}"


def ledger_check(ledger: LedgerCheck, interval: float) -> BackgroundTask:
    async def check_ledger(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                metrics.set_imbalance(await ledger.imbalance())
            except DomainError as exc:  # the database is unavailable: the gauge keeps its last value
                log.warning("ledger check: %s", exc.reason)
            await wait_for_any(stop, timeout=interval)

    return check_ledger


def background_tasks(ledger: LedgerCheck, interval: float) -> list[BackgroundTask]:
    return [ledger_check(ledger, interval)]
