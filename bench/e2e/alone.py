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
import time
from collections.abc import Iterator
from contextlib import contextmanager

from bench.e2e.procs import all_threads_stopped
from bench.e2e.stack import BenchStack

DOWNSTREAM = ("assign", "telephony", "refund")
RUNNING = ("ingest", "dedup")
STOP_WAIT_SECONDS = 10.0


@contextmanager
def downstream_paused(stack: BenchStack) -> Iterator[None]:
    """SIGSTOP assign, telephony and refund and wait until each of their threads has stopped (so the window's first
    CPU reading is their last); SIGCONT them on the way out, whatever happened inside. Raises RuntimeError when they
    have not all stopped within ``STOP_WAIT_SECONDS``."""
    pids = [stack.pids[name] for name in DOWNSTREAM]
    stopped: list[int] = []
    try:
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
            stopped.append(pid)
        give_up = time.monotonic() + STOP_WAIT_SECONDS
        while not all(all_threads_stopped(pid) for pid in pids):
            if time.monotonic() > give_up:
                raise RuntimeError(
                    f"{', '.join(DOWNSTREAM)} did not stop within {STOP_WAIT_SECONDS} s of SIGSTOP"
                )
            time.sleep(0.005)
        yield
    finally:
        for pid in stopped:
            os.kill(pid, signal.SIGCONT)
