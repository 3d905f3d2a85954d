"""Telephony's carrier receipt endpoint: ``POST /aliyun/secret-report`` takes Aliyun's SecretReport HTTP batch push
(a JSON array of records), checks the shared secret (``?token=`` or ``X-Leadflow-Token``, compared in constant
time), and applies every record through ReportCallEvent's handler. It answers ``{"code": 0, "msg": "成功"}`` as the
push protocol expects once every record is applied (a record of a binding leadflow does not have is logged and
acknowledged: a retry would not find it either); 503 when the database is unavailable, so Aliyun pushes again; 400
naming the malformed records; 401 for a wrong secret.

Imported by the bootstrap only when the endpoint is configured: aiohttp's web server is a few MB of RSS.
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
from services.telephony import metrics
from services.telephony.converters.aliyun_receipts import receipt
from services.telephony.domain.commands import CallEventReport
from services.telephony.handlers.call_events import ReportResult

log = logging.getLogger("leadflow.telephony.receipts")

SECRET_REPORT_PATH = "/aliyun/secret-report"
TOKEN_HEADER = "X-Leadflow-Token"
MAX_BODY_BYTES = 4 * 1024 * 1024


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
