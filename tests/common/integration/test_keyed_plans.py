"""On PostgreSQL a lookup by a list of keys probes its index key by key even when the statistics say the tenant is
small (``services.common.keyed``): a table never analyzed since it was empty, as a fresh database or a server with
autovacuum off has. The plain ``tenant_id = :t AND key IN (...)`` is planned there as a read of every row of the
tenant (a bitmap scan on the index's tenant prefix), so its cost grows with the tenant, not with the list.

Each lookup runs through its repository against never-analyzed tables holding 5,000 rows of one tenant; the
statement it sent is then run under ``EXPLAIN (ANALYZE, FORMAT JSON)``, and the rows its plan read from the table
(rows returned plus rows filtered out, over every loop) must stay within the number of keys asked for."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from services.common.db import Database
from services.common.keyed import rows_by_keys
from services.dedup.adapters.db.keys import SqlKeys
from services.dedup.adapters.db.requests import SqlRequests
from services.dedup.adapters.db.tables import dedup_keys, dedup_requests
from services.dedup.domain.model import Dimension, KeyOrigin
from services.dedup.domain.ports import AnsweredRequest, KeyRef, NewKey
from services.ingest.adapters.db.rules import SqlRules
from services.ingest.adapters.db.tables import dead_numbers
from tests.harness import fresh_postgres_database

pytestmark = pytest.mark.postgres

TENANT = "t"
STORED = 5000
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ASKED = 100


@pytest.fixture(scope="module")
def database() -> Iterator[Database]:
    url, drop = fresh_postgres_database("lf_plans")
    db = Database(url)
    dedup_keys.metadata.create_all(db.engine, tables=[dedup_keys, dedup_requests])
    dead_numbers.metadata.create_all(db.engine, tables=[dead_numbers])
    with db.transaction() as connection:
        SqlKeys(connection).insert_new(
            TENANT, [NewKey(_ref(n), f"lead-{n}", NOW, "acct", KeyOrigin(1)) for n in range(STORED)]
        )
        SqlRequests(connection).insert_answered(
            TENANT,
            [AnsweredRequest("claim", f"r{n}", f"c{n}", bytes(32), {}, NOW) for n in range(STORED)],
        )
        connection.execute(
            sa.insert(dead_numbers),
            [
                {"tenant_id": TENANT, "phone": f"+86139{n:08d}", "reason": "EMPTY_NUMBER", "create_us": 0}
                for n in range(STORED)
            ],
        )
    try:
        yield db
    finally:
        db.dispose()
        drop()


def _ref(n: int) -> KeyRef:
    return KeyRef(f"scope-{n % 3}", Dimension(1 + n % 2), hashlib.sha256(str(n).encode()).digest())


class Sent:
    """The SELECTs this process sent meanwhile, with their parameters."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> Sent:
        sa.event.listen(sa.Engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_: object) -> None:
        sa.event.remove(sa.Engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            self.statements.append((statement, parameters))


def _rows_read(node: dict[str, Any]) -> int:
    """Rows the plan's scans read: returned or filtered out, times their loops, over the whole tree."""
    own = 0
    if "Scan" in node["Node Type"] and node["Node Type"] not in ("Function Scan", "Values Scan"):
        kept = node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)
        own = (kept + node.get("Rows Removed by Index Recheck", 0)) * node.get("Actual Loops", 1)
    return own + sum(_rows_read(child) for child in node.get("Plans", []))


def _read_by(database: Database, sent: Sent) -> list[int]:
    read = []
    raw = database.engine.raw_connection()
    try:
        for statement, parameters in sent.statements:
            cursor = raw.cursor()
            cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", parameters)
            read.append(_rows_read(cursor.fetchone()[0][0]["Plan"]))
        raw.rollback()
    finally:
        raw.close()
    return read


def test_the_tables_are_never_analyzed_so_a_plain_key_list_reads_the_whole_tenant(database: Database) -> None:
    # The premise: under these statistics the plain IN list reads the tenant (this is the fault being avoided).
    r = dedup_requests.c
    plain = sa.select(r.request_id).where(
        r.tenant_id == TENANT, r.request_id.in_([f"r{n}" for n in range(ASKED)])
    )
    with Sent() as sent, database.read() as connection:
        assert len(connection.execute(plain).all()) == ASKED
    assert _read_by(database, sent) and all(read >= STORED for read in _read_by(database, sent))


def test_rows_by_keys_probes_key_by_key(database: Database) -> None:
    r = dedup_requests.c
    statement = rows_by_keys("postgresql", [r.request_id, r.candidate_lead_id], r.tenant_id, r.request_id)
    asked = [f"r{n}" for n in range(0, 2 * ASKED, 2)] + ["missing"]
    with Sent() as sent, database.read() as connection:
        found = {
            row.request_id: row.candidate_lead_id
            for row in connection.execute(statement, {"tenant": TENANT, "keys": asked})
        }
    assert found == {f"r{n}": f"c{n}" for n in range(0, 2 * ASKED, 2)}
    assert all(read <= len(asked) for read in _read_by(database, sent))


def test_dedup_request_lookup_probes_key_by_key(database: Database) -> None:
    with Sent() as sent, database.read() as connection:
        taken = SqlRequests(connection).taken(
            TENANT, [f"r{n}" for n in range(ASKED)], [f"c{n}" for n in range(ASKED, 2 * ASKED)]
        )
    # Each row found by either list answers with both of its ids.
    assert taken == ({f"r{n}" for n in range(2 * ASKED)}, {f"c{n}" for n in range(2 * ASKED)})
    assert all(read <= 2 * ASKED for read in _read_by(database, sent))


def test_dedup_key_lookup_probes_key_by_key(database: Database) -> None:
    wanted = [_ref(n) for n in range(0, 2 * ASKED, 2)]
    with Sent() as sent, database.read() as connection:
        found = SqlKeys(connection).existing(TENANT, wanted)
    assert found == set(wanted)
    assert all(read <= ASKED for read in _read_by(database, sent))


def test_dead_number_lookup_probes_key_by_key(database: Database) -> None:
    asked = {f"+86139{n:08d}" for n in range(ASKED)} | {"+8613700000000"}
    with Sent() as sent, database.read() as connection:
        dead = SqlRules(connection).dead_phones(TENANT, asked)
    assert dead == asked - {"+8613700000000"}
    assert all(read <= len(asked) for read in _read_by(database, sent))
