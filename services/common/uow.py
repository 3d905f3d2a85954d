"""The unit-of-work port every service's use cases run their database work through (ARCHITECTURE §8).

A service defines its unit of work as a small class of repositories, one per aggregate (``uow.leads``,
``uow.submissions`` ...), plus ``uow.events``, where use cases record the domain events of the change. Use cases
never open transactions themselves: they hand a function of the unit of work to ``Transactions``:

    lead = await self._tx.read(lambda uow: uow.leads.get(tenant, lead_id))
    result = await self._tx.write(lambda uow: self._store(uow, command))

``write`` runs the function in one write transaction, together with the recorded events (the outbox), and commits;
if the transaction loses a race (deadlock, serialization failure, a compare-and-set that found the row changed:
``TransientConflict``) it runs the whole function again, a bounded number of times, with jitter, then answers
ABORTED. The function must therefore have no effect outside the unit of work. ``read`` runs in a read-only
transaction that never waits behind a writer.

Pure Python: the SQLAlchemy implementation is ``services.common.dbtx``; tests use in-memory fakes.
"""

from __future__ import annotations

import random
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Generic, Protocol, TypeVar

from services.common.errors import Aborted

U = TypeVar("U", covariant=True)
T = TypeVar("T")

DEFAULT_ATTEMPTS = 8
MAX_BACKOFF_SECONDS = 0.05


class TransientConflict(Exception):  # noqa: N818 - a signal to run the transaction again, not an error
    """The transaction lost a race it may win when run again (deadlock, serialization failure, a compare-and-set
    that found the row changed, a row deleted between two statements). Raised by repositories or use cases."""


class EventLog(Protocol):
    """Where use cases record domain events: they are written to the outbox in the same transaction."""

    def add(self, event: object) -> None: ...


class Transactions(ABC, Generic[U]):
    """Runs use-case functions in units of work ``U``."""

    @abstractmethod
    async def read(self, work: Callable[[U], T]) -> T:
        """``work`` in a read-only transaction."""

    @abstractmethod
    async def write(self, work: Callable[[U], T]) -> T:
        """``work`` in a write transaction, retried on ``TransientConflict``; raises ``Aborted`` after the last
        attempt and ``Unavailable`` when the database cannot be reached or stays locked."""


def backoff_seconds(attempt: int) -> float:
    """Full jitter, capped: the sides of a deadlock must not retry in step (attempt counts from 0)."""
    return random.uniform(0, min(0.002 * (2**attempt), MAX_BACKOFF_SECONDS))  # noqa: S311 - jitter only


def run_retrying(
    attempt: Callable[[], T],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    on_retry: Callable[[], None] = lambda: None,
    on_abort: Callable[[], None] = lambda: None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``attempt`` until it does not raise ``TransientConflict``, at most ``attempts`` times; then ``Aborted``
    (reason CONCURRENT_CONFLICT), which a caller may retry."""
    for number in range(attempts):
        try:
            return attempt()
        except TransientConflict:
            if number == attempts - 1:
                break
            on_retry()
            sleep(backoff_seconds(number))
    on_abort()
    raise Aborted(
        "the request lost a race with concurrent requests too often; retry it", reason="CONCURRENT_CONFLICT"
    )


Pause = Callable[[float], Awaitable[None]]
