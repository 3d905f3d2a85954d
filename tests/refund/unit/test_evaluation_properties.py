"""Properties of evaluate(): the same set of events in any order and any number of times gives the same decision;
time passing never undoes a decision; evidence that starts after a decision never reverses it."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from services.refund.domain.calls import CallOutcome, CallRecord
from services.refund.domain.cases import CaseState, Charge, ChargeKind
from services.refund.domain.evaluation import Evaluation
from tests.refund.unit.builders import at, call, case_at, charge, judge

SUBMIT = at(2, 22, 50)
CASE = case_at(SUBMIT)

# Call starts from one hour before submission to 8 days after, on a 5-minute grid plus a few seconds, so that
# boundaries (exactly 24 h, the 12-callable-hour deadline, the claim window) come up often.
start_times = st.builds(
    lambda minutes, extra: SUBMIT + timedelta(minutes=5 * minutes, seconds=extra),
    st.integers(min_value=-12, max_value=8 * 24 * 12),
    st.sampled_from([0, 0, 0, 1, 59]),
)
reports = st.builds(
    lambda call_id, start, outcome, ring, talk, reported, report_id: call(
        f"c{call_id}",
        start,
        outcome,
        ring=ring,
        talk=talk,
        reported_at=start + timedelta(minutes=reported),
        report_id=f"e{report_id}",
    ),
    st.integers(min_value=0, max_value=7),
    start_times,
    st.sampled_from(list(CallOutcome)),
    st.sampled_from([0, 14, 15, 30]),
    st.sampled_from([0, 9, 10, 45]),
    st.integers(min_value=1, max_value=600),
    st.integers(min_value=0, max_value=3),
)
# Calls around the reach window with the outcomes that matter to never reached and 关机, so that those decisions
# and their boundaries come up as often as the others.
reach_reports = st.builds(
    lambda call_id, minutes, outcome, ring, talk, reported: call(
        f"r{call_id}",
        SUBMIT + timedelta(minutes=minutes),
        outcome,
        ring=ring,
        talk=talk,
        reported_at=SUBMIT + timedelta(minutes=minutes + reported),
    ),
    st.integers(min_value=0, max_value=9),
    st.sampled_from([0, 9 * 60 + 10, 21 * 60 + 10, 21 * 60 + 15, 22 * 60, 24 * 60, 24 * 60 + 1, 30 * 60]),
    st.sampled_from(
        [
            CallOutcome.NO_ANSWER,
            CallOutcome.BUSY,
            CallOutcome.ANSWERED,
            CallOutcome.POWERED_OFF,
            CallOutcome.BLOCKED,
            CallOutcome.CALLER_CANCELLED,
        ]
    ),
    st.sampled_from([10, 15]),
    st.sampled_from([9, 10]),
    st.integers(min_value=1, max_value=60),
)
moments = st.builds(
    lambda hours: SUBMIT + timedelta(hours=hours), st.integers(min_value=0, max_value=8 * 24 + 12)
)
other_charges = st.lists(
    st.builds(
        lambda n, hours, account: charge(
            SUBMIT + timedelta(hours=hours),
            submission_id=f"dup-{n}",
            account_id=account,
            kind=ChargeKind.DUPLICATE,
        ),
        st.integers(min_value=0, max_value=3),
        st.integers(min_value=-48, max_value=48),
        st.sampled_from(["acct-1", "acct-2"]),
    ),
    max_size=3,
)


def decision(evaluation: Evaluation) -> tuple[object, ...]:
    return (
        evaluation.state,
        evaluation.refund_reason,
        evaluation.rejection_reason,
        evaluation.decided_at,
        evaluation.settle_time,
        evaluation.deciding_call_id,
    )


def everything(evaluation: Evaluation) -> tuple[object, ...]:
    return (
        *decision(evaluation),
        evaluation.evidence,
        evaluation.requirements,
        evaluation.summary,
        evaluation.next_change_time,
        evaluation.progress,
    )


@settings(max_examples=300, deadline=None)
@given(
    events=st.one_of(st.lists(reports, max_size=10), st.lists(reach_reports, min_size=3, max_size=10)),
    charges=other_charges,
    now=moments,
    data=st.data(),
)
def test_any_order_and_any_repetition_gives_the_same_evaluation(
    events: list[CallRecord], charges: list[Charge], now: datetime, data: st.DataObject
) -> None:
    reference = judge(CASE, events, now, lead_charges=tuple(charges))
    repeated = data.draw(st.lists(st.sampled_from(events), max_size=20)) if events else []
    delivered = data.draw(st.permutations(events + repeated))
    charges_delivered = data.draw(st.permutations(charges + charges[:1]))
    again = judge(CASE, delivered, now, lead_charges=tuple(charges_delivered))
    assert everything(again) == everything(reference)


@settings(max_examples=200, deadline=None)
@given(
    events=st.lists(reports, max_size=10), first=moments, later_by=st.integers(min_value=0, max_value=24 * 10)
)
def test_time_passing_never_undoes_a_decision(
    events: list[CallRecord], first: datetime, later_by: int
) -> None:
    known = [e for e in events if e.start_time <= first]  # only calls that have happened by then
    earlier = judge(CASE, known, first)
    later = judge(CASE, known, first + timedelta(hours=later_by))
    if earlier.state is not CaseState.PENDING:
        assert decision(later) == decision(earlier)
    if earlier.settled:
        assert later.settled


@settings(max_examples=200, deadline=None)
@given(events=st.lists(reports, max_size=8), extra=st.lists(reports, max_size=5), now=moments)
def test_evidence_that_starts_after_the_decision_never_reverses_it(
    events: list[CallRecord], extra: list[CallRecord], now: datetime
) -> None:
    before = judge(CASE, events, now)
    if before.decided_at is None:
        return
    decided_at = before.decided_at
    known_ids = {e.call_id for e in events}
    later_calls = [
        CallRecord(
            call_id=f"late-{e.call_id}-{i}",
            lead_id=e.lead_id,
            start_time=max(e.start_time, decided_at + timedelta(seconds=1)),
            outcome=e.outcome,
            ring_duration=e.ring_duration,
            talk_duration=e.talk_duration,
        )
        for i, e in enumerate(extra)
    ]
    assert not known_ids & {c.call_id for c in later_calls}
    after = judge(CASE, [*events, *later_calls], now)
    assert decision(after) == decision(before)
