"""The transaction's scratch dict and after-commit callbacks (services.common.db): a memo lives exactly as long as
its transaction, although the pooled connection that carries it lives on; callbacks run after a commit only."""

from __future__ import annotations

import pytest

from services.common.db import Database, after_commit, transaction_scratch


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
