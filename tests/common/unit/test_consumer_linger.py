"""When a consumer's linger waits for more events (``keeps_coming``): only while they come as a stream."""

from __future__ import annotations

import pytest

from services.common.messaging.consumer import keeps_coming


@pytest.mark.parametrize(
    ("fetched", "previous", "since", "expected", "why"),
    [
        (1, 2, 0.01, True, "a single event right after a batch of two: the stream goes on"),
        (3, 1, 0.01, True, "a fetch of three right after a single: a stream starts"),
        (2, 0, float("inf"), False, "the first batch a consumer takes: nothing before it"),
        (5, 40, 0.05, False, "the previous batch was taken a whole linger ago: a quiet spell"),
        (5, 40, 0.2, False, "long after the previous batch"),
        (1, 1, 0.001, False, "a chain of single events, each after the one before was applied"),
    ],
)
def test_a_consumer_lingers_only_for_a_stream_of_events(
    fetched: int, previous: int, since: float, expected: bool, why: str
) -> None:
    assert keeps_coming(fetched, previous, since, linger=0.05) is expected, why
