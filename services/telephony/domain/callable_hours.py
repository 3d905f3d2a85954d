"""Callable hours: the daily window in which a lead may be called, in the lead's own time zone.

Telephony refuses StartCall outside the window; refund counts only callable time on its clocks ("the lead was not
reachable for 48 callable hours"), so that a refund clock never runs while calling is refused. Both use this module;
it depends on nothing else in telephony so that it can move to the shared runtime unchanged.

A window is [start, end) in local wall-clock minutes, 0–1440 (1440 = 24:00 = end of the day). ``end < start``
spans midnight (21:00–02:00). ``start == end`` is refused (ambiguous between never and always); 00:00–24:00 is
all day. Days are computed in the zone's local calendar, so a window keeps its wall-clock hours across DST changes
(a 08:00–21:00 window in New York lasts 13 hours on the day clocks change, as on any other day). A wall-clock time
that does not exist on a DST day is read as ``fold=0`` (the offset before the change), as ``zoneinfo`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class DailyWindow:
    """[start_minute, end_minute) of local time, minutes after midnight (0–1440)."""

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        if not (0 <= self.start_minute < MINUTES_PER_DAY and 0 <= self.end_minute <= MINUTES_PER_DAY):
            raise ValueError("a window's start is 00:00–23:59 and its end 00:00–24:00")
        if self.start_minute == self.end_minute or (self.start_minute == 0 and self.end_minute == 0):
            raise ValueError("a window's start and end must differ")

    @classmethod
    def of(cls, start: str, end: str) -> DailyWindow:
        """From "HH:MM" strings; "24:00" is allowed as an end."""
        return cls(_minutes(start), _minutes(end))

    @property
    def spans_midnight(self) -> bool:
        return self.end_minute < self.start_minute

    def local_intervals(self, day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The window opened on local ``day`` as a UTC interval [open, close)."""
        opens = _local(day, self.start_minute, zone)
        close_day = day + timedelta(days=1) if self.spans_midnight else day
        closes = _local(close_day, self.end_minute, zone)
        return opens, closes


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not minutes.isdigit() or not 0 <= int(minutes) < 60 or not 0 <= value <= MINUTES_PER_DAY:
        raise ValueError(f"not a time of day: {text!r}")
    return value


DEFAULT_CALLABLE_HOURS = DailyWindow.of("08:00", "21:00")


def _local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    day = day + timedelta(days=minute // MINUTES_PER_DAY)
    minute %= MINUTES_PER_DAY
    wall = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def _windows(
    first_day: date, last_day: date, window: DailyWindow, zone: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    day = first_day
    while day <= last_day:
        yield window.local_intervals(day, zone)
        day += timedelta(days=1)


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("callable-hours times must be timezone-aware")
    return moment.astimezone(UTC)


def is_callable(moment: datetime, window: DailyWindow, zone: ZoneInfo) -> bool:
    """Whether ``moment`` falls inside the window in ``zone``."""
    moment = _aware(moment)
    local_day = moment.astimezone(zone).date()
    return any(
        opens <= moment < closes
        for opens, closes in _windows(local_day - timedelta(days=1), local_day, window, zone)
    )


def next_callable_start(moment: datetime, window: DailyWindow, zone: ZoneInfo) -> datetime:
    """``moment`` itself when it is callable, else the next opening of the window (UTC)."""
    moment = _aware(moment)
    if is_callable(moment, window, zone):
        return moment
    local_day = moment.astimezone(zone).date()
    return min(
        opens
        for opens, _ in _windows(local_day, local_day + timedelta(days=1), window, zone)
        if opens > moment
    )


def callable_seconds_between(start: datetime, end: datetime, window: DailyWindow, zone: ZoneInfo) -> float:
    """How many seconds of [start, end) fall inside the window in ``zone``; 0 when ``end <= start``.

    Refund measures its waiting periods with this ("48 callable hours since the first attempt").
    """
    start, end = _aware(start), _aware(end)
    if end <= start:
        return 0.0
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    total = 0.0
    for opens, closes in _windows(first, last, window, zone):
        overlap = (min(closes, end) - max(opens, start)).total_seconds()
        if overlap > 0:
            total += overlap
    return total
