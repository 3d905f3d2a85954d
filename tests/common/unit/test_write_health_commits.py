"""The write-health probe takes this process's own committed writes as proof that the database takes writes: a
service saturating SQLite with its own writers hands the lock from writer to writer, and the probe, outside that
queue, could lose every race for it and report NOT_SERVING at full load (seen in bench.dedup_claims at 10^6 keys)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
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


def test_a_write_transaction_takes_the_lock_at_once_and_only_a_commit_counts(tmp_path) -> None:
    """A write block holds SQLite's lock from its start, even when it runs no statement, so its commit proves the
    database takes writes; one refused the lock (an outside writer holds it) commits nothing and counts nothing."""
    import sqlite3

    from services.common.db import Database

    path = tmp_path / "commits.db"
    database = Database(f"sqlite:///{path}", busy_timeout_ms=100)
    outside = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        outside.execute("BEGIN EXCLUSIVE")
        with pytest.raises(sa.exc.OperationalError), database.transaction():
            pass
        assert database.last_commit == 0.0
        outside.execute("ROLLBACK")
        with database.transaction():
            pass
        assert database.last_commit > 0.0
    finally:
        outside.close()
        database.dispose()
