"""IANA time zones by name, with every way a name can fail to open turned into one ``ValueError``."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def time_zone(name: str) -> ZoneInfo:
    """The IANA zone named ``name`` (e.g. "Asia/Shanghai").

    Raises ``ValueError`` for a name the tz database cannot open: unknown ("Mars/Base"), malformed ("../x"), a
    directory of the database ("Asia": IsADirectoryError) or one too long for a file name (OSError) — zoneinfo
    reaches the file system with the name, so those surface as OSError rather than ZoneInfoNotFoundError.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc
