"""Telephony's background work and timers.

Timers (rows fired exactly once by the runtime, ``services.common.timers``):
- ``binding.expire`` at a binding's expire time: the binding stops holding a place on its number;
- ``number.rest_end`` at the end of a quarantine or cooling: the number is ACTIVE again.

Background tasks:
- the simulated carrier's delivery loop (reports due on the service clock go to ReportCallEvent's handler);
- the pool gauges (``leadflow_telephony_numbers``, ``leadflow_telephony_bindings_active``), refreshed periodically;
- the unbinder: bindings released here that the carrier may still hold (an erased lead's) are unbound at the carrier
  (``BindingHandlers.unbind_pending``), every few seconds;
- the receipt endpoint, when configured: ``POST /aliyun/secret-report`` takes Aliyun's SecretReport HTTP batch push
  (a JSON array of records), checks the shared secret (``?token=`` or ``X-Leadflow-Token``, compared in constant
  time), and applies every record through ReportCallEvent's handler. It answers ``{"code": 0, "msg": "成功"}`` as
  the push protocol expects once every record is applied (a record of a binding leadflow does not have is logged
  and acknowledged: a retry would not find it either); 503 when the database is unavailable, so Aliyun pushes again;
  400 naming the malformed records; 401 for a wrong secret.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from services.common.clock import Clock
from services.common.errors import Aborted, InvalidArgument, NotFound, Unavailable
from services.common.messaging.waiting import wait_for_any
from services.common.runtime import BackgroundTask
from services.common.timerworker import TimerSpec
from services.telephony import metrics
from services.telephony.converters.aliyun_receipts import receipt
from services.telephony.domain.commands import CallEventReport
from services.telephony.handlers.bindings import BindingHandlers
from services.telephony.handlers.call_events import ReportResult
from services.telephony.handlers.calls import BINDING_EXPIRY
from services.telephony.handlers.completion import REST_END
from services.telephony.handlers.numbers import NumberHandlers
from services.telephony.handlers.pool import PoolGauges

log = logging.getLogger("leadflow.telephony.receipts")

SECRET_REPORT_PATH = "/aliyun/secret-report"
TOKEN_HEADER = "X-Leadflow-Token"
MAX_BODY_BYTES = 4 * 1024 * 1024
GAUGE_INTERVAL_SECONDS = 15.0
UNBIND_INTERVAL_SECONDS = 2.0


def timer_specs(bindings: BindingHandlers, numbers: NumberHandlers) -> tuple[TimerSpec, ...]:
    return (TimerSpec(BINDING_EXPIRY, bindings.expire), TimerSpec(REST_END, numbers.end_rest))


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


Report = Callable[[CallEventReport], Awaitable[ReportResult]]


class ReceiptServer:
    """The HTTP endpoint of carrier receipts (see the module docstring)."""

    def __init__(self, host: str, port: int, token: str, report: Report, clock: Clock) -> None:
        self._host, self._port = host, port
        self._token = token.encode()
        self._report = report
        self._clock = clock
        self.port = 0

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post(SECRET_REPORT_PATH, self.secret_report)
        return app

    async def run(self, stop: asyncio.Event) -> None:
        runner = web.AppRunner(self.app(), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._port)
        await site.start()
        server = site._server  # noqa: SLF001 - aiohttp exposes the bound port only there
        sockets = getattr(server, "sockets", None) or []
        self.port = sockets[0].getsockname()[1] if sockets else self._port
        log.info("receipt endpoint listening", extra={"port": self.port})
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    def _authorised(self, request: web.Request) -> bool:
        given = request.query.get("token") or request.headers.get(TOKEN_HEADER) or ""
        return bool(self._token) and hmac.compare_digest(given.encode(), self._token)

    async def secret_report(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _answer(401, 401, "unauthorized")
        try:
            records = json.loads(await request.read())
        except ValueError:
            return _answer(400, 400, "the body is not JSON")
        if isinstance(records, dict):
            records = [records]
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            return _answer(400, 400, "the body must be a JSON array of records")
        now = self._clock.now()
        problems: list[str] = []
        for index, record in enumerate(records):
            try:
                result = await self._report(receipt(record, index, now))
            except InvalidArgument as error:
                problems.extend(f"{v.field}: {v.description}" for v in error.violations)
            except NotFound as error:
                log.warning("receipt for a call leadflow does not know", extra={"reason": error.reason})
            except (Unavailable, Aborted) as error:
                log.warning("receipt not applied, the carrier will push it again: %s", error.reason)
                return _answer(503, 503, "temporarily unavailable")
            else:
                metrics.count_completed(result.announced)
        if problems:
            return _answer(400, 400, "; ".join(problems))
        return _answer(200, 0, "成功")


def _answer(status: int, code: int, message: str) -> web.Response:
    body: dict[str, Any] = {"code": code, "msg": message}
    return web.json_response(body, status=status, dumps=lambda data: json.dumps(data, ensure_ascii=False))
