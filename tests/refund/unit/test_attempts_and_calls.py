"""Which calls are attempts (and why not), and how reports of one call replace each other."""

from __future__ import annotations

import pytest

from services.refund.domain.attempts import NotCounted, check_attempt, is_qualifying_answer, outcome_exclusion
from services.refund.domain.calls import CallOutcome, latest_reports, ring_duration_between
from services.refund.domain.rules import DEFAULT_RULES
from tests.refund.unit.builders import at, call, seconds

COUNTED = [
    CallOutcome.BUSY,
    CallOutcome.NO_ANSWER,
    CallOutcome.REJECTED,
    CallOutcome.POWERED_OFF,
    CallOutcome.EMPTY_NUMBER,
    CallOutcome.SUSPENDED,
    CallOutcome.UNREACHABLE,
    CallOutcome.ANSWERED,
]


@pytest.mark.parametrize("outcome", COUNTED)
def test_calls_that_reached_the_network_are_attempts(outcome: CallOutcome) -> None:
    assert outcome_exclusion(call("c", at(2, 10), outcome, ring=0, talk=3), DEFAULT_RULES) is None


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [
        (CallOutcome.BLOCKED, NotCounted.BLOCKED),
        (CallOutcome.NETWORK_ERROR, NotCounted.NETWORK_ERROR),
        (CallOutcome.UNKNOWN, NotCounted.OUTCOME_UNKNOWN),
        (CallOutcome.UNSPECIFIED, NotCounted.OUTCOME_UNKNOWN),
    ],
)
def test_calls_that_never_reached_the_network_are_not_attempts(
    outcome: CallOutcome, reason: NotCounted
) -> None:
    assert outcome_exclusion(call("c", at(2, 10), outcome, ring=60), DEFAULT_RULES) is reason


@pytest.mark.parametrize(("ring", "counted"), [(0, False), (14.999, False), (15, True), (40, True)])
def test_a_cancelled_call_counts_from_the_minimum_ring_time(ring: float, counted: bool) -> None:
    cancelled = call("c", at(2, 10), CallOutcome.CALLER_CANCELLED, ring=ring)
    expected = None if counted else NotCounted.CANCELLED_BEFORE_MIN_RING
    assert outcome_exclusion(cancelled, DEFAULT_RULES) is expected


def test_attempts_count_within_the_reach_window_bounds_inclusive() -> None:
    submit, close = at(2, 10), at(3, 10)

    def check(start):  # type: ignore[no-untyped-def]
        return check_attempt(
            call("c", start, CallOutcome.BUSY), submit_time=submit, reach_close=close, rules=DEFAULT_RULES
        )

    assert check(submit).counted
    assert check(close).counted
    assert check(at(2, 9, 59, 59)).reason is NotCounted.BEFORE_SUBMISSION
    assert check(at(3, 10, 0, 1)).reason is NotCounted.AFTER_REACH_WINDOW


@pytest.mark.parametrize(
    ("talk", "qualifies"), [(0, False), (9, False), (9.999, False), (10, True), (300, True)]
)
def test_an_answer_proves_reach_from_the_minimum_talk_time(talk: float, qualifies: bool) -> None:
    assert (
        is_qualifying_answer(call("c", at(2, 10), CallOutcome.ANSWERED, talk=talk), DEFAULT_RULES)
        is qualifies
    )


def test_only_answered_calls_can_qualify() -> None:
    assert not is_qualifying_answer(call("c", at(2, 10), CallOutcome.BUSY, talk=60), DEFAULT_RULES)


def test_the_latest_report_of_a_call_replaces_earlier_ones_in_any_order() -> None:
    first = call("c1", at(2, 10), CallOutcome.NO_ANSWER, reported_at=at(2, 10, 1), report_id="e1")
    corrected = call("c1", at(2, 10), CallOutcome.EMPTY_NUMBER, reported_at=at(2, 13), report_id="e2")
    other = call("c2", at(2, 9), CallOutcome.BUSY, reported_at=at(2, 9, 1), report_id="e3")
    for reports in ([first, corrected, other], [corrected, other, first, first], [other, corrected, first]):
        calls = latest_reports(reports)
        assert [c.call_id for c in calls] == ["c2", "c1"]  # by start time
        assert calls[1].outcome is CallOutcome.EMPTY_NUMBER


def test_reports_settled_at_the_same_time_are_ordered_by_event_id_then_content() -> None:
    a = call("c1", at(2, 10), CallOutcome.NO_ANSWER, reported_at=at(2, 11), report_id="e-a")
    b = call("c1", at(2, 10), CallOutcome.BUSY, reported_at=at(2, 11), report_id="e-b")
    assert latest_reports([a, b])[0].outcome is CallOutcome.BUSY
    assert latest_reports([b, a])[0].outcome is CallOutcome.BUSY


def test_ring_duration_from_carrier_times() -> None:
    assert ring_duration_between(at(2, 10, 0, 5), at(2, 10, 0, 25), at(2, 10, 3)) == seconds(20)
    assert ring_duration_between(at(2, 10, 0, 5), None, at(2, 10, 0, 17)) == seconds(12)
    assert ring_duration_between(None, None, at(2, 10, 1)) == seconds(0)
    assert ring_duration_between(at(2, 10, 1), None, at(2, 10, 0)) == seconds(0)
    assert ring_duration_between(at(2, 10, 1), None, None) == seconds(0)


def test_call_records_refuse_naive_times_and_negative_durations() -> None:
    from datetime import datetime

    with pytest.raises(ValueError):
        call("c", datetime(2026, 3, 2, 10), CallOutcome.BUSY)
    with pytest.raises(ValueError):
        call("c", at(2, 10), CallOutcome.BUSY, ring=-1)


def test_the_highest_outcome_revision_wins_whatever_the_report_times() -> None:
    from dataclasses import replace

    first = call("c1", at(2, 10), CallOutcome.EMPTY_NUMBER, reported_at=at(2, 15), report_id="e9")
    corrected = replace(
        call("c1", at(2, 10), CallOutcome.NO_ANSWER, reported_at=at(2, 11), report_id="e1"), revision=2
    )
    for reports in ([first, corrected], [corrected, first]):
        assert latest_reports(reports)[0].outcome is CallOutcome.NO_ANSWER


def test_the_lead_is_judged_by_the_window_its_earliest_call_reports() -> None:
    from dataclasses import replace

    from services.refund.domain.callable_hours import DEFAULT_CALLABLE_WINDOW, CallableWindow
    from services.refund.domain.calls import enforced_window

    wide = CallableWindow.of("07:00", "23:00")
    narrow = CallableWindow.of("09:00", "18:00")
    early = replace(call("c1", at(2, 10), CallOutcome.BUSY), window=wide)
    late = replace(call("c2", at(2, 12), CallOutcome.BUSY), window=narrow)
    unreported = call("c0", at(2, 9), CallOutcome.BUSY)
    assert enforced_window([late, unreported, early]) == wide
    assert enforced_window([early, late]) == wide
    assert enforced_window([unreported]) == DEFAULT_CALLABLE_WINDOW
    assert enforced_window([]) == DEFAULT_CALLABLE_WINDOW
    # Before a call reports one, the tenant's hours telephony announced; a reported window still comes first.
    announced = CallableWindow.of("09:00", "21:00")
    assert enforced_window([], announced) == announced
    assert enforced_window([unreported], announced) == announced
    assert enforced_window([unreported, late], announced) == narrow
