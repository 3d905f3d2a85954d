"""Choosing the masked number (X) for a new binding.

Rule: among the numbers ACTIVE at ``now`` and under both of their limits (active bindings below the concurrent
limit, default 200 pairs as Aliyun; calls today below the daily limit, none by default), prefer one in the lead's
city, then in the lead's province, then any; among equals the least recently bound (never bound first), then the
smallest phone number so that the choice is deterministic. A lead whose region is unknown gets "any".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from services.telephony.domain.errors import NoNumberAvailable
from services.telephony.domain.numbers import MaskedNumber, NumberStatus

SAME_CITY, SAME_PROVINCE, ANY_REGION = 0, 1, 2
_NEVER = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class NumberUsage:
    """A number with its current load: bindings active now and calls placed through it today (the pool's day)."""

    number: MaskedNumber
    active_bindings: int
    calls_today: int


@dataclass(frozen=True, slots=True)
class PoolDefaults:
    """The tenant's defaults for numbers whose own limits are 0."""

    max_concurrent_bindings: int = 200
    max_daily_calls: int = 0  # 0: no limit


@dataclass(frozen=True, slots=True)
class Choice:
    number: MaskedNumber
    match: int  # SAME_CITY, SAME_PROVINCE or ANY_REGION


def region_match(number: MaskedNumber, province: str, city: str) -> int:
    if province and number.province == province:
        return SAME_CITY if city and number.city == city else SAME_PROVINCE
    return ANY_REGION


def choose_number(
    pool: Iterable[NumberUsage],
    province: str,
    city: str,
    now: datetime,
    defaults: PoolDefaults = PoolDefaults(),
) -> Choice:
    """The number to bind for a lead of ``province``/``city`` ("" when unknown).

    Raises NoNumberAvailable naming the limit that stopped the ACTIVE numbers when none is free.
    """
    active = [u for u in pool if u.number.status_at(now) is NumberStatus.ACTIVE]
    at_binding_limit = [
        u for u in active if u.active_bindings >= u.number.binding_limit(defaults.max_concurrent_bindings)
    ]
    at_daily_limit = [
        u
        for u in active
        if (limit := u.number.daily_limit(defaults.max_daily_calls)) and u.calls_today >= limit
    ]
    blocked = {id(u) for u in at_binding_limit} | {id(u) for u in at_daily_limit}
    free = [u for u in active if id(u) not in blocked]
    if not free:
        if not active:
            reached = "no_active_number"
        elif at_binding_limit:
            reached = "max_concurrent_bindings"
        else:
            reached = "max_daily_calls"
        raise NoNumberAvailable(reached, len(active), len(at_binding_limit), len(at_daily_limit))

    def rank(usage: NumberUsage) -> tuple[int, datetime, str]:
        number = usage.number
        return (region_match(number, province, city), number.last_bind_time or _NEVER, number.phone_number)

    best = min(free, key=rank)
    return Choice(best.number, region_match(best.number, province, city))
