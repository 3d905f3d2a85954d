"""Why the telephony domain refuses something.

Every refusal is a ``services.common.errors`` domain error, so the shared interceptor maps it to a gRPC status in
one place: the preconditions of StartCall are FAILED_PRECONDITION with an UPPER_SNAKE ``reason`` naming which one
(ErrorInfo), and ``metadata`` carrying the details (never a phone number).
"""

from __future__ import annotations

from datetime import datetime

from services.common.errors import FailedPrecondition, NotFound, PermissionDenied


class TelephonyError(FailedPrecondition):
    """Base of the preconditions StartCall and the pool enforce; ``reason`` goes to ErrorInfo."""

    reason = "TELEPHONY_ERROR"

    def __init__(self, message: str, metadata: dict[str, str] | None = None) -> None:
        super().__init__(message, metadata=metadata)


class OutsideCallableHours(TelephonyError):
    """The lead may not be called now in its time zone; ``next_start`` is when calling opens again (UTC)."""

    reason = "OUTSIDE_CALLABLE_HOURS"

    def __init__(self, time_zone: str, next_start: datetime) -> None:
        super().__init__(
            f"outside the tenant's callable hours in {time_zone}; calling opens at {next_start.isoformat()}",
            {"time_zone": time_zone, "next_start_time": next_start.isoformat()},
        )
        self.time_zone = time_zone
        self.next_start = next_start


class NoNumberAvailable(TelephonyError):
    """No masked number can take a new binding. ``limit`` names what stopped the numbers that are ACTIVE
    ("max_concurrent_bindings", "max_daily_calls"), or is "no_active_number" when none is ACTIVE."""

    reason = "NO_NUMBER_AVAILABLE"

    def __init__(self, limit: str, active: int, at_binding_limit: int, at_daily_limit: int) -> None:
        super().__init__(
            f"no masked number is free: {active} ACTIVE, {at_binding_limit} at their concurrent-binding limit, "
            f"{at_daily_limit} at their daily-call limit",
            {
                "limit": limit,
                "active_numbers": str(active),
                "at_binding_limit": str(at_binding_limit),
                "at_daily_limit": str(at_daily_limit),
            },
        )
        self.limit = limit
        self.active = active
        self.at_binding_limit = at_binding_limit
        self.at_daily_limit = at_daily_limit


class DeadNumber(TelephonyError):
    """The lead's phone is on the tenant's dead-number list (an earlier call ended EMPTY_NUMBER or SUSPENDED)."""

    reason = "DEAD_NUMBER"

    def __init__(self, outcome: str, call_id: str) -> None:
        super().__init__(
            f"the lead's phone is on the dead-number list: call {call_id} ended {outcome}",
            {"outcome": outcome, "call_id": call_id},
        )


class CallInProgress(TelephonyError):
    """The lead has a call that has not ended (``Call.in_progress_at``): a second call now would ring the lead's
    phone twice. The agent waits for its end, or ends it with EndCall."""

    reason = "CALL_IN_PROGRESS"

    def __init__(self, call_id: str, agent_id: str, start_time: datetime) -> None:
        super().__init__(
            f"the lead has a call in progress: call {call_id}, started {start_time.isoformat()} by agent "
            f"{agent_id}; wait for it to end or end it with EndCall",
            {"call_id": call_id, "agent_id": agent_id, "start_time": start_time.isoformat()},
        )
        self.call_id = call_id


class LeadPhoneUnknown(TelephonyError):
    """Telephony holds no phone number for the lead (lead.accepted carried none)."""

    reason = "LEAD_PHONE_UNKNOWN"

    def __init__(self, lead_id: str) -> None:
        super().__init__(f"lead {lead_id} has no phone number to call", {"lead_id": lead_id})


class LeadErased(TelephonyError):
    """The lead's personal data was erased (lead.erased): it is never called again."""

    reason = "LEAD_ERASED"

    def __init__(self, lead_id: str) -> None:
        super().__init__(f"lead {lead_id} was erased and cannot be called", {"lead_id": lead_id})


class AgentPhoneUnknown(TelephonyError):
    """Telephony holds no phone for the agent (no agent event carried one, or the agent was deleted)."""

    reason = "AGENT_PHONE_UNKNOWN"

    def __init__(self, agent_id: str) -> None:
        super().__init__(f"no phone is known for agent {agent_id}", {"agent_id": agent_id})


class CallbackUnsupported(TelephonyError):
    """The carrier of the chosen number cannot place both legs itself (CALLBACK mode)."""

    reason = "CALLBACK_UNSUPPORTED"

    def __init__(self, provider: str) -> None:
        super().__init__(f"carrier {provider} cannot place callback calls", {"provider": provider})


class NumberRetired(TelephonyError):
    reason = "NUMBER_RETIRED"


class RequestIdReused(TelephonyError):
    """A request id came back with other content than its first use (AIP-155)."""

    reason = "REQUEST_ID_REUSED"

    def __init__(self, request_id: str) -> None:
        super().__init__(
            f"request_id {request_id} was used before for a different request", {"request_id": request_id}
        )


class NotLeadHolder(PermissionDenied):
    """An agent may call only the leads they hold (an administrator may call any)."""

    reason = "NOT_LEAD_HOLDER"

    def __init__(self, lead_id: str) -> None:
        super().__init__(f"the calling agent does not hold lead {lead_id}", metadata={"lead_id": lead_id})


def not_found(kind: str, identifier: str) -> NotFound:
    """NOT_FOUND for an id of this tenant's that does not exist (or another tenant's: the same answer)."""
    return NotFound(
        f"{kind} {identifier} does not exist",
        reason=f"{kind.upper()}_NOT_FOUND",
        metadata={f"{kind}_id": identifier},
    )
