"""Sortable unique ids (ULID layout: 48-bit milliseconds + 80 bits, Crockford base32; https://github.com/ulid/spec).

``ulid_text`` is the one encoding of every service's ids: random ones (``new_id``) and ids derived from another
value (ingest's candidate lead ids, assign's ids of another system's events) alike.
"""

from __future__ import annotations

import os
import time

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ULID_LENGTH = 26
_MILLIS_MASK = (1 << 48) - 1
# Two characters (10 bits) per lookup: 13 lookups for the 130 bits of 26 characters, half the work of one per
# character (and base64.b32encode is pure Python before 3.13, slower still).
_PAIRS = [first + second for first in CROCKFORD_ALPHABET for second in CROCKFORD_ALPHABET]
_PAIR_SHIFTS = tuple(range(5 * ULID_LENGTH - 10, -1, -10))


def ulid_text(millis: int, tail: bytes) -> str:
    """The 26-character ULID of ``millis`` (milliseconds since the epoch, kept to 48 bits; negative counts as 0) and
    ``tail`` (exactly 10 bytes: the random or derived part). Raises ValueError for a tail of another length."""
    if len(tail) != 10:
        raise ValueError(f"a ULID's tail is 10 bytes, got {len(tail)}")
    value = (max(0, millis) & _MILLIS_MASK) << 80 | int.from_bytes(tail, "big")
    return "".join([_PAIRS[(value >> shift) & 1023] for shift in _PAIR_SHIFTS])


def new_id(now_ms: int | None = None) -> str:
    """A new random ULID at ``now_ms`` (default: the system clock)."""
    return ulid_text(int(time.time() * 1000) if now_ms is None else now_ms, os.urandom(10))
