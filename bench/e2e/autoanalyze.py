"""Autovacuum's ANALYZE, for a bench stack's PostgreSQL databases on a server that has autovacuum turned off.

A production PostgreSQL runs autovacuum (on by default), which analyzes a table once the rows changed since its last
ANALYZE exceed ``autovacuum_analyze_threshold + autovacuum_analyze_scale_factor * reltuples`` (50 + 10 %: the
PostgreSQL documentation, "The Autovacuum Daemon"). The server on this machine and CI's has it off, so a bench
database's tables are never analyzed: their statistics say "nearly empty" however many rows they hold, the planner
reads a tenant's lookups through any index that starts with ``tenant_id`` (EXPLAIN ANALYZE of dedup's lookup of 100
request ids: a bitmap scan of all 31,740 rows of the tenant, 58 ms; 0.84 ms by the primary key after ANALYZE), and
the PostgreSQL tier measured that, not leadflow.

``Autoanalyze`` applies autovacuum's rule with the server's own two settings, every ``naptime`` seconds (5: a bench
phase lasts about ten seconds, where autovacuum's default naptime is a minute), to every table of the databases
given, and only when the server's ``autovacuum`` is off. The report says when it ran.
"""

from __future__ import annotations

import logging
import threading

import sqlalchemy as sa

log = logging.getLogger(__name__)

NAPTIME_SECONDS = 5.0
_DUE = sa.text(
    "SELECT s.relname FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
    " WHERE s.n_mod_since_analyze > current_setting('autovacuum_analyze_threshold')::float8"
    " + current_setting('autovacuum_analyze_scale_factor')::float8 * greatest(c.reltuples, 0)"
)


def server_autovacuum_is_off(url: str) -> bool:
    """Whether the PostgreSQL server at ``url`` (a SQLAlchemy URL) has ``autovacuum`` off."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SHOW autovacuum").scalar_one() == "off"
    finally:
        engine.dispose()


class Autoanalyze:
    """A daemon thread analyzing the due tables of ``urls`` every ``naptime`` seconds until ``stop()``."""

    def __init__(self, urls: list[str], naptime: float = NAPTIME_SECONDS) -> None:
        self._engines = [sa.create_engine(url, isolation_level="AUTOCOMMIT") for url in urls]
        self._naptime = naptime
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-autoanalyze", daemon=True)
        self.analyzed = 0  # ANALYZE statements run

    def start(self) -> Autoanalyze:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.ident is not None:  # started
            self._thread.join(timeout=30)
        for engine in self._engines:
            engine.dispose()

    def run_once(self) -> int:
        """Analyze every due table now; returns how many were analyzed."""
        count = 0
        for engine in self._engines:
            with engine.connect() as connection:
                for table in connection.execute(_DUE).scalars().all():
                    connection.exec_driver_sql(f'ANALYZE "{table}"')
                    count += 1
        self.analyzed += count
        return count

    def _run(self) -> None:
        while not self._stopping.wait(self._naptime):
            try:
                self.run_once()
            except sa.exc.SQLAlchemyError as exc:
                # A database dropped at the end of the run: nothing left to analyze.
                log.debug("autoanalyze: %s", exc)
