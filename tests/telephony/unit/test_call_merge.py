"""Carrier events in any order, repeated (Huawei re-sends up to 6 times), with UTC or local timestamps, converge
to one call record whose outcome follows the call's own times."""

from __future__ import annotations

from datetime import timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from services.telephony.domain.call import CallEvent, CallEventType, CallState, Recording, merge
from services.telephony.domain.evidence import announcement, provider_code, q850_cause, sip_status
from services.telephony.domain.outcomes import CallOutcome, ReleaseDirection
from services.telephony.domain.provider_times import ReportedTimes
from tests.telephony.unit.helpers import at, new_call

BEIJING = timezone(timedelta(hours=8))
CODES = [("huawei", "stateCode", c) for c in ("8100", "8101", "8102", "8104", "8105", "7503", "0")] + [
    ("aliyun", "release_cause", c) for c in ("1", "4", "17", "18", "31")
]


@st.composite
def scenarios(draw):
    """A call's events as a carrier would produce them, each event's times shown in UTC or Beijing time."""
    ring_at = draw(st.integers(1, 20))
    answered = draw(st.booleans())
    answer_at = ring_at + draw(st.integers(1, 30)) if answered else None
    release_at = (answer_at or ring_at) + draw(st.integers(1, 600))  # answered means some talk
    local = draw(st.lists(st.booleans(), min_size=8, max_size=8))

    def t(seconds, index):
        moment = at(seconds)
        return moment.astimezone(BEIJING) if local[index] else moment

    provider, field, code = draw(st.sampled_from(CODES))
    direction = draw(st.sampled_from(list(ReleaseDirection)))
    events = [
        CallEvent(provider, "dial", CallEventType.DIALED, t(0, 0)),
        CallEvent(provider, "ring", CallEventType.RINGING, t(ring_at, 1)),
        CallEvent(
            provider,
            "release",
            CallEventType.RELEASED,
            t(release_at, 2),
            release_direction=direction,
            evidence=(provider_code(provider, field, code, t(release_at, 2)),),
        ),
    ]
    if answered:
        events.append(CallEvent(provider, "answer", CallEventType.ANSWERED, t(answer_at, 3)))
    if draw(st.booleans()):
        text = draw(
            st.sampled_from(
                ["您拨打的电话已关机", "您拨打的号码是空号", "The number you dialed is busy now."]
            )
        )
        events.append(
            CallEvent(
                provider,
                "media",
                CallEventType.EARLY_MEDIA,
                t(ring_at, 4),
                evidence=(announcement(provider, text),),
            )
        )
    if draw(st.booleans()):
        sip = (
            sip_status(draw(st.sampled_from([480, 486, 603, 404]))),
            q850_cause(draw(st.sampled_from([17, 18, 20, 21]))),
        )
        events.append(CallEvent("sip", "bye", CallEventType.RELEASED, t(release_at, 5), evidence=sip))
    if draw(st.booleans()):
        report_times = ReportedTimes(
            t(0, 6),
            t(ring_at, 6),
            t(answer_at, 6) if answered else None,
            t(release_at, 6),
            answer_stated=True,
        )
        events.append(
            CallEvent(
                provider,
                "report",
                CallEventType.FINAL_REPORT,
                t(release_at + 60, 6),
                times=report_times,
                release_direction=direction,
                evidence=(provider_code(provider, field, code),),
                recording=Recording("https://records.example/1.wav", t(release_at + 7 * 86400, 7)),
            )
        )
    return events, answered


@st.composite
def deliveries(draw):
    events, answered = draw(scenarios())
    repeated = [e for e in events for _ in range(draw(st.integers(1, 6)))]
    order = draw(st.permutations(repeated))
    return events, order, answered


