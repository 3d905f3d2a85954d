"""The transaction's scratch dict and its hooks (services.common.txhooks, run by services.common.db): a memo lives
exactly as long as its transaction, although the pooled connection that carries it lives on; after-commit callbacks
run after a commit only, before-commit callbacks inside the transaction, last, and never on a rollback."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from services.common.db import Database, after_commit, transaction_scratch
from services.common.txhooks import before_commit


@pytest.fixture
def database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'scratch.db'}")
    yield db
    db.dispose()


def test_a_memo_is_not_served_to_the_next_transaction_on_the_same_connection(database: Database) -> None:
    with database.transaction() as first:
        transaction_scratch(first)["rule"] = "read in the first transaction"
        assert transaction_scratch(first)["rule"] == "read in the first transaction"
        raw = first.connection.dbapi_connection
    with database.transaction() as second:
        assert second.connection.dbapi_connection is raw  # the pool handed the same connection back
        assert "rule" not in transaction_scratch(second)
    with database.read() as read:
        assert transaction_scratch(read) == {}


def test_after_commit_runs_once_committed_and_never_on_rollback(database: Database) -> None:
    ran: list[str] = []
    with database.transaction() as connection:
        after_commit(connection, lambda: ran.append("committed"))
        assert ran == []  # not before the commit
    assert ran == ["committed"]
    with pytest.raises(RuntimeError), database.transaction() as connection:
        after_commit(connection, lambda: ran.append("rolled back"))
        raise RuntimeError("the block failed")
    with database.transaction():
        pass  # a later transaction on the same connection does not run the failed one's callback
    assert ran == ["committed"]


def test_before_commit_runs_last_inside_the_transaction_and_never_on_rollback(database: Database) -> None:
    with database.transaction() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (note TEXT)")
    ran: list[str] = []

    def note(text: str, connection: sa.Connection) -> None:
        connection.exec_driver_sql(
            "INSERT INTO notes VALUES (?)", (text,)
        )  # in the transaction: committed with it
        ran.append(text)

    with database.transaction() as connection:
        before_commit(connection, lambda: note("first", connection))
        # A callback may add another: it runs too, after the first.
        before_commit(
            connection, lambda: before_commit(connection, lambda: note("added by a callback", connection))
        )
        connection.exec_driver_sql("INSERT INTO notes VALUES ('the block')")
        assert ran == []  # not before the block ends
    assert ran == ["first", "added by a callback"]
    with pytest.raises(RuntimeError, match="the block failed"), database.transaction() as connection:
        before_commit(connection, lambda: note("rolled back", connection))
        raise RuntimeError("the block failed")
    with database.read() as read:
        notes = [row[0] for row in read.exec_driver_sql("SELECT note FROM notes ORDER BY rowid")]
    assert notes == ["the block", "first", "added by a callback"]


def test_before_commit_refuses_a_transaction_that_would_never_run_it(database: Database) -> None:
    with database.engine.begin() as connection, pytest.raises(RuntimeError, match="Database.transaction"):
        before_commit(connection, lambda: None)
