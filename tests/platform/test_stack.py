"""`leadflow up` brings nats-server and all five services to SERVING, and stops with no process left."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from services.common.config import SERVICES


def _processes_using(data_dir: Path) -> list[int]:
    """Every live process whose command line or environment mentions the data directory."""
    needle = str(data_dir).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            blob = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split()[2]
        except OSError:
            continue
        if needle in blob and state != "Z":
            found.append(int(entry.name))
    return found


class Stack:
    def __init__(self, data_dir: Path) -> None:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env.pop("LEADFLOW_DATA_DIR", None)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services.cli.main", "up", "--data-dir", str(data_dir)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 90.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r}; output:\n{''.join(self.output)}")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=60)


@pytest.mark.slow
def test_up_brings_all_five_to_serving_and_leaves_no_process(tmp_path: Path) -> None:
    data_dir = tmp_path / "stack"
    stack = Stack(data_dir)
    try:
        serving = stack.wait_for(r"all five services SERVING after ([\d.]+)s")
        print(f"leadflow up: all SERVING after {serving.group(1)}s")
        table = "".join(stack.output)
        for service in SERVICES:
            assert re.search(
                rf"^{service}\s+127\.0\.0\.1:\d+\s+http://127\.0\.0\.1:\d+/metrics", table, re.M
            ), table
        token = stack.wait_for(r"^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$").group(1)
        assert token
        assert len(_processes_using(data_dir)) >= 6  # nats-server and five services (and `up` itself)
    finally:
        code = stack.stop()
    assert code == 0, "".join(stack.output)
    deadline = time.monotonic() + 10
    while _processes_using(data_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _processes_using(data_dir) == []
    for service in SERVICES:
        assert (data_dir / f"{service}.db").exists()


@pytest.mark.slow
def test_a_second_up_over_the_same_data_dir_keeps_the_data(tmp_path: Path) -> None:
    data_dir = tmp_path / "stack"
    first = Stack(data_dir)
    try:
        first.wait_for(r"SERVING after")
    finally:
        assert first.stop() == 0
    marker = data_dir / "ingest.db"
    size_before = marker.stat().st_size
    stream_files = sorted(p.name for p in (data_dir / "jetstream").rglob("*") if p.is_file())
    second = Stack(data_dir)
    try:
        second.wait_for(r"SERVING after")
    finally:
        assert second.stop() == 0
    assert marker.stat().st_size >= size_before
    kept = sorted(p.name for p in (data_dir / "jetstream").rglob("*") if p.is_file())
    assert set(stream_files) <= set(kept)


def test_a_second_up_on_a_running_data_dir_is_refused(tmp_path: Path) -> None:
    data_dir = tmp_path / "stack"
    data_dir.mkdir()
    import fcntl

    with open(data_dir / "up.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        done = subprocess.run(
            [sys.executable, "-m", "services.cli.main", "up", "--data-dir", str(data_dir)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert "another stack already runs" in done.stderr
