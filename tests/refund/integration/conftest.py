"""Integration tests run on the real store: a SQLite file, and PostgreSQL in its tier."""

from __future__ import annotations

import pytest

from tests.refund.world import SqlWorld


@pytest.fixture
def world(sql_world: SqlWorld) -> SqlWorld:
    return sql_world
