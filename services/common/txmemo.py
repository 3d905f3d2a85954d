"""Values read once per transaction: a consumer's batch handles many events in one transaction, and most of them read
the same few rows (an account's assignment policy, a team's agents, a push rule). ``TransactionMemo`` is for rows the
transaction reads and rarely writes; ``WriteLockedRows`` for rows it reads and writes again and again (assign's
agent loads and rotation states, once per routed lead), kept up to date by the repository's own writes.

A memo lives in the transaction's scratch (``services.common.db.transaction_scratch``), so it ends with the
transaction; a row committed by another transaction meanwhile applies from the next one, as if this transaction had
run just before it. Once the transaction writes what a memo holds, the repository says so (``written``) and the memo
is off for the rest of the transaction: a value read after a write inside a SAVEPOINT that later rolls back would
otherwise outlive the rollback.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from services.common.db import transaction_scratch
from services.common.txhooks import follow_savepoints

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
_OFF: dict[Hashable, Any] = {}  # the marker of a memo switched off by a write


class TransactionMemo(Generic[V]):
    """One kind of value (``name`` keeps kinds apart in the scratch), by key."""

    def __init__(self, name: str) -> None:
        self._name = f"leadflow.memo.{name}"

    def get(self, connection: Connection, key: Hashable, load: Callable[[], V]) -> V:
        """The value of ``key`` read earlier in this transaction, or ``load()`` now (and kept)."""
        scratch = transaction_scratch(connection)
        memo = scratch.get(self._name)
        if memo is _OFF:
            return load()
        if memo is None:
            memo = scratch[self._name] = {}
        if key not in memo:
            memo[key] = load()
        return memo[key]  # type: ignore[no-any-return]

    def written(self, connection: Connection) -> None:
        """This transaction changed rows of this kind: read them from the database until it ends."""
        transaction_scratch(connection)[self._name] = _OFF


class _Rows(dict[Any, Any]):
    """One transaction's rows of one kind; a savepoint participant that forgets them all when a savepoint rolls
    back (the rolled-back writes may have changed them; rollbacks are rare, so a fresh read is cheap)."""

    def mark(self) -> None:
        return None

    def rewind(self, _mark: None) -> None:
        self.clear()


_ABSENT = object()  # a key read and found missing


class WriteLockedRows(Generic[K, V]):
    """Rows of one kind (``name``) that a write transaction reads and writes many times, remembered between its
    reads while the transaction holds the database's only write lock: on SQLite, where a write transaction takes the
    lock at BEGIN (IMMEDIATE) and nothing else can change a row until it commits, a row read once stays what this
    transaction last made it. The repository reports each of its writes: ``put`` the value a successful write left,
    ``forget`` a key whose row it changed in a way it does not follow. A savepoint that rolls back forgets them all.

    On PostgreSQL other transactions commit while this one runs (READ COMMITTED), so every read goes to the
    database, as without the memo: ``read`` calls ``load`` for all the keys, and ``put``/``forget`` do nothing."""

    def __init__(self, name: str) -> None:
        self._name = f"leadflow.rows.{name}"

    def read(
        self, connection: Connection, keys: Iterable[K], load: Callable[[list[K]], Mapping[K, V]]
    ) -> dict[K, V]:
        """The rows of ``keys`` that exist, by key: those this transaction read or wrote before from the memo, the
        others from ``load(missing keys)`` (one call, which returns the rows it found)."""
        rows = self._rows(connection)
        wanted = list(dict.fromkeys(keys))
        if rows is None:
            return dict(load(wanted))
        missing = [key for key in wanted if key not in rows]
        if missing:
            found = load(missing)
            for key in missing:
                rows[key] = found.get(key, _ABSENT)
        return {key: rows[key] for key in wanted if rows[key] is not _ABSENT}

    def known(self, connection: Connection, key: K) -> V | None:
        """``key``'s row as this transaction last read or wrote it, without reading; None when it has not (or on
        PostgreSQL, or when it read the row and found none)."""
        rows = self._rows(connection)
        value = rows.get(key) if rows is not None else None
        return None if value is None or value is _ABSENT else value  # type: ignore[no-any-return]

    def put(self, connection: Connection, key: K, value: V) -> None:
        """This transaction wrote ``key``'s row, which now holds ``value``."""
        rows = self._rows(connection)
        if rows is not None:
            rows[key] = value

    def forget(self, connection: Connection, key: K) -> None:
        """This transaction changed ``key``'s row (or may have): read it again next time."""
        rows = self._rows(connection)
        if rows is not None:
            rows.pop(key, None)

    def _rows(self, connection: Connection) -> _Rows | None:
        if connection.dialect.name != "sqlite":
            return None
        scratch = transaction_scratch(connection)
        rows = scratch.get(self._name)
        if rows is None:
            rows = scratch[self._name] = _Rows()
            follow_savepoints(connection, rows)
        return rows  # type: ignore[no-any-return]
