"""The bench's stand-in for autovacuum's ANALYZE (bench.e2e.autoanalyze): a table past autovacuum's threshold is
analyzed, one below it is left alone, and the planner then knows how many rows the table holds."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from bench.e2e.autoanalyze import Autoanalyze, server_autovacuum_is_off

pytestmark = pytest.mark.postgres


def _reltuples(engine: sa.Engine, table: str) -> float:
    with engine.connect() as connection:
        return float(
            connection.execute(
                sa.text("SELECT reltuples FROM pg_class WHERE relname = :t"), {"t": table}
            ).scalar_one()
        )


def test_a_table_past_the_threshold_is_analyzed_and_one_below_is_not(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE busy (id int PRIMARY KEY)")
        connection.exec_driver_sql("CREATE TABLE quiet (id int PRIMARY KEY)")
        connection.exec_driver_sql("INSERT INTO busy SELECT generate_series(1, 5000)")
        connection.exec_driver_sql("INSERT INTO quiet SELECT generate_series(1, 10)")  # under 50 changed rows
    # The counters of changed rows reach pg_stat_user_tables when the writing backend reports them: dispose it.
    engine.dispose()
    analyze = Autoanalyze([postgres_url])
    try:
        for _ in range(50):  # the report of the counters is asynchronous (at most a second in PostgreSQL 15)
            if analyze.run_once():
                break
            time.sleep(0.1)
        assert analyze.analyzed == 1
        assert _reltuples(engine, "busy") == 5000
        assert _reltuples(engine, "quiet") < 0  # never analyzed
        assert analyze.run_once() == 0  # analyzed already: nothing changed since
    finally:
        analyze.stop()
        engine.dispose()


def test_the_server_setting_is_read(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            setting = connection.exec_driver_sql("SHOW autovacuum").scalar_one()
    finally:
        engine.dispose()
    assert server_autovacuum_is_off(postgres_url) is (setting == "off")
