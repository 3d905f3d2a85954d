"""The stack-wide dev clock: `leadflow clock` moves every following service's clock through NATS, and refuses on a
stack that does not run on the dev clock."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import timedelta

import nats
import pytest

from services.cli.clock import parse_duration
from services.common import devclock
from services.common.clock import DevClock


def _clock_cli(nats_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "services.cli.main", "clock", "--nats-url", nats_url, *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_clock_cli_moves_a_following_clock_and_refuses_without_a_dev_stack(nats_server) -> None:
    refused = await asyncio.to_thread(_clock_cli, nats_server.url, "advance", "2h")
    assert refused.returncode == 1 and "--dev-clock" in refused.stderr
    assert f"(asked the NATS server at {nats_server.url})" in refused.stderr  # which server said so

    clock, stop = DevClock(), asyncio.Event()
    nc = await nats.connect(nats_server.url)
    kv = await devclock.join(nc.jetstream(), clock)  # the first service creates the bucket
    follower = asyncio.create_task(devclock.follow(kv, clock, stop))
    try:
        moved = await asyncio.to_thread(_clock_cli, nats_server.url, "advance", "1d2h")
        assert moved.returncode == 0, moved.stderr
        for _ in range(100):
            if clock.offset == timedelta(days=1, hours=2):
                break
            await asyncio.sleep(0.05)
        assert clock.offset == timedelta(days=1, hours=2)
        again = await asyncio.to_thread(_clock_cli, nats_server.url, "advance", "--", "-2h")
        assert again.returncode == 0
        for _ in range(100):
            if clock.offset == timedelta(days=1):
                break
            await asyncio.sleep(0.05)
        assert clock.offset == timedelta(days=1)
        shown = await asyncio.to_thread(_clock_cli, nats_server.url, "show")
        assert shown.returncode == 0 and "stack time" in shown.stdout
    finally:
        stop.set()
        await asyncio.wait_for(follower, timeout=10)
        await nc.close()


async def test_a_service_joining_a_moved_stack_starts_on_the_stack_time(nats_server) -> None:
    """A service (re)started after `leadflow clock advance` has the stack's offset before anything of it runs."""
    nc = await nats.connect(nats_server.url)
    try:
        first = DevClock()
        await devclock.join(nc.jetstream(), first)
        moved = await asyncio.to_thread(_clock_cli, nats_server.url, "advance", "3d")
        assert moved.returncode == 0, moved.stderr
        late = DevClock()
        await devclock.join(nc.jetstream(), late)
        assert late.offset == timedelta(days=3)  # at once, with no follower running
    finally:
        await nc.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("15m", timedelta(minutes=15)),
        ("1d2h30m", timedelta(days=1, hours=2, minutes=30)),
        ("-2h", timedelta(hours=-2)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "2x", "h", "1.5h", "-"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


def test_clock_cli_without_a_reachable_nats_says_so_in_one_line_without_a_traceback() -> None:
    from services.common.netutil import free_port

    answered = _clock_cli(f"nats://127.0.0.1:{free_port()}", "show")
    assert answered.returncode == 1
    assert "cannot reach NATS" in answered.stderr
    assert "Traceback" not in answered.stderr and "encountered error" not in answered.stderr
    assert len(answered.stderr.strip().splitlines()) == 1
