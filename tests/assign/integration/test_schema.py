"""The migrations build exactly the schema the code declares (SQLite and PostgreSQL), and the database holds the
invariants: one active assignment per lead, one pool entry per lead."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.assign.adapters.db.tables import assign_assignments, metadata
from services.common.db import Database


def _assign_only(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is None or str(table.name).startswith("assign_") or str(table.name) == "timers"


def test_migrations_match_the_declared_tables(assign_database: Database) -> None:
    with assign_database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": _assign_only}
        )
        differences = compare_metadata(context, metadata)
    assert differences == []


def _assignment(assignment_id: str, state: int) -> dict[str, object]:
    return {
        "id": assignment_id,
        "tenant_id": "schema-t",
        "lead_id": "lead-1",
        "account_id": "a",
        "score": 0,
        "grade": 0,
        "channel": 0,
        "province": "",
        "city": "",
        "agent_id": "x",
        "team_id": "t",
        "state": state,
        "reason": 1,
        "rule_id": "",
        "previous_agent_id": "",
        "assign_us": 0,
        "reminders_sent": 0,
        "counts_toward_capacity": True,
        "reassign_reason": "",
        "release_reason": "",
        "version": 1,
    }


def test_a_lead_has_one_active_assignment_at_most(assign_database: Database) -> None:
    with assign_database.transaction() as session:
        session.execute(sa.insert(assign_assignments), [_assignment("s-1", 1), _assignment("s-2", 2)])
    with pytest.raises(sa.exc.IntegrityError):
        with assign_database.transaction() as session:
            session.execute(sa.insert(assign_assignments), [_assignment("s-3", 1)])
