"""The domain events assign's use cases record (``uow.events.add``); ``converters.events`` turns them into the
``leadflow.assign.v1`` messages the relay publishes (subjects in ``services.common.events``).

Events hold plain values. ``AgentCreated`` and ``AgentUpdated`` carry the agent with its phone in plain text, in
memory only: the encoder seals it (``ports.PhoneSealer``) before anything is written to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.assign.domain.agents import Agent
from services.assign.domain.assignments import Assignment
from services.assign.domain.enums import RecipientRole, ReclaimReason
from services.assign.domain.followups import CallFacts, StatusChange
from services.assign.domain.leads import LeadFacts


@dataclass(frozen=True)
class AgentCreated:
    tenant_id: str
    agent: Agent
    occurred_time: datetime


@dataclass(frozen=True)
class AgentUpdated:
    """``changed_fields``: field-mask paths of Agent that changed."""

    tenant_id: str
    agent: Agent
    changed_fields: tuple[str, ...]
    occurred_time: datetime


@dataclass(frozen=True)
class AgentDeleted:
    """``revision``: one above the agent's last stored revision."""

    tenant_id: str
    agent_id: str
    team_id: str
    revision: int
    occurred_time: datetime


@dataclass(frozen=True)
class LeadAssigned:
    """lead.assigned: a new active assignment (by a rule, familiarity, a claim or a reassignment)."""

    tenant_id: str
    assignment: Assignment
    occurred_time: datetime


@dataclass(frozen=True)
class LeadReclaimed:
    """lead.reclaimed: ``assignment`` (ended RECLAIMED) went back to the pool; ``cooldown_end_time`` is None when
    the agent has no cooling period (AGENT_DELETED)."""

    tenant_id: str
    assignment: Assignment
    reason: ReclaimReason
    cooldown_end_time: datetime | None
    occurred_time: datetime


@dataclass(frozen=True)
class ReminderDue:
    """reminder.due: one recipient of one reminder. ``reminder_id`` is the reminder timer's key."""

    tenant_id: str
    reminder_id: str
    assignment: Assignment
    recipient_agent_id: str
    role: RecipientRole
    sequence: int
    escalated: bool
    due_time: datetime
    occurred_time: datetime


@dataclass(frozen=True)
class LeadStatusChanged:
    """lead.status_changed: a follow-up settled the lead (CONVERTED or INVALID) during ``assignment``."""

    tenant_id: str
    change: StatusChange
    assignment: Assignment
    follow_up_id: str
    occurred_time: datetime


# Events of other services that assign consumes, as the plain values its handlers take.


@dataclass(frozen=True)
class AcceptedLead:
    """lead.accepted: a new lead (NEW or RETURNING) to route."""

    tenant_id: str
    facts: LeadFacts


@dataclass(frozen=True)
class DuplicateSubmission:
    """lead.duplicate: the person submitted again; ``lead_id`` is the existing lead."""

    tenant_id: str
    lead_id: str


@dataclass(frozen=True)
class CallEnded:
    """call.completed: a call an agent made to a lead, with its outcome."""

    tenant_id: str
    call: CallFacts


@dataclass(frozen=True)
class RefundPaid:
    """refund.issued: a charge of the lead was refunded, for ``reason`` (EMPTY_NUMBER, DUPLICATE_CHARGE, ...)."""

    tenant_id: str
    lead_id: str
    reason: str
