"""Every service's migrations give its inbox the index retention deletes by: a database created before retention
(no index, at the revision before) gets it on upgrade, a new one has it from the start, and the downgrade of that
revision takes it away again."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from services.common.config import SERVICES
from services.common.db import Database
from services.common.messaging.tables import INBOX_PROCESSED_INDEX
from services.common.migrate_first import head_revision
from services.common.migrations import alembic_config, current_revision, upgrade

ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.timeout(120)


def _inbox_indexes(database_url: str) -> set[str]:
    database = Database(database_url)
    try:
        return {index["name"] for index in sa.inspect(database.engine).get_indexes("inbox")}
    finally:
        database.dispose()


@pytest.mark.parametrize("service", SERVICES)
def test_the_retention_index_comes_with_the_migrations(service: str, database_url: str) -> None:
    migrations = ROOT / "services" / service / "adapters" / "db" / "migrations"
    head = head_revision(migrations)
    assert head is not None
    (retention,) = [p for p in (migrations / "versions").glob("*_inbox_retention.py")]
    before = f"{int(retention.name[:4]) - 1:04d}"

    upgrade(migrations, database_url)
    assert INBOX_PROCESSED_INDEX in _inbox_indexes(database_url)

    # Back to the revision before: the index goes; as a database made before retention, it has none.
    command.downgrade(alembic_config(migrations, database_url), before)
    assert current_revision(migrations, database_url) == before
    assert INBOX_PROCESSED_INDEX not in _inbox_indexes(database_url)

    upgrade(migrations, database_url)
    assert current_revision(migrations, database_url) == head
    assert INBOX_PROCESSED_INDEX in _inbox_indexes(database_url)
