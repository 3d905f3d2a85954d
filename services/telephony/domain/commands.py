"""The plain values the converters build from requests and events, and the use cases take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.telephony.domain.call import CallEvent, CallMode
from services.telephony.domain.outcomes import CallOutcome


@dataclass(frozen=True)
class NewNumber:
    """One number of AddNumbers: E.164 as sent (checked by the handler), region ("" = from the number)."""

    phone_number: str
    province: str
    city: str
    provider: str
    max_concurrent_bindings: int
    max_daily_calls: int


@dataclass(frozen=True)
class StartCallCommand:
    lead_id: str
    agent_id: str  # "" = the calling agent (or, for an administrator, the lead's holder)
    request_id: str
    mode: CallMode


@dataclass(frozen=True)
class CallEventReport:
    """One carrier event and how to find its call: ``call_id`` (leadflow's), else ``provider_call_id`` (the
    carrier's id of the call), mapped through ``provider_binding_id`` (the carrier's id of the binding) the first
    time it is seen. ``field_errors`` are violations found while converting (a time out of range...)."""

    event: CallEvent
    call_id: str = ""
    provider_call_id: str = ""
    provider_binding_id: str = ""


@dataclass(frozen=True)
class CallListQuery:
    lead_id: str = ""
    agent_id: str = ""
    outcome: CallOutcome = CallOutcome.UNSPECIFIED
    start_from: datetime | None = None
    start_before: datetime | None = None
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class LeadAccepted:
    """From ``lead.accepted``: the lead's phone (opened from its sealed form) and home location."""

    tenant_id: str
    lead_id: str
    account_id: str
    phone: str
    province: str
    city: str
    occurred_time: datetime


@dataclass(frozen=True)
class LeadAssigned:
    tenant_id: str
    lead_id: str
    account_id: str
    agent_id: str
    occurred_time: datetime


@dataclass(frozen=True)
class AgentChanged:
    """From assign's agent events: the agent's snapshot (phone opened from its sealed form), or a deletion."""

    tenant_id: str
    agent_id: str
    user_id: str
    phone: str
    revision: int
    deleted: bool
