"""The overlay of allocated Chinese mobile prefixes, consulted before phonenumbers' validity verdict.

phonenumbers (libphonenumber's metadata) only learns a new number range once someone files the operator's evidence
upstream, and it lags MIIT's allocations by months or years: in phonenumbers 9.0 a China Telecom ``149`` number is
still "invalid", so a real person's number was rejected as ``phone.unallocated``. ``cn_mobile_prefixes.csv`` (next to
this module; its header names the sources and the date it was compiled) lists every allocated 11-digit mobile
prefix by operator. A Chinese number of 11 digits whose prefix is listed is a mobile number whatever the library's
metadata says; the table only ever *adds* validity, it never takes away what the library accepts.

To update: add or change a row of the CSV (and the header's date); ``tests/ingest/unit`` checks every row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_TABLE = Path(__file__).with_name("cn_mobile_prefixes.csv")
CN_MOBILE_LENGTH = 11


@dataclass(frozen=True)
class AllocatedPrefix:
    """One row of the table: ``prefix`` (3 to 5 digits), the ``operator`` it was allocated to (Chinese name, as
    phonenumbers' carrier data spells operators), and its ``service`` (mobile, mvno, data, satellite, emergency)."""

    prefix: str
    operator: str
    service: str


@cache
def allocated_prefixes() -> tuple[AllocatedPrefix, ...]:
    """Every row of ``cn_mobile_prefixes.csv``, in file order (read once). Raises ``ValueError`` for a malformed
    row, so that a bad edit of the table fails the tests, not a submission."""
    lines = [
        line for line in _TABLE.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")
    ]
    rows: list[AllocatedPrefix] = []
    for record in csv.DictReader(lines):
        prefix = record["prefix"].strip()
        if not (prefix.isascii() and prefix.isdigit() and prefix.startswith("1") and 3 <= len(prefix) <= 5):
            raise ValueError(f"cn_mobile_prefixes.csv: {prefix!r} is not a mobile prefix of 3 to 5 digits")
        rows.append(AllocatedPrefix(prefix, record["operator"].strip(), record["service"].strip()))
    return tuple(rows)


@cache
def _by_prefix() -> dict[str, AllocatedPrefix]:
    return {row.prefix: row for row in allocated_prefixes()}


def allocated_cn_mobile(national_number: str) -> AllocatedPrefix | None:
    """The table row of a Chinese national number (digits, without country code or trunk 0) when it has 11 digits
    and an allocated mobile prefix; ``None`` otherwise. Longest prefix wins."""
    if len(national_number) != CN_MOBILE_LENGTH or not national_number.startswith("1"):
        return None
    table = _by_prefix()
    for length in (5, 4, 3):
        row = table.get(national_number[:length])
        if row is not None:
            return row
    return None
