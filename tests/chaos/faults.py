"""Faults for the chaos tests: SIGKILL a random process of the pipeline now and then, and start it again."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from tests.pipeline import PipelineStack


@dataclass
class KillLog:
    kills: Counter[str] = field(default_factory=Counter)
    restart_seconds: list[float] = field(default_factory=list)

    def summary(self) -> str:
        by_target = ", ".join(f"{name} {n}" for name, n in sorted(self.kills.items()))
        slowest = max(self.restart_seconds, default=0.0)
        return f"{sum(self.kills.values())} kills ({by_target}); slowest restart {slowest:.1f} s"


async def kill_randomly(
    stack: PipelineStack, kills: int, interval: float, seed: int, log: KillLog, max_down: float = 1.0
) -> None:
    """``kills`` times, every ``interval`` seconds: SIGKILL a random process (any service replica or nats-server),
    leave it down for up to ``max_down`` seconds, start it again and wait until it is ready."""
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    for _ in range(kills):
        await asyncio.sleep(interval)
        name = rng.choice(stack.targets)
        stack.kill(name)
        log.kills[name] += 1
        await asyncio.sleep(rng.uniform(0.0, max_down))
        started = time.monotonic()
        await loop.run_in_executor(None, stack.restart, name)
        log.restart_seconds.append(time.monotonic() - started)
