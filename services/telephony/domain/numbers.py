"""Masked numbers (X) of a tenant's pool and their status."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import IntEnum

DEFAULT_MAX_CONCURRENT_BINDINGS = 200  # A-B pairs per X at once, as Aliyun's AXB default
NO_LIMIT = 0


class NumberStatus(IntEnum):
    """leadflow.telephony.v1.NumberStatus."""

    UNSPECIFIED = 0
    ACTIVE = 1
    COOLING = 2
    QUARANTINED = 3
    RETIRED = 4


@dataclass(frozen=True)
class MaskedNumber:
    """A number of the pool. ``phone_number`` is E.164; ``province``/``city`` its home location in the spelling of
    ``services.common.phoneregion`` ("" when unknown); ``provider`` the carrier adapter that owns it ("aliyun").
    ``status_reason`` says in English why the number is not ACTIVE; ``cooling_end_time`` when a COOLING or
    QUARANTINED number becomes ACTIVE again. Limits of 0 mean the tenant's defaults."""

    number_id: str
    phone_number: str
    province: str
    city: str
    provider: str
    status: NumberStatus = NumberStatus.ACTIVE
    status_reason: str = ""
    cooling_end_time: datetime | None = None
    status_change_time: datetime | None = None
    max_concurrent_bindings: int = 0
    max_daily_calls: int = 0
    last_bind_time: datetime | None = None

    def status_at(self, now: datetime) -> NumberStatus:
        """The status at ``now``: a rest whose end has passed is over (the stored row catches up lazily)."""
        resting = self.status in (NumberStatus.COOLING, NumberStatus.QUARANTINED)
        if resting and self.cooling_end_time is not None and now >= self.cooling_end_time:
            return NumberStatus.ACTIVE
        return self.status

    def why_not_active(self, now: datetime) -> str | None:
        """Why the number takes no new binding at ``now``, or None when it is ACTIVE."""
        status = self.status_at(now)
        if status is NumberStatus.ACTIVE:
            return None
        until = f" until {self.cooling_end_time.isoformat()}" if self.cooling_end_time else ""
        return (
            f"{status.name}{until}: {self.status_reason}" if self.status_reason else f"{status.name}{until}"
        )

    def rest(self, status: NumberStatus, until: datetime, reason: str, now: datetime) -> MaskedNumber:
        """Put the number in COOLING or QUARANTINED until ``until``. A RETIRED number stays retired."""
        if status not in (NumberStatus.COOLING, NumberStatus.QUARANTINED):
            raise ValueError(f"a number rests as COOLING or QUARANTINED, not {status.name}")
        if self.status is NumberStatus.RETIRED:
            return self
        return replace(
            self, status=status, status_reason=reason, cooling_end_time=until, status_change_time=now
        )

    def retire(self, reason: str, now: datetime) -> MaskedNumber:
        if self.status is NumberStatus.RETIRED:
            return self
        return replace(
            self,
            status=NumberStatus.RETIRED,
            status_reason=reason,
            cooling_end_time=None,
            status_change_time=now,
        )

    def binding_limit(self, default: int) -> int:
        return self.max_concurrent_bindings or default or DEFAULT_MAX_CONCURRENT_BINDINGS

    def daily_limit(self, default: int) -> int:
        """The most calls per day, 0 for no limit."""
        return self.max_daily_calls or default
