"""The assign domain's errors: the runtime's error classes with assign's reasons (google.rpc.ErrorInfo.reason).

Messages name ids, never personal data.
"""

from __future__ import annotations

from services.common.errors import AlreadyExists, FailedPrecondition, PermissionDenied


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
