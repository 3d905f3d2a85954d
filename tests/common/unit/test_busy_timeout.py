"""SQLite's busy timeout: set once per connection at the configured limit, again only when a caller's deadline
needs a shorter one, and never longer than the time left before that deadline."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from services.common import deadline
from services.common.db import Database, busy_timeout_update


@pytest.mark.parametrize(
    ("current", "bound", "limit", "expected"),
    [
        (None, 30_000, 30_000, 30_000),  # unknown: set the limit
        (30_000, 30_000, 30_000, None),  # at the limit already
        (30_000, 20_000, 30_000, 19_000),  # a nearer deadline: 5% under its bound
        (19_000, 19_990, 30_000, None),  # still within [90%, 100%] of the bound
        (19_000, 18_990, 30_000, 18_041),  # past the bound: lowered
        (19_000, 25_000, 30_000, 23_750),  # far below a longer bound (more than 10%): raised
        (1, 0, 30_000, 1),  # never zero (zero would mean "do not wait at all")
    ],
)
def test_update_rule(current, bound, limit, expected):
    assert busy_timeout_update(current, bound, limit) == expected


def test_an_update_never_exceeds_its_bound_and_is_kept_for_the_next_slightly_smaller_bounds():
    for bound in (5, 50, 999, 12_345, 29_999):
        new = busy_timeout_update(30_000, bound, 30_000)
        assert new is not None and new <= bound
        assert busy_timeout_update(new, bound - bound // 40, 30_000) is None


def _pragmas(db: Database) -> list[str]:
    """The busy_timeout PRAGMAs SQLite itself is sent on ``db``'s write connections from now on (its trace callback:
    the transaction's control statements go to the driver directly, past SQLAlchemy's events)."""
    seen: list[str] = []

    def trace(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.set_trace_callback(
            lambda statement: seen.append(statement) if "busy_timeout=" in statement else None
        )

    sa.event.listen(db.engine, "connect", trace)
    return seen


def _timeout_of(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one())


def test_transactions_without_deadline_run_no_pragma(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}", pool_size=1, busy_timeout_ms=4_000)
    pragmas = _pragmas(db)
    for _ in range(3):
        with db.engine.begin() as connection:
            connection.exec_driver_sql("SELECT 1")
    assert pragmas == []
    assert _timeout_of(db) == 4_000
    db.dispose()


def test_a_deadline_lowers_the_timeout_once_and_the_limit_comes_back_without_one(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'x.db'}", pool_size=1, busy_timeout_ms=30_000)
    pragmas = _pragmas(db)
    token = deadline.deadline_var.set(time.monotonic() + 10.0)
    try:
        for _ in range(3):
            with db.engine.begin() as connection:
                connection.exec_driver_sql("SELECT 1")
        assert len(pragmas) == 1
        assert _timeout_of(db) <= 10_000
    finally:
        deadline.deadline_var.reset(token)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("SELECT 1")
    assert len(pragmas) == 2
    assert _timeout_of(db) == 30_000
    db.dispose()
