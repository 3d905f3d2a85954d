"""Only one relay per database publishes at a time, so the stream receives outbox rows in id order.

PostgreSQL: a session-level advisory lock held on a dedicated connection for as long as the relay runs; if the
process dies, the server ends the session and the lock goes with it. SQLite: one service process owns the file, so
there is nothing to coordinate.
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa

# A fixed 64-bit key: every service has its own database, so one key per database is enough.
DEFAULT_LOCK_KEY = int.from_bytes(hashlib.sha256(b"leadflow:outbox-relay").digest()[:8], "big", signed=True)


class RelayLock:
    """The SQLite case: always held. Also the interface the PostgreSQL lock implements."""

    def try_acquire(self) -> bool:
        return True

    def check(self) -> None:
        """Raise (sqlalchemy OperationalError) if the lock may have been lost."""

    def release(self) -> None:
        pass


class PostgresRelayLock(RelayLock):
    def __init__(self, engine: sa.Engine, key: int = DEFAULT_LOCK_KEY) -> None:
        self._engine = engine
        self._key = key
        self._conn: sa.Connection | None = None

    def try_acquire(self) -> bool:
        # Autocommit: the lock belongs to the session, so the connection never needs to sit idle in a transaction.
        conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        try:
            acquired = bool(conn.execute(sa.select(sa.func.pg_try_advisory_lock(self._key))).scalar_one())
        except BaseException:
            conn.close()
            raise
        if not acquired:
            conn.close()
            return False
        self._conn = conn
        return True

    def check(self) -> None:
        # The lock lives exactly as long as this session; a round trip proves the session is still there.
        if self._conn is None:
            raise RuntimeError("relay lock is not held")
        self._conn.execute(sa.select(1))

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            if not conn.invalidated:
                # Unlock explicitly so a standby replica can take over at once (closing alone releases the lock
                # only when the server gets round to ending the session).
                conn.execute(sa.select(sa.func.pg_advisory_unlock(self._key)))
        except sa.exc.DBAPIError:
            # The session is broken: discard it rather than pool it, ending it is what releases the lock then.
            conn.invalidate()
        finally:
            conn.close()


def relay_lock_for(engine: sa.Engine, key: int = DEFAULT_LOCK_KEY) -> RelayLock:
    if engine.dialect.name == "postgresql":
        return PostgresRelayLock(engine, key)
    return RelayLock()
