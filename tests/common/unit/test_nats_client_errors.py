"""The NATS connection's error callback: one line for the first error, then at most one per interval, counting the
ones left out, and at once again after a reconnect."""

from __future__ import annotations

import logging

import pytest

from services.common.natsconn import ClientErrorLog


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [
        {"error": r.error, "suppressed": getattr(r, "suppressed", 0)}  # type: ignore[attr-defined]
        for r in caplog.records
        if r.name == "leadflow.nats" and r.getMessage() == "nats client error"
    ]


async def test_errors_while_nats_is_away_are_one_line_per_interval_with_the_count_left_out(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="leadflow.nats")
    clock = Clock()
    log = ClientErrorLog(interval_s=30, clock=clock)
    for _ in range(60):  # thirty seconds of nats-py's reconnect attempts, two a second
        await log.report(ConnectionRefusedError("connect call failed"))
        clock.now += 0.5
    first = {"error": "ConnectionRefusedError: connect call failed", "suppressed": 0}
    assert lines(caplog) == [first]
    await log.report(OSError("still away"))  # the interval is over: a line, with the 59 left out
    assert lines(caplog)[-1] == {"error": "OSError: still away", "suppressed": 59}
    assert len(lines(caplog)) == 2


async def test_after_a_reconnect_the_next_error_is_logged_at_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="leadflow.nats")
    clock = Clock()
    log = ClientErrorLog(interval_s=30, clock=clock)
    await log.report(OSError("first"))
    await log.report(OSError("second"))  # within the interval: left out
    log.reset()  # reconnected
    clock.now += 1
    await log.report(OSError("third"))
    assert [line["error"] for line in lines(caplog)] == ["OSError: first", "OSError: third"]
    assert lines(caplog)[-1]["suppressed"] == 1
