"""The schema the ingest migrations build is the one ``adapters.tables`` describes, on SQLite and PostgreSQL.

The shared messaging tables and the push tables have their own checks (tests/common, tests/ingest/push)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from services.common.db import Database
from services.common.migrate_first import head_revision
from services.common.migrations import current_revision, upgrade
from services.ingest.adapters.db.tables import DEFAULT_SETTINGS_TENANT, metadata, tenant_settings
from services.ingest.bootstrap import MIGRATIONS_DIR


def test_migrations_match_the_tables(database_url: str) -> None:
    upgrade(MIGRATIONS_DIR, database_url)
    upgrade(MIGRATIONS_DIR, database_url)  # idempotent: a second run changes nothing
    assert current_revision(MIGRATIONS_DIR, database_url) == head_revision(MIGRATIONS_DIR) == "0007"
    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": _only_ours})
            diff = compare_metadata(context, metadata)
            # Server defaults are compared loosely by alembic; what matters is tables, columns, indexes, keys.
            assert [d for d in diff if d[0] not in ("modify_default",)] == []
            row = connection.execute(
                sa.select(tenant_settings).where(tenant_settings.c.tenant_id == DEFAULT_SETTINGS_TENANT)
            ).one()
            assert (row.default_region, row.landline_allowed) == ("CN", True)
    finally:
        database.dispose()


OURS = {"leads", "lead_accounts", "submissions", "blocklist_entries", "dead_numbers", "tenant_settings"}


def _only_ours(obj: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
    table = obj if kind == "table" else getattr(obj, "table", None)
    return getattr(table, "name", name) in OURS
