"""bench.e2e.procs: a stopped process is told from one whose threads still run (the alone phases' first CPU reading
must come after SIGSTOP has taken effect in every thread)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from bench.e2e.procs import all_threads_stopped, cpu_ms
from tests.common.helpers import eventually

# Two threads that keep a core busy, so a thread still running between kill() and its stop would count CPU.
_BUSY = """
import threading
def spin():
    while True:
        sum(range(1000))
threading.Thread(target=spin, daemon=True).start()
spin()
"""


@pytest.fixture
def busy_process() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-c", _BUSY])
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=10)


async def test_a_stopped_process_has_every_thread_stopped_and_spends_no_cpu(
    busy_process: subprocess.Popen[bytes],
) -> None:
    pid = busy_process.pid
    await eventually(lambda: cpu_ms(pid) > 50, timeout=10, interval=0.005, what="the threads spin")
    assert not all_threads_stopped(pid)
    busy_process.send_signal(signal.SIGSTOP)
    await eventually(lambda: all_threads_stopped(pid), timeout=10, interval=0.005, what="every thread stops")
    stopped_at = cpu_ms(pid)
    await asyncio.sleep(0.2)
    assert cpu_ms(pid) == stopped_at
    busy_process.send_signal(signal.SIGCONT)
    await eventually(lambda: not all_threads_stopped(pid), timeout=10, interval=0.005, what="a thread runs")
    await eventually(lambda: cpu_ms(pid) > stopped_at, timeout=10, interval=0.005, what="CPU is spent again")
