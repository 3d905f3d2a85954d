"""The numbered enums of the assign contract and the common lead enums assign reads, as plain IntEnums.

Values are the numbers of the protobuf enums (leadflow.assign.v1, leadflow.common.v1) so converters map them one
to one; nothing here imports protobuf. Unknown numbers from a newer producer are kept by the converters as ints.
"""

from __future__ import annotations

from enum import IntEnum

# Shared by every service (services.common.leadenums); re-exported for the assign domain's modules.
from services.common.leadenums import BusinessSource as BusinessSource
from services.common.leadenums import CallOutcome as CallOutcome
from services.common.leadenums import Channel as Channel
from services.common.leadenums import LeadStatus as LeadStatus
from services.common.leadenums import TrafficSource as TrafficSource
from services.common.leadenums import Verdict as Verdict


class AgentStatus(IntEnum):
    UNSPECIFIED = 0
    ONLINE = 1
    OFFLINE = 2
    ON_LEAVE = 3


class AssignmentMethod(IntEnum):
    UNSPECIFIED = 0
    DESIGNATED = 1
    ROUND_ROBIN = 2
    WEIGHTED = 3
    LEAST_LOADED = 4
    POOL = 5


class ScoreGrade(IntEnum):
    """A is best; a larger number is a worse grade, so ``grade > minimum`` means "below the minimum"."""

    UNSPECIFIED = 0
    A = 1
    B = 2
    C = 3
    D = 4


class AssignmentState(IntEnum):
    UNSPECIFIED = 0
    ACTIVE = 1
    RELEASED = 2
    RECLAIMED = 3
    REASSIGNED = 4
    CLOSED = 5


class AssignmentReason(IntEnum):
    UNSPECIFIED = 0
    RULE = 1
    FAMILIARITY = 2
    POOL_CLAIM = 3
    REASSIGN = 4


class PoolReason(IntEnum):
    UNSPECIFIED = 0
    NO_RULE_MATCHED = 1
    NO_AGENT_AVAILABLE = 2
    BELOW_SCORE_GRADE = 3
    RULE_METHOD_POOL = 4
    RECLAIMED = 5
    RELEASED = 6


class ReclaimReason(IntEnum):
    UNSPECIFIED = 0
    NO_FOLLOW_UP = 1
    AGENT_DELETED = 2


class FollowUpKind(IntEnum):
    UNSPECIFIED = 0
    CALL = 1
    WECHAT_ADDED = 2
    VISIT = 3
    NOTE = 4


class FollowUpOutcome(IntEnum):
    UNSPECIFIED = 0
    NOT_REACHED = 1
    REACHED = 2
    INTERESTED = 3
    NOT_INTERESTED = 4
    CONVERTED = 5
    INVALID = 6


class LeadInvalidReason(IntEnum):
    UNSPECIFIED = 0
    WRONG_PERSON = 1
    FAKE_DETAILS = 2
    NO_INTENT = 3
    COMPETITOR = 4
    UNREACHABLE = 5
    OTHER = 6


class TagScope(IntEnum):
    UNSPECIFIED = 0
    ENTERPRISE = 1
    PERSONAL = 2


class TagState(IntEnum):
    UNSPECIFIED = 0
    ACTIVE = 1
    RETIRED = 2


class RecipientRole(IntEnum):
    UNSPECIFIED = 0
    ASSIGNEE = 1
    TEAM_ADMIN = 2


class DayOfWeek(IntEnum):
    """ISO weekday numbers, as ``date.isoweekday()`` and google.type.DayOfWeek."""

    UNSPECIFIED = 0
    MONDAY = 1
    TUESDAY = 2
    WEDNESDAY = 3
    THURSDAY = 4
    FRIDAY = 5
    SATURDAY = 6
    SUNDAY = 7


# The common lead enums (leadflow.common.v1) are shared by every service: services.common.leadenums.
