"""The write-health probe takes this process's own committed writes as proof that the database takes writes: a
service saturating SQLite with its own writers hands the lock from writer to writer, and the probe, outside that
queue, could lose every race for it and report NOT_SERVING at full load (seen in bench.dedup_claims at 10^6 keys)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from services.common.errors import Unavailable
from services.common.writehealth import WriteHealth


class LockedDatabase:
    """A database whose probe always finds the lock taken; ``last_commit`` says when this process last committed."""

    dialect = "sqlite"

    def __init__(self) -> None:
        self.last_commit = 0.0
        self.probes = 0

    @contextmanager
    def probe_transaction(self, timeout_ms: int) -> Iterator[None]:
        self.probes += 1
        raise Unavailable("the database is busy; retry later", reason="DATABASE_BUSY")
        yield  # pragma: no cover


def test_a_commit_since_the_last_check_counts_as_writable_and_no_commit_means_a_probe() -> None:
    async def scenario() -> list[tuple[bool, int]]:
        database = LockedDatabase()
        statuses: list[int] = []

        async def set_health(_name: str, status: int) -> None:
            statuses.append(status)

        health = WriteHealth(database, "ingest", ["svc"], set_health, unwritable_after=0.0)  # type: ignore[arg-type]
        seen = [(await health.check_once(), database.probes)]  # the first check always probes: locked
        database.last_commit = time.monotonic()  # a write of this process committed since that check
        seen.append((await health.check_once(), database.probes))  # no probe needed: writable
        seen.append((await health.check_once(), database.probes))  # no commit since: probe, locked again
        return seen

    assert asyncio.run(scenario()) == [(False, 1), (True, 1), (False, 2)]


def test_only_a_transaction_that_took_the_lock_counts_as_a_commit(tmp_path) -> None:
    """A write block that never used its connection began no database transaction: its "commit" proves nothing
    about the lock (an outside writer may hold it), so it must not stand in for the probe."""
    from services.common.db import Database

    database = Database(f"sqlite:///{tmp_path / 'commits.db'}")
    try:
        with database.transaction():
            pass
        assert database.last_commit == 0.0
        with database.transaction() as session:
            session.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        first = database.last_commit
        assert first > 0.0
        with database.transaction():
            pass
        assert database.last_commit == first
    finally:
        database.dispose()
