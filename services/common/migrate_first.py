"""Bring a service's schema to head before it serves, in a child process, so Alembic never stays in the server.

Alembic with Mako and Pygments, which it imports, is ~11 MB of RSS that a serving process would keep for nothing
after its one upgrade at start. ``upgrade_before_serving`` runs ``python -m services.common.migrations`` (the same
``migrations.upgrade`` as ``leadflow migrate``) and waits for it: the service starts serving only after the child
exited 0, and raises ``MigrationFailed`` otherwise, so it never serves on an unmigrated schema. Replicas that start
together still migrate one at a time: each child takes PostgreSQL's advisory lock (SQLite's write lock) exactly as
the upgrade did in-process. The database URL goes to the child on its stdin, never on its command line (``ps``
would show a password). An in-memory SQLite database exists only in this process, so it is migrated here, and so is
any database of a process that has loaded Alembic already (a test run, the CLI), where a child saves nothing.

A database already at head (every restart after the first) needs no child: its ``alembic_version`` row is read with
SQLAlchemy and compared with the head of the scripts, which is the highest numbered file of ``versions/`` — each
service's revisions are a line of ids equal to their files' four-digit prefixes (``0006_erasure.py`` is revision
"0006" after "0005"), a convention ``tests/common/unit/test_migration_files.py`` holds every service to.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

import services
from services.common.db import normalise_url

# The directory that holds the ``services`` package this process runs, so that the child runs the same code.
_SOURCE_ROOT = str(Path(services.__file__).resolve().parent.parent)


class MigrationFailed(RuntimeError):
    """The migration child exited with a non-zero status (its own log says why)."""


def _in_memory(database_url: str) -> bool:
    return database_url.startswith("sqlite") and (
        database_url.rstrip("/").endswith(":memory:") or database_url.rstrip("/") in ("sqlite:", "sqlite:/")
    )


_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def head_revision(script_location: Path) -> str | None:
    """The head revision id of a service's migrations: the highest four-digit prefix in ``versions/``."""
    revisions = [
        m.group(1) for f in (script_location / "versions").iterdir() if (m := _REVISION_FILE.match(f.name))
    ]
    return max(revisions, default=None)


def _at_head(script_location: Path, database_url: str) -> bool:
    """Whether the database's ``alembic_version`` names the head already; False when it cannot tell."""
    head = head_revision(script_location)
    engine = sa.create_engine(normalise_url(database_url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            if not sa.inspect(connection).has_table("alembic_version"):
                return False
            versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    except sa.exc.SQLAlchemyError:
        return False  # the child will say what is wrong
    finally:
        engine.dispose()
    return head is not None and versions == [head]


def _run_child(service: str, script_location: Path, database_url: str, log_level: str) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_SOURCE_ROOT, env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "services.common.migrations", service, str(script_location), log_level]
    done = subprocess.run(command, input=database_url.encode(), env=env, check=False)
    if done.returncode != 0:
        raise MigrationFailed(f"{service}: migrating the database failed (exit status {done.returncode})")


async def upgrade_before_serving(
    service: str, script_location: Path, database_url: str, log_level: str, *, child: bool | None = None
) -> None:
    """Upgrade the database at ``database_url`` to the head of ``script_location``; returns once it is there.

    ``child``: True always migrates in a child process, False always in this one; None (the default) picks: a
    database at head needs neither, an in-memory one or a process with Alembic loaded migrates here, any other in a
    child. Raises ``MigrationFailed`` when the upgrade did not complete. Blocks a worker thread, not the event loop.
    """
    if child is None:
        if await asyncio.to_thread(_at_head, script_location, database_url):
            return
        # In memory: the database exists only in this process. Alembic already loaded (a test process, the CLI):
        # a child would save no memory and cost a Python start.
        child = not (_in_memory(database_url) or "alembic" in sys.modules)
    if not child:
        from services.common import migrations

        await asyncio.to_thread(migrations.upgrade, script_location, database_url)
        return
    await asyncio.to_thread(_run_child, service, script_location, database_url, log_level)
