"""Process entry point shared by the five services: settings, logging, bootstrap, run.

Readiness for a parent process (``leadflow up``): when ``LEADFLOW_READY_FD`` names an inherited file descriptor,
the service writes one JSON line to it once its ports are bound and it is SERVING (a ``ReadyReport``: service,
pid and the ports it actually bound, which matters when a port was 0), then closes it. A parent that reads end of
file before that line knows the child died before it was ready, and no other program's server on the same port can
answer in the child's place, as a health probe could be.
"""

from __future__ import annotations

import errno
import importlib
import json
import os
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from services.common import eventloop
from services.common.config import ConfigError, Env
from services.common.grpcserver.server import PortInUse
from services.common.logs import configure_logging

if TYPE_CHECKING:
    from services.common.runtime import RunningService

READY_FD_ENV = "LEADFLOW_READY_FD"


@dataclass(frozen=True)
class ReadyReport:
    """What a started service tells its parent: one JSON object on one line."""

    service: str
    pid: int
    grpc_port: int
    metrics_port: int

    def to_line(self) -> bytes:
        return (json.dumps(asdict(self)) + "\n").encode()

    @classmethod
    def from_line(cls, line: bytes) -> ReadyReport:
        """Raises ValueError (or KeyError/TypeError) for a line that is not a report."""
        data = json.loads(line)
        return cls(str(data["service"]), int(data["pid"]), int(data["grpc_port"]), int(data["metrics_port"]))


def serve(service: str) -> int:
    settings = None
    try:
        on_started = _ready_reporter(service)
        settings = importlib.import_module(f"services.{service}.settings").load()
        configure_logging(service, settings.common.log_level)
        bootstrap = importlib.import_module(f"services.{service}.bootstrap")
        app = bootstrap.build_app(settings)
        return eventloop.run(bootstrap_run(app, on_started), settings.common.event_loop)
    except ConfigError as exc:
        print(f"leadflow {service}: configuration error: {exc}", file=sys.stderr)
        return 2
    except PortInUse as exc:
        print(f"leadflow {service}: {exc}", file=sys.stderr)
        return 3
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE or settings is None:
            raise
        # The metrics endpoint (prometheus_client's HTTP server) binds before gRPC.
        address = f"{settings.common.metrics_host}:{settings.common.metrics_port}"
        print(
            f"leadflow {service}: cannot listen on {address} (metrics): the port is taken. Stop what uses it or "
            f"choose another port with LEADFLOW_{service.upper()}_METRICS_PORT (0 picks a free one).",
            file=sys.stderr,
        )
        return 3


def _ready_reporter(service: str) -> Callable[[RunningService], None] | None:
    raw = Env().raw(READY_FD_ENV)
    os.environ.pop(READY_FD_ENV, None)  # nothing this process starts may inherit the duty
    if raw is None:
        return None
    try:
        fd = int(raw)
        os.fstat(fd)
    except (ValueError, OSError):
        raise ConfigError(READY_FD_ENV, f"must name an open file descriptor, got {raw!r}") from None

    def report(running: RunningService) -> None:
        line = ReadyReport(service, os.getpid(), running.port, running.metrics_port).to_line()
        try:
            os.write(fd, line)
        finally:
            os.close(fd)

    return report


async def bootstrap_run(app, on_started=None) -> int:  # type: ignore[no-untyped-def]
    from services.common.runtime import run_service

    return await run_service(app, on_started)
