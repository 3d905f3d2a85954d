"""Values several refund messages share: money, the refund enums, the callable window, optional time ranges.

Domain enums are ``StrEnum``s whose values are the proto enum names without their prefix (``CaseState.PENDING`` is
``CASE_STATE_PENDING``), so one pair of functions converts each of them both ways.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from google.protobuf.message import Message

from leadflow.common.v1 import money_pb2, schedule_pb2
from services.common.errors import FieldViolation, InvalidArgument
from services.common.protoconv import enum_name, optional_time, to_enum
from services.refund.domain.callable_hours import CallableWindow
from services.refund.domain.money import Money, MoneyError

E = TypeVar("E", bound=StrEnum)


def enum_number(proto_enum: Any, prefix: str, member: StrEnum | None) -> Any:
    """The proto number of a domain enum member (0, the UNSPECIFIED value, for None)."""
    return to_enum(proto_enum, 0 if member is None else proto_enum.Value(prefix + member.value))


def domain_enum(domain: type[E], proto_enum: Any, prefix: str, value: int, path: str) -> E | None:
    """The domain member of a proto enum number; None for 0 (UNSPECIFIED, "any" in filters). A number this
    service does not know answers INVALID_ARGUMENT on ``path``."""
    if value == 0:
        return None
    try:
        return domain(enum_name(proto_enum, value, prefix))
    except ValueError:
        raise InvalidArgument(FieldViolation(path, f"{value} is not a known value")) from None


def money_message(money: Money) -> money_pb2.Money:
    units, nanos = money.to_units_nanos()
    return money_pb2.Money(currency_code=money.currency, units=units, nanos=nanos)


def money_value(message: money_pb2.Money, path: str) -> Money:
    """A request's amount; INVALID_ARGUMENT naming the part that is wrong: ``<path>.currency_code`` when it is not
    an ISO 4217 code, ``<path>.nanos`` when the amount is not a whole number of fen (google.type.Money's rules)."""
    try:
        Money.zero(message.currency_code)
    except MoneyError as error:
        raise InvalidArgument(FieldViolation(f"{path}.currency_code", str(error))) from None
    try:
        return Money.from_units_nanos(message.currency_code, message.units, message.nanos)
    except MoneyError as error:
        raise InvalidArgument(FieldViolation(f"{path}.nanos", str(error))) from None


def daily_window(window: CallableWindow) -> schedule_pb2.DailyWindow:
    return schedule_pb2.DailyWindow(
        start=schedule_pb2.TimeOfDay(hours=window.start_minute // 60, minutes=window.start_minute % 60),
        end=schedule_pb2.TimeOfDay(hours=window.end_minute // 60, minutes=window.end_minute % 60),
    )


def window_of(hours: schedule_pb2.DailyWindow, time_zone: str) -> CallableWindow:
    """Raises ValueError for a window or zone the domain refuses."""
    for part in (hours.start, hours.end):
        if not (0 <= part.hours <= 24 and 0 <= part.minutes <= 59):
            raise ValueError("a time of day is out of range")
    return CallableWindow(
        hours.start.hours * 60 + hours.start.minutes, hours.end.hours * 60 + hours.end.minutes, time_zone
    )


def time_range(message: Message, start: str, end: str) -> tuple[datetime | None, datetime | None]:
    """The optional ``start``/``end`` timestamps of a List request's time filter."""
    return optional_time(message, start), optional_time(message, end)
