"""The migrations build exactly the schema the code declares, and lost races are recognised as such."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import OperationalError

from services.common import dberrors
from services.common.db import Database
from services.common.errors import Unavailable
from services.common.uow import TransientConflict
from services.dedup.adapters.db.tables import metadata


def _dedup_only(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is None or str(table.name).startswith("dedup_")


def test_migrations_match_the_declared_tables(dedup_database: Database) -> None:
    """The dedup tables only: the shared messaging tables are created by services.common (whose unnamed outbox
    unique constraint differs from the name the naming convention gives it; reported to the runtime owners)."""
    with dedup_database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _dedup_only}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_the_index_refuses_a_second_row_for_one_key_and_a_short_hash(dedup_database: Database) -> None:
    from services.dedup.adapters.db.tables import dedup_keys

    row = {
        "tenant_id": "schema-t",
        "scope_key": "a",
        "dimension": 1,
        "key_hash": b"k" * 32,
        "lead_id": "l",
        "first_seen_us": 0,
        "last_seen_us": 0,
        "policy_account_id": "a",
        "origin": 1,
        "origin_lead_id": "",
    }
    with pytest.raises(sa.exc.IntegrityError):
        with dedup_database.transaction() as session:
            session.execute(sa.insert(dedup_keys), [row, {**row, "lead_id": "other"}])
    with pytest.raises(sa.exc.IntegrityError):
        with dedup_database.transaction() as session:
            session.execute(sa.insert(dedup_keys), [{**row, "key_hash": b"short"}])


class _Orig(Exception):
    def __init__(self, message: str, sqlstate: str | None = None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("orig", "expected"),
    [
        (_Orig("deadlock detected", "40P01"), TransientConflict),
        (_Orig("could not serialize access", "40001"), TransientConflict),
        (_Orig("database is locked"), Unavailable),
    ],
)
def test_lost_races_and_busy_databases_are_translated(orig: Exception, expected: type) -> None:
    assert isinstance(dberrors.translate(OperationalError("stmt", {}, orig)), expected)  # noqa: SLF001


def test_other_database_errors_are_not_hidden() -> None:
    assert dberrors.translate(OperationalError("stmt", {}, _Orig("disk I/O error", "58030"))) is None  # noqa: SLF001
