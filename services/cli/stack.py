"""The processes of `leadflow up`: nats-server and the five services, and whether each is really ready.

A service is ready when it says so itself: each child inherits the write end of a pipe (``LEADFLOW_READY_FD``, see
``services/common/entrypoint.py``) and writes one line with the ports it bound once it is SERVING. End of file before
that line means the child died; its log says why, and the last lines of it are kept for the report. nats-server is
ready when it writes its ports file. Nothing is probed over the network, so another program's server on the same
port can never pass for ours.

Children get PR_SET_PDEATHSIG so that even a SIGKILL of ``up`` leaves none of them behind.
"""

from __future__ import annotations

import ctypes
import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from services.cli.ports import StackPlan, grpc_port_variable, metrics_port_variable
from services.common.config import SERVICES
from services.common.entrypoint import READY_FD_ENV, ReadyReport
from services.common.natsbin import NatsServerExited, start_nats_server, wait_nats_ready

_PR_SET_PDEATHSIG = 1
TAIL_LINES = 15
_TAIL_LINE_CHARS = 400


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def log_tail(path: Path, start: int, lines: int = TAIL_LINES) -> list[str]:
    """The last ``lines`` lines written to ``path`` from byte ``start`` on (this run's part of the log)."""
    try:
        with path.open("rb") as handle:
            handle.seek(start)
            text = handle.read().decode(errors="replace")
    except OSError:
        return []
    return [line[:_TAIL_LINE_CHARS] for line in text.splitlines()[-lines:]]


