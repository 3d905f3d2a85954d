"""Follow-ups: the request message to a draft, a recorded follow-up to a message."""

from __future__ import annotations

from leadflow.assign.v1 import assign_service_pb2 as pb
from services.assign.domain.commands import RecordCommand
from services.assign.domain.followups import FollowUp, FollowUpDraft
from services.common.protoconv import optional_time, timestamp, to_enum


def record_command(request: pb.RecordFollowUpRequest) -> RecordCommand:
    f = request.follow_up
    draft = FollowUpDraft(
        lead_id=f.lead_id,
        kind=int(f.kind),
        outcome=int(f.outcome),
        note=f.note,
        call_id=f.call_id,
        follow_up_time=optional_time(f, "follow_up_time", "follow_up.follow_up_time"),
        next_follow_up_time=optional_time(f, "next_follow_up_time", "follow_up.next_follow_up_time"),
        invalid_reason=int(f.invalid_reason),
    )
    return RecordCommand(draft, f.agent_id)


def follow_up_message(follow_up: FollowUp) -> pb.FollowUp:
    message = pb.FollowUp(
        id=follow_up.id,
        lead_id=follow_up.lead_id,
        assignment_id=follow_up.assignment_id,
        agent_id=follow_up.agent_id,
        kind=to_enum(pb.FollowUpKind, follow_up.kind),
        outcome=to_enum(pb.FollowUpOutcome, follow_up.outcome),
        note=follow_up.note,
        call_id=follow_up.call_id,
        follow_up_time=timestamp(follow_up.follow_up_time),
        invalid_reason=to_enum(pb.LeadInvalidReason, follow_up.invalid_reason),
    )
    if follow_up.next_follow_up_time is not None:
        message.next_follow_up_time.CopyFrom(timestamp(follow_up.next_follow_up_time))
    if follow_up.create_time is not None:
        message.create_time.CopyFrom(timestamp(follow_up.create_time))
    return message
