"""A tenant's telephony settings: callable hours, the default time zone, binding TTL, pool limits, quarantine.

Every field has a default (the values of ``leadflow.telephony.v1.TelephonySettings``' comments), so a tenant that
never set anything calls 08:00–21:00 in the lead's time zone (Asia/Shanghai when unknown), binds for 72 hours,
allows 200 pairs per number and no daily limit, and quarantines a number whose answer rate over its last 50 calls
falls below 0.3 of the pool's, for 7 days.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from services.common.errors import ViolationCollector
from services.common.timezones import time_zone
from services.telephony.domain.binding import DEFAULT_BINDING_TTL
from services.telephony.domain.callable_hours import DEFAULT_CALLABLE_HOURS, DailyWindow
from services.telephony.domain.numbers import DEFAULT_MAX_CONCURRENT_BINDINGS
from services.telephony.domain.quarantine import QuarantinePolicy
from services.telephony.domain.selection import PoolDefaults

DEFAULT_TIME_ZONE = "Asia/Shanghai"
MAX_BINDING_TTL = timedelta(days=90)
MIN_BINDING_TTL = timedelta(minutes=1)
MAX_LIMIT = 100_000
MAX_QUARANTINE_WINDOW = 10_000
MAX_QUARANTINE_DURATION = timedelta(days=365)

WRITABLE_FIELDS = (
    "callable_hours",
    "default_time_zone",
    "binding_ttl",
    "max_concurrent_bindings",
    "max_daily_calls",
    "quarantine_window_calls",
    "quarantine_ratio",
    "quarantine_duration",
)


@dataclass(frozen=True)
class TenantSettings:
    callable_hours: DailyWindow = DEFAULT_CALLABLE_HOURS
    default_time_zone: str = DEFAULT_TIME_ZONE
    binding_ttl: timedelta = DEFAULT_BINDING_TTL
    max_concurrent_bindings: int = DEFAULT_MAX_CONCURRENT_BINDINGS
    max_daily_calls: int = 0
    quarantine: QuarantinePolicy = field(default_factory=QuarantinePolicy)
    update_time: datetime | None = None

    @property
    def pool_defaults(self) -> PoolDefaults:
        return PoolDefaults(self.max_concurrent_bindings, self.max_daily_calls)

    def zone(self, lead_time_zone: str) -> ZoneInfo:
        """The zone callable hours are read in for a lead: its own, else the tenant's default."""
        return ZoneInfo(lead_time_zone or self.default_time_zone)


@dataclass(frozen=True)
class SettingsPatch:
    """The values of an UpdateTelephonySettings request (None: unset in the request, meaning the default) and
    the field-mask paths to change ("*" = every writable field)."""

    mask: tuple[str, ...]
    callable_hours: DailyWindow | None = None
    callable_hours_error: str = ""
    default_time_zone: str = ""
    binding_ttl: timedelta | None = None
    max_concurrent_bindings: int = 0
    max_daily_calls: int = 0
    quarantine_window_calls: int = 0
    quarantine_ratio: float = 0.0
    quarantine_duration: timedelta | None = None


def _zone_exists(name: str) -> bool:
    try:
        time_zone(name)
    except ValueError:
        return False
    return True


def apply_patch(current: TenantSettings, patch: SettingsPatch, now: datetime) -> TenantSettings:
    """The settings after ``patch``; INVALID_ARGUMENT naming every bad field (``update_mask`` for an unknown
    path), nothing changed. Zero or unset values of masked fields restore the default."""
    errors = ViolationCollector()
    paths = WRITABLE_FIELDS if "*" in patch.mask else patch.mask
    if not patch.mask:
        errors.add("update_mask", "must name at least one field, or *")
    for path in paths:
        if path not in WRITABLE_FIELDS:
            errors.add("update_mask", f"{path!r} is not a writable field of TelephonySettings")
    defaults = TenantSettings()
    changes: dict[str, object] = {}
    quarantine = current.quarantine
    for path in paths:
        where = f"settings.{path}"
        if path == "callable_hours":
            if patch.callable_hours_error:
                errors.add(where, patch.callable_hours_error)
            changes[path] = patch.callable_hours or defaults.callable_hours
        elif path == "default_time_zone":
            zone = patch.default_time_zone or DEFAULT_TIME_ZONE
            if not _zone_exists(zone):
                errors.add(where, f"{zone!r} is not an IANA time zone")
            changes[path] = zone
        elif path == "binding_ttl":
            ttl = patch.binding_ttl or defaults.binding_ttl
            if not MIN_BINDING_TTL <= ttl <= MAX_BINDING_TTL:
                errors.add(where, "must be between 1 minute and 90 days")
            changes[path] = ttl
        elif path in ("max_concurrent_bindings", "max_daily_calls"):
            value = int(getattr(patch, path))
            if not 0 <= value <= MAX_LIMIT:
                errors.add(where, f"must be between 0 and {MAX_LIMIT}")
            changes[path] = value or getattr(defaults, path)
        elif path == "quarantine_window_calls":
            value = patch.quarantine_window_calls
            if not 0 <= value <= MAX_QUARANTINE_WINDOW:
                errors.add(where, f"must be between 0 and {MAX_QUARANTINE_WINDOW}")
            else:
                quarantine = replace(quarantine, window_calls=value or defaults.quarantine.window_calls)
        elif path == "quarantine_ratio":
            ratio = patch.quarantine_ratio
            if not 0 <= ratio <= 1:
                errors.add(where, "must be between 0 and 1")
            else:
                quarantine = replace(quarantine, ratio=ratio or defaults.quarantine.ratio)
        elif path == "quarantine_duration":
            duration = patch.quarantine_duration or defaults.quarantine.duration
            if not timedelta(0) < duration <= MAX_QUARANTINE_DURATION:
                errors.add(where, "must be positive and at most 365 days")
            else:
                quarantine = replace(quarantine, duration=duration)
    errors.raise_if_any()
    return replace(current, **changes, quarantine=quarantine, update_time=now)  # type: ignore[arg-type]
