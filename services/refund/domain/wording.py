"""The English of evidence and requirements: times in the lead's time zone, durations, plurals.

Times are shown as the advertiser's staff see them on the wall clock of the lead's time zone: "14:05" on the
reference day, "14:05 tomorrow" on the next, "14:05 on 2026-03-04" otherwise, so that "before 14:05" is never
ambiguous. The text never contains a phone number.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def clock(moment: datetime, zone: ZoneInfo, reference: datetime) -> str:
    """``moment`` as local wall-clock time, qualified by its day relative to ``reference``'s local day."""
    local = moment.astimezone(zone)
    days = (local.date() - reference.astimezone(zone).date()).days
    text = f"{local:%H:%M}" if local.second == 0 else f"{local:%H:%M:%S}"
    if days == 0:
        return text
    if days == 1:
        return f"{text} tomorrow"
    if days == -1:
        return f"{text} yesterday"
    return f"{text} on {local:%Y-%m-%d}"


def stamp(moment: datetime, zone: ZoneInfo) -> str:
    """``moment`` as a full local date and time, "2026-03-03 09:00" (seconds shown when not zero)."""
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M}" if local.second == 0 else f"{local:%Y-%m-%d %H:%M:%S}"


def duration(span: timedelta) -> str:
    """A duration the way people say it: "9 s", "15 s", "2 min 5 s", "12 h", "24 h", "1 h 30 min", "7 days"."""
    seconds = int(span.total_seconds())
    if seconds < 60:
        return f"{seconds} s"
    if seconds % 86400 == 0 and seconds >= 2 * 86400:
        days = seconds // 86400
        return f"{days} day" if days == 1 else f"{days} days"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes:
        parts.append(f"{minutes} min")
    if secs:
        parts.append(f"{secs} s")
    return " ".join(parts)


def count(number: int, singular: str, plural: str | None = None) -> str:
    """ "1 attempt", "2 attempts"."""
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"
