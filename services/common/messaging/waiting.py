"""Waiting that a stop event can always cut short, and bounded exponential backoff."""

from __future__ import annotations

import asyncio


async def wait_for_any(*events: asyncio.Event, timeout: float | None) -> None:
    """Return when any of ``events`` is set, or after ``timeout`` seconds, whichever comes first."""
    if any(event.is_set() for event in events):
        return
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


class Backoff:
    """Delays that double from ``initial`` up to ``maximum``; ``reset()`` after a success."""

    def __init__(self, initial: float = 0.1, maximum: float = 5.0, factor: float = 2.0) -> None:
        if initial <= 0 or maximum < initial or factor < 1:
            raise ValueError("backoff needs 0 < initial <= maximum and factor >= 1")
        self._initial = initial
        self._maximum = maximum
        self._factor = factor
        self._next = initial

    def next(self) -> float:
        delay = self._next
        self._next = min(self._maximum, self._next * self._factor)
        return delay

    def reset(self) -> None:
        self._next = self._initial
