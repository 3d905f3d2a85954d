"""Calls and bindings: StartCall and ListCalls requests to domain values; calls, evidence and bindings to messages."""

from __future__ import annotations

from datetime import datetime

from leadflow.common.v1 import call_pb2
from leadflow.telephony.v1 import telephony_service_pb2 as pb
from services.common.protoconv import duration, optional_time, timestamp, to_enum
from services.telephony.domain.binding import Binding
from services.telephony.domain.call import Call, CallMode
from services.telephony.domain.commands import CallListQuery, StartCallCommand
from services.telephony.domain.evidence import Evidence
from services.telephony.domain.outcomes import CallOutcome


def start_command(request: pb.StartCallRequest) -> StartCallCommand:
    mode = int(request.mode)
    return StartCallCommand(
        lead_id=request.lead_id,
        agent_id=request.agent_id,
        request_id=request.request_id,
        mode=CallMode(mode) if mode in CallMode.__members__.values() else mode,  # type: ignore[arg-type]
    )


def list_query(request: pb.ListCallsRequest) -> CallListQuery:
    outcome = int(request.outcome)
    return CallListQuery(
        lead_id=request.lead_id,
        agent_id=request.agent_id,
        outcome=CallOutcome(outcome) if outcome in CallOutcome.__members__.values() else outcome,  # type: ignore[arg-type]
        start_from=optional_time(request, "dial_start_time"),
        start_before=optional_time(request, "dial_end_time"),
        page_size=request.page_size,
        page_token=request.page_token,
    )


def evidence_message(
    piece: Evidence,
    decisive: Evidence | None,
    conflicts: tuple[Evidence, ...],
    received: datetime | None = None,
) -> pb.CallEvidence:
    message = pb.CallEvidence(
        source=to_enum(pb.EvidenceSource, piece.source),
        provider=piece.provider,
        code=piece.code,
        text=piece.text,
        field=piece.field,
        decisive=piece == decisive,
        conflicting=piece in conflicts,
    )
    if piece.event_time is not None:
        message.event_time.CopyFrom(timestamp(piece.event_time))
    if received is not None:
        message.receive_time.CopyFrom(timestamp(received))
    return message


def first_received(call: Call) -> dict[Evidence, datetime]:
    """When leadflow first received each piece of evidence: the earliest received time of the events carrying it
    (a repeated receipt does not move it)."""
    received: dict[Evidence, datetime] = {}
    for event in call.events:
        if event.received_time is None:
            continue
        for piece in event.evidence:
            if piece not in received or event.received_time < received[piece]:
                received[piece] = event.received_time
    return received


def evidence_messages(call: Call) -> list[pb.CallEvidence]:
    progress, received = call.progress, first_received(call)
    return [
        evidence_message(e, progress.decisive, progress.conflicts, received.get(e)) for e in progress.evidence
    ]


def recording_message(call: Call) -> pb.Recording | None:
    recording = call.progress.recording
    if recording is None:
        return None
    message = pb.Recording(uri=recording.uri)
    if recording.expire_time is not None:
        message.expire_time.CopyFrom(timestamp(recording.expire_time))
    return message


def call_message(call: Call, update_time: datetime) -> pb.Call:
    progress = call.progress
    message = pb.Call(
        id=call.call_id,
        lead_id=call.lead_id,
        agent_id=call.agent_id,
        account_id=call.account_id,
        binding_id=call.binding_id,
        masked_number=call.masked_number,
        mode=to_enum(pb.CallMode, call.mode),
        state=to_enum(pb.CallState, progress.state),
        outcome=to_enum(call_pb2.CallOutcome, progress.outcome),
        attempt_number=call.attempt_number,
        start_time=timestamp(call.start_time),
        talk_duration=duration(progress.talk_duration),
        ring_duration=duration(progress.ring_duration),
        release_direction=to_enum(pb.ReleaseDirection, progress.release_direction),
        evidence=evidence_messages(call),
        update_time=timestamp(update_time),
        decided_by=to_enum(pb.EvidenceSource, progress.decided_by),
        outcome_explanation=progress.explanation,
        outcome_revision=call.completion_revision,
    )
    for name, value in (
        ("ring_time", progress.ring_time),
        ("answer_time", progress.answer_time),
        ("release_time", progress.release_time),
    ):
        if value is not None:
            getattr(message, name).CopyFrom(timestamp(value))
    recording = recording_message(call)
    if recording is not None:
        message.recording.CopyFrom(recording)
    return message


def binding_message(binding: Binding, masked_number: str, now: datetime) -> pb.Binding:
    message = pb.Binding(
        id=binding.binding_id,
        lead_id=binding.lead_id,
        agent_id=binding.agent_id,
        number_id=binding.number_id,
        masked_number=masked_number,
        state=to_enum(pb.BindingState, binding.state_at(now)),
        create_time=timestamp(binding.create_time),
        expire_time=timestamp(binding.expire_time),
    )
    if binding.release_time is not None:
        message.release_time.CopyFrom(timestamp(binding.release_time))
    return message
