"""Timers that live in the database and fire exactly once: the port use cases schedule them through.

A timer is a row (kind, key) with a due time, scheduled by a use case inside its unit of work
(``uow.timers.schedule(Timer(...))``) and cancelled the same way. The runtime's timer worker
(``services.common.timerworker``) fires each due timer in a write transaction that runs the kind's handler on a unit
of work bound to that transaction and deletes the row in it: the effect and the firing commit together, so a timer
fires exactly once however many replicas poll and whenever a process dies. Scheduling an existing (kind, key) moves
it (a new due time and payload), which is how a repeating reminder reschedules itself.

Pure Python: the SQL adapter is ``services.common.timerstore``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MAX_KIND = 64
MAX_KEY = 200


@dataclass(frozen=True)
class Timer:
    """``kind`` names the handler (e.g. "reminder"); ``key`` is unique within the kind (e.g. an assignment id and a
    sequence number); ``payload`` is JSON-serialisable and holds no personal data."""

    kind: str
    key: str
    tenant_id: str
    due_time: datetime
    payload: Mapping[str, Any] = field(default_factory=dict)
    attempts: int = 0  # earlier firings whose handler failed

    def __post_init__(self) -> None:
        if not 0 < len(self.kind) <= MAX_KIND or not 0 < len(self.key) <= MAX_KEY:
            raise ValueError(f"a timer needs a kind of 1-{MAX_KIND} and a key of 1-{MAX_KEY} characters")
        if self.due_time.tzinfo is None:
            raise ValueError("a timer's due time must be timezone-aware")


class TimerRepository(ABC):
    """``uow.timers``: the service's timers, in the unit of work's transaction."""

    @abstractmethod
    def schedule(self, timer: Timer) -> None:
        """Insert the timer, or move an existing (kind, key) to this due time and payload."""

    def schedule_many(self, timers: Sequence[Timer]) -> None:
        """``schedule`` of each timer, in order (one statement in SQL); no two may share a (kind, key)."""
        for timer in timers:
            self.schedule(timer)

    @abstractmethod
    def cancel(self, kind: str, key: str) -> bool:
        """Delete the timer; False when there was none (fired or cancelled already)."""

    @abstractmethod
    def get(self, kind: str, key: str) -> Timer | None: ...
