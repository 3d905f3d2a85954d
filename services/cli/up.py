"""`leadflow up`: nats-server with JetStream plus the five services on SQLite, in one command.

Children get PR_SET_PDEATHSIG so that even a SIGKILL of this process leaves none of them behind; Ctrl-C or SIGTERM
stops the services first (each drains and exits 0), then nats-server.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.common.auth import TokenCodec
from services.common.config import DEFAULT_GRPC_PORTS, DEFAULT_METRICS_PORTS, SERVICES, AuthSettings, Env
from services.common.natsbin import start_nats_server
from services.common.netutil import free_port, port_is_free, wait_for_port

DEFAULT_NATS_PORT = 4222
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _pick_port(wanted: int, what: str, notes: list[str]) -> int:
    if port_is_free(wanted):
        return wanted
    chosen = free_port()
    notes.append(f"{what}: port {wanted} is taken, using {chosen} instead")
    return chosen


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    grpc_port: int
    metrics_port: int
    log_path: Path


class Stack:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.logs = data_dir / "logs"
        self.nats: subprocess.Popen[bytes] | None = None
        self.nats_port = 0
        self.children: list[Child] = []
        self.notes: list[str] = []

    def start(self) -> None:
        self.logs.mkdir(parents=True, exist_ok=True)
        self.nats_port = _pick_port(DEFAULT_NATS_PORT, "nats-server", self.notes)
        self.nats = start_nats_server(
            self.nats_port, self.data_dir / "jetstream", log_file=self.logs / "nats.log"
        )
        wait_for_port(self.nats_port)
        ports = {
            name: (
                _pick_port(DEFAULT_GRPC_PORTS[name], f"{name} gRPC", self.notes),
                _pick_port(DEFAULT_METRICS_PORTS[name], f"{name} metrics", self.notes),
            )
            for name in SERVICES
        }
        env = dict(os.environ)
        env.update(
            {
                "LEADFLOW_DATA_DIR": str(self.data_dir),
                "LEADFLOW_NATS_URL": f"nats://127.0.0.1:{self.nats_port}",
            }
        )
        for name, (grpc_port, metrics_port) in ports.items():
            env[f"LEADFLOW_{name.upper()}_GRPC_PORT"] = str(grpc_port)
            env[f"LEADFLOW_{name.upper()}_METRICS_PORT"] = str(metrics_port)
        env["LEADFLOW_INGEST_DEDUP_ADDRESS"] = f"127.0.0.1:{ports['dedup'][0]}"
        for name, (grpc_port, metrics_port) in ports.items():
            log_path = self.logs / f"{name}.log"
            with open(log_path, "ab") as log_file:
                process = subprocess.Popen(
                    [sys.executable, "-m", f"services.{name}"],
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent,
                )
            self.children.append(Child(name, process, grpc_port, metrics_port, log_path))

    def wait_serving(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for child in self.children:
            with grpc.insecure_channel(f"127.0.0.1:{child.grpc_port}") as channel:
                stub = health_pb2_grpc.HealthStub(channel)
                while True:
                    if child.process.poll() is not None:
                        raise RuntimeError(
                            f"{child.name} exited with code {child.process.returncode}; see {child.log_path}"
                        )
                    try:
                        reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=1)
                        if reply.status == health_pb2.HealthCheckResponse.SERVING:
                            break
                    except grpc.RpcError:
                        pass
                    if time.monotonic() > deadline:
                        raise TimeoutError(
                            f"{child.name} not SERVING after {timeout:.0f}s; see {child.log_path}"
                        )
                    time.sleep(0.1)

    def first_dead(self) -> Child | None:
        return next((c for c in self.children if c.process.poll() is not None), None)

    def stop(self) -> None:
        # Services first (each drains its NATS connection), then the broker they drain into.
        for child in self.children:
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        if self.nats is not None and self.nats.poll() is None:
            self.nats.send_signal(signal.SIGTERM)
            try:
                self.nats.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.nats.kill()
                self.nats.wait()


def _print_table(stack: Stack, token: str, elapsed: float) -> None:
    rows = [("service", "gRPC address", "metrics URL", "database")]
    for child in stack.children:
        rows.append(
            (
                child.name,
                f"127.0.0.1:{child.grpc_port}",
                f"http://127.0.0.1:{child.metrics_port}/metrics",
                str(stack.data_dir / f"{child.name}.db"),
            )
        )
    rows.append(
        ("nats-server", f"nats://127.0.0.1:{stack.nats_port}", "-", str(stack.data_dir / "jetstream"))
    )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for note in stack.notes:
        print(f"note: {note}")
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\nall five services SERVING after {elapsed:.1f}s; logs in {stack.logs}")
    print("dev admin token (tenant 'demo', 24 h):")
    print(token)
    print("\nCtrl-C stops everything.", flush=True)


def run_up(data_dir_arg: str | None, timeout: float) -> int:
    env = Env()
    data_dir = Path(data_dir_arg or env.str("LEADFLOW_DATA_DIR", str(Path.cwd() / ".leadflow"))).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["LEADFLOW_DATA_DIR"] = str(data_dir)
    lock = open(data_dir / "up.lock", "w")  # noqa: SIM115 - held for the life of the stack
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"leadflow up: another stack already runs over {data_dir}", file=sys.stderr)
        return 1
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    started = time.monotonic()
    stack = Stack(data_dir)
    code = 0
    try:
        stack.start()
        stack.wait_serving(timeout)
        token = TokenCodec(AuthSettings.from_env(Env(), data_dir)).mint(
            tenant="demo", role="admin", subject="dev-admin"
        )
        _print_table(stack, token, time.monotonic() - started)
        while not stopping:
            dead = stack.first_dead()
            if dead is not None:
                print(
                    f"leadflow up: {dead.name} exited with code {dead.process.returncode}; see {dead.log_path}",
                    file=sys.stderr,
                )
                code = 1
                break
            time.sleep(0.2)
    except (RuntimeError, TimeoutError) as exc:
        print(f"leadflow up: {exc}", file=sys.stderr)
        code = 1
    finally:
        print("stopping…", flush=True)
        stack.stop()
        print("stopped.", flush=True)
    return code
