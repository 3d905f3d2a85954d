"""The numbered enums of the assign contract and the common lead enums assign reads, as plain IntEnums.

Values are the numbers of the protobuf enums (leadflow.assign.v1, leadflow.common.v1) so converters map them one
to one; nothing here imports protobuf. Unknown numbers from a newer producer are kept by the converters as ints.
"""

from __future__ import annotations

from enum import IntEnum


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


# The common lead enums (leadflow.common.v1). Ingest's domain has the same values; they belong in a shared pure
# module once the runtime has one, which is why they are kept to the bare numbers here.


class Channel(IntEnum):
    UNSPECIFIED = 0
    FORM = 1
    INBOUND_CALL = 2
    WECHAT = 3
    PRIVATE_MESSAGE = 4
    THIRD_PARTY = 5
    IMPORT = 6


class TrafficSource(IntEnum):
    UNSPECIFIED = 0
    AD_DIRECT = 1
    AD_INDIRECT = 2
    ORGANIC = 3


class BusinessSource(IntEnum):
    UNSPECIFIED = 0
    LANDING_PAGE = 1
    OFFICIAL_ACCOUNT = 2
    PRIVATE_MESSAGE = 3
    LEAD_FORM = 4
    INSTANT_FORM = 5
    CUSTOMER_SERVICE_CHAT = 6
    OTHER = 7


class Verdict(IntEnum):
    UNSPECIFIED = 0
    NEW = 1
    DUPLICATE = 2
    RETURNING = 3
    REJECTED = 4


class LeadStatus(IntEnum):
    UNSPECIFIED = 0
    NEW = 1
    ASSIGNED = 2
    CONTACTED = 3
    CONVERTED = 4
    INVALID = 5


class CallOutcome(IntEnum):
    """leadflow.common.v1.CallOutcome; assign only needs to tell ANSWERED from the rest."""

    UNSPECIFIED = 0
    ANSWERED = 1
    BUSY = 2
    NO_ANSWER = 3
    REJECTED = 4
    POWERED_OFF = 5
    EMPTY_NUMBER = 6
    SUSPENDED = 7
    UNREACHABLE = 8
    CALLER_CANCELLED = 9
    BLOCKED = 10
    NETWORK_ERROR = 11
    UNKNOWN = 12