@dataclass
class Child:
    """A started service: its process, log (and where this run's part starts), and what it reported."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path
    log_start: int
    ready_fd: int | None
    report: ReadyReport | None = None


@dataclass(frozen=True)
class Failure:
    """A process that is not running as it should: who, what happened, and the end of its log."""

    name: str
    problem: str
    log_path: Path
    tail: list[str]

    def render(self) -> str:
        lines = [f"leadflow up: {self.name} {self.problem}; last lines of {self.log_path}:"]
        lines += [f"  | {line}" for line in self.tail] or ["  | (empty)"]
        return "\n".join(lines)


class Stack:
    def __init__(self, data_dir: Path, plan: StackPlan) -> None:
        self.data_dir = data_dir
        self.plan = plan
        self.logs = data_dir / "logs"
        self.nats: subprocess.Popen[bytes] | None = None
        self.nats_url = plan.nats_url or ""
        self.children: dict[str, Child] = {}
        self._nats_log_start = 0

    def start_nats(self, timeout: float) -> Failure | None:
        """Start our nats-server unless the plan uses another; None when it listens, else why not."""
        self.logs.mkdir(parents=True, exist_ok=True)
        if self.plan.nats_url is not None:
            return None
        log_path = self.logs / "nats.log"
        start = self._nats_log_start = log_path.stat().st_size if log_path.exists() else 0
        ports_dir = self.data_dir / "run"
        # Its own session: a terminal's Ctrl-C reaches `up` and the services, and `up` stops nats-server after
        # them (stop()), so none of them loses its broker while draining (that logged connection errors). It still
        # dies with `up` (PDEATHSIG), as the services do.
        self.nats = start_nats_server(
            self.plan.nats_port,
            self.data_dir / "jetstream",
            log_file=log_path,
            ports_file_dir=ports_dir,
            own_session=True,
            preexec_fn=_die_with_parent,
        )
        try:
            self.nats_url = wait_nats_ready(self.nats, ports_dir, timeout)
        except NatsServerExited as exc:
            return Failure(
                "nats-server",
                f"exited with code {exc.returncode} before it listened",
                log_path,
                log_tail(log_path, start),
            )
        except TimeoutError:
            return Failure(
                "nats-server", f"did not listen within {timeout:g}s", log_path, log_tail(log_path, start)
            )
        return None

    def spawn(self, names: list[str]) -> list[Child]:
        """Start these services, each with its ports, the NATS URL and a readiness pipe."""
        env = dict(os.environ)
        env["LEADFLOW_DATA_DIR"] = str(self.data_dir)
        env["LEADFLOW_NATS_URL"] = self.nats_url
        for name in SERVICES:
            env[grpc_port_variable(name)] = str(self.grpc_port(name))
            env[metrics_port_variable(name)] = str(self.plan.metrics[name].port)
        env["LEADFLOW_INGEST_DEDUP_ADDRESS"] = f"127.0.0.1:{self.grpc_port('dedup')}"
        started = []
        for name in names:
            read_fd, write_fd = os.pipe()
            log_path = self.logs / f"{name}.log"
            start = log_path.stat().st_size if log_path.exists() else 0
            with open(log_path, "ab") as log_file:
                process = subprocess.Popen(
                    [sys.executable, "-m", f"services.{name}"],
                    env=env | {READY_FD_ENV: str(write_fd)},
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    pass_fds=(write_fd,),
                    preexec_fn=_die_with_parent,
                )
            os.close(write_fd)  # the child's copy is the only one left: its exit means end of file
            child = Child(name, process, log_path, start, read_fd)
            self.children[name] = child
            started.append(child)
        return started

    def grpc_port(self, name: str) -> int:
        """The port a service bound (once it reported) or was asked for (0 until a port-0 service reports)."""
        child = self.children.get(name)
        if child is not None and child.report is not None:
            return child.report.grpc_port
        return self.plan.grpc[name].port

    def wait_ready(
        self, children: list[Child], timeout: float, stopping: Callable[[], bool]
    ) -> list[Failure]:
        """Wait until each child has reported or died (or ``timeout`` passed, or ``stopping()``); every child that
        is not ready comes back as a Failure, in start order."""
        deadline = time.monotonic() + timeout
        selector = selectors.DefaultSelector()
        buffers: dict[int, bytes] = {}
        for child in children:
            assert child.ready_fd is not None
            selector.register(child.ready_fd, selectors.EVENT_READ, child)
            buffers[child.ready_fd] = b""
        try:
            while selector.get_map() and not stopping():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                for key, _ in selector.select(timeout=min(remaining, 0.2)):
                    child = key.data
                    chunk = os.read(key.fd, 4096)
                    buffers[key.fd] += chunk
                    if chunk and b"\n" not in buffers[key.fd]:
                        continue
                    selector.unregister(key.fd)
                    self._close_ready_fd(child)
                    if chunk:
                        child.report = _parse_report(buffers[key.fd])
        finally:
            for key in list(selector.get_map().values()):
                selector.unregister(key.fd)
                self._close_ready_fd(key.data)
            selector.close()
        failures = []
        for child in children:
            if child.report is not None:
                continue
            if child.process.poll() is None:
                try:  # end of file comes from the exit; give the exit status a moment to arrive
                    child.process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
            code = child.process.poll()
            if code is not None:
                problem = f"exited with code {code} before it was ready"
            elif stopping():
                problem = "was stopped before it was ready"
            else:
                problem = f"did not report ready within {timeout:g}s"
            failures.append(
                Failure(child.name, problem, child.log_path, log_tail(child.log_path, child.log_start))
            )
        return failures

    def _close_ready_fd(self, child: Child) -> None:
        if child.ready_fd is not None:
            os.close(child.ready_fd)
            child.ready_fd = None

    def exited(self) -> list[Failure]:
        """Every process that has exited since it was ready."""
        failures = [
            Failure(
                c.name,
                f"exited with code {c.process.returncode}",
                c.log_path,
                log_tail(c.log_path, c.log_start),
            )
            for c in self.children.values()
            if c.process.poll() is not None
        ]
        if self.nats is not None and self.nats.poll() is not None:
            log_path = self.logs / "nats.log"
            failures.append(
                Failure(
                    "nats-server",
                    f"exited with code {self.nats.returncode}",
                    log_path,
                    log_tail(log_path, self._nats_log_start),
                )
            )
        return failures

    def stop(self) -> None:
        # Services first (each drains its NATS connection), then the broker they drain into.
        for child in self.children.values():
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        for child in self.children.values():
            try:
                child.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
            self._close_ready_fd(child)
        if self.nats is not None and self.nats.poll() is None:
            self.nats.send_signal(signal.SIGTERM)
            try:
                self.nats.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.nats.kill()
                self.nats.wait()


def _parse_report(data: bytes) -> ReadyReport | None:
    try:
        return ReadyReport.from_line(data.split(b"\n", 1)[0])
    except (ValueError, KeyError, TypeError):
        return None  # not a report: treated as not ready, and the log tail shows what the child did
