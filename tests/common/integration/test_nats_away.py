"""NATS away at start: a service waits for it without tracebacks in its log, connects once it answers, and stops
at once when asked to while it still waits (nats-py retries an unreachable server inside connect() itself, without
end, so only racing the stop event lets the service go)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from services.common.natsbin import start_nats_server
from services.common.natsconn import connect_nats
from services.common.netutil import free_port, wait_for_port
from services.common.runtime import RunningService
from tests.harness import load_settings, service_environ

pytestmark = pytest.mark.timeout(60)


async def test_connect_gives_up_when_stopped_while_nats_is_away(caplog: pytest.LogCaptureFixture) -> None:
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING)
    connecting = asyncio.create_task(connect_nats(f"nats://127.0.0.1:{free_port()}", "test", stop))
    await asyncio.sleep(1.5)  # a few of nats-py's own attempts
    assert not connecting.done()
    stop.set()
    assert await asyncio.wait_for(connecting, timeout=5) is None
    errors = [r for r in caplog.records if r.name == "leadflow.nats"]
    assert errors, "each failed attempt is logged"
    assert all(r.exc_info is None for r in caplog.records), "one line per attempt, no traceback"
    assert not [r for r in caplog.records if r.name == "nats.aio.client"], (
        "nats-py's own error log is not used"
    )


async def test_connect_succeeds_once_nats_comes_up(tmp_path: Path) -> None:
    port = free_port()
    connecting = asyncio.create_task(connect_nats(f"nats://127.0.0.1:{port}", "test", asyncio.Event()))
    await asyncio.sleep(1.0)
    server = start_nats_server(port, tmp_path / "jetstream", log_file=tmp_path / "nats.log")
    try:
        wait_for_port(port)
        client = await asyncio.wait_for(connecting, timeout=20)
        assert client is not None and client.is_connected
        await client.close()
    finally:
        server.terminate()
        server.wait(10)


async def test_a_service_asked_to_stop_while_nats_is_away_stops(tmp_path: Path) -> None:
    env = service_environ("refund", tmp_path, f"nats://127.0.0.1:{free_port()}")
    from services.refund import bootstrap

    running = RunningService(bootstrap.build_app(load_settings("refund", env)))
    starting = asyncio.create_task(running.start())
    await asyncio.sleep(2.0)
    assert not starting.done(), "still waiting for NATS"
    running.stop_event.set()  # what SIGTERM and SIGINT do
    await asyncio.wait_for(starting, timeout=10)
    await asyncio.wait_for(running.stop(), timeout=20)
