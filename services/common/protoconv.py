"""Protobuf <-> Python conversions every service's converters need: times, durations, per-item errors.

Timestamps and durations are truncated from nanoseconds to microseconds, the precision the domains store. A value
outside the range protobuf defines (Timestamp: years 0001 to 9999; Duration: about ±10,000 years) has no Python
value, so reading one is INVALID_ARGUMENT on the field's path, never INTERNAL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from google.protobuf import duration_pb2, timestamp_pb2

from leadflow.common.v1 import encryption_pb2, errors_pb2
from services.common.errors import DomainError, FieldViolation, InvalidArgument
from services.common.grpc_errors import MAX_MESSAGE, bounded_violations, clip, status_code_for
from services.common.sealing import SealedValue
from services.common.timeconv import EPOCH, to_us

# google/protobuf/timestamp.proto and duration.proto: the ranges they define.
_MIN_SECONDS, _MAX_SECONDS = -62_135_596_800, 253_402_300_799
_MAX_DURATION_SECONDS = 315_576_000_000


def to_datetime(value: timestamp_pb2.Timestamp, path: str) -> datetime:
    """A Timestamp as a UTC datetime (microseconds); outside the protobuf range: INVALID_ARGUMENT on ``path``."""
    if not (_MIN_SECONDS <= value.seconds <= _MAX_SECONDS and 0 <= value.nanos <= 999_999_999):
        raise InvalidArgument(FieldViolation(path, "is not a valid timestamp (years 0001 to 9999)"))
    return EPOCH + timedelta(seconds=value.seconds, microseconds=value.nanos // 1000)


def optional_time(message: Any, name: str, path: str | None = None) -> datetime | None:
    """The time in field ``name`` of ``message``, None when unset; INVALID_ARGUMENT naming ``path`` (default: the
    field name) when it lies outside the protobuf range."""
    if not message.HasField(name):
        return None
    return to_datetime(getattr(message, name), path or name)


def timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(**timestamp_fields(value))


def timestamp_fields(value: datetime) -> dict[str, int]:
    """A Timestamp's fields ``{"seconds", "nanos"}`` for a message built from field dicts.

    Why dicts: upb copies every message passed to a constructor (a parent built from child messages copies each
    child once more), while a dict is read straight into the parent; a SubmitLead answer built from dicts costs
    half the CPU (see ``services.ingest.converters.submit``)."""
    seconds, micros = divmod(to_us(value), 1_000_000)
    return {"seconds": seconds, "nanos": micros * 1000}


def to_timedelta(value: duration_pb2.Duration, path: str) -> timedelta:
    """A Duration as a timedelta (microseconds); outside the protobuf range: INVALID_ARGUMENT on ``path``."""
    if not (abs(value.seconds) <= _MAX_DURATION_SECONDS and abs(value.nanos) <= 999_999_999):
        raise InvalidArgument(FieldViolation(path, "is not a valid duration (at most 10,000 years)"))
    return timedelta(seconds=value.seconds, microseconds=int(value.nanos / 1000))


def duration(value: timedelta) -> duration_pb2.Duration:
    micros = value // timedelta(microseconds=1)
    sign = -1 if micros < 0 else 1
    seconds, rest = divmod(abs(micros), 1_000_000)
    return duration_pb2.Duration(seconds=sign * seconds, nanos=sign * rest * 1000)


def item_error(error: DomainError) -> errors_pb2.ItemError:
    """The per-item error of a batch answer: the status code name, reason, message and field violations that the
    same error would carry as the status of a single call."""
    violations = bounded_violations(error.violations) if isinstance(error, InvalidArgument) else []
    return errors_pb2.ItemError(
        code=status_code_for(error).name,
        reason=error.reason,
        message=clip(error.message, MAX_MESSAGE),
        field_violations=[
            errors_pb2.FieldViolation(field=v.field, description=v.description) for v in violations
        ],
    )


def enum_name(enum: Any, value: int, prefix: str) -> str:
    """An enum value's name without its prefix ("EMPTY_NUMBER" for CALL_OUTCOME_EMPTY_NUMBER); a value newer than
    this code (not in the generated descriptor) keeps its number, so a consumer never fails on it."""
    try:
        name = str(enum.Name(value))
    except ValueError:
        return str(value)
    return name[len(prefix) :] if name.startswith(prefix) else name


E = TypeVar("E", bound=int)


def to_enum(enum: type[E], value: int) -> E:
    """A domain enum value (an IntEnum member or a number) as the generated protobuf enum type ``enum``, for
    message constructors: proto3 enums are open, so any number is a valid value on the wire."""
    return cast(E, int(value))


def encrypted_value(sealed: SealedValue) -> encryption_pb2.EncryptedValue:
    return encryption_pb2.EncryptedValue(**encrypted_fields(sealed))


def encrypted_fields(sealed: SealedValue) -> dict[str, Any]:
    """An EncryptedValue's fields as a dict (see ``timestamp_fields``)."""
    return {"key_id": sealed.key_id, "wrapped_key": sealed.wrapped_key, "ciphertext": sealed.ciphertext}


def sealed_value(message: encryption_pb2.EncryptedValue) -> SealedValue:
    return SealedValue(message.key_id, bytes(message.wrapped_key), bytes(message.ciphertext))


def erased_lead(data: bytes) -> tuple[str, str]:
    """(tenant, lead id) of a ``lead.erased`` payload, for the services that consume it; raises on a payload that
    does not decode or lacks either id (the consumer retries it, then dead-letters it)."""
    from leadflow.ingest.v1 import events_pb2

    event = events_pb2.LeadErased.FromString(data)
    if not event.tenant_id or not event.lead_id:
        raise ValueError("lead.erased without a tenant or a lead id")
    return event.tenant_id, event.lead_id
