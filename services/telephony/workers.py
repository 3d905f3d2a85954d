"""Telephony's background work and timers.

Timers (rows fired exactly once by the runtime, ``services.common.timers``):
- ``binding.expire`` at a binding's expire time: the binding stops holding a place on its number;
- ``number.rest_end`` at the end of a quarantine or cooling: the number is ACTIVE again;
- ``call.start_check`` a minute after a StartCall that needed a new binding: the call is removed if the carrier's
  binding was never confirmed (its StartCall died; ``handlers.calls``, step 8).

Background tasks:
- the simulated carrier's delivery loop (reports due on the service clock go to ReportCallEvent's handler);
- the pool gauges (``leadflow_telephony_numbers``, ``leadflow_telephony_bindings_active``), refreshed periodically;
- the unbinder: bindings released here that the carrier may still hold (an erased lead's) are unbound at the carrier
  (``BindingHandlers.unbind_pending``), every few seconds;
- the receipt endpoint, when configured (``receipts.ReceiptServer``, imported only then: aiohttp's web server).
"""

from __future__ import annotations

import asyncio
import logging

from services.common.errors import Aborted, Unavailable
from services.common.messaging.waiting import wait_for_any
from services.common.runtime import BackgroundTask
from services.common.timerworker import TimerSpec
from services.telephony import metrics
from services.telephony.handlers.bindings import BindingHandlers
from services.telephony.handlers.calls import BINDING_EXPIRY, START_CHECK, give_up_unconfirmed_start
from services.telephony.handlers.completion import REST_END
from services.telephony.handlers.numbers import NumberHandlers
from services.telephony.handlers.pool import PoolGauges

log = logging.getLogger("leadflow.telephony.receipts")

GAUGE_INTERVAL_SECONDS = 15.0
UNBIND_INTERVAL_SECONDS = 2.0


def timer_specs(bindings: BindingHandlers, numbers: NumberHandlers) -> tuple[TimerSpec, ...]:
    return (
        TimerSpec(BINDING_EXPIRY, bindings.expire),
        TimerSpec(REST_END, numbers.end_rest),
        TimerSpec(START_CHECK, give_up_unconfirmed_start),
    )


def gauge_task(gauges: PoolGauges, interval: float = GAUGE_INTERVAL_SECONDS) -> BackgroundTask:
    async def refresh_pool_gauges(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                counts, bindings = await gauges.read()
                metrics.set_pool(counts, bindings)
            except (Unavailable, Aborted) as error:
                log.warning("pool gauges not refreshed: %s", error.reason)
            await wait_for_any(stop, timeout=interval)

    return refresh_pool_gauges


def unbind_task(bindings: BindingHandlers, interval: float = UNBIND_INTERVAL_SECONDS) -> BackgroundTask:
    async def unbind_released_bindings(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                while await bindings.unbind_pending() and not stop.is_set():
                    pass  # a full batch may mean more: go on at once
            except (Unavailable, Aborted) as error:
                log.warning("released bindings not unbound at the carrier yet: %s", error.reason)
            await wait_for_any(stop, timeout=interval)

    return unbind_released_bindings
