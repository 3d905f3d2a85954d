"""A real nats-server started from a configuration file (for authentication and permission tests)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from services.common.natsbin import nats_server_binary
from services.common.netutil import free_port, wait_for_port


@contextmanager
def nats_server_with_config(
    tmp: Path, body: str, env: Mapping[str, str] | None = None, includes: Mapping[str, str] | None = None
) -> Iterator[str]:
    """Start nats-server on a free loopback port with ``body`` appended to a minimal JetStream config.

    ``includes`` are written beside the config file (for ``include`` directives); ``env`` carries the variables
    the config references (``$NAME``). Yields the server URL.
    """
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    for name, text in (includes or {}).items():
        (tmp / name).write_text(text)
    config = tmp / "nats.conf"
    config.write_text(f'listen: "127.0.0.1:{port}"\njetstream {{ store_dir: "{tmp / "js"}" }}\n{body}\n')
    log = open(tmp / "nats.log", "ab")  # noqa: SIM115 - handed to the child
    process = subprocess.Popen(
        [nats_server_binary(), "-c", str(config)], stdout=log, stderr=subprocess.STDOUT, env=dict(env or {})
    )
    try:
        wait_for_port(port)
        yield f"nats://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
