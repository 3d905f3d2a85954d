"""Group commit: concurrent calls gathered for a moment into one call that does their work together.

A caller hands its item to ``Gatherer.call(key, item)``. The first caller of a key opens a group and starts a task
that waits up to ``window`` seconds (less once ``max_size`` items joined), then for one of the key's
``max_running`` slots (groups of that key being run at once; keys never wait for each other), closes the group and runs ``run(key, items)`` once for all of them;
each caller is answered with its own outcome. Under load the groups grow by themselves: callers arriving while
the slots are busy join the waiting group, so a group's size follows the arrival rate times the time a run takes,
and a lone caller waits only the window. ``run`` returns one outcome
per item, in order (a value, or an exception for that caller alone), or raises, which fails every caller of the
group with that exception.

The group's task runs in the context (context variables: principal, trace, deadline) of the caller that opened it.
A caller that gives up (cancelled) leaves the group running: its item's work is done or not, exactly as if the
caller had crashed, so ``run`` must be safe to repeat for any item (idempotent), as every retried call is.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
I = TypeVar("I")  # noqa: E741 - the item type
R = TypeVar("R")

Run = Callable[[K, Sequence[I]], Awaitable[Sequence[R | BaseException]]]


@dataclass
class _Group(Generic[I, R]):
    items: list[I] = field(default_factory=list)
    answers: list[asyncio.Future[R]] = field(default_factory=list)
    full: asyncio.Event = field(default_factory=asyncio.Event)


class Gatherer(Generic[K, I, R]):
    """Gathers concurrent calls per key (see the module docstring).

    ``window``: seconds the first caller's group stays open at least (> 0); ``max_size``: items per group (>= 1);
    ``max_running``: groups of one key run at once (>= 1)."""

    def __init__(self, run: Run[K, I, R], *, window: float, max_size: int, max_running: int = 2) -> None:
        if window <= 0 or max_size < 1 or max_running < 1:
            raise ValueError("a gatherer needs a window > 0, max_size >= 1 and max_running >= 1")
        self._max_running = max_running
        self._slots: dict[
            K, tuple[asyncio.Semaphore, list[int]]
        ] = {}  # per key: slots, groups holding or waiting
        self._run = run
        self._window = window
        self._max_size = max_size
        self._open: dict[K, _Group[I, R]] = {}
        self._tasks: set[asyncio.Task[None]] = set()  # strong references while groups run

    async def call(self, key: K, item: I) -> R:
        """``item``'s outcome, from the one ``run`` of the group it joined; raises the exception meant for it."""
        group = self._open.get(key)
        if group is None:
            group = self._open[key] = _Group()
            task = asyncio.create_task(self._lead(key, group))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        answer: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        group.items.append(item)
        group.answers.append(answer)
        if len(group.items) >= self._max_size:
            self._close(key, group)
        return await answer

    def _close(self, key: K, group: _Group[I, R]) -> None:
        if self._open.get(key) is group:
            del self._open[key]
        group.full.set()

    async def _lead(self, key: K, group: _Group[I, R]) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(group.full.wait(), self._window)
        slots, users = self._slots.setdefault(key, (asyncio.Semaphore(self._max_running), [0]))
        users[0] += 1
        try:
            async with slots:  # the group stays open while it waits for a slot
                self._close(key, group)
                outcomes = await self._run(key, group.items)
            if len(outcomes) != len(group.items):
                raise RuntimeError(f"a group of {len(group.items)} got {len(outcomes)} outcomes")
        except BaseException as exc:  # every caller of the group gets it, a cancellation included
            for answer in group.answers:
                if answer.done():
                    continue
                if isinstance(exc, asyncio.CancelledError):
                    answer.cancel()
                else:
                    answer.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        finally:
            users[0] -= 1
            if not users[0]:
                del self._slots[key]  # no group of this key left: forget its slots
        for answer, outcome in zip(group.answers, outcomes, strict=True):
            if answer.done():
                continue  # its caller gave up
            if isinstance(outcome, BaseException):
                answer.set_exception(outcome)
            else:
                answer.set_result(outcome)
