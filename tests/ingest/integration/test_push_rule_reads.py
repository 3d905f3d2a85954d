"""A push rule is read once per transaction (a consumer batch schedules many leads of the same few accounts), and a
rule written in that transaction is what its later reads see."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from services.common.db import Database
from services.common.migrations import upgrade
from services.ingest.adapters.db.push import SqlPush
from services.ingest.adapters.db.tables import push
from services.ingest.bootstrap import MIGRATIONS_DIR
from services.ingest.domain.push import PushRule

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def database(database_url: str):  # type: ignore[no-untyped-def]
    upgrade(MIGRATIONS_DIR, database_url)
    db = Database(database_url)
    yield db
    db.dispose()


def rule_reads(database: Database) -> list[str]:
    reads: list[str] = []
    table = push.rules.name

    def listener(_conn, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and f"FROM {table}" in statement:
            reads.append(statement)

    sa.event.listen(database.engine, "before_cursor_execute", listener)
    return reads


def test_a_rule_is_read_once_per_transaction_and_a_write_is_seen_by_later_reads(database: Database) -> None:
    reads = rule_reads(database)
    with database.transaction() as session:
        rules = SqlPush(session)
        assert rules.get_rule("t1", "a1") is None
        assert SqlPush(session).get_rule("t1", "a1") is None  # another repository on the same transaction
        assert len(reads) == 1
        rules.upsert_rule(PushRule("t1", "a1", "https://crm.example.com/h", True, (), "s" * 32, T0))
        stored = SqlPush(session).get_rule("t1", "a1")
        assert stored is not None and stored.endpoint_url == "https://crm.example.com/h"
        assert len(reads) == 2
    with database.transaction() as session:
        assert SqlPush(session).get_rule("t1", "a1") is not None
        assert len(reads) == 3  # a new transaction reads again
        SqlPush(session).get_rule("t1", "a1", for_update=True)
        assert len(reads) == 4  # a locking read always goes to the database