@settings(max_examples=300, deadline=None)
@given(deliveries())
def test_any_order_and_repetition_converges_to_the_canonical_record(case):
    events, order, answered = case
    call = new_call()
    repeats = 0
    for event in order:
        call, duplicate = call.with_event(event)
        repeats += duplicate
    assert repeats == len(order) - len(events)  # every repeat, and only repeats, is recognised
    expected = merge(events)
    assert call.progress == expected
    assert call.progress.state is CallState.ENDED
    assert (call.progress.outcome is CallOutcome.ANSWERED) == answered  # the times decide answered-or-not
    assert all(
        moment is None or moment.utcoffset() == timedelta(0)
        for moment in (call.progress.ring_time, call.progress.answer_time, call.progress.release_time)
    )


@settings(max_examples=100, deadline=None)
@given(st.permutations(["original", "correction", "original", "correction", "correction"]))
def test_a_later_report_wins_by_its_own_time_not_by_arrival(order):
    def report(name, seconds, code):
        times = ReportedTimes(at(0), at(5), None, at(40), answer_stated=True)
        return CallEvent(
            "huawei",
            name,
            CallEventType.FINAL_REPORT,
            at(seconds),
            times=times,
            evidence=(provider_code("huawei", "stateCode", code, at(seconds)),),
        )

    reports = {"original": report("original", 50, 8101), "correction": report("correction", 90, 8104)}
    call = new_call()
    for name in order:
        call, _ = call.with_event(reports[name])
    assert (
        call.progress.outcome is CallOutcome.POWERED_OFF
    )  # the correction's stateCode 8104, event time 90 s


def test_completion_is_due_once_and_again_only_when_the_outcome_changes():
    call = new_call()
    call, _ = call.with_event(CallEvent("huawei", "ring", CallEventType.RINGING, at(3)))
    assert not call.completion_due  # still ringing
    call, _ = call.with_event(
        CallEvent(
            "huawei",
            "end",
            CallEventType.RELEASED,
            at(30),
            evidence=(provider_code("huawei", "stateCode", 8101),),
        )
    )
    assert call.completion_due and call.progress.outcome is CallOutcome.NO_ANSWER
    call = call.mark_completed()
    assert not call.completion_due and call.completion_revision == 1
    call, duplicate = call.with_event(
        CallEvent(
            "huawei",
            "end",
            CallEventType.RELEASED,
            at(30),
            evidence=(provider_code("huawei", "stateCode", 8101),),
        )
    )
    assert duplicate and not call.completion_due
    # A late announcement transcript does not override the provider's code: no correction.
    call, _ = call.with_event(
        CallEvent(
            "huawei", "media", CallEventType.EARLY_MEDIA, at(4), evidence=(announcement("huawei", "已关机"),)
        )
    )
    assert call.progress.outcome is CallOutcome.NO_ANSWER and not call.completion_due
    # A final report with later evidence that changes the outcome makes a correction due.
    report = CallEvent(
        "huawei",
        "fee",
        CallEventType.FINAL_REPORT,
        at(3600),
        times=ReportedTimes(at(0), at(3), None, at(30), answer_stated=True),
        evidence=(provider_code("huawei", "stateCode", 8104, at(3600)),),
    )
    call, _ = call.with_event(report)
    assert call.progress.outcome is CallOutcome.POWERED_OFF and call.completion_due
    assert call.mark_completed().completion_revision == 2


def test_agent_end_call_is_overridden_by_the_carriers_times():
    call = new_call().end_by_agent(at(20))
    assert call.progress.state is CallState.ENDED
    assert call.progress.release_direction is ReleaseDirection.CALLER
    report = CallEvent(
        "aliyun",
        "r",
        CallEventType.FINAL_REPORT,
        at(25),
        times=ReportedTimes(at(0), at(2), at(6), at(18), answer_stated=True),
    )
    call, _ = call.with_event(report)
    assert call.progress.outcome is CallOutcome.ANSWERED
    assert call.progress.talk_duration == timedelta(seconds=12)
    assert call.progress.release_time == at(18)


def test_naive_times_are_refused():
    import pytest

    with pytest.raises(ValueError):
        CallEvent("x", "1", CallEventType.RINGING, at(0).replace(tzinfo=None))
