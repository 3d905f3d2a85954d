"""Callable-time arithmetic on explicit datetimes: the 12-callable-hour deadline, nights, days, DST, clock hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.refund.domain.callable_hours import CallableWindow
from tests.refund.unit.builders import WINDOW, ZONE, at

TWELVE = timedelta(hours=12)


@pytest.mark.parametrize(
    ("submitted", "deadline"),
    [
        (at(2, 6, 0), at(2, 20, 0)),  # before the window opens: 08:00 + 12 h
        (at(2, 8, 0), at(2, 20, 0)),  # exactly at the opening
        (at(2, 10, 0), at(3, 9, 0)),  # 11 h today, 1 h tomorrow
        (at(2, 20, 59), at(3, 19, 59)),  # 1 minute today
        (at(2, 21, 0), at(3, 20, 0)),  # the window's end is exclusive: nothing today
        (at(2, 22, 50), at(3, 20, 0)),  # evening submission: the night is not callable
        (at(2, 23, 30), at(3, 20, 0)),
        (at(2, 0, 10), at(2, 20, 0)),  # after midnight, before the window
    ],
)
def test_twelve_callable_hours_after_submission(submitted: datetime, deadline: datetime) -> None:
    assert WINDOW.deadline(submitted, TWELVE) == deadline
    assert WINDOW.callable_time(submitted, deadline) == TWELVE


def test_callable_time_counts_only_time_inside_the_window_across_nights() -> None:
    # 22:50 on the 2nd to 09:30 on the 5th: 13 h on the 3rd, 13 h on the 4th, 1.5 h on the 5th.
    assert WINDOW.callable_time(at(2, 22, 50), at(5, 9, 30)) == timedelta(hours=27, minutes=30)
    assert WINDOW.callable_time(at(2, 21, 0), at(3, 8, 0)) == timedelta(0)
    assert WINDOW.callable_time(at(3, 9, 0), at(3, 8, 0)) == timedelta(0)


def test_deadline_longer_than_a_day_of_window_rolls_over_several_nights() -> None:
    # 30 callable hours from 06:00: 13 + 13 + 4.
    assert WINDOW.deadline(at(2, 6, 0), timedelta(hours=30)) == at(4, 12, 0)


def test_a_window_spanning_midnight() -> None:
    night = CallableWindow.of("22:00", "02:00")
    assert night.daily_length == timedelta(hours=4)
    assert night.deadline(at(2, 23, 0), timedelta(hours=4)) == at(3, 23, 0)
    assert night.callable_time(at(2, 12, 0), at(3, 12, 0)) == timedelta(hours=4)
    assert night.callable_time(at(3, 1, 0), at(3, 3, 0)) == timedelta(hours=1)


def test_the_whole_day_and_the_end_of_day() -> None:
    always = CallableWindow.of("00:00", "24:00")
    assert always.deadline(at(2, 22, 50), TWELVE) == at(3, 10, 50)
    late = CallableWindow.of("20:00", "24:00")
    assert late.deadline(at(2, 23, 0), timedelta(hours=2)) == at(3, 21, 0)


def test_daylight_saving_uses_real_elapsed_time() -> None:
    # New York springs forward on 2026-03-08 at 02:00: the window 00:00-06:00 lasts 5 real hours that day.
    new_york = ZoneInfo("America/New_York")
    window = CallableWindow.of("00:00", "06:00", "America/New_York")
    day_start = datetime(2026, 3, 8, 0, 0, tzinfo=new_york)
    day_end = datetime(2026, 3, 8, 12, 0, tzinfo=new_york)
    assert window.callable_time(day_start, day_end) == timedelta(hours=5)


def test_clock_hours_are_local_wall_clock_hours() -> None:
    assert WINDOW.clock_hour(at(2, 10, 0)) == WINDOW.clock_hour(at(2, 10, 59, 59))
    assert WINDOW.clock_hour(at(2, 10, 59)) != WINDOW.clock_hour(at(2, 11, 0))
    assert WINDOW.clock_hour(at(2, 10, 30)) != WINDOW.clock_hour(at(3, 10, 30))
    # Kolkata is UTC+05:30: its clock hours are not UTC hours.
    kolkata = CallableWindow(time_zone="Asia/Kolkata")
    first = datetime(2026, 3, 2, 4, 20, tzinfo=UTC)  # 09:50 local
    second = datetime(2026, 3, 2, 4, 40, tzinfo=UTC)  # 10:10 local, same UTC hour
    assert kolkata.clock_hour(first) != kolkata.clock_hour(second)


def test_the_repeated_hour_at_the_end_of_daylight_saving_is_two_clock_hours() -> None:
    window = CallableWindow(time_zone="America/New_York")
    first = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT
    second = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, an hour later
    assert window.clock_hour(first) != window.clock_hour(second)


@pytest.mark.parametrize(
    ("start", "end", "zone"),
    [
        (480, 480, "Asia/Shanghai"),
        (-1, 60, "Asia/Shanghai"),
        (0, 1441, "Asia/Shanghai"),
        (0, 60, "Mars/Olympus"),
    ],
)
def test_bad_windows_are_refused(start: int, end: int, zone: str) -> None:
    with pytest.raises(ValueError):
        CallableWindow(start, end, zone)


@pytest.mark.parametrize("text", ["8:00x", "25:00", "08:60", "0800", "24:30"])
def test_bad_times_of_day_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        CallableWindow.of(text, "21:00")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        WINDOW.deadline(datetime(2026, 3, 2, 6, 0), TWELVE)
    with pytest.raises(ValueError):
        WINDOW.clock_hour(datetime(2026, 3, 2, 6, 0))


def test_zero_callable_time_is_the_start_itself() -> None:
    assert WINDOW.deadline(at(2, 22, 0), timedelta(0)) == at(2, 22, 0)
    assert str(WINDOW) == f"08:00-21:00 {ZONE.key}"


@pytest.mark.parametrize("name", ["Asia", "x" * 300])
def test_a_zone_name_the_tz_database_cannot_open_is_a_value_error(name: str) -> None:
    # "Asia" is a directory of the tz database and a 300-character name is too long for a file: OSErrors that must
    # not escape as INTERNAL (the fuzz suite found the same in assign).
    with pytest.raises(ValueError, match="not an IANA time zone"):
        CallableWindow.of("08:00", "21:00", name)
