"""The lead enums every service shares, numbered as their protobuf counterparts in ``leadflow.common.v1`` (so
converting is a cast; ``tests/common/unit/test_leadenums.py`` checks the numbers against the generated code).
Pure Python: domains import them from here, once."""

from __future__ import annotations

from enum import IntEnum


class Channel(IntEnum):
    """Where a lead came in (leadflow.common.v1.Channel)."""

    UNSPECIFIED = 0
    FORM = 1
    INBOUND_CALL = 2
    WECHAT = 3
    PRIVATE_MESSAGE = 4
    THIRD_PARTY = 5
    IMPORT = 6


class TrafficSource(IntEnum):
    """Whether paid advertising produced the lead (leadflow.common.v1.TrafficSource)."""

    UNSPECIFIED = 0
    AD_DIRECT = 1
    AD_INDIRECT = 2
    ORGANIC = 3


class BusinessSource(IntEnum):
    """The product surface the lead was captured on (leadflow.common.v1.BusinessSource)."""

    UNSPECIFIED = 0
    LANDING_PAGE = 1
    OFFICIAL_ACCOUNT = 2
    PRIVATE_MESSAGE = 3
    LEAD_FORM = 4
    INSTANT_FORM = 5
    CUSTOMER_SERVICE_CHAT = 6
    OTHER = 7


class Verdict(IntEnum):
    """What ingest made of a submission (leadflow.common.v1.LeadVerdict)."""

    UNSPECIFIED = 0
    NEW = 1
    DUPLICATE = 2
    RETURNING = 3
    REJECTED = 4


class LeadStatus(IntEnum):
    """Where a lead stands in the funnel (leadflow.common.v1.LeadStatus)."""

    UNSPECIFIED = 0
    NEW = 1
    ASSIGNED = 2
    CONTACTED = 3
    CONVERTED = 4
    INVALID = 5


class CallOutcome(IntEnum):
    """The single classified result of one call (leadflow.common.v1.CallOutcome)."""

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
