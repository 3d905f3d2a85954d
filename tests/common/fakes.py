"""In-memory fakes of the runtime's ports, for handler tests that run without a database.

``FakeTransactions(uow)`` runs use-case functions on one in-memory unit of work, with the semantics handlers rely
on: a write that raises leaves the unit of work as it was (its state is restored from a snapshot), and a write that
raises ``TransientConflict`` is run again (no sleeping), ending in ABORTED like the real one. ``EventList`` is the
``uow.events`` of a fake unit of work: the recorded domain events, in order.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, TypeVar

from services.common.erasure import ErasedLeadRepository
from services.common.uow import Transactions, run_retrying

U = TypeVar("U")
T = TypeVar("T")


class EventList:
    def __init__(self) -> None:
        self.recorded: list[object] = []

    def add(self, event: object) -> None:
        self.recorded.append(event)


class FakeTransactions(Transactions[U], Generic[U]):
    def __init__(self, uow: U, *, attempts: int = 8) -> None:
        self.uow = uow
        self.writes = 0  # attempts of write transactions, for tests of retries
        self._attempts = attempts

    async def read(self, work: Callable[[U], T]) -> T:
        return work(self.uow)

    async def write(self, work: Callable[[U], T]) -> T:
        return self.write_now(work)

    def write_now(self, work: Callable[[U], T]) -> T:
        def attempt() -> T:
            self.writes += 1
            snapshot = copy.deepcopy(self.uow.__dict__)
            try:
                return work(self.uow)
            except BaseException:
                _restore(self.uow, snapshot)
                raise

        return run_retrying(attempt, attempts=self._attempts, sleep=lambda _seconds: None)

    def read_now(self, work: Callable[[U], T]) -> T:
        return work(self.uow)


def _restore(uow: Any, snapshot: dict[str, Any]) -> None:
    """Put every attribute back, in place, so references tests hold to the unit of work stay valid."""
    for name, value in snapshot.items():
        current = getattr(uow, name, None)
        if current is not None and hasattr(current, "__dict__") and hasattr(value, "__dict__"):
            current.__dict__.clear()
            current.__dict__.update(value.__dict__)
        else:
            setattr(uow, name, value)


class FakeErasedLeads(ErasedLeadRepository):
    """``uow.erased`` in memory (services.common.erasure)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], datetime] = {}

    def mark(self, tenant: str, lead_id: str, erase_time: datetime) -> bool:
        if (tenant, lead_id) in self.rows:
            return False
        self.rows[(tenant, lead_id)] = erase_time
        return True

    def contains(self, tenant: str, lead_id: str) -> bool:
        return (tenant, lead_id) in self.rows
