"""The demo's time: scenario offsets (seconds from the day's 08:00) placed on the stack's clock, and the pace.

- Accelerated (a dev-clock stack): scenario time is stack time (``compression`` 1); the stack's clock is moved
  forward in steps of ``STEP`` so that ``speed`` stack seconds pass per wall second (86,400 / ``--day-seconds``: a
  day in a minute by default). When the demo's own work lags, the clock waits for it, so every action happens at
  its planned stack time, in order.
- Real time (any stack): the stack's clock is left alone; the scenario is compressed ``compression`` times so that
  the leads arrive at ``--rate``, and the day's hours shrink to seconds. Refund windows of hours do not pass then.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.cli.demo.cast import TIME_ZONE
from services.cli.demo.stackclock import StackClock

STEP = timedelta(minutes=15)
GRID = timedelta(minutes=5)
MIN_PAUSE_SECONDS = 0.005  # each step yields a little wall time, so the services see the clock move
ZONE = ZoneInfo(TIME_ZONE)


def next_day_start(now: datetime, hour: int, margin: timedelta) -> datetime:
    """The first ``hour``:00 in Asia/Shanghai at least ``margin`` after ``now``."""
    local = (now + margin).astimezone(ZONE)
    start = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if start < local:
        start += timedelta(days=1)
    return start


@dataclass
class Timeline:
    clock: StackClock
    origin: datetime  # stack time of scenario offset 0
    accelerated: bool
    compression: float = 1.0  # scenario seconds per stack second
    speed: float = 1440.0  # stack seconds per wall second, when accelerated
    _anchor: tuple[float, datetime] | None = field(default=None, repr=False)

    def at(self, offset_seconds: float) -> datetime:
        return self.origin + timedelta(seconds=offset_seconds / self.compression)

    def later(self, moment: datetime, scenario_seconds: float) -> datetime:
        return moment + timedelta(seconds=scenario_seconds / self.compression)

    def offset_of(self, moment: datetime) -> float:
        return (moment - self.origin).total_seconds() * self.compression

    def now(self) -> datetime:
        return self.clock.now()

    async def wait_until(self, moment: datetime) -> None:
        """Return once the stack's time has reached ``moment`` (moving it there when accelerated)."""
        if not self.accelerated:
            delay = (moment - self.clock.now()).total_seconds()
            if delay > 0:
                await asyncio.sleep(delay)
            return
        # The clock moves on a grid of five minutes from the origin: fewer moves for the services to follow,
        # and an action runs at most five minutes after its planned time.
        minutes = math.ceil((moment - self.origin) / GRID)
        target = self.origin + minutes * GRID
        while self.clock.now() < moment:
            step_to = min(target, self.clock.now() + STEP)
            if self._anchor is None:
                self._anchor = (time.monotonic(), self.clock.now())
            wall0, stack0 = self._anchor
            due_wall = wall0 + (step_to - stack0).total_seconds() / self.speed
            pause = due_wall - time.monotonic()
            if step_to - self.clock.now() >= STEP / 2:
                pause = max(pause, MIN_PAUSE_SECONDS)  # a long step: let the services see the clock move
            if pause > 0:
                await asyncio.sleep(pause)
            await self.clock.advance_to(step_to)

    async def jump_to(self, moment: datetime) -> None:
        """Move the stack's time to ``moment`` at once (before the day starts), and pace from there on."""
        if self.accelerated:
            await self.clock.advance_to(moment)
            self._anchor = None
