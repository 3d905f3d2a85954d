"""Why the telephony domain refuses something. Plain exceptions: the API maps them to status codes in one place."""

from __future__ import annotations

from datetime import datetime


class TelephonyError(Exception):
    """Base of the domain's refusals; ``reason`` is the UPPER_SNAKE reason the API puts in ErrorInfo."""

    reason = "TELEPHONY_ERROR"


class OutsideCallableHours(TelephonyError):
    """The lead may not be called now in its time zone; ``next_start`` is when calling opens again (UTC)."""

    reason = "OUTSIDE_CALLABLE_HOURS"

    def __init__(self, time_zone: str, next_start: datetime) -> None:
        super().__init__(f"outside the tenant's callable hours in {time_zone}; calling opens at {next_start}")
        self.time_zone = time_zone
        self.next_start = next_start


class NoNumberAvailable(TelephonyError):
    """No masked number can take a new binding. ``limit`` names what stopped the numbers that are ACTIVE
    ("max_concurrent_bindings", "max_daily_calls"), or is "no_active_number" when none is ACTIVE."""

    reason = "NO_NUMBER_AVAILABLE"

    def __init__(self, limit: str, active: int, at_binding_limit: int, at_daily_limit: int) -> None:
        super().__init__(
            f"no masked number is free: {active} ACTIVE, {at_binding_limit} at their concurrent-binding limit, "
            f"{at_daily_limit} at their daily-call limit"
        )
        self.limit = limit
        self.active = active
        self.at_binding_limit = at_binding_limit
        self.at_daily_limit = at_daily_limit
