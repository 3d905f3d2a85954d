"""Rows <-> domain values: numbers, bindings, call events (the JSON of ``telephony_calls.events``), settings."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from services.common.erasure import redact
from services.common.timeconv import from_us, span_us, to_us
from services.telephony.domain.binding import Binding
from services.telephony.domain.call import CallEvent, CallEventType, Recording
from services.telephony.domain.callable_hours import DailyWindow
from services.telephony.domain.evidence import Evidence
from services.telephony.domain.numbers import MaskedNumber, NumberStatus
from services.telephony.domain.outcomes import EvidenceSource, ReleaseDirection
from services.telephony.domain.provider_times import ReportedTimes
from services.telephony.domain.quarantine import QuarantinePolicy
from services.telephony.domain.tenant_settings import TenantSettings


def us(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment)


def moment(micros: int | None) -> datetime | None:
    return None if micros is None else from_us(micros)


def number(row: Any) -> MaskedNumber:
    return MaskedNumber(
        number_id=row.id,
        phone_number=row.phone_number,
        province=row.province,
        city=row.city,
        provider=row.provider,
        status=NumberStatus(row.status),
        status_reason=row.status_reason,
        cooling_end_time=moment(row.cooling_end_us),
        status_change_time=moment(row.status_change_us),
        max_concurrent_bindings=row.max_concurrent_bindings,
        max_daily_calls=row.max_daily_calls,
        last_bind_time=moment(row.last_bind_us),
    )


def binding(row: Any) -> Binding:
    return Binding(
        binding_id=row.id,
        number_id=row.number_id,
        lead_id=row.lead_id,
        agent_id=row.agent_id,
        create_time=from_us(row.create_us),
        expire_time=from_us(row.expire_us),
        release_time=moment(row.release_us),
        provider_binding_id=row.provider_binding_id or "",
    )


# ------------------------------------------------------------------------------------------------ call events


def _evidence_json(piece: Evidence) -> list[Any]:
    return [int(piece.source), piece.provider, piece.field, piece.code, piece.text, us(piece.event_time)]


def _evidence(data: list[Any]) -> Evidence:
    source, provider, field, code, text, at = data
    return Evidence(EvidenceSource(source), provider, field, code, text, moment(at))


def event_json(event: CallEvent) -> dict[str, Any]:
    data: dict[str, Any] = {
        "p": event.provider,
        "id": event.provider_event_id,
        "type": int(event.type),
        "t": us(event.event_time),
        "dir": int(event.release_direction),
        "ev": [_evidence_json(piece) for piece in event.evidence],
        "rx": us(event.received_time),
    }
    if event.times is not None:
        times = event.times
        data["times"] = [
            us(times.dial),
            us(times.ring),
            us(times.answer),
            us(times.release),
            times.answer_stated,
        ]
    if event.recording is not None:
        data["rec"] = [event.recording.uri, us(event.recording.expire_time)]
    return data


def event(data: dict[str, Any]) -> CallEvent:
    times = None
    if "times" in data:
        dial, ring, answer, release, stated = data["times"]
        times = ReportedTimes(moment(dial), moment(ring), moment(answer), moment(release), bool(stated))
    recording = Recording(data["rec"][0], moment(data["rec"][1])) if "rec" in data else None
    return CallEvent(
        provider=data["p"],
        provider_event_id=data["id"],
        type=CallEventType(data["type"]),
        event_time=moment(data["t"]),
        times=times,
        release_direction=ReleaseDirection(data["dir"]),
        evidence=tuple(_evidence(piece) for piece in data["ev"]),
        recording=recording,
        received_time=moment(data.get("rx")),
    )


# ------------------------------------------------------------------------------------------------ settings


def settings_json(settings: TenantSettings) -> dict[str, Any]:
    window, policy = settings.callable_hours, settings.quarantine
    return {
        "callable_hours": [window.start_minute, window.end_minute],
        "default_time_zone": settings.default_time_zone,
        "binding_ttl_us": span_us(settings.binding_ttl),
        "max_concurrent_bindings": settings.max_concurrent_bindings,
        "max_daily_calls": settings.max_daily_calls,
        "quarantine_window_calls": policy.window_calls,
        "quarantine_ratio": policy.ratio,
        "quarantine_duration_us": span_us(policy.duration),
    }


def settings(data: dict[str, Any], update_us: int) -> TenantSettings:
    start, end = data["callable_hours"]
    return TenantSettings(
        callable_hours=DailyWindow(start, end),
        default_time_zone=data["default_time_zone"],
        binding_ttl=timedelta(microseconds=data["binding_ttl_us"]),
        max_concurrent_bindings=data["max_concurrent_bindings"],
        max_daily_calls=data["max_daily_calls"],
        quarantine=QuarantinePolicy(
            window_calls=data["quarantine_window_calls"],
            ratio=data["quarantine_ratio"],
            duration=timedelta(microseconds=data["quarantine_duration_us"]),
        ),
        update_time=from_us(update_us),
    )


def erased_event_json(data: dict[str, Any]) -> dict[str, Any]:
    """A stored call event of an erased lead: evidence texts redacted, no recording link (the person's voice)."""
    erased = {key: value for key, value in data.items() if key != "rec"}
    erased["ev"] = [[*piece[:4], redact(piece[4]), *piece[5:]] for piece in data["ev"]]
    return erased
