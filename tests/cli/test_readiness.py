"""Readiness from the child itself: the report a service writes to LEADFLOW_READY_FD, and how `up`'s Stack reads
reports, deaths and silence from real child processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from services.cli.ports import plan_stack
from services.cli.stack import Child, Stack, log_tail
from services.common.config import ConfigError, Env
from services.common.entrypoint import READY_FD_ENV, ReadyReport, _ready_reporter


def test_a_service_reports_its_bound_ports_once_and_hides_the_fd_from_its_own_children(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read_fd, write_fd = os.pipe()
    monkeypatch.setenv(READY_FD_ENV, str(write_fd))
    report = _ready_reporter("dedup")
    assert report is not None and READY_FD_ENV not in os.environ
    report(SimpleNamespace(port=50052, metrics_port=9102))  # type: ignore[arg-type]
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()  # end of file: the service closed its end after the one line
    assert ReadyReport.from_line(data) == ReadyReport("dedup", os.getpid(), 50052, 9102)


def test_without_the_variable_nothing_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(READY_FD_ENV, raising=False)
    assert _ready_reporter("dedup") is None


@pytest.mark.parametrize("value", ["stdout", "987654"])
def test_a_bad_ready_fd_is_a_configuration_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(READY_FD_ENV, value)
    with pytest.raises(ConfigError, match=READY_FD_ENV):
        _ready_reporter("dedup")


def _child(tmp_path: Path, name: str, code: str) -> Child:
    read_fd, write_fd = os.pipe()
    log_path = tmp_path / f"{name}.log"
    log_path.write_text("a line from an earlier run\n")
    start = log_path.stat().st_size
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-c", code, str(write_fd)],
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
        )
    os.close(write_fd)
    return Child(name, process, log_path, start, read_fd)


REPORTS = (
    "import os, sys, time; from services.common.entrypoint import ReadyReport; "
    "os.write(int(sys.argv[1]), ReadyReport('ingest', os.getpid(), 41001, 41002).to_line()); time.sleep(60)"
)
CRASHES = (
    "import sys; print('starting', flush=True); "
    "print('cannot listen on 127.0.0.1:50053: the port is taken', file=sys.stderr); sys.exit(3)"
)
SILENT = "import time; time.sleep(60)"


def _stack(tmp_path: Path) -> Stack:
    return Stack(tmp_path, plan_stack(Env({}), is_free=lambda _port: True, answers=lambda _h, _p: False))


def test_a_report_is_ready_and_an_exit_before_it_is_a_named_failure_with_this_runs_log(
    tmp_path: Path,
) -> None:
    stack = _stack(tmp_path)
    ready, crashed = _child(tmp_path, "ingest", REPORTS), _child(tmp_path, "assign", CRASHES)
    stack.children = {"ingest": ready, "assign": crashed}
    try:
        failures = stack.wait_ready([ready, crashed], timeout=120, stopping=lambda: False)
    finally:
        stack.stop()
    assert ready.report == ReadyReport("ingest", ready.process.pid, 41001, 41002)
    assert stack.grpc_port("ingest") == 41001
    assert [(f.name, f.problem) for f in failures] == [("assign", "exited with code 3 before it was ready")]
    assert failures[0].tail == ["starting", "cannot listen on 127.0.0.1:50053: the port is taken"]
    rendered = failures[0].render()
    assert rendered.startswith(
        f"leadflow up: assign exited with code 3 before it was ready; last lines of {crashed.log_path}"
    )
    assert "  | cannot listen on 127.0.0.1:50053" in rendered


def test_a_child_that_never_reports_is_not_taken_for_ready(tmp_path: Path) -> None:
    stack = _stack(tmp_path)
    silent = _child(tmp_path, "refund", SILENT)
    stack.children = {"refund": silent}
    try:
        failures = stack.wait_ready([silent], timeout=0.5, stopping=lambda: False)
    finally:
        stack.stop()
    assert [(f.name, f.problem) for f in failures] == [("refund", "did not report ready within 0.5s")]
    assert silent.report is None


def test_log_tail_reads_only_from_the_given_offset(tmp_path: Path) -> None:
    path = tmp_path / "x.log"
    path.write_text("old\n" + "".join(f"new {i}\n" for i in range(30)))
    assert log_tail(path, 4, lines=3) == ["new 27", "new 28", "new 29"]
    assert log_tail(path, path.stat().st_size) == []
    assert log_tail(tmp_path / "missing.log", 0) == []
