"""The one translation of database driver errors into what use cases and callers understand, for every service.

- Lost races (PostgreSQL deadlock_detected 40P01, serialization_failure 40001): ``TransientConflict``; the unit of
  work runs the transaction again (``services.common.uow``).
- A database that is locked or busy (SQLite "database is locked"/"database is busy" past the busy timeout,
  PostgreSQL lock_not_available 55P03, query_canceled 57014 from a lock or statement timeout) or that cannot be
  reached (connection failures, class 08; admin shutdown, cannot_connect_now, 57P01-57P03): ``Unavailable``, which
  callers may retry — never INTERNAL.
- Anything else is a bug and stays what it is.

SQLSTATE codes: PostgreSQL documentation, Appendix A "PostgreSQL Error Codes".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from services.common.errors import Unavailable
from services.common.uow import TransientConflict

TRANSIENT_SQLSTATES = frozenset({"40P01", "40001"})
BUSY_SQLSTATES = frozenset({"55P03", "57014"})
DOWN_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})
_SQLITE_BUSY = ("database is locked", "database is busy", "database table is locked")


def sqlstate(exc: DBAPIError) -> str | None:
    return getattr(exc.orig, "sqlstate", None)


def is_transient_conflict(exc: DBAPIError) -> bool:
    return sqlstate(exc) in TRANSIENT_SQLSTATES


def is_busy(exc: DBAPIError) -> bool:
    state = sqlstate(exc)
    return state in BUSY_SQLSTATES or any(text in str(exc.orig) for text in _SQLITE_BUSY)


def is_unreachable(exc: DBAPIError) -> bool:
    state = sqlstate(exc)
    if state is not None:
        return state.startswith("08") or state in DOWN_SQLSTATES
    return bool(exc.connection_invalidated)


def translate(exc: Exception) -> Exception | None:
    """The error to raise instead of ``exc``, or None to let it propagate unchanged."""
    if isinstance(exc, PoolTimeout | DisconnectionError):
        return Unavailable("the database is not reachable now; retry later", reason="DATABASE_UNAVAILABLE")
    if not isinstance(exc, DBAPIError):
        return None
    if is_transient_conflict(exc):
        return TransientConflict()
    if is_busy(exc):
        return Unavailable("the database is busy; retry later", reason="DATABASE_BUSY")
    if is_unreachable(exc):
        return Unavailable("the database is not reachable now; retry later", reason="DATABASE_UNAVAILABLE")
    return None


@contextmanager
def translated() -> Iterator[None]:
    """Raise the translation of a database error raised in the block (see ``translate``)."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - re-raised unchanged unless it has a translation
        replacement = translate(exc)
        if replacement is None:
            raise
        raise replacement from exc
