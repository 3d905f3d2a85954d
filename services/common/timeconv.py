"""Exact integer microseconds since the Unix epoch: the form in which stores keep times and page tokens carry them.

Integers, not floats, so that a window boundary compares exactly (a float loses microseconds after 2038).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch of an aware datetime."""
    return (moment - EPOCH) // _MICROSECOND


def from_us(micros: int) -> datetime:
    """The UTC datetime of ``micros`` microseconds since the epoch."""
    return EPOCH + timedelta(microseconds=micros)


def span_us(delta: timedelta) -> int:
    """A duration in whole microseconds."""
    return delta // _MICROSECOND
