"""Time zone names that reach the file system ("Asia" is a directory of the tz database; a 300-character name is too
long for a file name) are unknown zones, not OSErrors: the fuzz suite (tests/fuzz) got INTERNAL from
SetAssignmentPolicy with such a reminders.time_zone."""

from __future__ import annotations

import pytest

from services.assign.domain.hours import is_time_zone, zone


@pytest.mark.parametrize("name", ["Asia", "x" * 300, "Asia/" + "y" * 300])
def test_a_name_the_tz_database_cannot_open_is_no_time_zone(name: str) -> None:
    assert not is_time_zone(name)
    with pytest.raises(ValueError, match="unknown time zone"):
        zone(name)


def test_real_zones_still_are() -> None:
    assert is_time_zone("Asia/Urumqi") and is_time_zone("")
