"""Availability: status, working hours in the agent's own time zone (overnight shifts, DST), daily capacity per
local day, max held, regions served."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.assign.domain.agents import AgentLoad
from services.assign.domain.availability import Unavailability, capacity_day, unavailability
from services.assign.domain.enums import AgentStatus, DayOfWeek
from services.assign.domain.hours import DailyWindow, Shift, WorkingHours, after_quiet_hours, local_day_bounds
from services.assign.domain.leads import Region
from tests.assign.unit.builders import BEIJING, GUANGDONG, agent, shanghai

WEEKDAYS_9_TO_18 = WorkingHours(
    "Asia/Shanghai",
    tuple(Shift(DayOfWeek(day), DailyWindow.of("09:00", "18:00")) for day in range(1, 6)),
)
NIGHT_SHIFT_FRIDAY = WorkingHours(
    "Asia/Shanghai", (Shift(DayOfWeek.FRIDAY, DailyWindow.of("22:00", "06:00")),)
)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (AgentStatus.ONLINE, None),
        (AgentStatus.OFFLINE, Unavailability.OFFLINE),
        (AgentStatus.ON_LEAVE, Unavailability.ON_LEAVE),
        (AgentStatus.UNSPECIFIED, Unavailability.OFFLINE),
    ],
)
def test_status(status: AgentStatus, expected: Unavailability | None) -> None:
    assert unavailability(agent("a1", status=status), AgentLoad(), shanghai(2026, 3, 4, 10)) == expected


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (shanghai(2026, 3, 4, 8, 59), False),  # Wednesday, a minute early
        (shanghai(2026, 3, 4, 9, 0), True),
        (shanghai(2026, 3, 4, 17, 59), True),
        (shanghai(2026, 3, 4, 18, 0), False),  # the end is exclusive
        (shanghai(2026, 3, 7, 10, 0), False),  # Saturday
    ],
)
def test_working_hours_in_shanghai(moment: datetime, working: bool) -> None:
    member = agent("a1", working_hours=WEEKDAYS_9_TO_18)
    expected = None if working else Unavailability.OUTSIDE_WORKING_HOURS
    assert unavailability(member, AgentLoad(), moment) == expected


def test_working_hours_are_read_in_the_agents_own_time_zone() -> None:
    london = WorkingHours("Europe/London", WEEKDAYS_9_TO_18.shifts)
    member = agent("a1", working_hours=london)
    # 10:00 in Shanghai is 02:00 in London (winter, UTC+0): not working.
    assert (
        unavailability(member, AgentLoad(), shanghai(2026, 3, 4, 10)) == Unavailability.OUTSIDE_WORKING_HOURS
    )
    # 17:30 in Shanghai is 09:30 in London.
    assert unavailability(member, AgentLoad(), shanghai(2026, 3, 4, 17, 30)) is None


def test_working_hours_follow_daylight_saving_time() -> None:
    member = agent("a1", working_hours=WorkingHours("Europe/London", WEEKDAYS_9_TO_18.shifts))
    # 08:30 UTC is 08:30 in London on Friday 27 March 2026 (GMT) but 09:30 on Monday 30 March (BST).
    assert not member.working_hours.is_working(datetime(2026, 3, 27, 8, 30, tzinfo=UTC))
    assert member.working_hours.is_working(datetime(2026, 3, 30, 8, 30, tzinfo=UTC))


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (shanghai(2026, 3, 6, 21, 59), False),  # Friday before the shift
        (shanghai(2026, 3, 6, 22, 0), True),  # Friday night
        (shanghai(2026, 3, 7, 3, 0), True),  # Saturday early morning: the Friday shift runs on
        (shanghai(2026, 3, 7, 6, 0), False),  # the shift ended
        (shanghai(2026, 3, 7, 23, 0), False),  # Saturday night has no shift of its own
        (
            shanghai(2026, 3, 6, 3, 0),
            False,
        ),  # Friday early morning belongs to a Thursday shift, which is absent
    ],
)
def test_overnight_shift_runs_into_the_next_morning(moment: datetime, working: bool) -> None:
    assert NIGHT_SHIFT_FRIDAY.is_working(moment) is working


def test_sunday_overnight_shift_ends_on_monday_morning() -> None:
    hours = WorkingHours("Asia/Shanghai", (Shift(DayOfWeek.SUNDAY, DailyWindow.of("20:00", "02:00")),))
    assert hours.is_working(shanghai(2026, 3, 8, 23, 0))  # Sunday
    assert hours.is_working(shanghai(2026, 3, 9, 1, 59))  # Monday
    assert not hours.is_working(shanghai(2026, 3, 9, 2, 0))


def test_a_shift_ending_at_midnight_is_written_24_00() -> None:
    hours = WorkingHours("Asia/Shanghai", (Shift(DayOfWeek.WEDNESDAY, DailyWindow.of("18:00", "24:00")),))
    assert hours.is_working(shanghai(2026, 3, 4, 23, 59))
    assert not hours.is_working(shanghai(2026, 3, 5, 0, 0))


def test_no_shifts_means_always_working() -> None:
    assert WorkingHours().is_working(shanghai(2026, 3, 8, 3, 0))


def test_daily_capacity() -> None:
    member = agent("a1", daily_capacity=5)
    now = shanghai(2026, 3, 4, 10)
    assert unavailability(member, AgentLoad(assigned_today=4), now) is None
    assert unavailability(member, AgentLoad(assigned_today=5), now) == Unavailability.AT_DAILY_CAPACITY
    assert unavailability(agent("a2"), AgentLoad(assigned_today=10_000), now) is None  # 0 = no limit


def test_capacity_day_is_the_agents_local_calendar_day() -> None:
    in_shanghai = agent("a1")
    in_new_york = agent("a2", working_hours=WorkingHours("America/New_York"))
    now = datetime(
        2026, 3, 4, 20, 30, tzinfo=UTC
    )  # 04:30 on the 5th in Shanghai, 15:30 on the 4th in New York
    assert capacity_day(in_shanghai, now) == (
        datetime(2026, 3, 4, 16, 0, tzinfo=UTC),
        datetime(2026, 3, 5, 16, 0, tzinfo=UTC),
    )
    assert capacity_day(in_new_york, now) == (
        datetime(2026, 3, 4, 5, 0, tzinfo=UTC),
        datetime(2026, 3, 5, 5, 0, tzinfo=UTC),
    )


def test_a_local_day_with_a_dst_change_is_23_hours_long() -> None:
    start, end = local_day_bounds(datetime(2026, 3, 8, 12, 0, tzinfo=UTC), "America/New_York")
    assert end - start == timedelta(hours=23)


def test_max_held() -> None:
    member = agent("a1", max_held_leads=3)
    now = shanghai(2026, 3, 4, 10)
    assert unavailability(member, AgentLoad(held=2), now) is None
    assert unavailability(member, AgentLoad(held=3), now) == Unavailability.AT_MAX_HELD


def test_the_first_reason_is_reported() -> None:
    member = agent("a1", status=AgentStatus.ON_LEAVE, daily_capacity=1, max_held_leads=1)
    assert unavailability(member, AgentLoad(held=1, assigned_today=1), shanghai(2026, 3, 4, 10)) == (
        Unavailability.ON_LEAVE
    )


def test_regions_served() -> None:
    everywhere = agent("a1")
    guangdong = agent("a2", regions=(Region("广东省"),))
    shenzhen_only = agent("a3", regions=(Region("广东省", "深圳市"),))
    assert everywhere.serves(None) and everywhere.serves(BEIJING)
    assert guangdong.serves(GUANGDONG) and guangdong.serves(Region("广东省", "广州市"))
    assert not guangdong.serves(BEIJING)
    assert not guangdong.serves(None)  # unknown region: only agents serving all regions
    assert shenzhen_only.serves(GUANGDONG) and not shenzhen_only.serves(Region("广东省", "广州市"))


def test_quiet_hours_move_a_time_to_their_end() -> None:
    quiet = DailyWindow.of("22:00", "08:00")
    late = shanghai(2026, 3, 4, 23, 10)
    early = shanghai(2026, 3, 5, 7, 59)
    day = shanghai(2026, 3, 5, 8, 0)
    assert after_quiet_hours(late, quiet, "Asia/Shanghai") == shanghai(2026, 3, 5, 8, 0)
    assert after_quiet_hours(early, quiet, "Asia/Shanghai") == shanghai(2026, 3, 5, 8, 0)
    assert after_quiet_hours(day, quiet, "Asia/Shanghai") == day
    assert after_quiet_hours(late, None, "Asia/Shanghai") == late
    lunch = DailyWindow.of("12:00", "13:30")
    assert after_quiet_hours(shanghai(2026, 3, 5, 12, 45), lunch, "") == shanghai(2026, 3, 5, 13, 30)
