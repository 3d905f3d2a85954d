"""Where a running `leadflow up` stack listens, for the other commands: ``<data dir>/stack.json``.

`leadflow up` writes it once every service is SERVING (its NATS URL, each service's gRPC and metrics port as the
service reported it, whether the dev clock is on) and removes it when it stops. `leadflow demo`, `clock`, `call`
and `import` read it for whatever no flag or variable names, so a stack that had to take other ports (4222 held by
another NATS server, say) is still the one they talk to, rather than whatever answers on the defaults.

A file whose stack is gone (killed before it could remove it) is ignored: `up` holds ``up.lock`` in the same folder
for as long as it runs, and a reader that can take that lock knows nobody holds it. ``up.lock`` also holds the pid
of the `up` process, which `leadflow down` signals.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from services.cli.ports import NATS_URL_ENV, grpc_port_variable
from services.common.config import DEFAULT_GRPC_PORTS, SERVICES, Env, data_dir

DEFAULT_NATS_URL = "nats://127.0.0.1:4222"

STACK_FILE = "stack.json"
LOCK_FILE = "up.lock"  # held by `leadflow up` for the life of the stack


@dataclass(frozen=True)
class StackAddresses:
    """A running stack's NATS URL and each service's gRPC and metrics ports."""

    nats_url: str
    grpc_ports: dict[str, int]
    metrics_ports: dict[str, int]
    dev_clock: bool = False

    def grpc_address(self, service: str, host: str = "127.0.0.1") -> str:
        return f"{host}:{self.grpc_ports[service]}"


def write(data_dir: Path, addresses: StackAddresses) -> Path:
    """Write ``stack.json`` whole or not at all (a reader never sees half of it); returns its path."""
    path = data_dir / STACK_FILE
    partial = path.with_suffix(".json.partial")
    partial.write_text(json.dumps(asdict(addresses), indent=2) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return path


def remove(data_dir: Path) -> None:
    (data_dir / STACK_FILE).unlink(missing_ok=True)


def read(data_dir: Path) -> StackAddresses | None:
    """The addresses of the stack running over ``data_dir``; None when none runs there (no file, a file whose
    stack is gone, or one this version cannot read)."""
    path = data_dir / STACK_FILE
    if not path.is_file() or not _held(data_dir / LOCK_FILE):
        return None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        addresses = StackAddresses(
            nats_url=str(raw["nats_url"]),
            grpc_ports={name: int(raw["grpc_ports"][name]) for name in SERVICES},
            metrics_ports={name: int(raw["metrics_ports"][name]) for name in SERVICES},
            dev_clock=bool(raw.get("dev_clock", False)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return addresses


def write_holder(lock: TextIO) -> None:
    """Write this process's pid into ``up.lock``, which it has just locked: who `leadflow down` stops."""
    lock.seek(0)
    lock.truncate()
    lock.write(f"{os.getpid()}\n")
    lock.flush()


def holder(data_dir: Path) -> int | None:
    """The pid of the `leadflow up` running over ``data_dir``, or None when none runs there. Read only while the
    lock is held, so the pid is a live holder's, not a stale file's."""
    lock_path = data_dir / LOCK_FILE
    if not _held(lock_path):
        return None
    try:
        return int(lock_path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None  # an `up` older than the pid in its lock, or one that is just starting


def _held(lock_path: Path) -> bool:
    """Whether a process holds ``lock_path`` (flock): a shared lock we can take means no `up` holds it."""
    try:
        with lock_path.open("r") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(lock, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def running(env: Env) -> StackAddresses | None:
    """The stack `leadflow up` runs over this environment's data directory (LEADFLOW_DATA_DIR), if any."""
    return read(data_dir(env))


def nats_url(env: Env, flag: str | None = None) -> str:
    """The stack's NATS: ``flag``, else LEADFLOW_NATS_URL, else the running stack's, else nats://127.0.0.1:4222."""
    if flag:
        return flag
    named = env.raw(NATS_URL_ENV)
    if named is not None:
        return named
    stack = running(env)
    return stack.nats_url if stack is not None else DEFAULT_NATS_URL


def grpc_port(env: Env, service: str, flag: int | None = None) -> int:
    """A service's gRPC port: ``flag``, else LEADFLOW_<SVC>_GRPC_PORT, else the running stack's, else the default
    (50051-50055). Raises ConfigError naming a malformed variable."""
    return flag if flag is not None else grpc_ports(env, {}, (service,))[service]


def grpc_ports(env: Env, flags: Mapping[str, int], services: Sequence[str] = SERVICES) -> dict[str, int]:
    """The gRPC port of each of ``services``, as ``grpc_port`` gives it; the stack file read once, and only when
    some service has neither a flag nor a variable."""
    ports: dict[str, int] = {}
    unnamed = []
    for service in services:
        variable = grpc_port_variable(service)
        if service in flags:
            ports[service] = flags[service]
        elif env.raw(variable) is not None:
            ports[service] = env.port(variable, DEFAULT_GRPC_PORTS[service])
        else:
            unnamed.append(service)
    stack = running(env) if unnamed else None
    for service in unnamed:
        ports[service] = stack.grpc_ports[service] if stack is not None else DEFAULT_GRPC_PORTS[service]
    return ports
