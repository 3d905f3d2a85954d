"""The answers, events and dedup claims built from field dicts (``protoconv.timestamp_fields``) carry every value:
each is compared with a reference message assembled here field by field, for values with every optional part
set and with none, so a field left out of a dict or a None read the wrong way fails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from google.protobuf import timestamp_pb2

from leadflow.common.v1 import lead_pb2
from leadflow.dedup.v1 import dedup_service_pb2 as dedup_pb
from leadflow.ingest.v1 import events_pb2
from leadflow.ingest.v1 import ingest_service_pb2 as pb
from services.common.errors import FieldViolation, InvalidArgument
from services.common.protoconv import sealed_value, timestamp_fields
from services.common.sealing import LEAD_PHONE, KeyRing, Sealer
from services.dedup.converters.claims import batch_claim_response, claim_response
from services.dedup.domain import model as dedup_model
from services.ingest.converters.dedup import batch_claim_message, claim_message
from services.ingest.converters.events import accepted_message
from services.ingest.converters.submit import batch_submit_response, submit_response
from services.ingest.domain.events import LeadAccepted
from services.ingest.domain.model import (
    BusinessSource,
    Channel,
    Consent,
    Contact,
    Dimension,
    Lead,
    LeadStatus,
    Match,
    Money,
    Submission,
    SubmitResult,
    TrafficSource,
    Verdict,
)
from services.ingest.domain.normalisation import Rejection, RejectionCode
from services.ingest.domain.ports import ClaimRequest

T0 = datetime(2026, 12, 1, 8, 30, 15, 123456, tzinfo=UTC)


def _ts(moment: datetime) -> timestamp_pb2.Timestamp:
    micros = (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    return timestamp_pb2.Timestamp(seconds=micros // 1_000_000, nanos=micros % 1_000_000 * 1000)


FULL_CONTACT = Contact(
    name="张三",
    phone="+8613800138000",
    phone_from_wechat=True,
    wechat="wxid_abc",
    email="a@example.com",
    ip="203.0.113.9",
    device_id="dev-1",
    phone_province="广东省",
    phone_city="深圳市",
    phone_extension="8001",
    alternate_phones=("+8613900139000",),
)
MATCH = Match(Dimension.PHONE, "01LEADCANONICAL0000000000", T0 - timedelta(days=3))
REJECTION = Rejection(RejectionCode.PHONE_INVALID, "phone", "has 10 digits", "phone.too_short")


def _lead(contact: Contact, *, erased: bool) -> Lead:
    return Lead(
        id="01LEAD0000000000000000000",
        tenant_id="t1",
        account_ids=("acc-1", "acc-2"),
        status=LeadStatus.NEW,
        verdict=Verdict.RETURNING,
        contact=contact,
        invalid_reason="number dead" if erased else "",
        channel=Channel(1),
        traffic_source=TrafficSource(1),
        business_source=BusinessSource(1),
        first_submit_time=T0,
        last_submit_time=T0 + timedelta(seconds=5),
        submission_count=2,
        create_time=T0 + timedelta(seconds=1),
        update_time=T0 + timedelta(seconds=6),
        returning_of_lead_id="01LEADOLD000000000000000" if erased else "",
        erase_time=T0 + timedelta(days=1) if erased else None,
    )


def _submission(*, full: bool) -> Submission:
    return Submission(
        id="01SUB00000000000000000000",
        tenant_id="t1",
        lead_id="01LEAD0000000000000000000" if full else "",
        account_id="acc-1",
        collect_account_id="acc-2" if full else None,
        channel=Channel(1),
        traffic_source=TrafficSource(1),
        business_source=BusinessSource(1),
        external_id="ext-1" if full else "",
        request_id="req-1",
        request_digest=b"d",
        contact=FULL_CONTACT if full else Contact(),
        campaign_id="c1" if full else "",
        adgroup_id="g1" if full else "",
        creative_id="r1" if full else "",
        cost=Money("CNY", 12, 500_000_000) if full else None,
        attributes={"城市": "深圳"} if full else {},
        consent=Consent(True, True, "v3", T0 - timedelta(hours=1)) if full else Consent(),
        verdict=Verdict.RETURNING if full else Verdict.REJECTED,
        rejections=() if full else (REJECTION,),
        matches=(MATCH,) if full else (),
        duplicate_of_lead_id="",
        returning_of_lead_id="01LEADOLD000000000000000" if full else "",
        submit_time=T0,
        create_time=T0 + timedelta(seconds=2),
    )


def _reference_lead(lead: Lead) -> pb.Lead:
    m = pb.Lead()
    c = lead.contact
    m.id = lead.id
    m.account_ids.extend(lead.account_ids)
    m.status = int(lead.status)
    m.verdict = int(lead.verdict)
    m.phone, m.phone_from_wechat, m.wechat, m.email = c.phone, c.phone_from_wechat, c.wechat, c.email
    m.ip, m.device_id, m.name, m.invalid_reason = c.ip, c.device_id, c.name, lead.invalid_reason
    if c.phone_province:
        m.phone_region.province, m.phone_region.city = c.phone_province, c.phone_city
    m.first_submit_time.CopyFrom(_ts(lead.first_submit_time))
    m.last_submit_time.CopyFrom(_ts(lead.last_submit_time))
    m.submission_count = lead.submission_count
    m.create_time.CopyFrom(_ts(lead.create_time))
    m.update_time.CopyFrom(_ts(lead.update_time))
    m.returning_of_lead_id = lead.returning_of_lead_id
    m.phone_extension = c.phone_extension
    m.alternate_phones.extend(c.alternate_phones)
    if lead.erase_time is not None:
        m.erase_time.CopyFrom(_ts(lead.erase_time))
    return m


def _reference_submission(s: Submission) -> pb.Submission:
    m = pb.Submission()
    m.id, m.lead_id, m.account_id, m.external_id = s.id, s.lead_id, s.account_id, s.external_id
    m.channel, m.traffic_source, m.business_source = (
        int(s.channel),
        int(s.traffic_source),
        int(s.business_source),
    )
    m.campaign_id, m.adgroup_id, m.creative_id = s.campaign_id, s.adgroup_id, s.creative_id
    if s.cost is not None:
        m.cost.currency_code, m.cost.units, m.cost.nanos = s.cost.currency_code, s.cost.units, s.cost.nanos
    m.attributes.update(s.attributes)
    m.verdict = int(s.verdict)
    for r in s.rejections:
        m.rejection_reasons.add(
            code=pb.REJECTION_CODE_PHONE_INVALID, field=r.field, message=r.message, rule=r.rule
        )
    m.matched_dimensions.extend(sorted({int(x.dimension) for x in s.matches}))
    m.consent.contact, m.consent.marketing = s.consent.contact, s.consent.marketing
    m.consent.notice_version = s.consent.notice_version
    if s.consent.grant_time is not None:
        m.consent.grant_time.CopyFrom(_ts(s.consent.grant_time))
    m.submit_time.CopyFrom(_ts(s.submit_time))
    m.create_time.CopyFrom(_ts(s.create_time))
    if s.collect_account_id is not None:
        m.collect_account_id = s.collect_account_id
    return m


def _reference_response(result: SubmitResult) -> pb.SubmitLeadResponse:
    m = pb.SubmitLeadResponse()
    if result.lead is not None:
        m.lead.CopyFrom(_reference_lead(result.lead))
    m.verdict = int(result.verdict)
    m.duplicate_of_lead_id = result.duplicate_of_lead_id
    for x in result.matches:
        m.matches.add(dimension=int(x.dimension), lead_id=x.lead_id, first_seen_time=_ts(x.first_seen_time))
    for r in result.rejections:
        m.rejection_reasons.add(
            code=pb.REJECTION_CODE_PHONE_INVALID, field=r.field, message=r.message, rule=r.rule
        )
    m.submission.CopyFrom(_reference_submission(result.submission))
    m.returning_of_lead_id = result.returning_of_lead_id
    return m


ACCEPTED = SubmitResult(
    Verdict.RETURNING,
    _submission(full=True),
    _lead(FULL_CONTACT, erased=True),
    matches=(MATCH,),
    returning_of_lead_id="01LEADOLD000000000000000",
)
REJECTED = SubmitResult(Verdict.REJECTED, _submission(full=False), None, rejections=(REJECTION,))
BARE_LEAD = SubmitResult(Verdict.NEW, _submission(full=False), _lead(Contact(), erased=False))


@pytest.mark.parametrize(
    "result", [ACCEPTED, REJECTED, BARE_LEAD], ids=["every-field", "rejected", "bare-lead"]
)
def test_submit_response_carries_every_field(result: SubmitResult) -> None:
    built = submit_response(result)
    assert built == _reference_response(result)
    assert built.HasField("lead") is (result.lead is not None)
    assert built.submission.HasField("cost") is (result.submission.cost is not None)
    assert built.submission.HasField("collect_account_id") is (
        result.submission.collect_account_id is not None
    )
    if result.lead is not None:
        assert built.lead.HasField("phone_region") is bool(result.lead.contact.phone_province)
        assert built.lead.HasField("erase_time") is (result.lead.erase_time is not None)


def test_batch_answer_keeps_order_and_item_errors() -> None:
    error = InvalidArgument(FieldViolation("requests[1].phone", "is required"))
    answer = batch_submit_response([ACCEPTED, error, REJECTED])
    assert [r.index for r in answer.results] == [0, 1, 2]
    assert answer.results[0].response == _reference_response(ACCEPTED)
    assert answer.results[1].HasField("error") and not answer.results[1].HasField("response")
    assert answer.results[1].error.code == "INVALID_ARGUMENT"
    assert [v.field for v in answer.results[1].error.field_violations] == ["requests[1].phone"]
    assert answer.results[2].response == _reference_response(REJECTED)
    assert pb.BatchSubmitLeadsResponse.FromString(answer.SerializeToString()) == answer


def test_timestamp_fields_truncate_to_microseconds_before_the_epoch_too() -> None:
    before_epoch = datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=UTC)
    assert timestamp_fields(before_epoch) == {"seconds": -1, "nanos": 500_000_000}
    assert timestamp_pb2.Timestamp(**timestamp_fields(T0)) == _ts(T0)


def test_lead_accepted_event_carries_every_field_and_seals_the_phone() -> None:
    sealer = Sealer(KeyRing.parse("k:" + "B" * 43 + "="))
    lead, submission = _lead(FULL_CONTACT, erased=False), _submission(full=True)
    message = accepted_message(
        "01EVENT000000000000000000", LeadAccepted(lead, submission, T0, "01EVENT000000000000000000"), sealer
    )
    assert sealer.open("t1", LEAD_PHONE, sealed_value(message.encrypted_phone)) == FULL_CONTACT.phone
    expected = events_pb2.LeadAccepted()
    expected.event_id, expected.tenant_id = "01EVENT000000000000000000", "t1"
    expected.occurred_time.CopyFrom(_ts(T0))
    expected.lead_id, expected.submission_id, expected.account_id = lead.id, submission.id, "acc-1"
    expected.account_ids.extend(lead.account_ids)
    expected.verdict = int(lead.verdict)
    expected.channel = expected.traffic_source = expected.business_source = 1
    expected.campaign_id, expected.adgroup_id, expected.creative_id = "c1", "g1", "r1"
    expected.cost.currency_code, expected.cost.units, expected.cost.nanos = "CNY", 12, 500_000_000
    expected.submit_time.CopyFrom(_ts(T0))
    expected.encrypted_phone.CopyFrom(message.encrypted_phone)
    expected.phone_from_wechat = True
    expected.phone_region.province, expected.phone_region.city = "广东省", "深圳市"
    expected.collect_account_id = "acc-2"
    assert message == expected
    no_phone = accepted_message(
        "e", LeadAccepted(_lead(Contact(), erased=False), submission, T0, "e"), sealer
    )
    assert not no_phone.HasField("encrypted_phone") and not no_phone.HasField("phone_region")


def test_dedup_claim_request_and_answers_carry_every_field() -> None:
    request = ClaimRequest(
        account_id="acc-1",
        collect_account_id="acc-2",
        candidate_lead_id="01CAND0000000000000000000",
        fingerprints=((Dimension.PHONE, b"\x01" * 32), (Dimension.WECHAT, b"\x02" * 32)),
        submit_time=T0,
        request_id="claim-1",
    )
    built = claim_message(request)
    assert built.account_id == "acc-1" and built.collect_account_id == "acc-2"
    assert built.candidate_lead_id == "01CAND0000000000000000000" and built.request_id == "claim-1"
    assert [(f.dimension, f.keyed_hash) for f in built.fingerprints] == [
        (lead_pb2.DEDUP_DIMENSION_PHONE, b"\x01" * 32),
        (lead_pb2.DEDUP_DIMENSION_WECHAT, b"\x02" * 32),
    ]
    assert built.submit_time == _ts(T0)
    alone = ClaimRequest("acc-1", "", "c", (), T0, "r")
    assert not claim_message(alone).HasField("collect_account_id")
    assert list(batch_claim_message([request, alone]).requests) == [built, claim_message(alone)]

    match = dedup_model.Match(
        dedup_model.Dimension.PHONE, "01CANON", T0, "acc-1", "scope", timedelta(days=30), True
    )
    result = dedup_model.ClaimResult(
        dedup_model.Verdict.DUPLICATE, "01CANON", (match,), dedup_model.Action.FLAG
    )
    answer = claim_response(result)
    assert (answer.verdict, answer.canonical_lead_id, answer.action) == (
        lead_pb2.LEAD_VERDICT_DUPLICATE,
        "01CANON",
        dedup_pb.DEDUP_ACTION_FLAG,
    )
    (m,) = answer.matches
    assert (m.dimension, m.lead_id, m.policy_account_id, m.within_window) == (
        lead_pb2.DEDUP_DIMENSION_PHONE,
        "01CANON",
        "acc-1",
        True,
    )
    assert m.first_seen_time == _ts(T0) and m.window.seconds == 30 * 86400
    batch = batch_claim_response(
        [result, InvalidArgument(FieldViolation("requests[1].fingerprints", "empty"))]
    )
    assert batch.results[0].index == 0 and batch.results[0].response == answer
    assert batch.results[1].index == 1 and batch.results[1].error.code == "INVALID_ARGUMENT"
