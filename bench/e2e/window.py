"""What every process of the stack spent over one measured window: CPU milliseconds (utime + stime from /proc),
database statements and transactions (each service's /metrics), and how much of the machine others used meanwhile.

A window ends once the stack has settled: every JetStream consumer has nothing pending or unacknowledged, so the
work a lead causes after its ``lead.assigned`` (telephony and refund consuming it) is inside the window too.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import nats

from bench.e2e import procs
from bench.e2e.scrape import STATEMENTS, SUBMIT_GROUPS, TRANSACTIONS
from bench.e2e.stack import BenchStack
from services.common.config import SERVICES


@dataclass(frozen=True)
class Snapshot:
    at: float
    cpu_ms: dict[str, float]
    db: dict[str, dict[str, float]]
    machine_busy_ms: float


def snapshot(stack: BenchStack, services: tuple[str, ...] = SERVICES) -> Snapshot:
    """CPU of every process now; database counters of ``services`` (the running ones)."""
    return Snapshot(time.monotonic(), stack.cpu_ms(), stack.db_counters(services), procs.machine_busy_ms())


async def settle(nats_url: str, timeout: float = 60.0) -> bool:
    """Wait until every consumer of every stream has nothing pending or unacknowledged; False after ``timeout``."""
    connection = await nats.connect(nats_url)
    try:
        js = connection.jetstream()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = False
            for stream in await js.streams_info():
                if stream.config.name is None:
                    continue
                for consumer in await js.consumers_info(stream.config.name):
                    busy = busy or bool(consumer.num_pending) or bool(consumer.num_ack_pending)
            if not busy:
                return True
            await asyncio.sleep(0.1)
        return False
    finally:
        await connection.close()


def spent(before: Snapshot, after: Snapshot, leads: int) -> dict[str, object]:
    """Per process: CPU ms per lead; per service: statements and transactions per lead; SubmitLeads per group
    commit (None when no group was stored: batches); the window's length and the cores other programs kept busy
    meanwhile (the machine's load, which the CPU figures do not include)."""
    seconds = after.at - before.at
    cpu = {name: after.cpu_ms[name] - before.cpu_ms[name] for name in after.cpu_ms}
    ours = sum(cpu.values())
    others = max(0.0, after.machine_busy_ms - before.machine_busy_ms - ours)
    per = max(leads, 1)
    groups = sum(after.db[name][SUBMIT_GROUPS] - before.db[name][SUBMIT_GROUPS] for name in after.db)
    return {
        "seconds": seconds,
        "leads": leads,
        "cpu_ms_per_lead": {name: ms / per for name, ms in cpu.items()},
        "statements_per_lead": {
            name: (after.db[name][STATEMENTS] - before.db[name][STATEMENTS]) / per for name in after.db
        },
        "transactions_per_lead": {
            name: (after.db[name][TRANSACTIONS] - before.db[name][TRANSACTIONS]) / per for name in after.db
        },
        "leads_per_submit_group": leads / groups if groups else None,
        "other_load_cores": others / 1000 / seconds if seconds > 0 else 0.0,
    }
