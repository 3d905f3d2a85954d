"""One SQLAlchemy engine per service, built when the service starts (never at import time).

SQLite (the local default) runs in WAL mode. Write transactions begin with ``BEGIN IMMEDIATE`` so two writers
queue on the database lock instead of failing when a read lock is upgraded; reads use a second engine with plain
deferred transactions so they never wait for a writer. PostgreSQL goes through psycopg 3 with one engine.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Engine, MetaData, Result, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from services.common import deadline
from services.common.dbstats import count_statements
from services.common.errors import Unavailable
from services.common.statements import PerDialect  # noqa: F401 - re-exported: repositories import it from here
from services.common.txhooks import (  # noqa: F401 - after_commit and transaction_scratch re-exported
    after_commit,
    manage,
    run_before_commit,
    savepoint_ended,
    savepoint_rolled_back,
    savepoint_started,
    take_after_commit,
    transaction_scratch,
)

SQLITE_BUSY_TIMEOUT_MS = 30_000
READ_THREADS = 8
WRITE_THREADS = 8


# Deterministic constraint names, so migrations can refer to them on both SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


_INSERTS: dict[str, Any] = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def dialect_insert(dialect: str) -> Any:
    """The ``insert`` of a dialect, which has ``on_conflict_do_nothing`` / ``on_conflict_do_update`` (INSERT ... ON
    CONFLICT): how uniqueness is decided in the database on both supported dialects."""
    try:
        return _INSERTS[dialect]
    except KeyError:
        raise NotImplementedError(f"no INSERT ... ON CONFLICT for dialect {dialect!r}") from None


def rowcount(result: Result[Any]) -> int:
    """The number of rows an UPDATE, DELETE or INSERT (with ``preserve_rowcount``) changed."""
    return int(cast(CursorResult[Any], result).rowcount)


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` and pick the psycopg 3 driver for it."""
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


# The busy timeout (ms) a pooled SQLite connection was last given, in its pool record's ``info``.
_BUSY_TIMEOUT_KEY = "leadflow_busy_timeout_ms"


