"""The evidence rule: times first, then provider codes, announcement, SIP with Q.850; and conflicting evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.telephony.domain.call import CallEvent, CallEventType, merge
from services.telephony.domain.classify import classify
from services.telephony.domain.codebook import default_codebook
from services.telephony.domain.evidence import announcement, provider_code, q850_cause, sip_status
from services.telephony.domain.outcomes import CallOutcome, EvidenceSource, ReleaseDirection
from services.telephony.domain.provider_times import aliyun_times
from tests.telephony.unit.helpers import at

BOOK = default_codebook()


def decide(*evidence, answered=False, rang=False, by_caller=False):
    return classify(
        answered=answered, rang=rang, released_by_caller=by_caller, evidence=evidence, codebook=BOOK
    )


def test_aliyun_sample_record_is_answered_despite_release_cause_31():
    # The request sample of Aliyun's SecretReport page: answered at 20:11:38, released 20:11:41, release_cause 31.
    times = aliyun_times(
        call_time="2021-08-25 20:11:29",
        call_out_time="2021-08-25 20:11:30",
        ring_time="2021-08-25 20:11:35",
        free_ring_time="2021-08-25 20:11:35",
        start_time="2021-08-25 20:11:38",
        release_time="2021-08-25 20:11:41",
    )
    report = CallEvent(
        "aliyun",
        "101456851",
        CallEventType.FINAL_REPORT,
        times.release,
        times=times,
        release_direction=ReleaseDirection.CALLER,
        evidence=(
            provider_code("aliyun", "release_cause", 31),
            provider_code("aliyun", "unconnected_cause", 0),
        ),
    )
    progress = merge([report])
    assert progress.outcome is CallOutcome.ANSWERED
    assert progress.decided_by is EvidenceSource.CALL_TIMES
    assert progress.talk_duration == timedelta(seconds=3)
    assert progress.ring_duration == timedelta(seconds=3)  # 20:11:35 → 20:11:38
    assert progress.answer_time.hour == 12  # 20:11:38 Beijing is 12:11:38 UTC


def test_a_cause_code_alone_never_says_answered():
    assert decide(provider_code("aliyun", "release_cause", 31), answered=None).outcome is CallOutcome.UNKNOWN
    assert decide(provider_code("huawei", "stateCode", 0), answered=None).outcome is CallOutcome.UNKNOWN
    assert decide(q850_cause(16), sip_status(200), answered=None).outcome is CallOutcome.UNKNOWN


def test_times_beat_every_code_and_the_overruled_codes_are_conflicts():
    busy = provider_code("aliyun", "release_cause", 17)
    result = decide(busy, announcement("aliyun", "您拨打的电话已关机"), answered=True)
    assert result.outcome is CallOutcome.ANSWERED
    assert set(result.conflicts) == {busy, announcement("aliyun", "您拨打的电话已关机")}


def test_provider_code_beats_announcement_and_sip():
    code = provider_code("huawei", "stateCode", 8102)  # busy
    result = decide(code, announcement("huawei", "您拨打的电话已关机"), sip_status(480), q850_cause(20))
    assert result.outcome is CallOutcome.BUSY
    assert result.evidence == code
    assert len(result.conflicts) == 2  # the announcement and the Q.850 cause said POWERED_OFF


def test_announcement_beats_sip():
    assert (
        decide(announcement("x", "您拨打的号码是空号"), sip_status(486)).outcome is CallOutcome.EMPTY_NUMBER
    )


def test_a_refinable_provider_code_is_refined_by_the_announcement():
    # Aliyun 4: "被叫侧网络已将特殊回铃音返回给主叫提示原因" — the announcement says which reason.
    special_tone = provider_code("aliyun", "release_cause", 4)
    assert decide(special_tone).outcome is CallOutcome.UNREACHABLE
    result = decide(special_tone, announcement("aliyun", "您拨打的号码是空号"))
    assert result.outcome is CallOutcome.EMPTY_NUMBER
    assert result.decided_by is EvidenceSource.ANNOUNCEMENT
    assert result.conflicts == (special_tone,)


def test_a_refinable_code_is_also_refined_by_the_q850_cause():
    assert decide(
        provider_code("freeswitch", "hangup_cause", "SUBSCRIBER_ABSENT"), q850_cause(17)
    ).outcome is (CallOutcome.BUSY)


def test_within_a_provider_the_ranked_field_wins():
    # Aliyun call_type 4 (呼叫拦截) outranks release_cause 17 (busy), whichever the carrier sends first.
    assert decide(
        provider_code("aliyun", "release_cause", 17), provider_code("aliyun", "call_type", 4)
    ).outcome is (CallOutcome.BLOCKED)
    detail = provider_code("tencent_cloud", "callEndStatusDetail", 7)
    assert (
        decide(provider_code("tencent_cloud", "callEndStatus", 4), detail).outcome is CallOutcome.POWERED_OFF
    )


def test_within_a_field_the_carriers_latest_statement_wins():
    early = provider_code("huawei", "stateCode", 8101, event_time=at(10))
    late = provider_code("huawei", "stateCode", 8104, event_time=at(20))
    assert decide(early, late).outcome is CallOutcome.POWERED_OFF
    assert decide(late, early).outcome is CallOutcome.POWERED_OFF


@pytest.mark.parametrize(
    ("status", "cause", "outcome"),
    [
        (480, 18, CallOutcome.NO_ANSWER),
        (480, 19, CallOutcome.NO_ANSWER),
        (480, 20, CallOutcome.POWERED_OFF),
        (403, 21, CallOutcome.REJECTED),
        (603, 21, CallOutcome.REJECTED),
        (404, 1, CallOutcome.EMPTY_NUMBER),
        (503, 34, CallOutcome.NETWORK_ERROR),
    ],
)
def test_the_cause_in_the_reason_header_decides(status, cause, outcome):
    assert decide(sip_status(status), q850_cause(cause)).outcome is outcome


def test_a_bare_480_is_ambiguous():
    assert decide(sip_status(480)).outcome is CallOutcome.UNKNOWN
    assert decide(sip_status(480), rang=True).outcome is CallOutcome.NO_ANSWER  # the times, not the 480
    assert decide(sip_status(480), q850_cause(31), rang=True).outcome is CallOutcome.NO_ANSWER


def test_fallback_uses_the_shape_of_the_call():
    assert decide(by_caller=True, rang=True).outcome is CallOutcome.CALLER_CANCELLED
    assert decide(rang=True).outcome is CallOutcome.NO_ANSWER
    assert decide().outcome is CallOutcome.UNKNOWN
    assert decide(answered=None, rang=True).outcome is CallOutcome.UNKNOWN  # answered-or-not was never stated


def test_unknown_codes_give_no_verdict():
    assert decide(provider_code("aliyun", "release_cause", 999), rang=True).outcome is CallOutcome.NO_ANSWER
    assert decide(provider_code("kuaishou", "phone_stat", "1")).outcome is CallOutcome.UNKNOWN


def test_aliyun_not_connected_call_has_no_answer_time():
    times = aliyun_times(
        call_time="2021-08-25 20:11:29",
        call_out_time="2021-08-25 20:11:30",
        ring_time="2021-08-25 20:11:30",
        free_ring_time="2021-08-25 20:11:30",  # equal to call_out_time: it never rang
        start_time="2021-08-25 20:11:33",
        release_time="2021-08-25 20:11:33",  # equal to start_time: not connected
    )
    assert times.answer is None and times.ring is None and times.answer_stated
    event = CallEvent(
        "aliyun",
        "1",
        CallEventType.FINAL_REPORT,
        times.release,
        times=times,
        evidence=(provider_code("aliyun", "release_cause", 1),),
    )
    progress = merge([event])
    assert progress.outcome is CallOutcome.EMPTY_NUMBER
    assert progress.talk_duration == timedelta(0)
