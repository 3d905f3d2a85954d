"""Events: the domain events assign records, as the ``leadflow.assign.v1`` messages the relay publishes; and the
events assign consumes, decoded to plain values. A payload that does not decode raises, so the consumer retries
it and finally dead-letters it.

Agent events carry the agent's phone sealed (``leadflow.common.v1.EncryptedValue``, purpose ``agent.phone``) by the
runtime's ``Sealer``, so the outbox and the JetStream store hold no readable number; telephony, given the key,
opens it to dial the agent. lead.assigned carries no phone. lead.accepted's phone arrives sealed and assign never
opens it: routing needs only whether there is one, and its region.
"""

from __future__ import annotations

from google.protobuf.message import Message

from leadflow.assign.v1 import assign_service_pb2 as pb
from leadflow.assign.v1 import events_pb2
from leadflow.common.v1 import lead_pb2
from leadflow.ingest.v1 import events_pb2 as ingest_events
from leadflow.refund.v1 import events_pb2 as refund_events
from leadflow.refund.v1 import refund_service_pb2 as refund_pb
from leadflow.telephony.v1 import events_pb2 as telephony_events
from services.assign.converters.values import region, regions_message, working_hours_message
from services.assign.domain.agents import Agent
from services.assign.domain.enums import BusinessSource, CallOutcome, Channel, TrafficSource, Verdict
from services.assign.domain.events import (
    AcceptedLead,
    AgentCreated,
    AgentDeleted,
    AgentUpdated,
    CallEnded,
    DuplicateSubmission,
    LeadAssigned,
    LeadReclaimed,
    LeadStatusChanged,
    RefundPaid,
    ReminderDue,
)
from services.assign.domain.followups import CallFacts
from services.assign.domain.leads import LeadFacts
from services.common.events import (
    AGENT_CREATED,
    AGENT_DELETED,
    AGENT_UPDATED,
    LEAD_ASSIGNED,
    LEAD_RECLAIMED,
    LEAD_STATUS_CHANGED,
    REMINDER_DUE,
)
from services.common.ids import new_id
from services.common.messaging.outbox import OutboxMessage
from services.common.pii import mask_phone
from services.common.protoconv import encrypted_value, enum_name, timestamp, to_datetime, to_enum
from services.common.sealing import AGENT_PHONE, Sealer

# ---------------------------------------------------------------------------------------------- produced


class AssignEventEncoder:
    """The outbox's ``EventEncoder`` for assign: each recorded domain event as its bus message, with a new id."""

    def __init__(self, sealer: Sealer) -> None:
        self._sealer = sealer

    def __call__(self, event: object) -> OutboxMessage:
        event_id = new_id()
        subject, message, aggregate = self._encode(event_id, event)
        return OutboxMessage(subject, message, aggregate, event_id)

    def _encode(self, event_id: str, event: object) -> tuple[str, Message, str]:
        if isinstance(event, LeadAssigned):
            return LEAD_ASSIGNED, lead_assigned(event_id, event), event.assignment.lead.lead_id
        if isinstance(event, LeadReclaimed):
            return LEAD_RECLAIMED, lead_reclaimed(event_id, event), event.assignment.lead.lead_id
        if isinstance(event, ReminderDue):
            return REMINDER_DUE, reminder_due(event_id, event), event.assignment.lead.lead_id
        if isinstance(event, LeadStatusChanged):
            return LEAD_STATUS_CHANGED, status_changed(event_id, event), event.change.lead_id
        if isinstance(event, AgentCreated):
            message = events_pb2.AgentCreated(
                event_id=event_id,
                tenant_id=event.tenant_id,
                occurred_time=timestamp(event.occurred_time),
                agent=self.snapshot(event.tenant_id, event.agent),
            )
            return AGENT_CREATED, message, event.agent.id
        if isinstance(event, AgentUpdated):
            message = events_pb2.AgentUpdated(
                event_id=event_id,
                tenant_id=event.tenant_id,
                occurred_time=timestamp(event.occurred_time),
                agent=self.snapshot(event.tenant_id, event.agent),
                changed_fields=list(event.changed_fields),
            )
            return AGENT_UPDATED, message, event.agent.id
        if isinstance(event, AgentDeleted):
            message = events_pb2.AgentDeleted(
                event_id=event_id,
                tenant_id=event.tenant_id,
                occurred_time=timestamp(event.occurred_time),
                agent_id=event.agent_id,
                revision=event.revision,
                team_id=event.team_id,
            )
            return AGENT_DELETED, message, event.agent_id
        raise TypeError(f"assign records no event of type {type(event).__name__}")

    def snapshot(self, tenant: str, agent: Agent) -> events_pb2.AgentSnapshot:
        message = events_pb2.AgentSnapshot(
            agent_id=agent.id,
            revision=agent.revision,
            team_id=agent.team_id,
            display_name=agent.display_name,
            user_id=agent.user_id,
            status=to_enum(pb.AgentStatus, agent.status),
            regions=regions_message(agent.regions),
            working_hours=working_hours_message(agent.working_hours),
        )
        if agent.phone:
            message.phone.CopyFrom(encrypted_value(self._sealer.seal(tenant, AGENT_PHONE, agent.phone)))
            message.phone_masked = mask_phone(agent.phone)
        return message


