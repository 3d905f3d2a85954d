"""bench.e2e.procs: a stopped process is told from one whose threads still run (the alone phases' first CPU reading
must come after SIGSTOP has taken effect in every thread)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from bench.e2e.procs import all_threads_stopped, cpu_ms

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


def _until(condition, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        if condition():
            return True
        time.sleep(0.005)
    return False


def test_a_stopped_process_has_every_thread_stopped_and_spends_no_cpu(
    busy_process: subprocess.Popen[bytes],
) -> None:
    pid = busy_process.pid
    assert _until(lambda: cpu_ms(pid) > 50)  # running, both threads
    assert not all_threads_stopped(pid)
    busy_process.send_signal(signal.SIGSTOP)
    assert _until(lambda: all_threads_stopped(pid))
    stopped_at = cpu_ms(pid)
    time.sleep(0.2)
    assert cpu_ms(pid) == stopped_at
    busy_process.send_signal(signal.SIGCONT)
    assert _until(lambda: not all_threads_stopped(pid))
    assert _until(lambda: cpu_ms(pid) > stopped_at)
