"""Values read once per transaction: a consumer's batch handles many events in one transaction, and most of them read
the same few rows (an account's assignment policy, a team's agents, a push rule).

A memo lives in the transaction's scratch (``services.common.db.transaction_scratch``), so it ends with the
transaction; a row committed by another transaction meanwhile applies from the next one, as if this transaction had
run just before it. Once the transaction writes what a memo holds, the repository says so (``written``) and the memo
is off for the rest of the transaction: a value read after a write inside a SAVEPOINT that later rolls back would
otherwise outlive the rollback.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from services.common.db import transaction_scratch

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
