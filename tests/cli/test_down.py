"""`leadflow down` stops the `leadflow up` running over a data directory: it finds the holder of ``up.lock`` by the
pid written there, sends it SIGTERM and waits for the lock to be let go. The holders here are real processes
that lock and answer (or ignore) SIGTERM as `up` would; the whole stack's stop is tests/platform/test_stack.py's."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from services.cli import stackfile
from services.cli.down import run_down
from tests.cli.test_stackfile import up_running

# A stand-in for `leadflow up`: locks up.lock, writes its pid (stackfile.write_holder), says so, and waits; on
# SIGTERM it exits (letting go of the lock), or with IGNORE, goes on holding it.
HOLDER = """
import fcntl, signal, sys, time
from pathlib import Path
from services.cli import stackfile
if sys.argv[2] == "ignore":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
lock = open(Path(sys.argv[1]) / stackfile.LOCK_FILE, "w")
fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
stackfile.write_holder(lock)
print("holding", flush=True)
time.sleep(120)
"""


def _holder(data_dir: Path, on_term: str) -> subprocess.Popen[str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir), on_term],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "holding"
    return process


def test_the_holder_of_the_lock_is_read_only_while_it_holds_it(tmp_path: Path) -> None:
    process = _holder(tmp_path, "exit")
    try:
        assert stackfile.holder(tmp_path) == process.pid
    finally:
        process.kill()
        process.wait()
    assert stackfile.holder(tmp_path) is None, "a dead holder's pid is not read back"


def test_a_lock_without_a_pid_names_no_holder(tmp_path: Path) -> None:
    with up_running(tmp_path):  # held, but nothing written: an older `up`, or one that is just starting
        assert stackfile.holder(tmp_path) is None


def test_down_stops_the_holder_and_waits_for_the_lock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    process = _holder(tmp_path, "exit")
    try:
        assert run_down(str(tmp_path), timeout=30) == 0
        assert process.poll() is not None, "down returned before the stack had stopped"
        assert stackfile.holder(tmp_path) is None
        assert f"pid {process.pid}" in capsys.readouterr().out
    finally:
        process.kill()
        process.wait()


def test_down_with_nothing_running_says_so_and_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LEADFLOW_DATA_DIR", str(tmp_path))  # no --data-dir: the variable names the folder
    assert run_down(None, timeout=5) == 0
    assert f"no stack runs over {tmp_path.resolve()}" in capsys.readouterr().err


def test_down_gives_up_after_its_timeout_on_a_stack_that_does_not_stop(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    process = _holder(tmp_path, "ignore")
    try:
        began = time.monotonic()
        assert run_down(str(tmp_path), timeout=1) == 1
        assert time.monotonic() - began >= 1
        assert process.poll() is None and stackfile.holder(tmp_path) == process.pid
        assert "still stopping" in capsys.readouterr().err
    finally:
        process.kill()
        process.wait()
