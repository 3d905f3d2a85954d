"""Which calls count as attempts to reach the lead, and why the others do not.

An attempt is a call placed to the lead's number that reached the network [ISSUE-10 in ``rules``]: BUSY,
NO_ANSWER, REJECTED, POWERED_OFF, EMPTY_NUMBER, SUSPENDED, UNREACHABLE and ANSWERED calls (short or not) all count.
These do not:

- BLOCKED: stopped before the lead's network (a spam filter or the carrier's interception, 拦截); the lead never
  had the chance to answer.
- NETWORK_ERROR: the network failed to complete the call (Q.850 causes 27, 34, 38, 41, 42, 47).
- CALLER_CANCELLED after ringing less than ``min_ring_duration`` (15 s by default): the agent gave up before the
  lead could reasonably answer. At exactly the minimum it counts.
- UNKNOWN or UNSPECIFIED: no evidence that the call reached the network, and a refund must rest on evidence.

For the never-reached rule an attempt must also start within the reach window: at or after submission and at or
before ``submit_time + reach_window`` (both bounds inclusive).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.refund.domain.calls import CallOutcome, CallRecord
from services.refund.domain.rules import RefundRules


class NotCounted(StrEnum):
    """Why a call is not counted as an attempt toward the never-reached rule."""

    BLOCKED = "BLOCKED"
    NETWORK_ERROR = "NETWORK_ERROR"
    CANCELLED_BEFORE_MIN_RING = "CANCELLED_BEFORE_MIN_RING"
    OUTCOME_UNKNOWN = "OUTCOME_UNKNOWN"
    BEFORE_SUBMISSION = "BEFORE_SUBMISSION"
    AFTER_REACH_WINDOW = "AFTER_REACH_WINDOW"


_NEVER_ATTEMPTS = {
    CallOutcome.BLOCKED: NotCounted.BLOCKED,
    CallOutcome.NETWORK_ERROR: NotCounted.NETWORK_ERROR,
    CallOutcome.UNKNOWN: NotCounted.OUTCOME_UNKNOWN,
    CallOutcome.UNSPECIFIED: NotCounted.OUTCOME_UNKNOWN,
}


def outcome_exclusion(call: CallRecord, rules: RefundRules) -> NotCounted | None:
    """Why the call's outcome keeps it from being an attempt at all; None when it reached the network."""
    if call.outcome in _NEVER_ATTEMPTS:
        return _NEVER_ATTEMPTS[call.outcome]
    if call.outcome is CallOutcome.CALLER_CANCELLED and call.ring_duration < rules.min_ring_duration:
        return NotCounted.CANCELLED_BEFORE_MIN_RING
    return None


@dataclass(frozen=True)
class AttemptCheck:
    """Whether a call counts toward never reached: ``counted``, or the ``reason`` it does not."""

    counted: bool
    reason: NotCounted | None


def check_attempt(
    call: CallRecord, *, submit_time: datetime, reach_close: datetime, rules: RefundRules
) -> AttemptCheck:
    """Whether ``call`` counts as an attempt within ``[submit_time, reach_close]`` (inclusive)."""
    excluded = outcome_exclusion(call, rules)
    if excluded is not None:
        return AttemptCheck(False, excluded)
    if call.start_time < submit_time:
        return AttemptCheck(False, NotCounted.BEFORE_SUBMISSION)
    if call.start_time > reach_close:
        return AttemptCheck(False, NotCounted.AFTER_REACH_WINDOW)
    return AttemptCheck(True, None)


def is_qualifying_answer(call: CallRecord, rules: RefundRules) -> bool:
    """An ANSWERED call with at least ``min_talk_duration`` of talk (inclusive: 10 s qualifies, 9 s does not)."""
    return call.outcome is CallOutcome.ANSWERED and call.talk_duration >= rules.min_talk_duration
