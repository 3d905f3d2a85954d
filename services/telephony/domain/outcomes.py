"""Enums of the telephony domain, numbered as their protobuf counterparts so that converting is a cast."""

from __future__ import annotations

from enum import IntEnum

# CallOutcome is shared by every service; re-exported here for the telephony domain's modules.
from services.common.leadenums import CallOutcome as CallOutcome


class EvidenceSource(IntEnum):
    """leadflow.telephony.v1.EvidenceSource: where a piece of evidence came from.

    The order of trust is not the numeric order: see ``classify.TIERS``.
    """

    UNSPECIFIED = 0
    CARRIER_STATUS = 1
    ANNOUNCEMENT = 2
    SIP = 3
    Q850 = 4
    CALL_TIMES = 5


class ReleaseDirection(IntEnum):
    """leadflow.telephony.v1.ReleaseDirection: which side ended a call."""

    UNSPECIFIED = 0
    CALLER = 1
    CALLEE = 2
    NETWORK = 3


def outcome_named(name: str) -> CallOutcome | None:
    """The outcome spelled ``name`` in a mapping table ("BUSY"), or None for an empty cell (no verdict).

    Raises ValueError for a name that is not an outcome, so that a typo in a data file fails loudly.
    """
    if not name:
        return None
    try:
        outcome = CallOutcome[name]
    except KeyError:
        raise ValueError(f"unknown call outcome {name!r}") from None
    if outcome is CallOutcome.UNSPECIFIED:
        raise ValueError("UNSPECIFIED is not a verdict; leave the cell empty")
    return outcome
