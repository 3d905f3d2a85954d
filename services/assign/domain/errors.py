"""The assign domain's errors: the runtime's error classes with assign's reasons (google.rpc.ErrorInfo.reason).

Messages name ids, never personal data.
"""

from __future__ import annotations

from services.common.errors import AlreadyExists, FailedPrecondition, NotFound, PermissionDenied


class LeadNotInPool(FailedPrecondition):
    """The lead is not waiting in the pool (another agent claimed it first, or it was never pooled)."""

    reason = "LEAD_NOT_IN_POOL"


class AgentAtMaxHeld(FailedPrecondition):
    reason = "AGENT_AT_MAX_HELD"


class ClaimCoolingDown(FailedPrecondition):
    """The lead was reclaimed from this agent and the policy's cooling period has not ended."""

    reason = "CLAIM_COOLING_DOWN"


class AssignmentNotActive(FailedPrecondition):
    reason = "ASSIGNMENT_NOT_ACTIVE"


class AlreadyHeldByAgent(FailedPrecondition):
    reason = "ALREADY_HELD_BY_AGENT"


class NotAssignee(PermissionDenied):
    """An agent acted on a lead held by someone else."""

    reason = "NOT_ASSIGNEE"


class TagRetired(FailedPrecondition):
    reason = "TAG_RETIRED"


class TagNameTaken(AlreadyExists):
    reason = "TAG_NAME_TAKEN"


class TagNotEditable(PermissionDenied):
    """Enterprise tags are edited by administrators, personal tags by their owner only."""

    reason = "TAG_NOT_EDITABLE"


class TeamNotEmpty(FailedPrecondition):
    reason = "TEAM_NOT_EMPTY"


class AgentNotFound(NotFound):
    reason = "AGENT_NOT_FOUND"

    def __init__(self, agent_id: str) -> None:
        super().__init__(f"agent {agent_id} not found", metadata={"agent_id": agent_id})


class TeamNotFound(NotFound):
    reason = "TEAM_NOT_FOUND"

    def __init__(self, team_id: str) -> None:
        super().__init__(f"team {team_id} not found", metadata={"team_id": team_id})


class UserIdInUse(AlreadyExists):
    reason = "USER_ID_TAKEN"

    def __init__(self) -> None:
        super().__init__("another agent is linked to this user_id", metadata={"field": "agent.user_id"})


class LeadNotFound(NotFound):
    reason = "LEAD_NOT_FOUND"

    def __init__(self, lead_id: str) -> None:
        super().__init__(f"lead {lead_id} not found", metadata={"lead_id": lead_id})


class AssignmentNotFound(NotFound):
    reason = "ASSIGNMENT_NOT_FOUND"

    def __init__(self, assignment_id: str) -> None:
        super().__init__(f"assignment {assignment_id} not found", metadata={"assignment_id": assignment_id})
