"""Pure ingest rules: status transitions, what a dedup answer means, fingerprints, idempotency, validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.common.errors import ViolationCollector
from services.ingest.domain.fingerprints import Fingerprinter
from services.ingest.domain.idempotency import claim_request_id, request_digest, rescue_claim_request_id
from services.ingest.domain.model import (
    Consent,
    Contact,
    DedupAction,
    Dimension,
    LeadStatus,
    Match,
    Money,
    SubmitCommand,
    Verdict,
)
from services.ingest.domain.outcome import Announce, decide, earlier_lead
from services.ingest.domain.status import moves_to, next_status
from services.ingest.domain.validation import validate_submission

NOW = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
S = LeadStatus


@pytest.mark.parametrize(
    ("current", "wanted", "expected"),
    [
        (S.NEW, S.ASSIGNED, S.ASSIGNED),
        (S.NEW, S.CONTACTED, S.CONTACTED),
        (S.ASSIGNED, S.CONTACTED, S.CONTACTED),
        (S.CONTACTED, S.ASSIGNED, None),  # a reassignment does not undo the contact
        (S.ASSIGNED, S.ASSIGNED, None),
        (S.NEW, S.INVALID, S.INVALID),
        (S.CONTACTED, S.INVALID, S.INVALID),
        (S.CONTACTED, S.CONVERTED, S.CONVERTED),
        (S.INVALID, S.ASSIGNED, None),
        (S.INVALID, S.CONTACTED, None),
        (S.CONVERTED, S.INVALID, None),
        (S.INVALID, S.INVALID, None),
    ],
)
def test_status_only_moves_forward(
    current: LeadStatus, wanted: LeadStatus, expected: LeadStatus | None
) -> None:
    assert next_status(current, wanted) == expected


def test_moves_to_is_next_status_read_backwards() -> None:
    # The condition of the one UPDATE that applies a status event: exactly the statuses next_status moves.
    for wanted in LeadStatus:
        assert moves_to(wanted) == {c for c in LeadStatus if next_status(c, wanted) is wanted}
    assert moves_to(S.CONTACTED) >= {S.NEW, S.ASSIGNED} and S.CONTACTED not in moves_to(S.CONTACTED)
    assert moves_to(S.ASSIGNED) & {S.CONTACTED, S.ASSIGNED, S.INVALID, S.CONVERTED} == set()
    assert moves_to(S.INVALID) & {S.INVALID, S.CONVERTED} == set() and S.CONTACTED in moves_to(S.INVALID)


def _m(dim: Dimension, lead: str, days: int) -> Match:
    return Match(dim, lead, NOW - timedelta(days=days))


def test_decide_each_verdict() -> None:
    new = decide(Verdict.NEW, DedupAction.UNSPECIFIED, "cand", "cand", (), False)
    assert (new.lead_id, new.create, new.verdict, new.announce) == (
        "cand",
        True,
        Verdict.NEW,
        Announce.ACCEPTED,
    )

    matches = (_m(Dimension.IP, "ip-lead", 1), _m(Dimension.PHONE, "old", 40))
    returning = decide(Verdict.RETURNING, DedupAction.UNSPECIFIED, "cand", "cand", matches, False)
    assert (returning.lead_id, returning.create, returning.returning_of_lead_id) == ("cand", True, "old")

    merged = decide(Verdict.DUPLICATE, DedupAction.MERGE, "lead-1", "cand", matches, True)
    assert (merged.lead_id, merged.create, merged.verdict, merged.duplicate_of_lead_id, merged.announce) == (
        "lead-1",
        False,
        Verdict.DUPLICATE,
        "lead-1",
        Announce.DUPLICATE,
    )

    flagged = decide(Verdict.DUPLICATE, DedupAction.FLAG, "lead-1", "cand", matches, True)
    assert (flagged.lead_id, flagged.create, flagged.verdict, flagged.duplicate_of_lead_id) == (
        "cand",
        True,
        Verdict.DUPLICATE,
        "lead-1",
    )

    # The canonical lead's claimer crashed before its commit: this submission creates it, as NEW.
    orphan = decide(Verdict.DUPLICATE, DedupAction.MERGE, "lost", "cand", matches, False)
    assert (orphan.lead_id, orphan.create, orphan.verdict, orphan.announce) == (
        "lost",
        True,
        Verdict.NEW,
        Announce.ACCEPTED,
    )

    with pytest.raises(ValueError):
        decide(Verdict.REJECTED, DedupAction.UNSPECIFIED, "x", "cand", (), False)


def test_earlier_lead_prefers_the_strongest_dimension_then_the_latest() -> None:
    matches = (
        _m(Dimension.EMAIL, "e", 1),
        _m(Dimension.PHONE, "p-old", 90),
        _m(Dimension.PHONE, "p-new", 30),
        _m(Dimension.PHONE, "cand", 0),
    )
    assert earlier_lead(matches, "cand") == "p-new"
    assert earlier_lead((), "cand") == ""


def test_fingerprints_are_keyed_per_tenant_and_dimension() -> None:
    fp = Fingerprinter(b"m" * 32)
    contact = Contact(
        phone="+8613800138000", wechat="ZhangSan88", email="A@QQ.com", ip="1.2.3.4", device_id="d1"
    )
    prints = dict(fp.of_contact("t1", contact))
    assert list(prints) == [
        Dimension.PHONE,
        Dimension.WECHAT,
        Dimension.EMAIL,
        Dimension.IP,
        Dimension.DEVICE,
    ]
    assert all(len(h) == 32 for h in prints.values())
    assert prints[Dimension.WECHAT] == fp.fingerprint("t1", Dimension.WECHAT, "zhangsan88")
    assert dict(fp.of_contact("t2", contact))[Dimension.PHONE] != prints[Dimension.PHONE]
    assert fp.fingerprint("t1", Dimension.PHONE, "x") != fp.fingerprint("t1", Dimension.WECHAT, "x")
    assert (
        Fingerprinter(b"n" * 32).fingerprint("t1", Dimension.PHONE, "+8613800138000")
        != prints[Dimension.PHONE]
    )
    assert fp.of_contact("t1", Contact()) == ()
    with pytest.raises(ValueError):
        Fingerprinter(b"short")


def _command(**fields) -> SubmitCommand:
    values = dict(
        account_id="a",
        channel=1,
        traffic_source=1,
        business_source=1,
        request_id="r1",
        phone="13800138000",
        cost=Money("CNY", 1, 0),
        consent=Consent(contact=True),
    )
    values.update(fields)
    return SubmitCommand(**values)


def test_request_digest_binds_the_content() -> None:
    key = b"k" * 32
    base = request_digest(key, _command())
    assert base == request_digest(key, _command())
    assert base != request_digest(key, _command(name="x"))
    assert base != request_digest(key, _command(attributes={"a": "b"}))
    assert base != request_digest(key, _command(submit_time=NOW))
    assert base != request_digest(b"j" * 32, _command())
    assert len(claim_request_id("r" * 64)) <= 64 and claim_request_id("r1") == claim_request_id("r1")
    assert len(rescue_claim_request_id("r" * 64, "01HZZZZZZZZZZZZZZZZZZZZZZZ")) <= 64


@pytest.mark.parametrize(
    ("fields", "paths"),
    [
        ({"account_id": ""}, {"account_id"}),
        ({"account_id": "a" * 129}, {"account_id"}),
        ({"account_id": "a\nb"}, {"account_id"}),
        (
            {"channel": 0, "traffic_source": 0, "business_source": 0},
            {"channel", "traffic_source", "business_source"},
        ),
        ({"channel": 42}, {"channel"}),
        ({"request_id": ""}, {"request_id"}),
        ({"request_id": "r" * 65}, {"request_id"}),
        ({"external_id": "e" * 129}, {"external_id"}),
        ({"collect_account_id": "c" * 129}, {"collect_account_id"}),
        ({"campaign_id": "c" * 65, "creative_id": " x"}, {"campaign_id", "creative_id"}),
        ({"cost": Money("CNY", -1, 0)}, {"cost.units"}),
        ({"cost": Money("CNY", 0, -5)}, {"cost.nanos"}),
        ({"cost": Money("CNY", 1, -5)}, {"cost.nanos"}),
        ({"cost": Money("yuan", 1, 0)}, {"cost.currency_code"}),
        ({"cost": Money("CNY", 0, 1_000_000_000)}, {"cost.nanos"}),
        ({"submit_time": NOW + timedelta(days=2)}, {"submit_time"}),
        ({"submit_time": datetime(1999, 1, 1, tzinfo=UTC)}, {"submit_time"}),
        ({"consent": Consent(notice_version="v" * 65)}, {"consent.notice_version"}),
        ({"consent": Consent(notice_version="v1\x00")}, {"consent.notice_version"}),
        ({"submit_time": NOW + timedelta(minutes=5), "cost": None}, set()),
    ],
)
def test_structural_validation(fields: dict, paths: set[str]) -> None:
    errors = ViolationCollector()
    validate_submission(_command(**fields), NOW, errors)
    assert {v.field for v in errors.violations} == paths


def test_candidate_lead_id_is_a_ulid_keyed_on_the_request() -> None:
    from services.common.ids import new_id
    from services.ingest.domain.idempotency import candidate_lead_id

    key = b"k" * 32
    first = candidate_lead_id(key, "r1", NOW)
    assert first == candidate_lead_id(key, "r1", NOW)
    assert len(first) == 26 and set(first) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    assert first != candidate_lead_id(key, "r2", NOW) and first != candidate_lead_id(b"j" * 32, "r1", NOW)
    # The time part is the submit time's: the same 10 characters new_id() gives for that millisecond.
    assert first[:10] == new_id(int(NOW.timestamp() * 1000))[:10]
    assert candidate_lead_id(key, "r1", NOW + timedelta(seconds=1)) > first
