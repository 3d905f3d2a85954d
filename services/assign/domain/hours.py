"""Local time: daily windows, weekly shifts, local days and quiet hours in an IANA time zone. Pure.

A ``DailyWindow`` is [start, end) in minutes of the local day, the shape of leadflow.common.v1.DailyWindow: an end
before the start spans midnight (22:00–06:00), an end of 1440 (24:00) is the end of the day, and start == end is
refused by validation (use 00:00–24:00 for a whole day). Comparisons are at minute resolution: 17:59:59 is inside a
window ending at 18:00, 18:00:00 is not.

Conversions go through ``zoneinfo`` (the IANA tz database), so daylight-saving zones work: a local time that does
not exist (in a spring-forward gap) resolves with the offset before the gap, as ``datetime`` does by default (PEP 495,
fold=0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from services.assign.domain.enums import DayOfWeek
from services.common.timezones import time_zone

MINUTES_PER_DAY = 24 * 60
DEFAULT_TIME_ZONE = "Asia/Shanghai"


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The zone named ``name`` ("" means Asia/Shanghai). Raises ``ValueError`` for an unknown name."""
    return time_zone(name or DEFAULT_TIME_ZONE)


def is_time_zone(name: str) -> bool:
    try:
        zone(name)
    except ValueError:
        return False
    return True


def minute_of_day(local: datetime) -> int:
    return local.hour * 60 + local.minute


def _local_instant(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``minute`` (0..1440) on local ``day``; 1440 is midnight of the next day."""
    day = day + timedelta(days=minute // MINUTES_PER_DAY)
    minute %= MINUTES_PER_DAY
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz)
    return local.astimezone(UTC)


@dataclass(frozen=True)
class DailyWindow:
    """[start_minute, end_minute) of the local day; ``end_minute < start_minute`` spans midnight."""

    start_minute: int
    end_minute: int

    @classmethod
    def of(cls, start: str, end: str) -> DailyWindow:
        """From "HH:MM" strings, e.g. ``DailyWindow.of("22:00", "06:00")``; "24:00" is allowed as an end."""
        return cls(_parse_hhmm(start), _parse_hhmm(end))

    @property
    def overnight(self) -> bool:
        return self.end_minute < self.start_minute

    def contains_minute(self, minute: int) -> bool:
        if self.overnight:
            return minute >= self.start_minute or minute < self.end_minute
        return self.start_minute <= minute < self.end_minute

    def contains(self, instant: datetime, time_zone: str) -> bool:
        return self.contains_minute(minute_of_day(instant.astimezone(zone(time_zone))))

    def end_after(self, instant: datetime, time_zone: str) -> datetime | None:
        """When the window that contains ``instant`` ends (UTC), or None when ``instant`` is outside it."""
        tz = zone(time_zone)
        local = instant.astimezone(tz)
        minute = minute_of_day(local)
        if not self.contains_minute(minute):
            return None
        day = local.date()
        if self.overnight and minute >= self.start_minute:
            day += timedelta(days=1)
        # A DST gap can make the computed end fall before the instant; never move time backwards.
        return max(_local_instant(day, self.end_minute, tz), instant)


def _parse_hhmm(text: str) -> int:
    hours, _, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes)


@dataclass(frozen=True)
class Shift:
    """A working period that starts on ``day_of_week``; an overnight window ends the next morning."""

    day_of_week: DayOfWeek
    window: DailyWindow

    def covers(self, weekday: int, minute: int) -> bool:
        """Whether local ``weekday`` (ISO, 1 = Monday) at ``minute`` falls in this shift."""
        start, end = self.window.start_minute, self.window.end_minute
        if not self.window.overnight:
            return weekday == self.day_of_week and start <= minute < end
        if weekday == self.day_of_week and minute >= start:
            return True
        next_day = self.day_of_week % 7 + 1  # Sunday's overnight shift ends on Monday morning
        return weekday == next_day and minute < end


@dataclass(frozen=True)
class WorkingHours:
    """An agent's week in their own time zone; no shifts means any time."""

    time_zone: str = DEFAULT_TIME_ZONE
    shifts: tuple[Shift, ...] = ()

    def is_working(self, instant: datetime) -> bool:
        if not self.shifts:
            return True
        local = instant.astimezone(zone(self.time_zone))
        weekday, minute = local.isoweekday(), minute_of_day(local)
        return any(shift.covers(weekday, minute) for shift in self.shifts)


def local_day_bounds(instant: datetime, time_zone: str) -> tuple[datetime, datetime]:
    """The UTC [start, end) of the local calendar day containing ``instant`` (23 or 25 hours long on DST days)."""
    tz = zone(time_zone)
    day = instant.astimezone(tz).date()
    return _local_instant(day, 0, tz), _local_instant(day + timedelta(days=1), 0, tz)


def after_quiet_hours(instant: datetime, quiet_hours: DailyWindow | None, time_zone: str) -> datetime:
    """``instant``, or the end of the quiet hours that contain it."""
    if quiet_hours is None:
        return instant
    end = quiet_hours.end_after(instant, time_zone)
    return instant if end is None else end
