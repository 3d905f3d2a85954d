"""Small input checks shared by assign's validators; each adds a field violation naming the field. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from services.assign.domain.hours import DailyWindow, is_time_zone
from services.common.errors import ViolationCollector

MAX_ID_LENGTH = 64
MAX_ACCOUNT_ID_LENGTH = 128
MAX_REASON_LENGTH = 256


def has_control_characters(value: str, *, allow_newlines: bool = False) -> bool:
    allowed = "\n\t\r" if allow_newlines else ""
    return any((ord(char) < 32 or 127 <= ord(char) < 160) and char not in allowed for char in value)


def check_identifier(
    errors: ViolationCollector,
    path: str,
    value: str,
    *,
    required: bool = True,
    max_length: int = MAX_ID_LENGTH,
) -> None:
    """Ids: present when required, bounded, no control characters or surrounding white space."""
    if not value:
        if required:
            errors.add(path, "is required")
    elif len(value) > max_length:
        errors.add(path, f"must be at most {max_length} characters")
    elif has_control_characters(value) or value != value.strip():
        errors.add(path, "must not contain control characters or leading or trailing white space")


def check_name(
    errors: ViolationCollector, path: str, value: str, max_length: int, *, required: bool = True
) -> None:
    """Display names: trimmed text of 1..max_length characters without control characters."""
    if not value.strip():
        if required:
            errors.add(path, "is required")
    elif len(value) > max_length:
        errors.add(path, f"must be at most {max_length} characters")
    elif has_control_characters(value):
        errors.add(path, "must not contain control characters")


def check_text(
    errors: ViolationCollector, path: str, value: str, max_length: int, *, required: bool = False
) -> None:
    """Free text (notes, reasons): bounded; line breaks and tabs allowed, other control characters not."""
    if not value.strip():
        if required:
            errors.add(path, "is required")
    elif len(value) > max_length:
        errors.add(path, f"must be at most {max_length} characters")
    elif has_control_characters(value, allow_newlines=True):
        errors.add(path, "must not contain control characters")


def check_reason(errors: ViolationCollector, path: str, value: str, *, required: bool) -> None:
    check_text(errors, path, value, MAX_REASON_LENGTH, required=required)


def check_enum(
    errors: ViolationCollector, path: str, value: int, enum: type, *, required: bool = True
) -> None:
    """A number of a known enum value; UNSPECIFIED (0) only when not required."""
    if value == 0:
        if required:
            errors.add(path, "is required")
        return
    if value not in {member.value for member in enum}:  # type: ignore[attr-defined]
        errors.add(path, f"is not a known {enum.__name__} value")


@dataclass(frozen=True)
class WindowDraft:
    """A leadflow.common.v1.DailyWindow as sent: start and end as (hours, minutes)."""

    start_hours: int
    start_minutes: int
    end_hours: int
    end_minutes: int


def _minute(errors: ViolationCollector, path: str, hours: int, minutes: int, *, is_end: bool) -> int | None:
    if not 0 <= minutes <= 59 or not 0 <= hours <= 24 or (hours == 24 and (minutes or not is_end)):
        errors.add(path, "must be a time from 00:00 to 23:59 (24:00 only as an end)")
        return None
    return hours * 60 + minutes


def check_window(errors: ViolationCollector, path: str, draft: WindowDraft) -> DailyWindow | None:
    """The window, or None after adding violations on ``path.start`` / ``path.end`` / ``path``."""
    start = _minute(errors, f"{path}.start", draft.start_hours, draft.start_minutes, is_end=False)
    end = _minute(errors, f"{path}.end", draft.end_hours, draft.end_minutes, is_end=True)
    if start is None or end is None:
        return None
    if start == end:
        errors.add(path, "must not start and end at the same time (use 00:00 to 24:00 for a whole day)")
        return None
    return DailyWindow(start, end)


def check_time_zone(errors: ViolationCollector, path: str, name: str) -> None:
    if name and not is_time_zone(name):
        errors.add(path, "must be an IANA time zone such as Asia/Shanghai")
