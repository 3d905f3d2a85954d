"""The whole pipeline as separate processes, for fault tests: nats-server and the five services (``python -m
services.<name>``), each service on SQLite files in one data directory or on PostgreSQL, optionally in several
replicas; any process can be SIGKILLed and started again (same ports, same data directory, same JetStream store),
or restarted gracefully one replica at a time.

Ports: every replica has two gRPC ports and runs on one of them; clients (and ingest, for dedup) get a target naming
both (``ipv4:127.0.0.1:a,127.0.0.1:b``, round robin over the replicas whose health says SERVING), so a rolling
restart can start the new process on the other port before the old one stops, as a Kubernetes rolling update starts
the new pod on a new address. A SIGKILLed
process comes back on the port it had. Readiness comes from the process itself (``LEADFLOW_READY_FD``), never from a
probe another process could answer.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import grpc

from services.common.config import SERVICES
from services.common.entrypoint import READY_FD_ENV, ReadyReport
from services.common.grpcclient import RECONNECT_OPTIONS, client_service_config
from services.common.natsbin import start_nats_server, wait_nats_ready
from services.common.netutil import free_port
from tests.platform.helpers import service_env

NATS = "nats"
READY_TIMEOUT = 180.0  # a cold start on a loaded two-core machine, migrations included (72 s seen)
# Exit codes of services.common.entrypoint when a port is still taken: the start is tried again.
_PORT_TAKEN = 3


class StartFailed(AssertionError):
    """A process exited, or did not report ready, within its time; the message carries its log's tail."""


def _log_tail(path: Path, start: int, lines: int = 40) -> str:
    with path.open("rb") as handle:
        handle.seek(start)
        return "\n".join(handle.read().decode(errors="replace").splitlines()[-lines:])


@dataclass
class Replica:
    """One process of a service: its two gRPC ports and which one it runs on."""

    service: str
    index: int
    ports: tuple[int, int]
    log_path: Path
    env: dict[str, str]
    active: int = 0  # index into ports
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    log_start: int = 0  # where this start's part of the log begins
    ready_fd: int = -1  # the read end of the readiness pipe of the start in progress

    @property
    def name(self) -> str:
        return self.service if self.index == 0 else f"{self.service}#{self.index + 1}"

    @property
    def port(self) -> int:
        return self.ports[self.active]


