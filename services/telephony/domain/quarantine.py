"""Quarantine of masked numbers whose answer rate collapsed (flagged as 骚扰 / spam by phone apps and carriers).

Rule: over the number's last ``window_calls`` ended calls since it last became ACTIVE (older calls were judged
already), if there are at least that many and its answer rate is below ``ratio`` times the pool's answer rate over
the same recent period, the number is QUARANTINED for ``duration``. Calls the agent cancelled before the lead could
answer (CALLER_CANCELLED) say nothing about the number and are not counted. A pool that answers nothing quarantines
nobody (the fault is not the number's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.telephony.domain.outcomes import CallOutcome

NOT_COUNTED = frozenset({CallOutcome.UNSPECIFIED, CallOutcome.CALLER_CANCELLED})


@dataclass(frozen=True, slots=True)
class QuarantinePolicy:
    """The tenant's rule; the defaults are TelephonySettings' (50 calls, 0.3 of the pool, 7 days)."""

    window_calls: int = 50
    ratio: float = 0.3
    duration: timedelta = timedelta(days=7)

    def __post_init__(self) -> None:
        if self.window_calls < 1 or not 0 < self.ratio <= 1 or self.duration <= timedelta(0):
            raise ValueError("quarantine needs window_calls >= 1, 0 < ratio <= 1 and a positive duration")


@dataclass(frozen=True, slots=True)
class QuarantineDecision:
    until: datetime
    reason: str  # English, shown as the number's status_reason
    number_rate: float
    pool_rate: float


def answer_rate(outcomes: Sequence[CallOutcome]) -> tuple[float, int]:
    """(share answered, calls counted) of ``outcomes``; (0.0, 0) when none counts."""
    counted = [o for o in outcomes if o not in NOT_COUNTED]
    if not counted:
        return 0.0, 0
    return sum(o is CallOutcome.ANSWERED for o in counted) / len(counted), len(counted)


def assess(
    number_outcomes: Sequence[CallOutcome],
    pool_outcomes: Sequence[CallOutcome],
    now: datetime,
    policy: QuarantinePolicy = QuarantinePolicy(),
) -> QuarantineDecision | None:
    """Whether to quarantine a number, given its ended calls since it became ACTIVE (oldest first) and the pool's
    recent ended calls; None to leave it ACTIVE."""
    counted = [o for o in number_outcomes if o not in NOT_COUNTED][-policy.window_calls :]
    if len(counted) < policy.window_calls:
        return None
    number_rate, _ = answer_rate(counted)
    pool_rate, pool_calls = answer_rate(pool_outcomes)
    if pool_calls == 0 or pool_rate == 0 or number_rate >= policy.ratio * pool_rate:
        return None
    reason = f"answer rate {number_rate:.0%} over the last {len(counted)} calls against {pool_rate:.0%} for the pool"
    return QuarantineDecision(now + policy.duration, reason, number_rate, pool_rate)
