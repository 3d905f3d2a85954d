"""Faults for the chaos tests: SIGKILL a random process of the pipeline now and then, and start it again."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from tests.pipeline import PipelineStack


@dataclass
class KillLog:
    kills: Counter[str] = field(default_factory=Counter)
    restarts: list[tuple[str, float]] = field(default_factory=list)  # (target, seconds to ready)

    def summary(self) -> str:
        by_target = ", ".join(f"{name} {n}" for name, n in sorted(self.kills.items()))
        slowest = max(self.restarts, key=lambda r: r[1], default=("-", 0.0))
        return (
            f"{sum(self.kills.values())} kills ({by_target}); slowest restart {slowest[0]} {slowest[1]:.1f} s"
        )


async def kill_randomly(
    stack: PipelineStack, kills: int, interval: float, seed: int, log: KillLog, max_down: float = 1.0
) -> None:
    """``kills`` times, every ``interval`` seconds: SIGKILL a random running process (any service replica or
    nats-server), leave it down for up to ``max_down`` seconds and start it again. Restarts run in the background
    (a service takes seconds to start), so the kills keep their pace and several processes may be down at once;
    returns once every killed process is ready again."""
    rng = random.Random(seed)
    restarts: dict[str, asyncio.Task[None]] = {}
    # A thread per target: a service's restart waits for nats-server, so nats-server's must never queue behind it.
    threads = ThreadPoolExecutor(max_workers=len(stack.targets))

    async def restart(name: str) -> None:
        await asyncio.sleep(rng.uniform(0.0, max_down))
        started = time.monotonic()
        await asyncio.get_running_loop().run_in_executor(threads, stack.restart, name)
        log.restarts.append((name, time.monotonic() - started))

    try:
        for _ in range(kills):
            await asyncio.sleep(interval)
            running = [name for name in stack.targets if name not in restarts or restarts[name].done()]
            if not running:
                await asyncio.wait(restarts.values(), return_when=asyncio.FIRST_COMPLETED)
                running = [name for name in stack.targets if restarts[name].done()]
            name = rng.choice(running)
            if name in restarts:
                await restarts.pop(name)  # surfaces a failed restart
            stack.kill(name)
            log.kills[name] += 1
            restarts[name] = asyncio.create_task(restart(name))
        await asyncio.gather(*restarts.values())
    finally:
        threads.shutdown(wait=True)
