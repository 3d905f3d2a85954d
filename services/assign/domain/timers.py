"""Timers as plain values the store persists and fires exactly once. Pure.

A timer is ``(kind, key, due_time)``; ``(kind, key)`` is unique. The store's contract, which the handlers rely on:

- schedule: insert the row (``ON CONFLICT DO NOTHING``: scheduling twice is harmless);
- cancel: delete the row if it has not fired (cancelling a fired or missing timer is harmless);
- fire: a worker takes rows whose ``due_time <= clock.now()`` (the injectable clock, so the dev clock moves them) and,
  in ONE transaction, claims the row (``UPDATE … SET fired_time = :now WHERE kind = :k AND key = :key AND
  fired_time IS NULL``; zero rows means another replica fired it: skip), applies the effect the domain returns,
  schedules the follow-on timer and writes the events to the outbox. A crash before commit leaves the row unfired
  for the next pass; after commit it never fires again. Restarts lose nothing because nothing lives in memory.

The domain also re-checks the state on firing (``reminders.fire_reminder``, ``reclaim.fire_reclaim`` return None
when the assignment moved on), so a timer that escaped cancellation does nothing.

Keys: RECLAIM → the assignment id; REMINDER → ``"<assignment id>#<sequence>"`` (sequence from 1), so the next
reminder is a new row and each reminder fires once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class TimerKind(StrEnum):
    RECLAIM = "RECLAIM"
    REMINDER = "REMINDER"


@dataclass(frozen=True)
class TimerRef:
    kind: TimerKind
    key: str


@dataclass(frozen=True)
class Timer:
    kind: TimerKind
    key: str
    due_time: datetime

    @property
    def ref(self) -> TimerRef:
        return TimerRef(self.kind, self.key)


def reclaim_ref(assignment_id: str) -> TimerRef:
    return TimerRef(TimerKind.RECLAIM, assignment_id)


def reminder_ref(assignment_id: str, sequence: int) -> TimerRef:
    return TimerRef(TimerKind.REMINDER, f"{assignment_id}#{sequence}")


def parse_reminder_key(key: str) -> tuple[str, int]:
    """``(assignment id, sequence)`` from a REMINDER key; raises ``ValueError`` for a malformed key."""
    assignment_id, separator, sequence = key.rpartition("#")
    if not separator or not assignment_id or not sequence.isdigit() or int(sequence) < 1:
        raise ValueError(f"not a reminder key: {key!r}")
    return assignment_id, int(sequence)
