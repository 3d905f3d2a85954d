"""Bring a service's schema to head before it serves, in a child process, so Alembic never stays in the server.

Alembic with Mako and Pygments, which it imports, is ~11 MB of RSS that a serving process would keep for nothing
after its one upgrade at start. ``upgrade_before_serving`` runs ``python -m services.common.migrations`` (the same
``migrations.upgrade`` as ``leadflow migrate``) and waits for it: the service starts serving only after the child
exited 0, and raises ``MigrationFailed`` otherwise, so it never serves on an unmigrated schema. Replicas that start
together still migrate one at a time: each child takes PostgreSQL's advisory lock (SQLite's write lock) exactly as
the upgrade did in-process. The database URL goes to the child on its stdin, never on its command line (``ps``
would show a password). An in-memory SQLite database exists only in this process, so it is migrated here.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import services

# The directory that holds the ``services`` package this process runs, so that the child runs the same code.
_SOURCE_ROOT = str(Path(services.__file__).resolve().parent.parent)


class MigrationFailed(RuntimeError):
    """The migration child exited with a non-zero status (its own log says why)."""


def _in_memory(database_url: str) -> bool:
    return database_url.startswith("sqlite") and (
        database_url.rstrip("/").endswith(":memory:") or database_url.rstrip("/") in ("sqlite:", "sqlite:/")
    )


def _run_child(service: str, script_location: Path, database_url: str, log_level: str) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_SOURCE_ROOT, env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-m", "services.common.migrations", service, str(script_location), log_level]
    done = subprocess.run(command, input=database_url.encode(), env=env, check=False)
    if done.returncode != 0:
        raise MigrationFailed(f"{service}: migrating the database failed (exit status {done.returncode})")


async def upgrade_before_serving(
    service: str, script_location: Path, database_url: str, log_level: str
) -> None:
    """Upgrade the database at ``database_url`` to the head of ``script_location``; returns once it is there.

    Raises ``MigrationFailed`` when the upgrade did not complete. Blocks a worker thread, not the event loop.
    """
    if _in_memory(database_url):
        from services.common import migrations

        await asyncio.to_thread(migrations.upgrade, script_location, database_url)
        return
    await asyncio.to_thread(_run_child, service, script_location, database_url, log_level)
