"""Assignments and the pool: list requests to filters, assignments and pool entries to messages."""

from __future__ import annotations

from leadflow.assign.v1 import assign_service_pb2 as pb
from leadflow.common.v1 import lead_pb2
from services.assign.converters.values import region_message
from services.assign.domain.assignments import Assignment
from services.assign.domain.enums import AssignmentState, Channel, PoolReason
from services.assign.domain.pool import PoolEntry
from services.assign.domain.ports import AssignmentFilter, PoolFilter
from services.assign.domain.views import AssignmentView, PoolView
from services.common.protoconv import optional_time, timestamp, to_enum


def _known(enum: type, value: int) -> int:
    """A known enum member, or the raw number (the handler's check reports it as INVALID_ARGUMENT)."""
    return enum(value) if value in enum._value2member_map_ else value  # type: ignore[attr-defined, no-any-return]


def assignment_filter(request: pb.ListAssignmentsRequest) -> AssignmentFilter:
    return AssignmentFilter(
        agent_id=request.agent_id,
        lead_id=request.lead_id,
        account_id=request.account_id,
        state=_known(AssignmentState, int(request.state)),  # type: ignore[arg-type]
        tag_ids=tuple(request.tag_ids),
        has_follow_up=request.has_follow_up if request.HasField("has_follow_up") else None,
        assign_start=optional_time(request, "assign_start_time"),
        assign_end=optional_time(request, "assign_end_time"),
    )


def pool_filter(request: pb.ListPoolRequest) -> PoolFilter:
    return PoolFilter(
        account_id=request.account_id,
        tag_ids=tuple(request.tag_ids),
        channel=_known(Channel, int(request.channel)),  # type: ignore[arg-type]
        province=request.province,
        reason=_known(PoolReason, int(request.reason)),  # type: ignore[arg-type]
    )


def assignment_message(assignment: Assignment, tag_ids: tuple[str, ...] = ()) -> pb.Assignment:
    lead = assignment.lead
    message = pb.Assignment(
        id=assignment.id,
        lead_id=lead.lead_id,
        account_id=lead.account_id,
        agent_id=assignment.agent_id,
        team_id=assignment.team_id,
        state=to_enum(pb.AssignmentState, assignment.state),
        reason=to_enum(pb.AssignmentReason, assignment.reason),
        rule_id=assignment.rule_id,
        assign_time=timestamp(assignment.assign_time),
        tag_ids=list(tag_ids),
        score_grade=to_enum(pb.ScoreGrade, lead.grade),
        channel=to_enum(lead_pb2.Channel, lead.channel),
        phone_region=region_message(lead.phone_region),
        previous_agent_id=assignment.previous_agent_id,
        score=lead.score,
        reminders_sent=assignment.reminders_sent,
        reassign_reason=assignment.reassign_reason,
        release_reason=assignment.release_reason,
    )
    for name in ("first_follow_up_time", "reclaim_due_time", "end_time", "next_follow_up_time"):
        value = getattr(assignment, name)
        if value is not None:
            getattr(message, name).CopyFrom(timestamp(value))
    return message


def assignment_view_message(view: AssignmentView) -> pb.Assignment:
    return assignment_message(view.assignment, view.tag_ids)


def pool_entry_message(entry: PoolEntry, tag_ids: tuple[str, ...] = ()) -> pb.PoolEntry:
    lead = entry.lead
    return pb.PoolEntry(
        lead_id=lead.lead_id,
        account_id=lead.account_id,
        reason=to_enum(pb.PoolReason, entry.reason),
        enter_time=timestamp(entry.enter_time),
        previous_agent_id=entry.previous_agent_id,
        tag_ids=list(tag_ids),
        channel=to_enum(lead_pb2.Channel, lead.channel),
        phone_region=region_message(lead.phone_region),
        score_grade=to_enum(pb.ScoreGrade, lead.grade),
        score=lead.score,
        rule_id=entry.rule_id,
    )


def pool_view_message(view: PoolView) -> pb.PoolEntry:
    return pool_entry_message(view.entry, view.tag_ids)
