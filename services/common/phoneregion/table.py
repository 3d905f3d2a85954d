"""Load ``cn_regions.csv`` once and answer region questions by binary search.

Mobiles (+86 1[3-9] and 11 national digits) are looked up by their first 7 national digits in sorted runs of
blocks that share one answer (two arrays, about 80,000 entries each); other Chinese numbers by the longest of a few
hundred national prefixes (area codes), as the geocoder does. The table is read on first use, not at import.
"""

from __future__ import annotations

import csv
import threading
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path

TABLE_PATH = Path(__file__).with_name("cn_regions.csv")
_MOBILE_BLOCK_DIGITS = 7
_CN_PREFIX = "+86"


@dataclass(frozen=True, slots=True)
class PhoneRegion:
    """A number's home location in Chinese: province in its full official name ("广西壮族自治区"), city as the
    geocoder spells it ("深圳市", "" when the range spans several cities or is unknown), and the carrier the range
    was allocated to ("中国移动"; "" for landlines or when unknown)."""

    province: str
    city: str
    carrier: str


@dataclass(frozen=True, slots=True)
class _Table:
    places: tuple[PhoneRegion, ...]
    run_starts: array  # first 7-digit block of each run, ascending
    run_places: array  # index into places, per run
    landlines: dict[str, int]  # national prefix (area code) -> index into places
    longest_landline: int


_loaded: _Table | None = None
_lock = threading.Lock()


def _read(path: Path) -> _Table:
    places: list[PhoneRegion] = []
    starts, ids = array("I"), array("H")
    landlines: dict[str, int] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(line for line in handle if not line.startswith("#")):
            kind = row[0]
            if kind == "place":
                if int(row[1]) != len(places):
                    raise ValueError(f"{path.name}: place ids must count up from 0, got {row[1]}")
                places.append(PhoneRegion(province=row[2], city=row[3], carrier=row[4]))
            elif kind == "mobile":
                starts.append(int(row[1]))
                ids.append(int(row[2]))
            elif kind == "landline":
                landlines[row[1]] = int(row[2])
            else:
                raise ValueError(f"{path.name}: unknown row kind {kind!r}")
    return _Table(tuple(places), starts, ids, landlines, max(map(len, landlines), default=0))


def _table() -> _Table:
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _read(TABLE_PATH)
    return _loaded


def lookup(e164: str) -> PhoneRegion | None:
    """The home location of a Chinese number in E.164 form ("+8613800138000"), or None for a number of another
    country, a malformed string, or a range the data does not place at all. The number is not validated: ask
    phonenumbers whether it is a real number first."""
    if not e164.startswith(_CN_PREFIX):
        return None
    national = e164[len(_CN_PREFIX) :]
    if not national.isascii() or not national.isdigit():
        return None
    table = _table()
    if len(national) == 11 and national[0] == "1" and national[1] in "3456789":
        index = bisect_right(table.run_starts, int(national[:_MOBILE_BLOCK_DIGITS])) - 1
        return table.places[table.run_places[index]] if index >= 0 else None
    for length in range(min(table.longest_landline, len(national)), 0, -1):
        place = table.landlines.get(national[:length])
        if place is not None:
            return table.places[place]
    return None


def region_of(e164: str) -> tuple[str, str] | None:
    """(province, city) of a Chinese number in E.164 form, city "" when the range spans several cities; None when
    the province is unknown (another country, or a range the data places only in "中国")."""
    found = lookup(e164)
    if found is None or not found.province:
        return None
    return found.province, found.city
