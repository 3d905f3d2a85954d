"""Events: the domain events telephony records, as the ``leadflow.telephony.v1`` messages the relay publishes; and
the events telephony consumes, decoded to the plain values its handlers take. Personal fields travel sealed
(``services.common.sealing``): the lead's phone under purpose ``lead.phone`` (opened from ``lead.accepted``, sealed
again into ``call.completed``), the agent's phone under ``agent.phone``. A payload that does not decode or open
raises, so the consumer retries it and finally dead-letters it (the error names no value).

Assign's agent subjects (``leadflow.agent.v1.{created,updated,deleted}``, named by
``protos/leadflow/assign/v1/events.proto``) are defined here until ``services/common/events.py`` carries them in
``ASSIGN_STREAM``; ``AGENT_STREAM`` is that stream with them, so both definitions provision the same subjects.
"""

from __future__ import annotations

import dataclasses

from leadflow.assign.v1 import events_pb2 as assign_events
from leadflow.common.v1 import call_pb2
from leadflow.ingest.v1 import events_pb2 as ingest_events
from leadflow.telephony.v1 import events_pb2
from leadflow.telephony.v1 import telephony_service_pb2 as pb
from services.common import events as catalog
from services.common.events import CALL_COMPLETED, CALL_STARTED, CALLABLE_HOURS_CHANGED
from services.common.messaging.outbox import OutboxMessage
from services.common.protoconv import duration, encrypted_value, sealed_value, timestamp, to_datetime, to_enum
from services.common.sealing import AGENT_PHONE, LEAD_PHONE, Sealer
from services.telephony.converters.calls import evidence_messages, recording_message
from services.telephony.converters.settings import daily_window_message
from services.telephony.domain.commands import AgentChanged, LeadAccepted, LeadAssigned
from services.telephony.domain.ports import CallableHoursChanged, CallCompleted, CallStarted

AGENT_CREATED = getattr(catalog, "AGENT_CREATED", "leadflow.agent.v1.created")
AGENT_UPDATED = getattr(catalog, "AGENT_UPDATED", "leadflow.agent.v1.updated")
AGENT_DELETED = getattr(catalog, "AGENT_DELETED", "leadflow.agent.v1.deleted")
AGENT_SUBJECTS = (AGENT_CREATED, AGENT_UPDATED, AGENT_DELETED)
AGENT_STREAM = dataclasses.replace(
    catalog.ASSIGN_STREAM, subjects=tuple(dict.fromkeys((*catalog.ASSIGN_STREAM.subjects, *AGENT_SUBJECTS)))
)

# ---------------------------------------------------------------------------------------------- produced


class EventEncoder:
    """The outbox's encoder of telephony's domain events; the lead's phone is sealed with ``sealer``."""

    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer

    def __call__(self, event: object) -> OutboxMessage:
        if isinstance(event, CallStarted):
            return OutboxMessage(
                CALL_STARTED, call_started_message(event), event.call.call_id, event.event_id
            )
        if isinstance(event, CallCompleted):
            message = call_completed_message(event, self._sealer)
            return OutboxMessage(CALL_COMPLETED, message, event.call.call_id, event.event_id)
        if isinstance(event, CallableHoursChanged):
            return OutboxMessage(
                CALLABLE_HOURS_CHANGED, callable_hours_changed_message(event), event.tenant_id, event.event_id
            )
        raise TypeError(f"telephony records no event of type {type(event).__name__}")


def callable_hours_changed_message(event: CallableHoursChanged) -> events_pb2.CallableHoursChanged:
    return events_pb2.CallableHoursChanged(
        event_id=event.event_id,
        tenant_id=event.tenant_id,
        callable_hours=daily_window_message(event.callable_hours),
        default_time_zone=event.default_time_zone,
        change_time=timestamp(event.change_time),
    )


def call_started_message(event: CallStarted) -> events_pb2.CallStarted:
    call = event.call
    return events_pb2.CallStarted(
        event_id=event.event_id,
        tenant_id=call.tenant_id,
        occurred_time=timestamp(call.start_time),
        call_id=call.call_id,
        lead_id=call.lead_id,
        agent_id=call.agent_id,
        account_id=call.account_id,
        binding_id=call.binding_id,
        masked_number=call.masked_number,
        mode=to_enum(pb.CallMode, call.mode),
        attempt_number=call.attempt_number,
    )


def call_completed_message(event: CallCompleted, sealer: Sealer) -> events_pb2.CallCompleted:
    call, progress = event.call, event.call.progress
    message = events_pb2.CallCompleted(
        event_id=event.event_id,
        tenant_id=call.tenant_id,
        occurred_time=timestamp(event.occurred_time),
        call_id=call.call_id,
        lead_id=call.lead_id,
        agent_id=call.agent_id,
        account_id=call.account_id,
        outcome=to_enum(call_pb2.CallOutcome, progress.outcome),
        attempt_number=call.attempt_number,
        start_time=timestamp(call.start_time),
        talk_duration=duration(progress.talk_duration),
        ring_duration=duration(progress.ring_duration),
        release_direction=to_enum(pb.ReleaseDirection, progress.release_direction),
        evidence=evidence_messages(call),
        outcome_revision=event.revision,
        decided_by=to_enum(pb.EvidenceSource, progress.decided_by),
        callable_hours=daily_window_message(event.callable_hours),
        time_zone=event.time_zone,
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
    if event.lead_phone:
        message.encrypted_lead_phone.CopyFrom(
            encrypted_value(sealer.seal(call.tenant_id, LEAD_PHONE, event.lead_phone))
        )
    return message


# ---------------------------------------------------------------------------------------------- consumed


def lead_accepted(data: bytes, sealer: Sealer) -> LeadAccepted:
    event = ingest_events.LeadAccepted.FromString(data)
    phone = (
        sealer.open(event.tenant_id, LEAD_PHONE, sealed_value(event.encrypted_phone))
        if event.HasField("encrypted_phone")
        else ""
    )
    return LeadAccepted(
        tenant_id=event.tenant_id,
        lead_id=event.lead_id,
        account_id=event.account_id,
        phone=phone,
        province=event.phone_region.province,
        city=event.phone_region.city,
        occurred_time=to_datetime(event.occurred_time, "occurred_time"),
    )


def lead_assigned(data: bytes) -> LeadAssigned:
    event = assign_events.LeadAssigned.FromString(data)
    return LeadAssigned(
        tenant_id=event.tenant_id,
        lead_id=event.lead_id,
        account_id=event.account_id,
        agent_id=event.agent_id,
        occurred_time=to_datetime(event.occurred_time, "occurred_time"),
    )


def _snapshot(tenant: str, snapshot: assign_events.AgentSnapshot, sealer: Sealer) -> AgentChanged:
    phone = (
        sealer.open(tenant, AGENT_PHONE, sealed_value(snapshot.phone)) if snapshot.HasField("phone") else ""
    )
    return AgentChanged(tenant, snapshot.agent_id, snapshot.user_id, phone, snapshot.revision, deleted=False)


def agent_changed(subject: str, data: bytes, sealer: Sealer) -> AgentChanged:
    """An agent event of any of the three subjects, as the agent's new version (a deletion is a tombstone)."""
    if subject == AGENT_DELETED:
        deleted = assign_events.AgentDeleted.FromString(data)
        return AgentChanged(deleted.tenant_id, deleted.agent_id, "", "", deleted.revision, deleted=True)
    message = (
        assign_events.AgentCreated if subject == AGENT_CREATED else assign_events.AgentUpdated
    ).FromString(data)
    return _snapshot(message.tenant_id, message.agent, sealer)