@dataclass
class PipelineStack:
    """The processes of one pipeline under ``root``; ``start()`` brings them up, ``stop()`` ends them all.

    ``database_urls`` maps a service to its database (default: a SQLite file in ``root/data``); ``replicas`` maps a
    service to its number of processes, which needs a database URL (replicas share one database). ``extra_env`` is
    added to every service's environment.
    """

    root: Path
    database_urls: Mapping[str, str] = field(default_factory=dict)
    replicas: Mapping[str, int] = field(default_factory=dict)
    extra_env: Mapping[str, str] = field(default_factory=dict)
    members: dict[str, Replica] = field(init=False, default_factory=dict)
    nats_port: int = field(init=False, default=0)
    nats_process: subprocess.Popen[bytes] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        for service, count in self.replicas.items():
            if count > 1 and service not in self.database_urls:
                raise ValueError(f"{count} replicas of {service} need a shared database URL")
        self.root.mkdir(parents=True, exist_ok=True)
        taken: set[int] = set()
        self.nats_port = _distinct_port(taken)
        nats_url = f"nats://127.0.0.1:{self.nats_port}"
        for service in SERVICES:
            for index in range(self.replicas.get(service, 1)):
                ports = (_distinct_port(taken), _distinct_port(taken))
                env = service_env(
                    service,
                    self.root / "data",
                    nats_url,
                    LEADFLOW_SHUTDOWN_DELAY_SECONDS="1.5",  # > clients' reconnect backoff (1 s): they move first
                    LEADFLOW_SHUTDOWN_GRACE_SECONDS="5",
                    **{f"LEADFLOW_{service.upper()}_METRICS_PORT": "0"},
                    **dict(self.extra_env),
                )
                if service in self.database_urls:
                    env[f"LEADFLOW_{service.upper()}_DATABASE_URL"] = self.database_urls[service]
                replica = Replica(service, index, ports, self.root / f"{service}-{index + 1}.log", env)
                self.members[replica.name] = replica
        dedup = self.target("dedup")
        for replica in self.of("ingest"):
            replica.env["LEADFLOW_INGEST_DEDUP_ADDRESS"] = dedup

    # ------------------------------------------------------------------------------------------------ addresses

    def of(self, service: str) -> list[Replica]:
        return [r for r in self.members.values() if r.service == service]

    def target(self, service: str) -> str:
        """A gRPC target naming every port of every replica of ``service`` (clients round robin over those SERVING)."""
        addresses = [f"127.0.0.1:{port}" for replica in self.of(service) for port in replica.ports]
        return "ipv4:" + ",".join(addresses)

    def database_url(self, service: str) -> str:
        return self.database_urls.get(service) or f"sqlite:///{self.root / 'data' / (service + '.db')}"

    @property
    def targets(self) -> list[str]:
        """What can be killed: nats-server and every service replica."""
        return [NATS, *self.members]

    # ------------------------------------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self._start_nats()
        for replica in self.members.values():
            self._spawn(replica)
        for replica in self.members.values():
            self._await_ready(replica)

    def stop(self) -> None:
        for replica in self.members.values():
            if replica.process is not None and replica.process.poll() is None:
                replica.process.terminate()
        for replica in self.members.values():
            if replica.process is not None:
                _reap(replica.process, 30)
        if self.nats_process is not None:
            self.nats_process.terminate()
            _reap(self.nats_process, 15)

    def kill(self, name: str) -> None:
        """SIGKILL one process (``NATS`` or a replica name) and wait until it is gone."""
        process = self.nats_process if name == NATS else self.members[name].process
        assert process is not None and process.poll() is None, f"{name} is not running"
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def restart(self, name: str) -> None:
        """Start a killed process again on its port, and wait until it is ready."""
        if name == NATS:
            self._start_nats()
            return
        replica = self.members[name]
        self._spawn(replica)
        self._await_ready(replica)

    def roll(self, name: str) -> None:
        """A graceful restart of one replica: the new process starts on the replica's other port and reports ready,
        then, after a preStop-like pause, the old one gets SIGTERM and must exit 0 (ARCHITECTURE §7's shutdown order)."""
        replica = self.members[name]
        old = replica.process
        assert old is not None and old.poll() is None, f"{name} is not running"
        replica.active = 1 - replica.active
        self._spawn(replica)
        self._await_ready(replica)
        # Kubernetes' preStop sleep (deploy/README): the old pod keeps serving while clients connect to the new one,
        # which takes up to their reconnect backoff (grpcclient.RECONNECT_OPTIONS, at most 1 s plus jitter).
        time.sleep(PRE_STOP_SECONDS)
        old.terminate()
        code = old.wait(timeout=60)
        if code != 0:
            raise StartFailed(f"{name} exited with {code} on SIGTERM:\n{_log_tail(replica.log_path, 0)}")

    def _start_nats(self) -> None:
        ports_dir = self.root / "nats-ports"
        self.nats_process = start_nats_server(
            self.nats_port, self.root / "jetstream", log_file=self.root / "nats.log", ports_file_dir=ports_dir
        )
        wait_nats_ready(self.nats_process, ports_dir, timeout=30)

    def _spawn(self, replica: Replica) -> None:
        env = dict(replica.env)
        env[f"LEADFLOW_{replica.service.upper()}_GRPC_PORT"] = str(replica.port)
        read_fd, write_fd = os.pipe()
        replica.log_start = replica.log_path.stat().st_size if replica.log_path.exists() else 0
        with open(replica.log_path, "ab") as log_file:
            replica.process = subprocess.Popen(
                [sys.executable, "-m", f"services.{replica.service}"],
                env=env | {READY_FD_ENV: str(write_fd)},
                stdout=log_file,
                stderr=subprocess.STDOUT,
                pass_fds=(write_fd,),
            )
        os.close(write_fd)
        replica.ready_fd = read_fd
        replica.starts += 1

    def _await_ready(self, replica: Replica) -> None:
        """Wait for the replica's ready report; a start that lost its port to a dying predecessor is tried again."""
        deadline = time.monotonic() + READY_TIMEOUT
        while True:
            report = _read_report(replica.ready_fd, deadline)
            process = replica.process
            assert process is not None
            if report is not None:
                return
            code = process.poll()
            if code == _PORT_TAKEN and time.monotonic() < deadline:
                time.sleep(0.2)
                self._spawn(replica)
                continue
            if code is None:
                process.kill()
                process.wait()
            raise StartFailed(
                f"{replica.name} not ready (exit {code}):\n{_log_tail(replica.log_path, replica.log_start)}"
            )

    # ------------------------------------------------------------------------------------------------ clients

    def channel(self, service: str, *, retries: bool = True, attempts: int = 5) -> grpc.Channel:
        """A channel to ``service`` configured as leadflow's own clients are (round robin over healthy replicas);
        with ``retries`` it also carries the gRPC retry policy (UNAVAILABLE only)."""
        return grpc.insecure_channel(
            self.target(service), options=self._client_options(service, retries, attempts)
        )

    def aio_channel(self, service: str, *, retries: bool = True, attempts: int = 5) -> grpc.aio.Channel:
        return grpc.aio.insecure_channel(
            self.target(service), options=self._client_options(service, retries, attempts)
        )

    @staticmethod
    def _client_options(service: str, retries: bool, attempts: int) -> list[tuple[str, object]]:
        config = client_service_config(_grpc_service(service), attempts=attempts if retries else 1)
        return [
            ("grpc.enable_retries", 1 if retries else 0),
            ("grpc.service_config", config),
            *RECONNECT_OPTIONS,
        ]


PRE_STOP_SECONDS = 1.5


def _distinct_port(taken: set[int]) -> int:
    """A free port none of this stack's processes was given yet (each is bound only later)."""
    while (port := free_port()) in taken:
        pass
    taken.add(port)
    return port


def _grpc_service(service: str) -> str:
    return f"leadflow.{service}.v1.{service.capitalize()}Service"


def _read_report(fd: int, deadline: float) -> ReadyReport | None:
    """The report written to ``fd`` before ``deadline``; None at end of file (the child died) or at the deadline.
    Closes ``fd``."""
    data = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        try:
            while b"\n" not in data:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(timeout=remaining):
                    return None
                chunk = os.read(fd, 4096)
                if not chunk:
                    return None
                data += chunk
        finally:
            selector.unregister(fd)
            os.close(fd)
    try:
        return ReadyReport.from_line(data.split(b"\n", 1)[0])
    except (ValueError, KeyError, TypeError):
        return None


def _reap(process: subprocess.Popen[bytes], timeout: float) -> None:
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
