"""Dedup fixtures: one migrated database per module and dialect (SQLite file; PostgreSQL when
LEADFLOW_TEST_POSTGRES_URL is set), handlers over it with a fake clock. Each test uses its own tenant, so tests
sharing a database never see each other's rows."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from services.common.clock import FakeClock
from services.common.db import Database
from services.common.migrations import upgrade
from services.common.paging import PageTokens
from services.dedup.adapters.repository import SqlDedupStore
from services.dedup.adapters.tables import messaging
from services.dedup.bootstrap import MIGRATIONS_DIR
from services.dedup.handlers import DedupHandlers, HandlerConfig
from tests.dedup.helpers import T0, unique

POSTGRES_URL = os.environ.get("LEADFLOW_TEST_POSTGRES_URL")


def _admin_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return (
        make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))
        .set(database="postgres")
        .render_as_string(hide_password=False)
    )


def create_postgres_database() -> tuple[str, object]:
    """A fresh PostgreSQL database; returns its URL and a function that drops it."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    assert POSTGRES_URL
    name = f"lf_dedup_{uuid.uuid4().hex[:12]}"
    admin = create_engine(_admin_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)).set(database=name)

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def dedup_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated dedup database shared by the tests of one module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('dedup') / 'dedup.db'}"
        upgrade(MIGRATIONS_DIR, url)
        yield url
        return
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tier: set LEADFLOW_TEST_POSTGRES_URL to run it")
    url, drop = create_postgres_database()
    try:
        upgrade(MIGRATIONS_DIR, url)
        yield url
    finally:
        drop()  # type: ignore[operator]


@pytest.fixture(scope="module")
def dedup_database(dedup_url: str) -> Iterator[Database]:
    database = Database(dedup_url, pool_size=20)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def handlers(dedup_database: Database, clock: FakeClock) -> DedupHandlers:
    return DedupHandlers(
        SqlDedupStore(dedup_database, messaging),
        clock,
        PageTokens(b"p" * 32),
        config=HandlerConfig(max_attempts=20),
    )


@pytest.fixture
def tenant() -> str:
    return unique("tenant")


@pytest.fixture
def sqlite_path(dedup_url: str) -> Path | None:
    return Path(dedup_url.removeprefix("sqlite:///")) if dedup_url.startswith("sqlite") else None
