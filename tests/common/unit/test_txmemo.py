"""TransactionMemo (services.common.txmemo) on a real SQLite file: a row is read once per transaction, a later
transaction reads it again, and once the transaction writes rows of the kind the memo is off, even when the write
was in a SAVEPOINT that rolled back."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from services.common.db import Database
from services.common.txmemo import TransactionMemo

MEMO: TransactionMemo[str | None] = TransactionMemo("test.names")


@pytest.fixture
def database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'memo.db'}")
    with db.transaction() as connection:
        connection.exec_driver_sql("CREATE TABLE names (id TEXT PRIMARY KEY, name TEXT)")
        connection.exec_driver_sql("INSERT INTO names VALUES ('a', 'first')")
    yield db
    db.dispose()


class Reader:
    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.loads = 0

    def name(self, key: str) -> str | None:
        def load() -> str | None:
            self.loads += 1
            return self.connection.exec_driver_sql("SELECT name FROM names WHERE id = ?", (key,)).scalar()

        return MEMO.get(self.connection, key, load)

    def rename(self, key: str, name: str) -> None:
        MEMO.written(self.connection)
        self.connection.exec_driver_sql("UPDATE names SET name = ? WHERE id = ?", (name, key))


def test_a_row_is_read_once_per_transaction_and_again_in_the_next(database: Database) -> None:
    with database.transaction() as connection:
        reader = Reader(connection)
        assert [reader.name("a"), reader.name("a"), reader.name("missing"), reader.name("missing")] == [
            "first",
            "first",
            None,
            None,
        ]
        assert reader.loads == 2  # a missing row is remembered as missing too
    with database.transaction() as connection:
        connection.exec_driver_sql(
            "UPDATE names SET name = 'second' WHERE id = 'a'"
        )  # another writer's commit
    with database.transaction() as connection:
        reader = Reader(connection)
        assert reader.name("a") == "second"
        assert reader.loads == 1


def test_after_a_write_the_memo_is_off_even_when_the_savepoint_rolls_back(database: Database) -> None:
    with database.transaction() as connection:
        reader = Reader(connection)
        assert reader.name("a") == "first"
        with pytest.raises(RuntimeError), connection.begin_nested():
            reader.rename("a", "rolled back")
            assert reader.name("a") == "rolled back"  # this transaction's own write, read from the database
            raise RuntimeError("the event failed: its savepoint rolls back")
        assert reader.name("a") == "first"  # not the rolled-back value a memo would have kept
        assert reader.loads == 3
