"""leadflow_db_statements_total and leadflow_db_transactions_total count what a Database sends, once each, without
the control statements every transaction begins with."""

from __future__ import annotations

from pathlib import Path

from prometheus_client import REGISTRY
from sqlalchemy import text

from services.common.db import Database


def _counts() -> tuple[float, float]:
    statements = REGISTRY.get_sample_value("leadflow_db_statements_total")
    transactions = REGISTRY.get_sample_value("leadflow_db_transactions_total")
    assert statements is not None and transactions is not None, "not registered"
    return statements, transactions


def test_statements_and_transactions_are_counted_once(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'stats.db'}")
    try:
        with database.transaction() as session:
            session.execute(text("CREATE TABLE t (x INTEGER)"))
        statements, transactions = _counts()
        with database.transaction() as session:  # BEGIN IMMEDIATE and PRAGMA busy_timeout are not counted
            session.execute(text("INSERT INTO t (x) VALUES (:x)"), [{"x": 1}, {"x": 2}, {"x": 3}])
            session.execute(text("SELECT count(*) FROM t"))
        with database.read() as session:  # the read engine is counted too
            assert session.execute(text("SELECT count(*) FROM t")).scalar() == 3
        after_statements, after_transactions = _counts()
        assert after_statements - statements == 3  # the executemany is one statement
        assert after_transactions - transactions == 2
    finally:
        database.dispose()