def busy_timeout_update(current_ms: int | None, bound_ms: int, limit_ms: int) -> int | None:
    """The busy timeout (ms) to give a SQLite connection whose timeout is ``current_ms`` (None: unknown), or None
    when ``current_ms`` already fits a transaction whose lock waits are bounded by ``bound_ms``.

    ``bound_ms`` is ``deadline.bounded_ms(limit_ms)``: the configured limit, or the time left before the caller's
    deadline when less. At the limit it is set exactly (once per connection). Under a nearer deadline the bound
    moves with every call, so the current timeout is kept while it is at most the bound (a lock wait never
    outlives the deadline) and at least 90% of it (never much shorter than allowed); a new one is set 5% under the
    bound, so the next calls' slightly smaller bounds still fit it.
    """
    if bound_ms >= limit_ms:
        return None if current_ms == limit_ms else limit_ms
    if current_ms is not None and bound_ms - bound_ms // 10 <= current_ms <= bound_ms:
        return None
    return max(1, bound_ms - bound_ms // 20)


def json_text(value: Any) -> str:
    """The JSON columns' text (every engine's ``json_serializer``): ``json.dumps(value)``, with the empty list and
    dict that most rows hold (a submission without rejections, matches or other numbers) written directly: the
    standard encoder builds itself anew on every call, which costs more than the document."""
    if not value and type(value) in _EMPTY_JSON:
        return _EMPTY_JSON[type(value)]
    return json.dumps(value)


_EMPTY_JSON: dict[type, str] = {list: "[]", dict: "{}"}


def _sqlite_engine(url: str, *, immediate: bool, busy_timeout_ms: int) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        connect_args={"timeout": busy_timeout_ms / 1000, "check_same_thread": False},
        json_serializer=json_text,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted and overwritten values are zeroed, free pages included, so an erased phone number does not linger
        # in the file's free space (PIPL erasure). Debian's SQLite has this on by default (SQLITE_SECURE_DELETE), so
        # every measurement so far ran with it; other builds default to off, hence set here. FAST is not enough:
        # it leaves freed overflow pages (large submissions' attributes) as they were.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
        _record.info[_BUSY_TIMEOUT_KEY] = busy_timeout_ms  # sqlite3's ``timeout`` connect argument set it

    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        # How long BEGIN IMMEDIATE may wait for another process's write lock: never past the caller's deadline.
        # The PRAGMA runs only when the connection's current timeout does not fit (see busy_timeout_update):
        # one statement fewer for most transactions.
        info = connection.connection.info  # the pooled connection's own dict, kept while it lives
        update = busy_timeout_update(
            info.get(_BUSY_TIMEOUT_KEY), deadline.bounded_ms(busy_timeout_ms), busy_timeout_ms
        )
        # On the driver's connection, not through SQLAlchemy's execution (its contexts, results and events cost
        # ~40 us of CPU per statement, as much as the rest of an empty transaction); the events would skip these
        # control statements anyway (dbstats). A failure is raised as SQLAlchemy would have wrapped it, so the
        # callers' handling of a busy database (dberrors) is the same.
        driver = connection.connection.dbapi_connection
        try:
            if update is not None:
                driver.execute(f"PRAGMA busy_timeout={update}")
                info[_BUSY_TIMEOUT_KEY] = update
            driver.execute(begin)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(begin, (), exc, sqlite3.Error) from exc

    return engine


def _bound_postgres_lock_waits(engine: Engine, busy_timeout_ms: int) -> None:
    """PostgreSQL: no lock wait of a transaction outlives the busy timeout or the caller's deadline
    (``lock_timeout``; SQLSTATE 55P03 when it runs out, which dberrors maps to UNAVAILABLE)."""

    @event.listens_for(engine, "begin")
    def _on_begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = {deadline.bounded_ms(busy_timeout_ms)}")


def _savepoints_as_plain_sql(engine: Engine) -> None:
    """SAVEPOINT, RELEASE SAVEPOINT and ROLLBACK TO SAVEPOINT sent as plain SQL (``exec_driver_sql``).

    SQLAlchemy builds and compiles a new clause for each of them, and each has a name of its own (sa_savepoint_1,
    _2, ... on a connection), so its compiled cache never helps: 79 us of CPU for a SAVEPOINT and its RELEASE,
    against 30 us as plain SQL (measured on SQLite). Assign takes a savepoint for every lead it routes and the
    careful path of a consumer batch one per message. Events, statement counting and the wrapping of driver
    errors in ``DBAPIError`` are the same as before: only the compilation is skipped. Each also tells the
    transaction's savepoint participants (``txhooks``), so the batch's deferred outbox rows follow the savepoints."""
    dialect = engine.dialect
    quote = dialect.identifier_preparer.quote

    def savepoint(connection: Connection, name: str) -> None:
        connection.exec_driver_sql(f"SAVEPOINT {quote(name)}")
        savepoint_started(connection, name)

    def release(connection: Connection, name: str) -> None:
        connection.exec_driver_sql(f"RELEASE SAVEPOINT {quote(name)}")
        savepoint_ended(connection, name)

    def rollback_to(connection: Connection, name: str) -> None:
        connection.exec_driver_sql(f"ROLLBACK TO SAVEPOINT {quote(name)}")
        savepoint_rolled_back(connection, name)

    # On this engine's dialect object only (each engine has its own): the methods SQLAlchemy calls for
    # Connection.begin_nested() and its commit and rollback.
    dialect.do_savepoint = savepoint  # type: ignore[method-assign]
    dialect.do_release_savepoint = release  # type: ignore[method-assign]
    dialect.do_rollback_to_savepoint = rollback_to  # type: ignore[method-assign]


class Database:
    """Engines and sessions of one service's datastore."""

    def __init__(
        self, url: str, *, pool_size: int = 10, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS
    ) -> None:
        self.url = normalise_url(url)
        self.busy_timeout_ms = busy_timeout_ms
        # time.monotonic() of this process's last committed write transaction (0: none yet): the write-health probe
        # takes a commit since its last check as proof that the database takes writes.
        self.last_commit = 0.0
        if is_sqlite(self.url):
            self.engine = _sqlite_engine(self.url, immediate=True, busy_timeout_ms=busy_timeout_ms)
            self._read_engine = _sqlite_engine(self.url, immediate=False, busy_timeout_ms=busy_timeout_ms)
        else:
            self.engine = create_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_pre_ping=True,
                json_serializer=json_text,
            )
            # A read is one snapshot: a page and its total_size, or a lead and its submissions, are counted at the
            # same instant (under READ COMMITTED each statement would see the commits made between them).
            self._read_engine = self.engine.execution_options(isolation_level="REPEATABLE READ")
            _bound_postgres_lock_waits(self.engine, busy_timeout_ms)
        _savepoints_as_plain_sql(self.engine)
        count_statements(self.engine, self._read_engine)
        # SQLite has one writer at a time. Threads of this process that find it busy would sleep in SQLite's busy
        # handler (in steps of up to 100 ms) instead of taking turns; queueing them on a lock first hands the
        # database over as soon as it is free. Throughput only: other processes still wait on the busy handler, and
        # correctness still comes from SQLite's own locking and the constraints.
        self._writers: threading.Lock | None = threading.Lock() if is_sqlite(self.url) else None
        # Reads and writes run on threads of their own, so writers stalled on a lock can never take every thread
        # and starve reads (asyncio's default pool is shared by everything else in the process as well).
        self.read_executor = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="db-read")
        self.write_executor = ThreadPoolExecutor(WRITE_THREADS, thread_name_prefix="db-write")

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises.

        Waiting for the write lock (this process's queue, then the database's) lasts at most the busy timeout and
        never past the caller's deadline: UNAVAILABLE (DATABASE_BUSY) when it runs out, DEADLINE_EXCEEDED when
        the deadline had passed before the transaction could start."""
        deadline.check("the write transaction")
        with self._write_turn(), self.engine.connect() as connection:
            with connection.begin():  # BEGIN (IMMEDIATE on SQLite) now, so the lock is held from here
                manage(connection)
                yield connection
                run_before_commit(connection)  # e.g. the batch's outbox rows, in one statement
                callbacks = take_after_commit(connection)
            self.last_commit = time.monotonic()  # reached only when the block committed
        for callback in callbacks:
            callback()

    @contextmanager
    def probe_transaction(self, timeout_ms: int) -> Iterator[Connection]:
        """An empty write transaction that waits at most ``timeout_ms`` for the lock (the write-health probe)."""
        token = deadline.deadline_var.set(time.monotonic() + timeout_ms / 1000)
        try:
            # Not queued behind this process's writers: the probe asks the database itself.
            with self.engine.begin() as connection:  # BEGIN (IMMEDIATE) at once: the lock is taken or refused
                yield connection
        finally:
            deadline.deadline_var.reset(token)

    @contextmanager
    def _write_turn(self) -> Iterator[None]:
        if self._writers is None:
            yield
            return
        if not self._writers.acquire(timeout=deadline.bounded_ms(self.busy_timeout_ms) / 1000):
            raise Unavailable("the database is busy; retry later", reason="DATABASE_BUSY")
        try:
            deadline.check("the write transaction")  # the caller may have given up while this one queued
            yield
        finally:
            self._writers.release()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """One read-only snapshot, never behind a writer (SQLite WAL; PostgreSQL REPEATABLE READ)."""
        with self._read_engine.begin() as connection:
            yield connection

    def dispose(self) -> None:
        self.read_executor.shutdown(wait=False, cancel_futures=True)
        self.write_executor.shutdown(wait=False, cancel_futures=True)
        self.engine.dispose()
        if is_sqlite(self.url):
            self._read_engine.dispose()  # on PostgreSQL the read engine shares the writer's pool
