"""The one test harness: fresh PostgreSQL databases, service environments, and services started in-process.

- ``fresh_postgres_database(prefix)``: a new empty database on ``LEADFLOW_TEST_POSTGRES_URL``'s server and the
  function that drops it (the PostgreSQL tier; callers skip without the variable).
- ``service_environ(services, data_dir, nats_url, ...)``: the environment a test gives services: the test's data
  directory and nats-server, ports chosen by the OS, the test JWT key, no shutdown delay.
- ``start_service(name, env, **build_options)``: a service's real bootstrap started in this process
  (``RunningService``), on its own port.
- ``TokenMinter``: bearer-token metadata for a tenant and role, with the key of ``service_environ``.
- ``run_sync(coroutine)``: a use case run to completion from synchronous test code (or from an async test, on a
  thread of its own), so tests can call handlers as plain functions.

Every test that starts a service goes through here, so a change of how services start is made once.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import sqlite3
import uuid
from collections.abc import Callable, Coroutine, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

# Loaded here so that services started in this process migrate in it (migrate_first's rule for a process with
# Alembic loaded) instead of paying a Python start for a child per service; process tests run the child.
import services.common.migrations  # noqa: F401
from services.common.auth import Role, TokenCodec
from services.common.config import AuthSettings, Env
from services.common.runtime import RunningService

T = TypeVar("T")
POSTGRES_URL = os.environ.get("LEADFLOW_TEST_POSTGRES_URL")
TEST_JWT_KEY = "leadflow-test-key-" + "k" * 40


def fresh_postgres_database(
    prefix: str = "lf_test", server_url: str | None = None
) -> tuple[str, Callable[[], None]]:
    """Create an empty database on ``server_url``'s server (default: LEADFLOW_TEST_POSTGRES_URL's); returns its
    SQLAlchemy URL (psycopg 3) and a function that drops it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server_url = server_url or POSTGRES_URL
    assert server_url, "the PostgreSQL tier needs LEADFLOW_TEST_POSTGRES_URL"
    base = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        base.set(database="postgres").render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def service_environ(
    services: str | Iterable[str], data_dir: Path, nats_url: str, **extra: str
) -> dict[str, str]:
    """Environment for test services: OS-chosen gRPC and metrics ports, the test key, quick shutdown."""
    names = [services] if isinstance(services, str) else list(services)
    env = {
        "LEADFLOW_DATA_DIR": str(data_dir),
        "LEADFLOW_NATS_URL": nats_url,
        "LEADFLOW_JWT_HS256_KEY": TEST_JWT_KEY,
        "LEADFLOW_SHUTDOWN_DELAY_SECONDS": "0",
        "LEADFLOW_SHUTDOWN_GRACE_SECONDS": "2",
    }
    for name in names:
        env[f"LEADFLOW_{name.upper()}_GRPC_PORT"] = "0"
        env[f"LEADFLOW_{name.upper()}_METRICS_PORT"] = "0"
    env.update(extra)
    return env


def load_settings(service: str, env: dict[str, str]) -> Any:
    return importlib.import_module(f"services.{service}.settings").load(env)


async def start_service(service: str, env: dict[str, str], **build_options: Any) -> RunningService:
    """Build ``service`` from its bootstrap with the settings of ``env`` and start it in this process."""
    bootstrap = importlib.import_module(f"services.{service}.bootstrap")
    running = RunningService(bootstrap.build_app(load_settings(service, env), **build_options))
    await running.start()
    return running


class TokenMinter:
    """Bearer tokens under the key a test environment carries (``TEST_JWT_KEY`` unless it set another)."""

    def __init__(self, env: dict[str, str], data_dir: Path | None = None) -> None:
        self.codec = TokenCodec(AuthSettings.from_env(Env(env), data_dir or Path(env["LEADFLOW_DATA_DIR"])))

    def token(self, tenant: str, role: Role | str = Role.SERVICE, subject: str = "test") -> str:
        return self.codec.mint(tenant=tenant, role=role, subject=subject)

    def metadata(
        self, tenant: str, role: Role | str = Role.SERVICE, subject: str = "test"
    ) -> tuple[tuple[str, str], ...]:
        return (("authorization", "Bearer " + self.token(tenant, role, subject)),)


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion and return its result, whether or not an event loop is running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@contextmanager
def outside_sqlite_writer(path: Path) -> Iterator[None]:
    """Another process's writer (plain sqlite3, not leadflow's code) holding the write lock of the SQLite file
    ``path`` for the block."""
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")
        connection.close()


class SelectsSent:
    """The SELECTs (and WITH queries) any engine of this process sent inside the block, with their parameters
    (before_cursor_execute on the Engine class: a database reads through an engine of its own), only those whose
    text contains ``containing`` when given. For asking the database afterwards how it planned them."""

    def __init__(self, containing: str = "") -> None:
        self.containing = containing
        self.statements: list[tuple[str, Any]] = []

    def __enter__(self) -> SelectsSent:
        import sqlalchemy as sa

        sa.event.listen(sa.Engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_: object) -> None:
        import sqlalchemy as sa

        sa.event.remove(sa.Engine, "before_cursor_execute", self._record)

    def _record(self, _conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and self.containing in statement:
            self.statements.append((statement, parameters))