def lead_assigned(event_id: str, event: LeadAssigned) -> events_pb2.LeadAssigned:
    a = event.assignment
    message = events_pb2.LeadAssigned(
        event_id=event_id,
        tenant_id=event.tenant_id,
        occurred_time=timestamp(event.occurred_time),
        assignment_id=a.id,
        lead_id=a.lead.lead_id,
        account_id=a.lead.account_id,
        agent_id=a.agent_id,
        team_id=a.team_id,
        reason=to_enum(pb.AssignmentReason, a.reason),
        rule_id=a.rule_id,
        previous_agent_id=a.previous_agent_id,
        score_grade=to_enum(pb.ScoreGrade, a.lead.grade),
        reassign_reason=a.reassign_reason,
    )
    if a.reclaim_due_time is not None:
        message.reclaim_due_time.CopyFrom(timestamp(a.reclaim_due_time))
    return message


def lead_reclaimed(event_id: str, event: LeadReclaimed) -> events_pb2.LeadReclaimed:
    a = event.assignment
    message = events_pb2.LeadReclaimed(
        event_id=event_id,
        tenant_id=event.tenant_id,
        occurred_time=timestamp(event.occurred_time),
        assignment_id=a.id,
        lead_id=a.lead.lead_id,
        account_id=a.lead.account_id,
        agent_id=a.agent_id,
        reason=to_enum(events_pb2.ReclaimReason, event.reason),
    )
    if event.cooldown_end_time is not None:
        message.cooldown_end_time.CopyFrom(timestamp(event.cooldown_end_time))
    return message


def reminder_due(event_id: str, event: ReminderDue) -> events_pb2.ReminderDue:
    a = event.assignment
    return events_pb2.ReminderDue(
        event_id=event_id,
        tenant_id=event.tenant_id,
        occurred_time=timestamp(event.occurred_time),
        reminder_id=event.reminder_id,
        lead_id=a.lead.lead_id,
        assignment_id=a.id,
        account_id=a.lead.account_id,
        agent_id=a.agent_id,
        recipient_agent_id=event.recipient_agent_id,
        recipient_role=to_enum(events_pb2.ReminderRecipientRole, event.role),
        sequence=event.sequence,
        escalated=event.escalated,
        due_time=timestamp(event.due_time),
        assign_time=timestamp(a.assign_time),
    )


def status_changed(event_id: str, event: LeadStatusChanged) -> events_pb2.LeadStatusChanged:
    a = event.assignment
    return events_pb2.LeadStatusChanged(
        event_id=event_id,
        tenant_id=event.tenant_id,
        occurred_time=timestamp(event.occurred_time),
        lead_id=event.change.lead_id,
        account_id=a.lead.account_id,
        status=to_enum(lead_pb2.LeadStatus, event.change.status),
        invalid_reason=to_enum(pb.LeadInvalidReason, event.change.invalid_reason),
        follow_up_id=event.follow_up_id,
        assignment_id=a.id,
        agent_id=a.agent_id,
    )


# ---------------------------------------------------------------------------------------------- consumed


def _member(enum: type, value: int) -> object:
    """The domain member of a contract number; a number newer than this code counts as UNSPECIFIED."""
    return enum(value) if value in enum._value2member_map_ else enum(0)  # type: ignore[attr-defined]


def accepted_lead(data: bytes) -> AcceptedLead:
    event = ingest_events.LeadAccepted.FromString(data)
    facts = LeadFacts(
        lead_id=event.lead_id,
        account_id=event.account_id,
        channel=_member(Channel, event.channel),  # type: ignore[arg-type]
        traffic_source=_member(TrafficSource, event.traffic_source),  # type: ignore[arg-type]
        business_source=_member(BusinessSource, event.business_source),  # type: ignore[arg-type]
        campaign_id=event.campaign_id,
        phone_region=region(event.phone_region)
        if event.HasField("phone_region") and event.phone_region.province
        else None,
        has_phone=event.HasField("encrypted_phone"),
        phone_from_wechat=event.phone_from_wechat,
        verdict=_member(Verdict, event.verdict),  # type: ignore[arg-type]
        returning_of_lead_id=event.returning_of_lead_id,
    )
    return AcceptedLead(event.tenant_id, facts)


def duplicate_submission(data: bytes) -> DuplicateSubmission:
    event = ingest_events.LeadDuplicate.FromString(data)
    return DuplicateSubmission(event.tenant_id, event.lead_id)


def call_ended(data: bytes) -> CallEnded:
    event = telephony_events.CallCompleted.FromString(data)
    started = event.start_time if event.HasField("start_time") else event.occurred_time
    call = CallFacts(
        call_id=event.call_id,
        lead_id=event.lead_id,
        agent_id=event.agent_id,
        outcome=_member(CallOutcome, event.outcome),  # type: ignore[arg-type]
        start_time=to_datetime(started, "start_time"),
    )
    return CallEnded(event.tenant_id, call)


def refund_paid(data: bytes) -> RefundPaid:
    event = refund_events.RefundIssued.FromString(data)
    return RefundPaid(
        event.tenant_id, event.lead_id, enum_name(refund_pb.RefundReason, event.reason, "REFUND_REASON_")
    )
