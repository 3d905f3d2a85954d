"""The telephony migrations build exactly the schema tables.py declares (SQLite, and PostgreSQL in that tier), and
the constraints that carry invariants refuse what they must."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.common.db import Database
from services.telephony.adapters.db.tables import calls, metadata


def _telephony_only(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is None or str(table.name).startswith("telephony_") or str(table.name) == "timers"


def test_migrations_match_the_declared_tables(telephony_database: Database) -> None:
    with telephony_database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _telephony_only}
        )
        assert compare_metadata(context, metadata) == []


def test_one_call_per_request_id_and_per_attempt(telephony_database: Database) -> None:
    row = {
        "id": "c1",
        "tenant_id": "t",
        "request_id": "r",
        "lead_id": "l",
        "agent_id": "a",
        "account_id": "",
        "binding_id": "b",
        "number_id": "n",
        "masked_number": "+8617100000000",
        "mode": 1,
        "attempt_number": 1,
        "start_us": 0,
        "state": 1,
        "outcome": 0,
        "release_us": None,
        "provider": "simulated",
        "provider_call_id": None,
        "published_outcome": 0,
        "completion_revision": 0,
        "events": [],
        "version": 1,
        "update_us": 0,
    }
    with telephony_database.transaction() as session:
        session.execute(sa.insert(calls), [row])
    for clash in ({"id": "c2", "attempt_number": 2}, {"id": "c3", "request_id": "r2"}):
        with pytest.raises(sa.exc.IntegrityError):
            with telephony_database.transaction() as session:
                session.execute(sa.insert(calls), [{**row, **clash}])
