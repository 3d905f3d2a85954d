"""Callable hours in the lead's time zone, on explicit instants (no wall clock), across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.telephony.domain.callable_hours import (
    DEFAULT_CALLABLE_HOURS,
    DailyWindow,
    callable_seconds_between,
    is_callable,
    next_callable_start,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3600.0


def local(zone, *args):
    return datetime(*args, tzinfo=zone)


def test_default_window_in_shanghai():
    assert not is_callable(local(SHANGHAI, 2026, 3, 2, 7, 59), DEFAULT_CALLABLE_HOURS, SHANGHAI)
    assert is_callable(local(SHANGHAI, 2026, 3, 2, 8, 0), DEFAULT_CALLABLE_HOURS, SHANGHAI)
    assert is_callable(local(SHANGHAI, 2026, 3, 2, 20, 59), DEFAULT_CALLABLE_HOURS, SHANGHAI)
    assert not is_callable(local(SHANGHAI, 2026, 3, 2, 21, 0), DEFAULT_CALLABLE_HOURS, SHANGHAI)
    # 03:00 UTC is 11:00 in Shanghai but 22:00 the evening before in New York: the lead's zone decides.
    assert is_callable(datetime(2026, 3, 2, 3, 0, tzinfo=UTC), DEFAULT_CALLABLE_HOURS, SHANGHAI)
    assert not is_callable(datetime(2026, 3, 2, 3, 0, tzinfo=UTC), DEFAULT_CALLABLE_HOURS, NEW_YORK)


def test_next_start_after_closing_is_tomorrow_morning():
    after = local(SHANGHAI, 2026, 3, 2, 22, 30)
    assert next_callable_start(after, DEFAULT_CALLABLE_HOURS, SHANGHAI) == local(SHANGHAI, 2026, 3, 3, 8, 0)
    inside = local(SHANGHAI, 2026, 3, 2, 9, 0)
    assert next_callable_start(inside, DEFAULT_CALLABLE_HOURS, SHANGHAI) == inside


def test_window_spanning_midnight():
    night = DailyWindow.of("21:00", "02:00")
    assert night.spans_midnight
    assert is_callable(local(SHANGHAI, 2026, 3, 2, 23, 30), night, SHANGHAI)
    assert is_callable(local(SHANGHAI, 2026, 3, 3, 1, 59), night, SHANGHAI)
    assert not is_callable(local(SHANGHAI, 2026, 3, 3, 2, 0), night, SHANGHAI)
    assert not is_callable(local(SHANGHAI, 2026, 3, 3, 12, 0), night, SHANGHAI)
    seconds = callable_seconds_between(
        local(SHANGHAI, 2026, 3, 2, 0, 0), local(SHANGHAI, 2026, 3, 4, 0, 0), night, SHANGHAI
    )
    assert seconds == (2 + 5 + 3) * HOUR  # 00–02 on the 2nd, 21–02 into the 3rd, 21–24 on the 3rd


def test_callable_seconds_between_over_days_in_shanghai():
    window = DEFAULT_CALLABLE_HOURS
    start = local(SHANGHAI, 2026, 3, 2, 20, 0)  # one callable hour left today
    end = local(SHANGHAI, 2026, 3, 4, 9, 30)  # 13 h tomorrow and 1.5 h the day after
    assert callable_seconds_between(start, end, window, SHANGHAI) == (1 + 13 + 1.5) * HOUR
    assert callable_seconds_between(end, start, window, SHANGHAI) == 0
    night_only = (local(SHANGHAI, 2026, 3, 2, 21, 0), local(SHANGHAI, 2026, 3, 3, 8, 0))
    assert callable_seconds_between(*night_only, window, SHANGHAI) == 0
    utc_start = start.astimezone(UTC)  # the same instants in another representation
    assert callable_seconds_between(utc_start, end.astimezone(UTC), window, SHANGHAI) == (1 + 13 + 1.5) * HOUR


def test_wall_clock_hours_are_kept_across_dst():
    # 2026-03-08: New York springs forward at 02:00. 08:00–21:00 is still 13 callable hours that day,
    # and the whole day lasts 23 real hours.
    day_start, day_end = local(NEW_YORK, 2026, 3, 8, 0, 0), local(NEW_YORK, 2026, 3, 9, 0, 0)
    assert (day_end - day_start) == timedelta(hours=24)  # aware subtraction in one zone is wall-clock
    assert day_end.astimezone(UTC) - day_start.astimezone(UTC) == timedelta(hours=23)
    assert callable_seconds_between(day_start, day_end, DEFAULT_CALLABLE_HOURS, NEW_YORK) == 13 * HOUR
    all_day = DailyWindow.of("00:00", "24:00")
    assert callable_seconds_between(day_start, day_end, all_day, NEW_YORK) == 23 * HOUR


@pytest.mark.parametrize(
    ("start", "end"), [("08:00", "08:00"), ("25:00", "26:00"), ("08:60", "09:00"), ("x", "9")]
)
def test_bad_windows_are_refused(start, end):
    with pytest.raises(ValueError):
        DailyWindow.of(start, end)


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        is_callable(datetime(2026, 3, 2, 9, 0), DEFAULT_CALLABLE_HOURS, SHANGHAI)
