"""What lives and happens with one write transaction: its scratch dict, work to run just before it commits and once
it has, and state to undo when a savepoint of it rolls back.

``Database.transaction`` (``services.common.db``) runs the hooks: ``run_before_commit`` as the block ends without
an error, ``take_after_commit`` after the commit. The engines' savepoint functions call ``savepoint_started``,
``savepoint_ended`` and ``savepoint_rolled_back``, so a ``SavepointParticipant`` (the batch's deferred outbox
writer) forgets what it took in during a savepoint that was rolled back, whoever opened it: a use case's
``uow.savepoint``, the careful path of a consumer batch, or a timer's firing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, cast

from sqlalchemy import Connection

# Connection.info key of the current transaction's scratch dict (see transaction_scratch).
_SCRATCH = "leadflow.transaction_scratch"
_AFTER_COMMIT = "after_commit"
_BEFORE_COMMIT = "before_commit"
_MANAGED = "managed"  # set by Database.transaction: its hooks will run
_PARTICIPANTS = "savepoint_participants"
_OPEN_SAVEPOINTS = "open_savepoints"  # savepoint name -> each participant's mark when it began


class SavepointParticipant(Protocol):
    """State kept in memory for a transaction that must follow its savepoints: ``mark()`` says where it stands,
    ``rewind(mark)`` goes back there."""

    def mark(self) -> Any: ...

    def rewind(self, mark: Any) -> None: ...


def transaction_scratch(connection: Connection) -> dict[str, Any]:
    """A dict that lives as long as ``connection``'s current transaction: memos of what the transaction read, and
    work to do once it commits. (``Connection.info`` itself belongs to the pooled DBAPI connection and outlives the
    transaction, so a memo kept there directly would be served to the next transaction.)"""
    current = connection.get_transaction()
    held = connection.info.get(_SCRATCH)
    if held is None or held[0] is not current:
        held = (current, {})
        connection.info[_SCRATCH] = held
    return cast(dict[str, Any], held[1])


def manage(connection: Connection) -> None:
    """Called by ``Database.transaction`` when the transaction begins: its before- and after-commit hooks will run."""
    transaction_scratch(connection)[_MANAGED] = True


def is_managed(connection: Connection) -> bool:
    """Whether ``connection``'s transaction is one of ``Database.transaction``'s (which runs the hooks)."""
    return bool(transaction_scratch(connection).get(_MANAGED))


def after_commit(connection: Connection, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the write transaction of ``connection`` has committed (never when it rolls back).
    Only for transactions of ``Database.transaction``, which runs the callbacks."""
    transaction_scratch(connection).setdefault(_AFTER_COMMIT, []).append(callback)


def before_commit(connection: Connection, callback: Callable[[], None]) -> None:
    """Run ``callback`` inside the write transaction of ``connection``, just before it commits (never when it rolls
    back; what it raises rolls the transaction back). Only for transactions of ``Database.transaction``.

    Raises RuntimeError on any other transaction, where the callback would silently never run."""
    if not is_managed(connection):
        raise RuntimeError("before_commit needs a transaction of Database.transaction, which runs it")
    transaction_scratch(connection).setdefault(_BEFORE_COMMIT, []).append(callback)


def run_before_commit(connection: Connection) -> None:
    """Run the before-commit callbacks, in the order they were added (one added meanwhile runs too)."""
    callbacks = transaction_scratch(connection).get(_BEFORE_COMMIT, [])
    position = 0
    while position < len(callbacks):
        callbacks[position]()
        position += 1


def take_after_commit(connection: Connection) -> list[Callable[[], None]]:
    """The after-commit callbacks of the transaction that just ended, and the scratch dropped."""
    held = connection.info.pop(_SCRATCH, None)
    if held is None or held[0] is not connection.get_transaction():
        return []
    return cast(list[Callable[[], None]], held[1].get(_AFTER_COMMIT, []))


def follow_savepoints(connection: Connection, participant: SavepointParticipant) -> None:
    """Have ``participant`` rewound whenever a savepoint of this transaction rolls back. Savepoints already open
    count from here: rolling one of them back rewinds the participant to where it stands now."""
    scratch = transaction_scratch(connection)
    scratch.setdefault(_PARTICIPANTS, []).append(participant)
    for marks in scratch.get(_OPEN_SAVEPOINTS, {}).values():
        marks[id(participant)] = participant.mark()


def savepoint_started(connection: Connection, name: str) -> None:
    """Kept even with no participant yet: one that joins inside it must be rewound when it rolls back."""
    scratch = transaction_scratch(connection)
    scratch.setdefault(_OPEN_SAVEPOINTS, {})[name] = {id(p): p.mark() for p in scratch.get(_PARTICIPANTS, ())}


def savepoint_ended(connection: Connection, name: str) -> None:
    """Released: what the participants took in during it stays."""
    open_ = transaction_scratch(connection).get(_OPEN_SAVEPOINTS)
    if open_:
        open_.pop(name, None)


def savepoint_rolled_back(connection: Connection, name: str) -> None:
    open_ = transaction_scratch(connection).get(_OPEN_SAVEPOINTS)
    marks = open_.pop(name, None) if open_ else None
    if marks is None:
        return
    for participant in _participants(connection):
        participant.rewind(marks[id(participant)])


def _participants(connection: Connection) -> list[SavepointParticipant]:
    return cast(list[SavepointParticipant], transaction_scratch(connection).get(_PARTICIPANTS, []))
