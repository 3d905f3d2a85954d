"""Masked numbers: AddNumbers and ListNumbers requests to domain values, pool views to messages."""

from __future__ import annotations

from leadflow.common.v1 import region_pb2
from leadflow.telephony.v1 import telephony_service_pb2 as pb
from services.common.protoconv import timestamp, to_enum
from services.telephony.domain.commands import NewNumber
from services.telephony.domain.numbers import NumberStatus
from services.telephony.domain.ports import NumberFilter, NumberView


def new_numbers(request: pb.AddNumbersRequest) -> list[NewNumber]:
    return [
        NewNumber(
            phone_number=n.phone_number.strip(),
            province=n.region.province.strip(),
            city=n.region.city.strip(),
            provider=n.carrier.strip(),
            max_concurrent_bindings=n.max_concurrent_bindings,
            max_daily_calls=n.max_daily_calls,
        )
        for n in request.numbers
    ]


def number_filter(request: pb.ListNumbersRequest) -> NumberFilter:
    status = int(request.status)
    return NumberFilter(
        status=NumberStatus(status) if status in NumberStatus.__members__.values() else status,  # type: ignore[arg-type]
        province=request.province,
        city=request.city,
        provider=request.carrier,
    )


def number_message(view: NumberView) -> pb.MaskedNumber:
    number = view.number
    message = pb.MaskedNumber(
        id=number.number_id,
        phone_number=number.phone_number,
        region=region_pb2.Region(province=number.province, city=number.city),
        carrier=number.provider,
        status=to_enum(pb.NumberStatus, number.status),
        status_reason=number.status_reason,
        max_concurrent_bindings=number.max_concurrent_bindings,
        max_daily_calls=number.max_daily_calls,
        active_binding_count=view.active_bindings,
        today_call_count=view.calls_today,
        recent_answer_rate=view.recent_answer_rate,
        recent_call_count=view.recent_call_count,
    )
    for name, value in (
        ("cooling_end_time", number.cooling_end_time),
        ("last_bind_time", number.last_bind_time),
        ("status_change_time", number.status_change_time),
        ("create_time", view.create_time),
        ("update_time", view.update_time),
    ):
        if value is not None:
            getattr(message, name).CopyFrom(timestamp(value))
    return message
