"""Paying exactly once: who may refund what, amounts, idempotency keys, closing cases, appeals."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.refund.domain.appeals import (
    AppealDecision,
    AppealState,
    decide_appeal,
    open_appeal,
    with_refund,
)
from services.refund.domain.calls import CallOutcome
from services.refund.domain.cases import Case, CaseState, ChargeKind, RefundReason, RejectionReason
from services.refund.domain.errors import (
    AlreadyRefunded,
    AppealAlreadyDecided,
    AppealPending,
    CaseNotAppealable,
    CaseNotRefundable,
    RefundsExceedCharges,
    RequestIdReused,
)
from services.refund.domain.evaluation import Evaluation
from services.refund.domain.idempotency import IdempotencyRecord, replay
from services.refund.domain.money import Money
from services.refund.domain.refunds import (
    Refund,
    RefundRequest,
    appeal_request,
    close_rejected,
    issue_refund,
    settlement_request,
)
from tests.refund.unit.builders import PRICE, at, call, case_at, charge, judge, no_answer

SUBMIT = at(2, 10, 0)


def eligible() -> tuple[Case, Evaluation]:
    case = case_at(SUBMIT)
    evaluation = judge(case, [call("c1", at(2, 10, 5), CallOutcome.EMPTY_NUMBER)], at(2, 16, 5))
    assert evaluation.state is CaseState.ELIGIBLE and evaluation.settled
    return case, evaluation


def answered() -> tuple[Case, Evaluation]:
    case = case_at(SUBMIT)
    evaluation = judge(case, [call("c1", at(2, 10, 5), CallOutcome.ANSWERED, talk=60)], at(2, 16, 5))
    assert evaluation.state is CaseState.NOT_REFUNDABLE and evaluation.settled
    return case, evaluation


def pending() -> tuple[Case, Evaluation]:
    case = case_at(SUBMIT)
    evaluation = judge(case, [no_answer("c1", at(2, 10, 5))], at(2, 11, 0))
    assert evaluation.state is CaseState.PENDING
    return case, evaluation


def pay(case: Case, evaluation: Evaluation, request: RefundRequest, **kwargs: object) -> tuple[Refund, Case]:
    return issue_refund(
        case,
        evaluation,
        request,
        refund_id=kwargs.pop("refund_id", "r-1"),  # type: ignore[arg-type]
        ledger_transaction_id="tx-1",
        now=at(2, 16, 6),
        **kwargs,  # type: ignore[arg-type]
    )


def test_a_settled_eligible_case_is_paid_in_full_with_its_reason_and_closed() -> None:
    case, evaluation = eligible()
    refund, closed = pay(case, evaluation, settlement_request(case.case_id))
    assert refund.amount == PRICE
    assert refund.reason is RefundReason.EMPTY_NUMBER
    assert refund.request_id == "settle:case-1"
    assert "空号" in refund.evidence_summary
    assert closed.closure is not None
    assert closed.closure.state is CaseState.REFUNDED
    assert closed.closure.refund_id == "r-1"
    assert closed.closure.deciding_call_id == "c1"
    # A closed case evaluates to its closure whatever evidence comes later.
    later = judge(closed, [call("c0", at(2, 10, 1), CallOutcome.ANSWERED, talk=60)], at(3, 0, 0))
    assert later.state is CaseState.REFUNDED
    assert later.refund_reason is RefundReason.EMPTY_NUMBER
    assert later.requirements == ()
    assert later.next_change_time is None


def test_one_refund_per_charge_ever() -> None:
    case, evaluation = eligible()
    _, closed = pay(case, evaluation, settlement_request(case.case_id))
    with pytest.raises(AlreadyRefunded):
        pay(closed, judge(closed, [], at(3, 0, 0)), RefundRequest(case.case_id, "again"), refund_id="r-2")


def test_a_partial_amount_never_exceeds_the_charge_and_stays_in_its_currency() -> None:
    case, evaluation = eligible()
    refund, _ = pay(case, evaluation, RefundRequest(case.case_id, "k", amount=Money("CNY", 1_000)))
    assert refund.amount == Money("CNY", 1_000)
    with pytest.raises(InvalidArgument) as too_much:
        pay(case, evaluation, RefundRequest(case.case_id, "k", amount=Money("CNY", 5_001)))
    assert [v.field for v in too_much.value.violations] == ["amount"]
    with pytest.raises(InvalidArgument) as currency:
        pay(case, evaluation, RefundRequest(case.case_id, "k", amount=Money("USD", 100)))
    assert [v.field for v in currency.value.violations] == ["amount.currency_code"]
    with pytest.raises(InvalidArgument):
        pay(case, evaluation, RefundRequest(case.case_id, "k", amount=Money("CNY", 0)))


def test_the_refunds_of_a_lead_never_exceed_its_charges() -> None:
    case, evaluation = eligible()
    earlier = Refund(
        refund_id="r-0",
        tenant_id="tenant-1",
        case_id="case-0",
        lead_id=case.lead_id,
        submission_id="sub-0",
        account_id=case.account_id,
        amount=Money("CNY", 3_000),
        reason=RefundReason.MANUAL,
        request_id="x",
        created_at=at(2, 12, 0),
        ledger_transaction_id="tx-0",
    )
    other_charge = charge(
        at(2, 9, 0), submission_id="sub-0", amount=Money("CNY", 2_000), kind=ChargeKind.LEAD
    )
    with pytest.raises(RefundsExceedCharges):
        pay(
            case,
            evaluation,
            settlement_request(case.case_id),
            lead_charges=[other_charge],
            lead_refunds=[earlier],
        )
    refund, _ = pay(
        case,
        evaluation,
        RefundRequest(case.case_id, "k", amount=Money("CNY", 4_000)),
        lead_charges=[other_charge],
        lead_refunds=[earlier, earlier],
    )
    assert refund.amount == Money("CNY", 4_000)


def test_a_pending_case_is_refunded_only_by_an_administrator_as_manual() -> None:
    case, evaluation = pending()
    with pytest.raises(CaseNotRefundable):
        pay(case, evaluation, RefundRequest(case.case_id, "k"))
    refund, closed = pay(case, evaluation, RefundRequest(case.case_id, "k"), by_admin=True)
    assert refund.reason is RefundReason.MANUAL
    assert closed.closure is not None and closed.closure.refund_reason is RefundReason.MANUAL
    with pytest.raises(CaseNotRefundable):
        pay(
            case,
            evaluation,
            RefundRequest(case.case_id, "k", reason=RefundReason.EMPTY_NUMBER),
            by_admin=True,
        )


def test_an_eligible_case_cannot_be_paid_for_a_reason_it_has_no_evidence_for() -> None:
    case, evaluation = eligible()
    with pytest.raises(CaseNotRefundable):
        pay(case, evaluation, RefundRequest(case.case_id, "k", reason=RefundReason.NEVER_REACHED))
    with pytest.raises(CaseNotRefundable):
        pay(
            case,
            evaluation,
            RefundRequest(case.case_id, "k", reason=RefundReason.APPEAL_APPROVED),
            by_admin=True,
        )


def test_an_administrator_may_refund_any_open_case_but_a_closed_rejection_only_through_an_appeal() -> None:
    case, evaluation = answered()
    with pytest.raises(CaseNotRefundable):
        pay(case, evaluation, RefundRequest(case.case_id, "k"))
    refund, _ = pay(case, evaluation, RefundRequest(case.case_id, "k"), by_admin=True)
    assert refund.reason is RefundReason.MANUAL
    closed = close_rejected(case, evaluation, at(2, 16, 6))
    with pytest.raises(CaseNotRefundable, match="appeal it instead"):
        pay(closed, judge(closed, [], at(3, 0, 0)), RefundRequest(case.case_id, "k"), by_admin=True)


def test_a_rejected_case_is_paid_only_through_an_approved_appeal() -> None:
    case, evaluation = answered()
    closed = close_rejected(case, evaluation, at(2, 16, 6))
    assert closed.closure is not None and closed.closure.rejection_reason is RejectionReason.ANSWERED
    state = judge(closed, [], at(3, 0, 0)).state
    appeal = open_appeal(
        closed,
        state,
        reason="The agent dialled a wrong number; the recording proves it.",
        requested_by="advertiser-1",
        request_id="appeal-req-1",
        appeal_id="ap-1",
        now=at(3, 9, 0),
    )
    assert appeal.state is AppealState.PENDING
    with pytest.raises(AppealPending):
        open_appeal(
            closed,
            state,
            reason="again",
            requested_by="advertiser-1",
            request_id="r2",
            appeal_id="ap-2",
            now=at(3, 9, 1),
            appeals_of_case=[appeal],
        )
    approved = decide_appeal(
        appeal, AppealDecision.APPROVE, note="Recording checked.", decided_by="admin-1", now=at(3, 12, 0)
    )
    assert approved.state is AppealState.APPROVED
    assert (
        decide_appeal(approved, AppealDecision.APPROVE, note="", decided_by="admin-2", now=at(3, 13, 0))
        is approved
    )
    with pytest.raises(AppealAlreadyDecided):
        decide_appeal(approved, AppealDecision.DENY, note="", decided_by="admin-2", now=at(3, 13, 0))

    evaluation_now = judge(closed, [], at(3, 12, 0))
    request = appeal_request(approved)
    refund, refunded = pay(closed, evaluation_now, request, appeal=approved)
    assert refund.reason is RefundReason.APPEAL_APPROVED
    assert refund.appeal_id == "ap-1"
    assert refund.request_id == "appeal:ap-1"
    assert refunded.closure is not None and refunded.closure.state is CaseState.REFUNDED
    assert with_refund(approved, refund.refund_id).refund_id == "r-1"
    # The same approval cannot pay twice.
    with pytest.raises(AlreadyRefunded):
        pay(refunded, judge(refunded, [], at(3, 12, 1)), request, appeal=approved, refund_id="r-2")


@pytest.mark.parametrize("make", [pending, eligible])
def test_only_rejected_or_expired_cases_can_be_appealed(make) -> None:  # type: ignore[no-untyped-def]
    case, evaluation = make()
    with pytest.raises(CaseNotAppealable):
        open_appeal(
            case,
            evaluation.state,
            reason="please",
            requested_by="a",
            request_id="r",
            appeal_id="ap",
            now=at(3, 0),
        )


def test_an_expired_case_can_be_appealed_and_a_denied_appeal_pays_nothing() -> None:
    case = case_at(SUBMIT)
    expired = judge(case, [no_answer("c1", at(2, 10, 5))], at(9, 16, 0))
    assert expired.state is CaseState.EXPIRED and expired.settled
    closed = close_rejected(case, expired, at(9, 16, 0))
    appeal = open_appeal(
        closed,
        expired.state,
        reason="never answered",
        requested_by="a",
        request_id="r",
        appeal_id="ap",
        now=at(10, 9, 0),
    )
    denied = decide_appeal(
        appeal, AppealDecision.DENY, note="Calls were too late.", decided_by="admin", now=at(10, 10, 0)
    )
    assert denied.state is AppealState.DENIED
    with pytest.raises(CaseNotRefundable):
        pay(closed, judge(closed, [], at(10, 10, 0)), appeal_request(denied), appeal=denied)
    with pytest.raises(ValueError):
        with_refund(denied, "r-1")
    # After a denial a new appeal may be filed.
    again = open_appeal(
        closed,
        expired.state,
        reason="new evidence",
        requested_by="a",
        request_id="r2",
        appeal_id="ap2",
        now=at(11, 9, 0),
        appeals_of_case=[denied],
    )
    assert again.state is AppealState.PENDING


@pytest.mark.parametrize(
    ("reason", "request_id", "field"),
    [
        ("", "r", "reason"),
        ("   ", "r", "reason"),
        ("x" * 1001, "r", "reason"),
        ("ok", "", "request_id"),
        ("ok", "r" * 65, "request_id"),
        ("bad\x00", "r", "reason"),
    ],
)
def test_appeals_with_bad_input_name_the_field(reason: str, request_id: str, field: str) -> None:
    case, evaluation = answered()
    with pytest.raises(InvalidArgument) as raised:
        open_appeal(
            case,
            evaluation.state,
            reason=reason,
            requested_by="a",
            request_id=request_id,
            appeal_id="ap",
            now=at(3, 0),
        )
    assert [v.field for v in raised.value.violations] == [field]


def test_refund_requests_with_bad_input_name_the_field() -> None:
    case, evaluation = eligible()
    for request, field in [
        (RefundRequest(case.case_id, ""), "request_id"),
        (RefundRequest(case.case_id, "k\n"), "request_id"),
        (RefundRequest(case.case_id, "k", note="n" * 257), "note"),
    ]:
        with pytest.raises(InvalidArgument) as raised:
            pay(case, evaluation, request)
        assert [v.field for v in raised.value.violations] == [field]


def test_closing_a_rejection_needs_a_settled_rejection() -> None:
    case, evaluation = eligible()
    with pytest.raises(ValueError):
        close_rejected(case, evaluation, at(3, 0))
    case, unsettled = answered()
    early = judge(case, [call("c1", at(2, 10, 5), CallOutcome.ANSWERED, talk=60)], at(2, 12, 0))
    with pytest.raises(ValueError):
        close_rejected(case, early, at(2, 12, 0))


def test_the_same_key_replays_and_the_same_key_with_different_content_fails() -> None:
    first = RefundRequest("case-1", "key-1", amount=Money("CNY", 100), note="goodwill")
    same = RefundRequest("case-1", "key-1", amount=Money("CNY", 100), note="goodwill")
    different = RefundRequest("case-1", "key-1", amount=Money("CNY", 200), note="goodwill")
    assert first.fingerprint() == same.fingerprint()
    assert first.fingerprint() != different.fingerprint()
    assert (
        first.fingerprint()
        != RefundRequest("case-2", "key-1", amount=Money("CNY", 100), note="goodwill").fingerprint()
    )
    record = IdempotencyRecord("RequestRefund", "key-1", first.fingerprint(), "r-1")
    assert replay(None, first.fingerprint()) is None
    assert replay(record, same.fingerprint()) == "r-1"
    with pytest.raises(RequestIdReused) as raised:
        replay(record, different.fingerprint())
    assert raised.value.reason == "REQUEST_ID_REUSED"
