"""The unit-of-work port (``services.common.uow``) on SQLAlchemy: transactions, retries, the outbox, error mapping.

A service's ``adapters/db/uow.py`` defines its unit of work as a subclass of ``SqlUnitOfWork`` that builds its
repositories on the session; bootstrap wires it here with the service's event encoder:

    transactions = SqlTransactions(database, IngestUnitOfWork, messaging, encode_event, wake=waker.wake)

Every service gets, from this one place:
- reads on the database's read threads and writes on its write threads, one thread hop per unit of work, with the
  caller's context variables (principal, trace context) carried into the thread;
- a lost race run again with jitter (``uow.run_retrying``), counted in ``leadflow_db_transaction_retries_total``,
  ending ABORTED (``leadflow_db_transactions_aborted_total``), never INTERNAL;
- driver errors translated once (``dberrors``): locked or unreachable databases are UNAVAILABLE;
- events recorded in ``uow.events`` written to the outbox in the same transaction, and the relay woken after
  the commit.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Generic, TypeVar

from sqlalchemy import Connection

from services.common import dberrors, deadline
from services.common.db import Database
from services.common.messaging.outbox import EventEncoder, OutboxWriter
from services.common.messaging.tables import MessagingTables
from services.common.metrics import DB_TRANSACTION_RETRIES, DB_TRANSACTIONS_ABORTED
from services.common.txhooks import before_commit, follow_savepoints, transaction_scratch
from services.common.uow import DEFAULT_ATTEMPTS, Transactions, run_retrying

T = TypeVar("T")


class SqlUnitOfWork:
    """Base of a service's unit of work: the session's outbox as ``events``. Subclasses add the repositories."""

    def __init__(self, session: Connection, events: OutboxWriter) -> None:
        self.events = events


U = TypeVar("U", bound=SqlUnitOfWork, covariant=True)


class SqlTransactions(Transactions[U], Generic[U]):
    def __init__(
        self,
        database: Database,
        unit_of_work: Callable[[Connection, OutboxWriter], U],
        messaging: MessagingTables,
        encode: EventEncoder,
        *,
        wake: Callable[[], None] = lambda: None,
        attempts: int = DEFAULT_ATTEMPTS,
    ) -> None:
        self.database = database
        self._unit_of_work = unit_of_work
        self._messaging = messaging
        self._encode = encode
        self._wake = wake
        self._attempts = attempts
        # transaction_scratch key of the writer the units of work of one transaction share (bind); per instance,
        # so two services' transactions in one process (tests) never share an outbox table's writer.
        self._shared_writer_key = f"outbox_writer:{id(self)}"

    # ------------------------------------------------------------------ async: from the event loop

    async def read(self, work: Callable[[U], T]) -> T:
        deadline.check("the read")
        return await _in_thread(self.database.read_executor, self.read_now, work)

    async def write(self, work: Callable[[U], T]) -> T:
        deadline.check("the write")  # work whose caller has given up is never started
        return await _in_thread(self.database.write_executor, self.write_now, work)

    # ------------------------------------------------------------------ sync: already on a worker thread

    def read_now(self, work: Callable[[U], T]) -> T:
        with dberrors.translated(), self.database.read() as session:
            return work(self.bind(session))

    def write_now(self, work: Callable[[U], T]) -> T:
        recorded = 0

        def attempt() -> T:
            nonlocal recorded
            with dberrors.translated(), self.database.transaction() as session:
                # The batch's writer: the transaction's events in one statement at commit, and those recorded in a
                # savepoint that rolled back (a use case's own retry) dropped with it.
                uow = self.batch_binder(session)
                result = work(uow)
                recorded = uow.events.count
            return result

        result = run_retrying(
            attempt,
            attempts=self._attempts,
            on_retry=DB_TRANSACTION_RETRIES.inc,
            on_abort=DB_TRANSACTIONS_ABORTED.inc,
        )
        if recorded:
            self._wake()
        return result

    def batch_binder(self, session: Connection) -> U:
        """``bind(session, events_at_commit=True)``: what the runtime's consumers and timer worker bind with."""
        return self.bind(session, events_at_commit=True)

    def bind(self, session: Connection, *, events_at_commit: bool = False) -> U:
        """A unit of work on a session someone else owns (a consumer's inbox transaction): its events go to the
        outbox of that session, each as it is recorded.

        ``events_at_commit``: the units of work bound to one transaction of ``Database.transaction`` share one
        deferred writer, which writes all their events with one statement just before the commit (a consumer
        batch or a timer round: one outbox INSERT per batch, not one per event), and drops those recorded in a
        savepoint that rolled back. Raises RuntimeError on a transaction ``Database.transaction`` does not run."""
        if not events_at_commit:
            return self._unit_of_work(session, OutboxWriter(session, self._messaging, self._encode))
        scratch = transaction_scratch(session)
        events = scratch.get(self._shared_writer_key)
        if events is None:
            events = OutboxWriter(session, self._messaging, self._encode, deferred=True)
            before_commit(session, events.flush)  # raises on a transaction nobody will run it for
            follow_savepoints(session, events)
            scratch[self._shared_writer_key] = events
        return self._unit_of_work(session, events)


async def _in_thread(
    executor: Executor, function: Callable[[Callable[[U], T]], T], work: Callable[[U], T]
) -> T:
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(
        executor, functools.partial(context.run, function, work)
    )
