"""Ingest and dedup alone: the same stack with the services downstream of ``lead.accepted`` (assign, telephony,
refund) stopped with SIGSTOP for the measured window, so SubmitLead's own throughput and latency are measured
without the pipeline behind it competing for the same two cores, as it would not when deployed on its own nodes.

Stopped processes keep their connections: JetStream holds the events they have not fetched, and once they are
continued (SIGCONT) they consume the backlog, which the phase waits for outside its window, so every lead is still
seen assigned (``missing``).
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from bench.e2e.stack import BenchStack

DOWNSTREAM = ("assign", "telephony", "refund")
RUNNING = ("ingest", "dedup")


@contextmanager
def downstream_paused(stack: BenchStack) -> Iterator[None]:
    """SIGSTOP assign, telephony and refund; SIGCONT them on the way out, whatever happened inside."""
    pids = [stack.pids[name] for name in DOWNSTREAM]
    stopped: list[int] = []
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)
        yield
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
