"""nats-server and the five services, each in a process of its own, started the way `leadflow up` starts them
(``services.cli.stack``: the same children, environment and readiness pipe), on SQLite files in a temporary data
directory or on a fresh PostgreSQL database per service (dropped at the end), analyzed as autovacuum would where the
server has autovacuum off (``bench.e2e.autoanalyze``).
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

from bench.e2e import procs, scrape
from bench.e2e.autoanalyze import Autoanalyze, server_autovacuum_is_off
from services.cli.ports import PortChoice, StackPlan
from services.cli.stack import Stack
from services.common.auth import TokenCodec
from services.common.config import SERVICES, AuthSettings, Env

NATS = "nats-server"
TENANT = "bench-tenant"
# The PostgreSQL server the benches use when none is named (the local one of a developer's machine and CI's).
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


class StackFailed(RuntimeError):
    """A process of the stack did not become ready; the message carries the end of its log."""


@dataclass
class BenchStack:
    """A running stack: where to reach each service, the pid of every process, and how to stop it all."""

    data_dir: Path
    stack: Stack
    serving_seconds: float
    database: str
    _cleanup: list[Callable[[], None]] = field(default_factory=list)
    # Set when the PostgreSQL server has autovacuum off: the bench analyzes the databases as autovacuum would.
    autoanalyze: Autoanalyze | None = None

    def grpc_address(self, service: str) -> str:
        return f"127.0.0.1:{self.stack.grpc_port(service)}"

    def metrics_port(self, service: str) -> int:
        report = self.stack.children[service].report
        assert report is not None
        return report.metrics_port

    @property
    def nats_url(self) -> str:
        return self.stack.nats_url

    @property
    def pids(self) -> dict[str, int]:
        """Every process of the stack by name: the five services, nats-server, and this process ("bench client",
        the load generator, which shares the machine)."""
        found = {name: child.process.pid for name, child in self.stack.children.items()}
        if self.stack.nats is not None:
            found[NATS] = self.stack.nats.pid
        found["bench client"] = os.getpid()
        return found

    def cpu_ms(self) -> dict[str, float]:
        return {name: procs.cpu_ms(pid) for name, pid in self.pids.items()}

    def rss_mb(self) -> dict[str, float]:
        return {name: procs.rss_mb(pid) for name, pid in self.pids.items() if name != "bench client"}

    def rss_anon_mb(self) -> dict[str, float]:
        return {name: procs.rss_anon_mb(pid) for name, pid in self.pids.items() if name != "bench client"}

    def db_counters(self, services: tuple[str, ...] = SERVICES) -> dict[str, dict[str, float]]:
        """Statement and transaction counters of ``services`` (a paused service cannot answer its /metrics)."""
        return {name: scrape.counters(self.metrics_port(name)) for name in services}

    def metadata(self, role: str = "admin") -> tuple[tuple[str, str], ...]:
        """gRPC metadata with a token of the bench tenant, signed with the key the services read."""
        codec = TokenCodec(AuthSettings.from_env(Env(dict(os.environ)), self.data_dir))
        return (("authorization", "Bearer " + codec.mint(tenant=TENANT, role=role, subject="bench")),)

    def stop(self) -> None:
        try:
            self.stack.stop()
        finally:
            for cleanup in reversed(self._cleanup):
                cleanup()


def _fresh_postgres(postgres_url: str) -> tuple[dict[str, str], Callable[[], None]]:
    """A fresh database per service on ``postgres_url``'s server: the LEADFLOW_<SERVICE>_DATABASE_URL variables and
    a function that drops them all."""
    from tests.harness import fresh_postgres_database

    variables: dict[str, str] = {}
    drops: list[Callable[[], None]] = []
    for name in SERVICES:
        url, drop = fresh_postgres_database(f"lf_bench_{name}", postgres_url)
        variables[f"LEADFLOW_{name.upper()}_DATABASE_URL"] = url
        drops.append(drop)

    def drop_all() -> None:
        for drop in drops:
            drop()

    return variables, drop_all


@contextmanager
def _environ(extra: dict[str, str]):  # type: ignore[no-untyped-def]
    # services.cli.stack passes this process's environment on to the children, as `leadflow up` does.
    with mock.patch.dict(os.environ, extra):
        yield


def start(postgres_url: str | None = None, timeout: float = 120.0) -> BenchStack:
    """Start nats-server (any free port) and the five services (ports chosen by each), cold: fresh data, the
    migrations, the streams. ``serving_seconds`` is the time from starting nats-server until every service reported
    SERVING (the PostgreSQL databases are created before, outside it).

    Raises StackFailed with the failing process's log tail when something does not start."""
    cleanup: list[Callable[[], None]] = []
    tmp = tempfile.TemporaryDirectory(prefix="leadflow-bench-e2e-")
    cleanup.append(tmp.cleanup)
    extra = {"LEADFLOW_DATA_DIR": tmp.name}
    autoanalyze: Autoanalyze | None = None
    if postgres_url:
        variables, drop = _fresh_postgres(postgres_url)
        cleanup.append(drop)
        extra |= variables
        if server_autovacuum_is_off(next(iter(variables.values()))):
            autoanalyze = Autoanalyze(list(variables.values())).start()
            # Stopped before the databases are dropped: the cleanups run in reverse.
            cleanup.append(autoanalyze.stop)
    any_port = {name: PortChoice(0, "bench") for name in SERVICES}
    plan = StackPlan(grpc=any_port, metrics=dict(any_port), nats_url=None, nats_port=0)
    stack = Stack(Path(tmp.name), plan)
    bench = BenchStack(Path(tmp.name), stack, 0.0, "PostgreSQL" if postgres_url else "SQLite", cleanup)
    bench.autoanalyze = autoanalyze
    began = time.monotonic()
    try:
        with _environ(extra):
            failure = stack.start_nats(timeout)
            if failure is not None:
                raise StackFailed(failure.render())
            # ingest needs dedup's address, known once dedup has bound its port: ingest starts after the others.
            early = stack.spawn([name for name in SERVICES if name != "ingest"])
            failures = stack.wait_ready(early, timeout, lambda: False)
            if not failures:
                failures = stack.wait_ready(stack.spawn(["ingest"]), timeout, lambda: False)
        if failures:
            raise StackFailed("\n".join(f.render() for f in failures))
    except BaseException:
        bench.stop()
        raise
    bench.serving_seconds = time.monotonic() - began
    return bench
