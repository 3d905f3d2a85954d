"""Statements and transactions a service sends to its database, counted for /metrics (what `make bench` divides by
the leads it sent: statements and transactions per lead).

Counted with SQLAlchemy's engine events, so every repository is counted without knowing about it:

- ``leadflow_db_statements_total``: statements that read or write data, one per ``cursor.execute`` or
  ``executemany`` (an executemany of 100 rows is one statement, as it is one round trip). The transaction's own
  control statements that ``services.common.db`` issues on begin (``BEGIN IMMEDIATE``, ``PRAGMA busy_timeout``,
  ``SET LOCAL lock_timeout``) are left out: they come with every transaction, counted below.
- ``leadflow_db_transactions_total``: transactions begun, reads and writes alike.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter
from sqlalchemy import Engine, event

DB_STATEMENTS = Counter(
    "leadflow_db_statements_total",
    "Statements that read or write data sent to the service's database (an executemany counts once).",
)
DB_TRANSACTIONS = Counter(
    "leadflow_db_transactions_total", "Database transactions begun by the service (reads and writes)."
)

# Upper-cased first words of the statements services.common.db sends when a transaction begins.
_CONTROL = ("BEGIN", "PRAGMA", "SET LOCAL", "COMMIT", "ROLLBACK")


def _on_statement(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if not statement.lstrip()[:9].upper().startswith(_CONTROL):
        DB_STATEMENTS.inc()


def _on_begin(_conn: Any) -> None:
    DB_TRANSACTIONS.inc()


def count_statements(*engines: Engine) -> None:
    """Count the statements and transactions of these engines. Engines that share a connection pool (an engine and
    its ``execution_options`` copy, as PostgreSQL's read engine is) share their events too: only the first of them
    gets the listeners, so nothing is counted twice."""
    pools: set[int] = set()
    for engine in engines:
        if id(engine.pool) in pools:
            continue
        pools.add(id(engine.pool))
        event.listen(engine, "before_cursor_execute", _on_statement)
        event.listen(engine, "begin", _on_begin)
