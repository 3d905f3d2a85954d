"""Values shared by several messages: regions, daily windows, working hours."""

from __future__ import annotations

from collections.abc import Iterable

from leadflow.assign.v1 import assign_service_pb2 as pb
from leadflow.common.v1 import region_pb2, schedule_pb2
from services.assign.domain.agent_checks import ShiftDraft, WorkingHoursDraft
from services.assign.domain.checks import WindowDraft
from services.assign.domain.hours import DailyWindow, WorkingHours
from services.assign.domain.leads import Region
from services.common.protoconv import to_enum


def region(message: region_pb2.Region) -> Region:
    return Region(message.province, message.city)


def regions(messages: Iterable[region_pb2.Region]) -> tuple[Region, ...]:
    return tuple(region(m) for m in messages)


def region_message(value: Region | None) -> region_pb2.Region | None:
    return None if value is None else region_pb2.Region(province=value.province, city=value.city)


def regions_message(values: Iterable[Region]) -> list[region_pb2.Region]:
    return [region_pb2.Region(province=r.province, city=r.city) for r in values]


def window_draft(message: schedule_pb2.DailyWindow) -> WindowDraft:
    return WindowDraft(message.start.hours, message.start.minutes, message.end.hours, message.end.minutes)


def window_message(window: DailyWindow) -> schedule_pb2.DailyWindow:
    start, end = divmod(window.start_minute, 60), divmod(window.end_minute, 60)
    return schedule_pb2.DailyWindow(
        start=schedule_pb2.TimeOfDay(hours=start[0], minutes=start[1]),
        end=schedule_pb2.TimeOfDay(hours=end[0], minutes=end[1]),
    )


def working_hours_draft(message: pb.WorkingHours) -> WorkingHoursDraft:
    return WorkingHoursDraft(
        time_zone=message.time_zone,
        shifts=tuple(ShiftDraft(int(s.day_of_week), window_draft(s.window)) for s in message.shifts),
    )


def working_hours_message(hours: WorkingHours) -> pb.WorkingHours:
    return pb.WorkingHours(
        time_zone=hours.time_zone,
        shifts=[
            pb.Shift(
                day_of_week=to_enum(schedule_pb2.DayOfWeek, shift.day_of_week),
                window=window_message(shift.window),
            )
            for shift in hours.shifts
        ],
    )
