"""The refund rules at every boundary of issue 10, on explicit datetimes in Asia/Shanghai (callable 08:00-21:00)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.refund.domain.attempts import NotCounted
from services.refund.domain.calls import CallOutcome
from services.refund.domain.cases import CaseState, ChargeKind, RefundReason, RejectionReason
from services.refund.domain.evaluation import RequirementKind
from services.refund.domain.rules import DEFAULT_RULES
from tests.refund.unit.builders import at, call, case_at, charge, judge, no_answer

HOUR = timedelta(hours=1)


def kinds(evaluation) -> list[RequirementKind]:  # type: ignore[no-untyped-def]
    return [r.kind for r in evaluation.requirements]


# --- never reached (未建联): 3 attempts, 2 distinct clock hours, first within 12 callable hours, all within 24 h ---


def test_never_reached_is_decided_when_the_24h_window_closes_not_at_the_third_attempt() -> None:
    case = case_at(at(2, 10, 0))
    calls = [no_answer("c1", at(2, 10, 5)), no_answer("c2", at(2, 11, 30)), no_answer("c3", at(2, 15, 0))]
    after_third = judge(case, calls, at(2, 15, 1))
    assert after_third.state is CaseState.PENDING
    assert after_third.progress.met
    assert after_third.next_change_time == at(3, 10, 0)
    assert kinds(after_third) == [RequirementKind.REACH_WINDOW_CLOSE]
    assert "the 24 h window closes at 10:00 tomorrow" in after_third.requirements[0].description
    assert "paid after the settling period at 16:00 tomorrow" in after_third.requirements[0].description

    just_before = judge(case, calls, at(3, 9, 59, 59))
    assert just_before.state is CaseState.PENDING

    at_close = judge(case, calls, at(3, 10, 0))
    assert at_close.state is CaseState.ELIGIBLE
    assert at_close.refund_reason is RefundReason.NEVER_REACHED
    assert at_close.decided_at == at(3, 10, 0)
    assert at_close.settle_time == at(3, 16, 0)
    assert not at_close.settled
    assert at_close.next_change_time == at(3, 16, 0)


def test_submission_at_0600_first_attempt_due_at_2000_the_same_day() -> None:
    case = case_at(at(2, 6, 0))
    fresh = judge(case, [], at(2, 6, 1))
    assert fresh.timeline.first_attempt_due == at(2, 20, 0)
    assert fresh.timeline.reach_close == at(3, 6, 0)
    first = fresh.requirements[0]
    assert first.kind is RequirementKind.FIRST_ATTEMPT
    assert first.due == at(2, 20, 0)
    assert first.description.startswith("a first attempt before 20:00")

    on_time = [no_answer("c1", at(2, 20, 0)), no_answer("c2", at(2, 20, 30)), no_answer("c3", at(2, 21, 5))]
    assert judge(case, on_time, at(3, 6, 0)).refund_reason is RefundReason.NEVER_REACHED

    late = [no_answer("c1", at(2, 20, 0, 1)), no_answer("c2", at(2, 20, 30)), no_answer("c3", at(2, 21, 5))]
    evaluation = judge(case, late, at(3, 6, 0))
    assert evaluation.state is CaseState.PENDING
    assert not evaluation.progress.first_in_time


@pytest.mark.parametrize("submitted_minute", [(22, 50), (23, 30)])
def test_evening_submissions_get_their_12_callable_hours_the_next_day(
    submitted_minute: tuple[int, int],
) -> None:
    hour, minute = submitted_minute
    case = case_at(at(2, hour, minute))
    evaluation = judge(case, [], at(2, 23, 45))
    assert evaluation.timeline.first_attempt_due == at(3, 20, 0)
    assert evaluation.timeline.reach_close == at(3, hour, minute)
    calls = [no_answer("c1", at(3, 19, 59)), no_answer("c2", at(3, 20, 10)), no_answer("c3", at(3, 20, 40))]
    decided = judge(case, calls, at(3, hour, minute))
    assert decided.state is CaseState.ELIGIBLE
    assert decided.refund_reason is RefundReason.NEVER_REACHED


def test_the_issue_texts_for_a_2250_submission() -> None:
    case = case_at(at(2, 22, 50))
    calls = [no_answer("c1", at(3, 13, 30))]
    evaluation = judge(case, calls, at(3, 13, 35))
    descriptions = [r.description for r in evaluation.requirements]
    assert descriptions == [
        "2 more attempts before 22:50",
        "attempts in 1 more distinct clock hour before 22:50",
        "the 24 h window closes at 22:50",
    ]
    assert "2 more attempts in at least 1 more distinct clock hour before 22:50" in evaluation.summary
    assert [r.remaining for r in evaluation.requirements] == [2, 1, 0]
    assert all(r.due == at(3, 22, 50) for r in evaluation.requirements)


def test_the_issue_text_paid_after_the_settling_period_at_0410() -> None:
    case = case_at(at(2, 22, 10))
    calls = [no_answer("c1", at(3, 9, 0)), no_answer("c2", at(3, 10, 0)), no_answer("c3", at(3, 11, 0))]
    evaluation = judge(case, calls, at(3, 22, 10))
    assert evaluation.state is CaseState.ELIGIBLE
    assert [r.kind for r in evaluation.requirements] == [RequirementKind.SETTLING]
    assert evaluation.requirements[0].description == "paid after the settling period at 04:10 tomorrow"
    assert evaluation.requirements[0].due == at(4, 4, 10)
    assert judge(case, calls, at(4, 4, 10)).settled
    assert not judge(case, calls, at(4, 4, 9, 59)).settled


@pytest.mark.parametrize(("talk", "state"), [(9, CaseState.ELIGIBLE), (10, CaseState.NOT_REFUNDABLE)])
def test_an_answer_of_9s_is_an_attempt_and_10s_proves_the_lead_reached(talk: int, state: CaseState) -> None:
    case = case_at(at(2, 10, 0))
    calls = [
        no_answer("c1", at(2, 10, 5)),
        call("c2", at(2, 11, 30), CallOutcome.ANSWERED, talk=talk),
        no_answer("c3", at(2, 15, 0)),
    ]
    evaluation = judge(case, calls, at(3, 10, 0))
    assert evaluation.state is state
    answered = evaluation.evidence[1]
    assert answered.counted_as_attempt
    assert answered.attempt_number == 2
    if state is CaseState.NOT_REFUNDABLE:
        assert evaluation.rejection_reason is RejectionReason.ANSWERED
        assert evaluation.decided_at == at(2, 11, 30)
        assert answered.decisive
        assert "the lead was reached" in answered.note
    else:
        assert "talked 9 s, less than 10 s" in answered.note


def test_a_short_answer_does_not_close_the_case_while_pending() -> None:
    case = case_at(at(2, 10, 0))
    evaluation = judge(case, [call("c1", at(2, 10, 5), CallOutcome.ANSWERED, talk=9)], at(2, 10, 6))
    assert evaluation.state is CaseState.PENDING
    assert evaluation.progress.attempts == 1


@pytest.mark.parametrize(("third", "state"), [(at(3, 10, 0, 0), CaseState.ELIGIBLE), (at(3, 10, 0, 1), None)])
def test_the_third_attempt_at_exactly_24h_counts_and_one_second_after_does_not(third, state) -> None:  # type: ignore[no-untyped-def]
    case = case_at(at(2, 10, 0))
    calls = [no_answer("c1", at(2, 10, 5)), no_answer("c2", at(2, 12, 0)), no_answer("c3", third)]
    evaluation = judge(case, calls, at(3, 12, 0))
    if state is CaseState.ELIGIBLE:
        assert evaluation.state is CaseState.ELIGIBLE
        assert evaluation.decided_at == at(3, 10, 0)
        assert evaluation.evidence[2].counted_as_attempt
    else:
        assert evaluation.state is CaseState.PENDING
        assert evaluation.evidence[2].not_counted is NotCounted.AFTER_REACH_WINDOW
        assert "not counted toward never reached" in evaluation.evidence[2].note
        assert kinds(evaluation) == [RequirementKind.DECISIVE_OUTCOME]
        assert evaluation.next_change_time == at(9, 10, 0)  # the claim window


def test_an_answer_at_exactly_24h_beats_never_reached() -> None:
    case = case_at(at(2, 10, 0))
    calls = [
        no_answer("c1", at(2, 10, 5)),
        no_answer("c2", at(2, 12, 0)),
        no_answer("c3", at(2, 13, 0)),
        call("c4", at(3, 10, 0), CallOutcome.ANSWERED, talk=40),
    ]
    evaluation = judge(case, calls, at(3, 11, 0))
    assert evaluation.state is CaseState.NOT_REFUNDABLE
    assert evaluation.deciding_call_id == "c4"


def test_an_answer_after_24h_does_not_undo_never_reached() -> None:
    case = case_at(at(2, 10, 0))
    calls = [
        no_answer("c1", at(2, 10, 5)),
        no_answer("c2", at(2, 12, 0)),
        no_answer("c3", at(2, 13, 0)),
        call("c4", at(3, 10, 0, 1), CallOutcome.ANSWERED, talk=40),
    ]
    evaluation = judge(case, calls, at(3, 11, 0))
    assert evaluation.refund_reason is RefundReason.NEVER_REACHED


def test_attempts_all_in_one_clock_hour_do_not_make_never_reached() -> None:
    case = case_at(at(2, 10, 0))
    calls = [
        no_answer("c1", at(2, 10, 0)),
        no_answer("c2", at(2, 10, 30)),
        no_answer("c3", at(2, 10, 59, 59)),
    ]
    pending = judge(case, calls, at(2, 11, 0))
    assert pending.progress.distinct_hours == 1
    assert kinds(pending) == [RequirementKind.MORE_DISTINCT_HOURS, RequirementKind.REACH_WINDOW_CLOSE]
    assert judge(case, calls, at(3, 10, 0)).state is CaseState.PENDING
    spread = [*calls, no_answer("c4", at(2, 11, 0))]
    assert judge(case, spread, at(3, 10, 0)).state is CaseState.ELIGIBLE


def test_blocked_network_errors_and_early_cancels_are_not_attempts() -> None:
    case = case_at(at(2, 10, 0))
    calls = [
        no_answer("c1", at(2, 10, 5)),
        call("c2", at(2, 11, 0), CallOutcome.BLOCKED),
        call("c3", at(2, 12, 0), CallOutcome.NETWORK_ERROR),
        call("c4", at(2, 13, 0), CallOutcome.CALLER_CANCELLED, ring=14),
        no_answer("c5", at(2, 14, 0)),
    ]
    evaluation = judge(case, calls, at(3, 10, 0))
    assert evaluation.state is CaseState.PENDING
    assert evaluation.progress.attempts == 2
    reasons = [e.not_counted for e in evaluation.evidence]
    assert reasons == [
        None,
        NotCounted.BLOCKED,
        NotCounted.NETWORK_ERROR,
        NotCounted.CANCELLED_BEFORE_MIN_RING,
        None,
    ]
    assert "less than the 15 s minimum ring time" in evaluation.evidence[3].note
    with_ring = [*calls[:3], call("c4", at(2, 13, 0), CallOutcome.CALLER_CANCELLED, ring=15), calls[4]]
    assert judge(case, with_ring, at(3, 10, 0)).refund_reason is RefundReason.NEVER_REACHED


def test_a_first_attempt_after_12_callable_hours_makes_never_reached_impossible() -> None:
    case = case_at(at(2, 10, 0))  # due 09:00 the next day
    calls = [no_answer("c1", at(3, 9, 0, 1))]
    evaluation = judge(case, calls, at(3, 9, 5))
    assert not evaluation.progress.first_in_time
    assert kinds(evaluation) == [RequirementKind.DECISIVE_OUTCOME]
    assert "never reached can no longer be met" in evaluation.summary
    assert "after the 12 h of callable time ended at 09:00" in evaluation.summary


def test_no_attempt_by_the_deadline_makes_never_reached_impossible() -> None:
    case = case_at(at(2, 10, 0))
    assert kinds(judge(case, [], at(3, 9, 0))) == [
        RequirementKind.FIRST_ATTEMPT,
        RequirementKind.MORE_ATTEMPTS,
        RequirementKind.MORE_DISTINCT_HOURS,
        RequirementKind.REACH_WINDOW_CLOSE,
    ]
    assert kinds(judge(case, [], at(3, 9, 0, 1))) == [RequirementKind.DECISIVE_OUTCOME]


# --- 空号 / 停机 / 关机 ---


@pytest.mark.parametrize(
    ("outcome", "reason"),
    [(CallOutcome.EMPTY_NUMBER, RefundReason.EMPTY_NUMBER), (CallOutcome.SUSPENDED, RefundReason.SUSPENDED)],
)
def test_empty_or_suspended_on_any_call_is_eligible_at_once(
    outcome: CallOutcome, reason: RefundReason
) -> None:
    case = case_at(at(2, 10, 0))
    evaluation = judge(case, [call("c1", at(2, 10, 5), outcome, ring=0)], at(2, 10, 6))
    assert evaluation.state is CaseState.ELIGIBLE
    assert evaluation.refund_reason is reason
    assert evaluation.decided_at == at(2, 10, 5)
    assert evaluation.settle_time == at(2, 16, 5)
    assert evaluation.evidence[0].decisive


def test_two_powered_off_calls_15_minutes_apart_in_different_clock_hours() -> None:
    case = case_at(at(2, 10, 0))
    calls = [
        call("c1", at(2, 10, 50), CallOutcome.POWERED_OFF),
        call("c2", at(2, 11, 5), CallOutcome.POWERED_OFF),
    ]
    evaluation = judge(case, calls, at(2, 11, 6))
    assert evaluation.state is CaseState.ELIGIBLE
    assert evaluation.refund_reason is RefundReason.POWERED_OFF
    assert evaluation.decided_at == at(2, 11, 5)
    assert evaluation.deciding_call_id == "c2"


def test_two_powered_off_calls_15_minutes_apart_in_the_same_clock_hour_wait_for_another_hour() -> None:
    case = case_at(at(2, 10, 0))
    calls = [
        call("c1", at(2, 10, 10), CallOutcome.POWERED_OFF),
        call("c2", at(2, 10, 25), CallOutcome.POWERED_OFF),
    ]
    evaluation = judge(case, calls, at(2, 10, 30))
    assert evaluation.state is CaseState.PENDING
    confirmation = [r for r in evaluation.requirements if r.kind is RequirementKind.POWERED_OFF_CONFIRMATION]
    assert confirmation[0].remaining == 1
    assert confirmation[0].due == at(9, 10, 0)
    assert "1 more POWERED_OFF call in another clock hour" in confirmation[0].description


def test_after_24h_without_never_reached_a_decisive_call_still_decides() -> None:
    case = case_at(at(2, 10, 0))
    calls = [no_answer("c1", at(2, 10, 5)), call("c2", at(5, 15, 0), CallOutcome.SUSPENDED)]
    before = judge(case, calls[:1], at(4, 12, 0))
    assert before.state is CaseState.PENDING
    assert "never reached was not met when the 24 h window closed" in before.summary
    after = judge(case, calls, at(5, 15, 1))
    assert after.refund_reason is RefundReason.SUSPENDED


def test_the_claim_window_expires_an_undecided_case_at_exactly_7_days() -> None:
    case = case_at(at(2, 10, 0))
    calls = [no_answer("c1", at(2, 10, 5))]
    assert judge(case, calls, at(9, 9, 59, 59)).state is CaseState.PENDING
    expired = judge(case, calls, at(9, 10, 0))
    assert expired.state is CaseState.EXPIRED
    assert expired.rejection_reason is RejectionReason.CLAIM_WINDOW_EXPIRED
    assert expired.settle_time == at(9, 16, 0)
    # A 空号 found at exactly the close of the claim window still counts (bounds inclusive), one second later not.
    in_time = judge(case, [*calls, call("c2", at(9, 10, 0), CallOutcome.EMPTY_NUMBER)], at(9, 12, 0))
    assert in_time.refund_reason is RefundReason.EMPTY_NUMBER
    too_late = judge(case, [*calls, call("c2", at(9, 10, 0, 1), CallOutcome.EMPTY_NUMBER)], at(9, 12, 0))
    assert too_late.state is CaseState.EXPIRED
    assert "after the claim window closed" in too_late.evidence[1].note


# --- the calls' own times decide, and settling lets earlier evidence reverse a decision ---


def test_earlier_evidence_arriving_late_reverses_an_unsettled_decision() -> None:
    case = case_at(at(2, 10, 0))
    empty = call("c2", at(2, 12, 0), CallOutcome.EMPTY_NUMBER)
    assert judge(case, [empty], at(2, 12, 1)).state is CaseState.ELIGIBLE
    answered_before = call("c1", at(2, 11, 0), CallOutcome.ANSWERED, talk=30)
    reversed_ = judge(case, [empty, answered_before], at(2, 15, 0))
    assert reversed_.state is CaseState.NOT_REFUNDABLE
    answered_after = call("c3", at(2, 13, 0), CallOutcome.ANSWERED, talk=30)
    assert judge(case, [empty, answered_after], at(2, 15, 0)).state is CaseState.ELIGIBLE


def test_a_corrected_report_replaces_the_first() -> None:
    case = case_at(at(2, 10, 0))
    first = call("c1", at(2, 10, 5), CallOutcome.EMPTY_NUMBER, reported_at=at(2, 10, 6), report_id="e1")
    corrected = call("c1", at(2, 10, 5), CallOutcome.NO_ANSWER, reported_at=at(2, 13, 0), report_id="e2")
    assert judge(case, [first], at(2, 13, 0)).state is CaseState.ELIGIBLE
    assert judge(case, [corrected, first], at(2, 13, 1)).state is CaseState.PENDING


def test_calls_before_submission_and_calls_to_other_leads_decide_nothing() -> None:
    case = case_at(at(2, 10, 0))
    calls = [
        call("c1", at(2, 9, 59), CallOutcome.EMPTY_NUMBER),
        call("c2", at(2, 10, 30), CallOutcome.SUSPENDED, lead_id="lead-2"),
    ]
    evaluation = judge(case, calls, at(2, 11, 0))
    assert evaluation.state is CaseState.PENDING
    assert [e.call.call_id for e in evaluation.evidence] == ["c1"]
    assert evaluation.evidence[0].not_counted is NotCounted.BEFORE_SUBMISSION


# --- duplicate charges ---


def test_a_second_charge_to_the_same_account_is_refunded_as_a_duplicate_charge() -> None:
    first = charge(at(2, 10, 0), submission_id="sub-1")
    case = case_at(at(2, 14, 0), case_id="case-2", submission_id="sub-2", kind=ChargeKind.DUPLICATE)
    evaluation = judge(case, [], at(2, 14, 0), lead_charges=(first,))
    assert evaluation.state is CaseState.ELIGIBLE
    assert evaluation.refund_reason is RefundReason.DUPLICATE_CHARGE
    assert evaluation.duplicate_of_submission_id == "sub-1"
    assert evaluation.decided_at == at(2, 14, 0)
    assert "submission sub-1 of the same lead was charged to account acct-1 first" in evaluation.summary
    # The first charge is not a duplicate of the second, whatever order the events came in.
    first_case = case_at(at(2, 10, 0))
    second = charge(at(2, 14, 0), submission_id="sub-2", kind=ChargeKind.DUPLICATE)
    assert judge(first_case, [], at(2, 14, 0), lead_charges=(second,)).state is CaseState.PENDING


def test_a_charge_to_another_account_is_not_a_duplicate_charge() -> None:
    first = charge(at(2, 10, 0), submission_id="sub-1", account_id="acct-other")
    case = case_at(at(2, 14, 0), case_id="case-2", submission_id="sub-2", kind=ChargeKind.DUPLICATE)
    assert judge(case, [], at(2, 14, 0), lead_charges=(first,)).state is CaseState.PENDING


def test_a_narrower_duplicate_charge_window_keeps_a_later_charge() -> None:
    rules = replace(DEFAULT_RULES, duplicate_charge_window=timedelta(days=1))
    first = charge(at(2, 10, 0), submission_id="sub-1")
    within = case_at(at(3, 10, 0), case_id="c2", submission_id="sub-2", kind=ChargeKind.DUPLICATE)
    beyond = case_at(at(3, 10, 0, 1), case_id="c3", submission_id="sub-3", kind=ChargeKind.DUPLICATE)
    assert judge(within, [], at(3, 11), rules=rules, lead_charges=(first,)).state is CaseState.ELIGIBLE
    assert judge(beyond, [], at(3, 11), rules=rules, lead_charges=(first,)).state is CaseState.PENDING
    off = replace(DEFAULT_RULES, refund_duplicate_charges=False)
    assert judge(within, [], at(3, 11), rules=off, lead_charges=(first,)).state is CaseState.PENDING


def test_a_duplicate_charge_wins_over_later_call_evidence() -> None:
    first = charge(at(2, 10, 0), submission_id="sub-1")
    case = case_at(at(2, 14, 0), case_id="case-2", submission_id="sub-2", kind=ChargeKind.DUPLICATE)
    answered = call("c1", at(2, 14, 30), CallOutcome.ANSWERED, talk=60)
    evaluation = judge(case, [answered], at(2, 15, 0), lead_charges=(first,))
    assert evaluation.refund_reason is RefundReason.DUPLICATE_CHARGE


# --- rules per account ---


def test_rules_per_account_change_the_thresholds() -> None:
    strict = replace(
        DEFAULT_RULES, min_attempts=4, min_talk_duration=timedelta(seconds=30), powered_off_calls=3
    )
    case = case_at(at(2, 10, 0))
    calls = [no_answer("c1", at(2, 10, 5)), no_answer("c2", at(2, 12, 0)), no_answer("c3", at(2, 13, 0))]
    assert judge(case, calls, at(3, 10, 0), rules=strict).state is CaseState.PENDING
    talk_20 = [*calls, call("c4", at(2, 14, 0), CallOutcome.ANSWERED, talk=20)]
    assert judge(case, talk_20, at(3, 10, 0), rules=strict).refund_reason is RefundReason.NEVER_REACHED
    off = [call(f"p{h}", at(2, h, 0), CallOutcome.POWERED_OFF) for h in (10, 11)]
    assert judge(case, off, at(2, 12, 0), rules=strict).state is CaseState.PENDING
