"""Statements built once and reused by every transaction of the process: the hot paths' pattern.

Building a SQLAlchemy statement costs more than running it (SubmitLead spent two thirds of its CPU constructing
statements: ~180 coercions per lead). A statement built once with bind parameters, executed with a dict of values
(or a list of dicts: executemany / multi-row VALUES), skips construction, and its compiled form is found in the
engine's compiled cache every time (its cache key is memoised on the statement object).

A repository keeps its statements in a small class whose ``__init__`` builds them, and a module-level holder:

    class _Statements:
        def __init__(self, dialect: str) -> None:
            self.insert = dialect_insert(dialect)(t).on_conflict_do_nothing().returning(t.c.id)
            self.get = sa.select(t).where(t.c.id.in_(sa.bindparam("ids", expanding=True)))

    _STATEMENTS = PerDialect(_Statements)
    ...
    self._q = _STATEMENTS(session.dialect.name)

Tables a service adds to its own schema from the runtime (outbox, inbox, timers) are keyed by the table as well:
``PerTable(build)(table_or_tables, dialect)``. A statement whose text depends on the call's shape (a VALUES list of
n rows) is kept per shape: ``PerShape(build)(n)``.

``tests/e2e/test_statements_built_once.py`` runs the warm pipeline and fails on any statement built outside these
holders.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import Connection

S = TypeVar("S")
K = TypeVar("K", bound=Hashable)


class PerDialect(Generic[S]):
    """``build(dialect)`` run once per dialect name ("sqlite", "postgresql"); its result reused ever after."""

    def __init__(self, build: Callable[[str], S]) -> None:
        self._build = build
        self._built: dict[str, S] = {}
        self._lock = threading.Lock()

    def __call__(self, dialect: str) -> S:
        built = self._built.get(dialect)
        if built is None:
            with self._lock:  # two threads' first transactions would build twice: harmless, but build once
                built = self._built.get(dialect)
                if built is None:
                    built = self._built[dialect] = self._build(dialect)
        return built

    def of(self, session: Connection) -> S:
        """The statements for the dialect ``session`` is bound to."""
        return self(session.dialect.name)


class PerShape(Generic[K, S]):
    """``build(shape)`` run once per shape (a hashable: a row count, a tuple of column names); its result reused ever
    after. Keep the shapes few: every one is a statement kept, and a compiled form in the engine's cache."""

    def __init__(self, build: Callable[[K], S]) -> None:
        self._build = build
        self._built: dict[K, S] = {}
        self._lock = threading.Lock()

    def __call__(self, shape: K) -> S:
        built = self._built.get(shape)
        if built is None:
            with self._lock:
                built = self._built.get(shape)
                if built is None:
                    built = self._built[shape] = self._build(shape)
        return built


class PerTable(Generic[K, S]):
    """``build(key, dialect)`` run once per (key, dialect), where the key is a runtime-defined table (or a tuple or
    dataclass of tables) that each service adds to its own MetaData."""

    def __init__(self, build: Callable[[K, str], S]) -> None:
        self._build = build
        self._built: dict[tuple[K, str], S] = {}
        self._lock = threading.Lock()

    def __call__(self, key: K, dialect: str) -> S:
        built = self._built.get((key, dialect))
        if built is None:
            with self._lock:
                built = self._built.get((key, dialect))
                if built is None:
                    built = self._built[(key, dialect)] = self._build(key, dialect)
        return built

    def of(self, key: K, session: Connection) -> S:
        return self(key, session.dialect.name)
