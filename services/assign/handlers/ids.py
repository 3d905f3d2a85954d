"""Ids of what assign creates: ULIDs whose time part is the service clock's, so ids sort like the times they
carry even when the clock is the dev clock; and ids derived from another system's id, so a replay maps to the
same row."""

from __future__ import annotations

import hashlib
from datetime import datetime

from services.common.ids import new_id, ulid_text


def id_at(moment: datetime) -> str:
    return new_id(int(moment.timestamp() * 1000))


def derived_id(moment: datetime, seed: str) -> str:
    """A ULID-shaped id: the time part from ``moment``, the 80 random bits from SHA-256 of ``seed``."""
    return ulid_text(int(moment.timestamp() * 1000), hashlib.sha256(seed.encode()).digest()[:10])
