"""Telephony settings: the UpdateTelephonySettings request to a patch, the settings to a message."""

from __future__ import annotations

from leadflow.common.v1 import schedule_pb2
from leadflow.telephony.v1 import telephony_service_pb2 as pb
from services.common.protoconv import duration, timestamp, to_timedelta
from services.telephony.domain.callable_hours import MINUTES_PER_DAY, DailyWindow
from services.telephony.domain.tenant_settings import SettingsPatch, TenantSettings


def _minutes(value: schedule_pb2.TimeOfDay, *, end: bool) -> int | None:
    if not 0 <= value.minutes < 60 or not 0 <= value.hours <= 24:
        return None
    minutes = value.hours * 60 + value.minutes
    if minutes > MINUTES_PER_DAY or (minutes == MINUTES_PER_DAY and not end):
        return None
    return minutes


def _window(message: pb.TelephonySettings) -> tuple[DailyWindow | None, str]:
    if not message.HasField("callable_hours"):
        return None, ""
    start = _minutes(message.callable_hours.start, end=False)
    end = _minutes(message.callable_hours.end, end=True)
    if start is None or end is None:
        return None, "start must be 00:00-23:59 and end 00:00-24:00"
    try:
        return DailyWindow(start, end), ""
    except ValueError as error:
        return None, str(error)


def settings_patch(request: pb.UpdateTelephonySettingsRequest) -> SettingsPatch:
    settings = request.settings
    window, window_error = _window(settings)
    return SettingsPatch(
        mask=tuple(request.update_mask.paths),
        callable_hours=window,
        callable_hours_error=window_error,
        default_time_zone=settings.default_time_zone.strip(),
        binding_ttl=to_timedelta(settings.binding_ttl, "settings.binding_ttl")
        if settings.HasField("binding_ttl")
        else None,
        max_concurrent_bindings=settings.max_concurrent_bindings,
        max_daily_calls=settings.max_daily_calls,
        quarantine_window_calls=settings.quarantine_window_calls,
        quarantine_ratio=settings.quarantine_ratio,
        quarantine_duration=to_timedelta(settings.quarantine_duration, "settings.quarantine_duration")
        if settings.HasField("quarantine_duration")
        else None,
    )


def _time_of_day(minutes: int) -> schedule_pb2.TimeOfDay:
    return schedule_pb2.TimeOfDay(hours=minutes // 60, minutes=minutes % 60)


def daily_window_message(window: DailyWindow) -> schedule_pb2.DailyWindow:
    return schedule_pb2.DailyWindow(
        start=_time_of_day(window.start_minute), end=_time_of_day(window.end_minute)
    )


def settings_message(settings: TenantSettings) -> pb.TelephonySettings:
    message = pb.TelephonySettings(
        callable_hours=daily_window_message(settings.callable_hours),
        default_time_zone=settings.default_time_zone,
        binding_ttl=duration(settings.binding_ttl),
        max_concurrent_bindings=settings.max_concurrent_bindings,
        max_daily_calls=settings.max_daily_calls,
        quarantine_window_calls=settings.quarantine.window_calls,
        quarantine_ratio=settings.quarantine.ratio,
        quarantine_duration=duration(settings.quarantine.duration),
    )
    if settings.update_time is not None:
        message.update_time.CopyFrom(timestamp(settings.update_time))
    return message
