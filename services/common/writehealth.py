"""Whether the service's database takes writes: a probe every ``interval`` seconds, reported as the gauge
``leadflow_db_writable`` (1/0) and as the gRPC health of ``<service name>/writes``.

A database that stays unwritable for ``unwritable_after`` seconds (an outside writer holding SQLite's lock, a
PostgreSQL primary gone read-only) turns ``/writes`` NOT_SERVING, so an SRE's probe and alert see it while reads go
on being served (the service's own health stays SERVING); the first write that succeeds turns it back to SERVING.

The probe is the cheapest write transaction there is: on SQLite ``BEGIN IMMEDIATE`` (which takes the write lock)
then commit; on PostgreSQL a transaction that asks whether the server is a read-only replica.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa
from grpc_health.v1 import health_pb2

from services.common import dberrors
from services.common.db import Database
from services.common.errors import DomainError
from services.common.messaging.waiting import wait_for_any
from services.common.metrics import DB_WRITABLE

log = logging.getLogger(__name__)

PROBE_TIMEOUT_MS = 1000

SetHealth = Callable[[str, int], Awaitable[None]]


def writes_health_name(service_name: str) -> str:
    return f"{service_name}/writes"


class WriteHealth:
    def __init__(
        self,
        database: Database,
        service: str,
        names: list[str],
        set_health: SetHealth,
        *,
        interval: float = 2.0,
        unwritable_after: float = 5.0,
    ) -> None:
        self._db = database
        self._names = [writes_health_name(name) for name in names]
        self._set_health = set_health
        self._interval = interval
        self._unwritable_after = unwritable_after
        self._failing_since: float | None = None
        self._last_check = 0.0
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="db-write-probe")
        self._service = service
        self.serving = True

    def _probe(self) -> None:
        with dberrors.translated(), self._db.probe_transaction(PROBE_TIMEOUT_MS) as session:
            if (
                self._db.dialect == "postgresql"
                and session.execute(sa.text("SELECT pg_is_in_recovery()")).scalar()
            ):
                raise DomainError("the PostgreSQL server is a read-only replica", reason="DATABASE_READ_ONLY")

    async def check_once(self) -> bool:
        """Probe and report; True when the database took the probe write, or a write of this process committed
        since the last check (a service saturating SQLite with its own writes hands the lock from writer to writer,
        and a probe outside that queue could lose every race for it: a false NOT_SERVING at full load)."""
        began, committed_since = time.monotonic(), self._db.last_commit >= self._last_check > 0
        self._last_check = began
        try:
            if not committed_since:
                # A thread of its own: the probe measures the database, not how busy the write threads are.
                await asyncio.get_running_loop().run_in_executor(self._thread, self._probe)
        except (DomainError, sa.exc.SQLAlchemyError) as exc:
            now = time.monotonic()
            self._failing_since = self._failing_since or now
            if self.serving and now - self._failing_since >= self._unwritable_after:
                log.error(
                    "the database takes no writes",
                    extra={"reason": getattr(exc, "reason", type(exc).__name__)},
                )
                await self._report(False)
            return False
        self._failing_since = None
        if not self.serving:
            log.info("the database takes writes again")
        await self._report(True)
        return True

    async def _report(self, serving: bool) -> None:
        self.serving = serving
        DB_WRITABLE.labels(service=self._service).set(1 if serving else 0)
        status = (
            health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        )
        for name in self._names:
            await self._set_health(name, status)

    async def run(self, stop: asyncio.Event) -> None:
        await self._report(True)
        try:
            while not stop.is_set():
                await wait_for_any(stop, timeout=self._interval)
                if not stop.is_set():
                    await self.check_once()
        finally:
            self._thread.shutdown(wait=False)
