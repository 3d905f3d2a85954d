"""``txmemo.WriteLockedRows``: on SQLite a write transaction reads a row once and then follows its own writes (it
holds the only write lock); a savepoint that rolls back forgets them all; the next transaction starts afresh. On
PostgreSQL every read goes to the database."""

from __future__ import annotations

import pytest

from services.common.db import Database
from services.common.txmemo import WriteLockedRows


@pytest.fixture
def database(database_url: str):  # type: ignore[no-untyped-def]
    db = Database(database_url)
    yield db
    db.dispose()


class Loader:
    """What the database holds (a dict here: the memo never looks at the rows itself), and the keys each load
    asked for."""

    def __init__(self, rows: dict[str, int]) -> None:
        self.rows = rows
        self.asked: list[list[str]] = []

    def __call__(self, keys: list[str]) -> dict[str, int]:
        self.asked.append(keys)
        return {key: self.rows[key] for key in keys if key in self.rows}


def test_rows_are_read_once_on_sqlite_and_follow_the_transactions_writes(database: Database) -> None:
    if database.dialect != "sqlite":
        _reads_every_time(database)
        return
    memo: WriteLockedRows[str, int] = WriteLockedRows("test_rows")
    load = Loader({"a": 1, "b": 2})
    with database.transaction() as connection:
        assert memo.read(connection, ["a", "b", "missing"], load) == {"a": 1, "b": 2}
        assert memo.read(connection, ["b", "a", "missing"], load) == {"a": 1, "b": 2}
        assert load.asked == [["a", "b", "missing"]], "read once; a missing row is remembered as missing"
        memo.put(connection, "a", 10)
        memo.forget(connection, "b")
        load.rows["b"] = 20
        assert memo.known(connection, "a") == 10 and memo.known(connection, "b") is None
        assert memo.known(connection, "missing") is None
        assert memo.read(connection, ["a", "b"], load) == {"a": 10, "b": 20}
        assert load.asked[-1] == ["b"]

        savepoint = connection.begin_nested()
        memo.put(connection, "a", 11)
        savepoint.rollback()  # the write that made it 11 is undone: so is what the memo knows
        assert memo.known(connection, "a") is None
        assert memo.read(connection, ["a"], load) == {"a": 1} and load.asked[-1] == ["a"]

        released = connection.begin_nested()
        memo.put(connection, "a", 12)
        released.commit()
        assert memo.known(connection, "a") == 12
    with database.transaction() as connection:
        assert memo.known(connection, "a") is None, "a new transaction starts afresh"


def _reads_every_time(database: Database) -> None:
    """PostgreSQL: other transactions commit meanwhile, so the memo reads every time and remembers nothing."""
    memo: WriteLockedRows[str, int] = WriteLockedRows("test_rows")
    load = Loader({"a": 1})
    with database.transaction() as connection:
        for _ in range(3):
            assert memo.read(connection, ["a", "missing"], load) == {"a": 1}
        memo.put(connection, "a", 10)
        assert memo.known(connection, "a") is None
        assert memo.read(connection, ["a"], load) == {"a": 1}
    assert len(load.asked) == 4
