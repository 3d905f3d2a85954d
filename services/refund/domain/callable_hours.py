"""Callable hours: the daily window in which a lead may be called, and the arithmetic of "callable time".

The window is telephony's (``TelephonySettings.callable_hours``, default 08:00–21:00, in the lead's time zone,
default "Asia/Shanghai"); telephony refuses calls outside it. Refund keeps no setting of its own: it receives the
window as an input value, so both services always judge the same hours. Ocean Engine publishes 07:00–23:00 for its
own rule; an advertiser who wants that sets it in telephony.

Only time inside the window counts as callable time: a lead submitted at 22:50 with 08:00–21:00 accrues no callable
time until 08:00 the next morning. Arithmetic is done on real instants (UTC), the window being laid on each local
calendar day, so it stays right across midnight, across days and across daylight-saving changes in zones that
have them. Clock hours ("attempts in 2 distinct clock hours") are local wall-clock hours of the same zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from services.common.timezones import time_zone

MINUTES_PER_DAY = 24 * 60

DEFAULT_TIME_ZONE = "Asia/Shanghai"


def _aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class CallableWindow:
    """A daily window of local time, ``[start_minute, end_minute)`` minutes after local midnight, in ``time_zone``.

    ``end_minute`` may be 1440 (24:00). An end before the start means the window spans midnight (22:00–02:00).
    ``start_minute == end_minute`` is refused; the whole day is 0–1440. Raises ValueError on bad values.
    """

    start_minute: int = 8 * 60
    end_minute: int = 21 * 60
    time_zone: str = DEFAULT_TIME_ZONE
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < MINUTES_PER_DAY:
            raise ValueError("start_minute must be in 0..1439")
        if not 0 < self.end_minute <= MINUTES_PER_DAY:
            raise ValueError("end_minute must be in 1..1440")
        if self.start_minute == self.end_minute:
            raise ValueError("a callable window cannot be empty; the whole day is 00:00-24:00")
        try:
            zone = time_zone(self.time_zone)
        except ValueError as error:
            raise ValueError(f"{self.time_zone!r} is not an IANA time zone") from error
        object.__setattr__(self, "_zone", zone)

    @classmethod
    def of(cls, start: str, end: str, time_zone: str = DEFAULT_TIME_ZONE) -> CallableWindow:
        """Build from "HH:MM" strings, for example ``CallableWindow.of("08:00", "21:00")``; "24:00" is allowed
        as an end."""
        return cls(_minutes(start), _minutes(end), time_zone)

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @cached_property
    def daily_length(self) -> timedelta:
        """The window's nominal length per day (13 h for 08:00–21:00)."""
        span = self.end_minute - self.start_minute
        return timedelta(minutes=span if span > 0 else span + MINUTES_PER_DAY)

    def __str__(self) -> str:
        return f"{_hhmm(self.start_minute)}-{_hhmm(self.end_minute)} {self.time_zone}"

    def _local_instant(self, day: datetime, minute: int) -> datetime:
        # Wall-clock arithmetic on the naive local time, then the zone gives the real instant of that wall-clock
        # time on that date (DST-safe; minute 1440 is the next day's midnight).
        naive = datetime.combine(day.date(), time(0)) + timedelta(minutes=minute)
        return naive.replace(tzinfo=self._zone).astimezone(UTC)

    def _daily_intervals(self, since: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Every window occurrence that ends after ``since``, in order, as UTC instants (unbounded)."""
        local_day = since.astimezone(self._zone) - timedelta(days=1)
        end_offset = (
            self.end_minute if self.end_minute > self.start_minute else self.end_minute + MINUTES_PER_DAY
        )
        while True:
            opens = self._local_instant(local_day, self.start_minute)
            closes = self._local_instant(local_day, end_offset)
            if closes > since:
                yield opens, closes
            local_day += timedelta(days=1)

    def intervals(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The callable parts of ``[start, end]``, in order, as UTC instants. Raises ValueError on naive times."""
        _aware(start, "start")
        _aware(end, "end")
        for opens, closes in self._daily_intervals(start):
            if opens >= end:
                return
            yield max(opens, start), min(closes, end)

    def callable_time(self, start: datetime, end: datetime) -> timedelta:
        """How much of ``[start, end]`` lies inside the window; zero when end <= start."""
        if end <= start:
            return timedelta(0)
        return sum((b - a for a, b in self.intervals(start, end)), timedelta(0))

    def deadline(self, start: datetime, amount: timedelta) -> datetime:
        """The earliest instant at which ``amount`` of callable time has passed since ``start`` (UTC).

        With 08:00–21:00: 12 callable hours after a submission at 06:00 end at 20:00 the same day; after 22:50,
        at 20:00 the next day; after 10:00, at 09:00 the next day. ``amount`` zero gives ``start``.
        """
        _aware(start, "start")
        if amount < timedelta(0):
            raise ValueError("amount must not be negative")
        remaining = amount
        if remaining == timedelta(0):
            return start.astimezone(UTC)
        for opens, closes in self._daily_intervals(start):
            opens = max(opens, start.astimezone(UTC))
            if closes - opens >= remaining:
                return opens + remaining
            remaining -= closes - opens
        raise AssertionError("unreachable: the window repeats every day")

    def clock_hour(self, moment: datetime) -> datetime:
        """The local wall-clock hour ``moment`` falls in, as the UTC instant at which that hour began.

        Two instants share a clock hour when they have the same local date and hour (10:59:59 and 10:00:00 do;
        10:59 and 11:00 do not). During a repeated hour at the end of daylight saving, the two occurrences are
        different clock hours.
        """
        _aware(moment, "moment")
        local = moment.astimezone(self._zone)
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)

    def local(self, moment: datetime) -> datetime:
        """``moment`` in the window's time zone (for display)."""
        return moment.astimezone(self._zone)


def _minutes(text: str) -> int:
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"{text!r} is not a time of day as HH:MM")
    value = int(hours) * 60 + int(minutes)
    if value > MINUTES_PER_DAY or int(minutes) > 59:
        raise ValueError(f"{text!r} is not a time of day as HH:MM")
    return value


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


DEFAULT_CALLABLE_WINDOW = CallableWindow()
