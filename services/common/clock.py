"""Time comes from an injectable clock so rules with hours and days are tested without sleeping.

- ``SystemClock``: production.
- ``FakeClock``: tests; moves only when told.
- ``DevClock``: a development stack's shared clock (``leadflow up --dev-clock``): the system time plus an offset that
  ``leadflow clock set|advance`` changes for every service at once (``services.common.devclock`` follows it), so a
  day of timers can be rehearsed in a minute. Listeners (the timer worker) are told when it moves.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> None:
        with self._lock:
            self._now += delta

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment


class DevClock:
    """System time plus a shared offset (see the module docstring)."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def set_offset(self, offset: timedelta) -> None:
        with self._lock:
            changed = offset != self._offset
            self._offset = offset
            listeners = list(self._listeners)
        if changed:
            for listener in listeners:
                listener()

    def on_change(self, listener: Callable[[], None]) -> None:
        with self._lock:
            self._listeners.append(listener)


def service_clock(dev_clock: bool) -> Clock:
    """The clock a service runs on: the system clock, or a dev clock the runtime keeps in step with the stack."""
    return DevClock() if dev_clock else SystemClock()
