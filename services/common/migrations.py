"""Alembic, driven from code: each service keeps its migrations in ``services/<svc>/adapters/migrations``.

``upgrade`` runs from ``leadflow migrate <svc>`` in Kubernetes, and on start in local mode in a child process
(``python -m services.common.migrations``, see ``migrate_first``) so that Alembic is not kept in the server. Each
service's env.py is three lines that call ``run_env`` with the service's MetaData, so the Alembic plumbing lives
here once.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection

from services.common.db import Database, normalise_url


def alembic_config(script_location: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    # A '%' in a password would be read as interpolation by ConfigParser.
    config.set_main_option("sqlalchemy.url", normalise_url(database_url).replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


# Replicas that start together with LEADFLOW_MIGRATE_ON_START migrate one at a time on PostgreSQL; the others wait
# for the lock, then find nothing left to do. (SQLite serialises them with its own write lock.)
_MIGRATION_LOCK_KEY = 0x1EADF10E


def upgrade(script_location: Path, database_url: str, revision: str = "head") -> None:
    database = Database(database_url)
    try:
        with database.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK_KEY})")
            config = alembic_config(script_location, database_url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        database.dispose()


def current_revision(script_location: Path, database_url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    database = Database(database_url)
    try:
        with database.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        database.dispose()


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's alembic env.py."""
    from alembic import context
    from sqlalchemy import create_engine

    config = context.config
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        _run(context, connection, target_metadata)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=pool.NullPool)
    with engine.begin() as conn:
        _run(context, conn, target_metadata)


def _run(context, connection: Connection, target_metadata: MetaData) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite needs batch mode for ALTER
    )
    with context.begin_transaction():
        context.run_migrations()


def main(argv: list[str]) -> int:
    """``python -m services.common.migrations <service> <script location> [log level]``, the database URL on
    stdin: upgrade to head; exit 0 when done, 1 (the error logged) when not."""
    from services.common.logs import configure_logging

    service, script_location = argv[0], Path(argv[1])
    configure_logging(service, argv[2] if len(argv) > 2 else "INFO")
    database_url = sys.stdin.read().strip()
    try:
        upgrade(script_location, database_url)
    except Exception:
        logging.getLogger("leadflow.migrations").exception("migrating the database failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
