"""Savepoints of a Database's write transactions go to the database as plain SQL (services.common.db), on SQLite and
PostgreSQL: a rolled-back savepoint undoes only its own writes, a released one keeps them, nesting works, and
SQLAlchemy compiles nothing for them."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text
from sqlalchemy.sql.compiler import SQLCompiler

from services.common.db import Database


@pytest.fixture
def database(database_url: str):  # type: ignore[no-untyped-def]
    db = Database(database_url)
    with db.transaction() as session:
        session.execute(text("CREATE TABLE sp (x INTEGER)"))
    try:
        yield db
    finally:
        db.dispose()


def test_a_rolled_back_savepoint_undoes_only_its_own_writes(database: Database) -> None:
    with database.transaction() as session:
        session.execute(text("INSERT INTO sp (x) VALUES (1)"))
        with pytest.raises(ValueError), session.begin_nested():
            session.execute(text("INSERT INTO sp (x) VALUES (2)"))
            raise ValueError("this lead lost a race")
        with session.begin_nested():  # released: kept
            session.execute(text("INSERT INTO sp (x) VALUES (3)"))
            inner = session.begin_nested()
            session.execute(text("INSERT INTO sp (x) VALUES (4)"))
            inner.rollback()
    with database.read() as session:
        assert [row.x for row in session.execute(text("SELECT x FROM sp ORDER BY x"))] == [1, 3]


def test_savepoints_are_sent_as_plain_sql_without_compiling(database: Database, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    compiled: list[str] = []
    for visit in ("visit_savepoint", "visit_release_savepoint", "visit_rollback_to_savepoint"):
        original = getattr(SQLCompiler, visit)

        def counting(self, *args, _visit=visit, _original=original, **kwargs):  # type: ignore[no-untyped-def]
            compiled.append(_visit)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(SQLCompiler, visit, counting)
    sent: list[str] = []
    event.listen(
        database.engine, "before_cursor_execute", lambda _c, _cur, statement, *_: sent.append(statement)
    )
    with database.transaction() as session:
        for value in range(50):
            savepoint = session.begin_nested()
            if value % 2:
                savepoint.rollback()
            else:
                savepoint.commit()
    assert compiled == []  # SQLAlchemy compiles a new clause for each of them otherwise (~50 us a pair)
    savepoints = [s for s in sent if "SAVEPOINT" in s]
    assert len(savepoints) == 2 * 50
    assert len({s.split()[-1] for s in savepoints}) == 50  # each its own name: sa_savepoint_1, _2, ...
    assert sum(s.startswith("ROLLBACK TO SAVEPOINT sa_savepoint_") for s in savepoints) == 25
    assert sum(s.startswith("RELEASE SAVEPOINT sa_savepoint_") for s in savepoints) == 25
