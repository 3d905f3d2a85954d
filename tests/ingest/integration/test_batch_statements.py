"""BatchSubmitLeads runs a fixed number of statements per table, whatever the batch size: lookups with IN, the
dead-number check in one query, inserts as one multi-row statement or executemany, the outbox in one."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from services.common.auth import Principal, Role
from services.common.db import Database, is_sqlite
from services.common.migrations import upgrade
from services.ingest.adapters.db.tables import dead_numbers, leads, submissions
from services.ingest.bootstrap import MIGRATIONS_DIR
from services.ingest.domain.model import SubmitResult, Verdict
from services.ingest.handlers.submit import SubmitHandlers
from tests.ingest.fakes import FakeDedup
from tests.ingest.integration.test_submit_pipeline import _count, command, handlers_with

PRINCIPAL = Principal("t1", "svc", Role.SERVICE)
TABLE = re.compile(r"^\s*(?:INSERT INTO|UPDATE|DELETE FROM|SELECT .*?\sFROM)\s+\"?(\w+)", re.S | re.I)
DEAD = ["13900000001", "13900000002"]
_phones = iter(range(0, 10**7, 1000))


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    upgrade(MIGRATIONS_DIR, database_url)
    db = Database(database_url)
    with db.transaction() as session:
        for number in DEAD:
            session.execute(
                sa.insert(dead_numbers).values(
                    tenant_id="t1", phone=f"+86{number}", reason="empty", lead_id="", call_id="", create_us=0
                )
            )
    yield db
    db.dispose()


@contextmanager
def statements_per_table(database: Database) -> Iterator[Counter[str]]:
    counted: Counter[str] = Counter()

    def count(_conn, _cursor, statement: str, _params, _context, _executemany) -> None:  # type: ignore[no-untyped-def]
        match = TABLE.match(statement)
        if match:
            counted[match.group(1)] += 1

    # SQLite reads through an engine of their own; PostgreSQL's read engine shares the writer's listeners.
    engines = [database.engine, database._read_engine] if is_sqlite(database.url) else [database.engine]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", count)


def batch(size: int) -> list:  # type: ignore[type-arg]
    """``size`` submissions: new phones, two of them dead numbers, one with a collection account."""
    first = next(_phones)
    commands = [
        command(
            request_id=uuid.uuid4().hex, phone=f"138{first + n:08d}", external_id=f"x{uuid.uuid4().hex[:8]}"
        )
        for n in range(size - 2)
    ]
    commands[0] = command(
        request_id=uuid.uuid4().hex, phone=f"137{first:08d}", collect_account_id="collector"
    )
    return commands + [command(request_id=uuid.uuid4().hex, phone=number) for number in DEAD]


async def submit(handlers: SubmitHandlers, database: Database, size: int) -> Counter[str]:
    with statements_per_table(database) as counted:
        results = await handlers.submit_batch(PRINCIPAL, batch(size))
    assert all(isinstance(r, SubmitResult) for r in results)
    verdicts = Counter(r.verdict for r in results if isinstance(r, SubmitResult))
    assert verdicts == {Verdict.NEW: size - 2, Verdict.REJECTED: 2}
    return counted


async def test_a_batch_of_100_runs_as_many_statements_per_table_as_a_batch_of_10(database: Database) -> None:
    handlers = handlers_with(database, FakeDedup())
    await submit(handlers, database, 5)  # settings and blocklists cached, as on any later batch
    small = await submit(handlers, database, 10)
    large = await submit(handlers, database, 100)
    assert large == small, "statements must not grow with the batch"
    for table in ("submissions", "leads", "lead_accounts", "outbox", "dead_numbers"):
        assert 1 <= large[table] <= 3, (table, large)
    assert sum(large.values()) <= 20, large
    assert _count(database, submissions) == 5 + 10 + 100 and _count(database, leads) == 3 + 8 + 98
