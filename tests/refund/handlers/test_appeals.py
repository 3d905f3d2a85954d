"""AppealCase / ListAppeals / DecideAppeal: only rejected cases, one pending appeal at a time, an approval pays once
through the same path, a denial publishes refund.rejected; idempotency keys; tenancy."""

from __future__ import annotations

import pytest

from services.common.auth import Role
from services.common.errors import InvalidArgument, NotFound
from services.refund.domain.appeals import AppealDecision, AppealState
from services.refund.domain.cases import CaseState, RefundReason, RejectionReason
from services.refund.domain.errors import (
    AlreadyRefunded,
    AppealAlreadyDecided,
    AppealPending,
    CaseNotAppealable,
    RequestIdReused,
)
from services.refund.domain.events import RefundIssued, RefundRejected
from services.refund.domain.ports import AppealFilter
from services.refund.domain.refunds import RefundRequest
from services.refund.domain.views import ListQuery
from tests.harness import run_sync
from tests.refund.handlers.helpers import case_of, charged_lead, eligible_lead, principal, rejected_lead
from tests.refund.world import FakeWorld


def appeal(
    world: FakeWorld, tenant: str, case_id: str, request_id: str = "ap-1", reason: str = "never answered"
):  # type: ignore[no-untyped-def]
    return run_sync(
        world.handlers.appeals.appeal_case(
            principal(tenant, Role.AGENT, "agent-7"), case_id, reason, request_id
        )
    )


def decide(
    world: FakeWorld,
    tenant: str,
    appeal_id: str,
    decision: AppealDecision | None,
    request_id: str = "d-1",
    note: str = "",
):  # type: ignore[no-untyped-def]
    return run_sync(
        world.handlers.appeals.decide_appeal(
            principal(tenant, Role.ADMIN, "boss"), appeal_id, decision, note, request_id
        )
    )


def test_an_approved_appeal_pays_the_rejected_case_once(world: FakeWorld, tenant: str) -> None:
    lead = rejected_lead(world, tenant)
    case = case_of(world, tenant, lead).stored.case
    assert case.closure is not None and case.closure.rejection_reason is RejectionReason.ANSWERED
    opened = appeal(world, tenant, case.case_id)
    assert (opened.state, opened.requested_by) == (AppealState.PENDING, "agent-7")
    assert appeal(world, tenant, case.case_id) == opened  # the same key replays
    with pytest.raises(RequestIdReused):
        appeal(world, tenant, case.case_id, reason="another story")
    with pytest.raises(AppealPending):
        appeal(world, tenant, case.case_id, request_id="ap-2")

    decided = decide(
        world, tenant, opened.appeal_id, AppealDecision.APPROVE, note="the call was a wrong number"
    )
    assert decided.fresh and decided.appeal.state is AppealState.APPROVED
    refund = decided.refund
    assert refund is not None
    assert (refund.reason, refund.appeal_id, refund.request_id) == (
        RefundReason.APPEAL_APPROVED,
        opened.appeal_id,
        f"appeal:{opened.appeal_id}",
    )
    assert decided.appeal.refund_id == refund.refund_id
    assert case_of(world, tenant, lead).evaluation.state is CaseState.REFUNDED
    replay = decide(
        world, tenant, opened.appeal_id, AppealDecision.APPROVE, note="the call was a wrong number"
    )
    assert (replay.refund, replay.fresh) == (refund, False)
    again = decide(world, tenant, opened.appeal_id, AppealDecision.APPROVE, request_id="d-2")
    assert again.refund == refund  # decided the same way: a retry, not a second payment
    with pytest.raises(AppealAlreadyDecided):
        decide(world, tenant, opened.appeal_id, AppealDecision.DENY, request_id="d-3")
    assert len(world.uow.refunds.rows) == 1 and len(world.uow.ledger.rows) == 2
    assert [type(e) for e in world.recorded_events()].count(RefundIssued) == 1


def test_a_denied_appeal_publishes_refund_rejected_and_a_new_appeal_may_follow(
    world: FakeWorld, tenant: str
) -> None:
    lead = rejected_lead(world, tenant)
    case_id = case_of(world, tenant, lead).stored.case.case_id
    opened = appeal(world, tenant, case_id)
    denied = decide(world, tenant, opened.appeal_id, AppealDecision.DENY, note="the lead talked for 30 s")
    assert (denied.appeal.state, denied.refund, denied.appeal.decided_by) == (
        AppealState.DENIED,
        None,
        "boss",
    )
    rejected = [e for e in world.recorded_events() if isinstance(e, RefundRejected)]
    assert [(e.reason, e.appeal_id) for e in rejected][-1] == (
        RejectionReason.APPEAL_DENIED,
        opened.appeal_id,
    )
    assert appeal(world, tenant, case_id, request_id="ap-2").state is AppealState.PENDING


@pytest.mark.parametrize("make", [charged_lead, eligible_lead])
def test_only_not_refundable_or_expired_cases_can_be_appealed(world: FakeWorld, tenant: str, make) -> None:  # type: ignore[no-untyped-def]
    lead = make(world, tenant)
    with pytest.raises(CaseNotAppealable):
        appeal(world, tenant, case_of(world, tenant, lead).stored.case.case_id)
    assert world.uow.appeals.rows == {}


def test_an_open_not_refundable_case_refunded_meanwhile_cannot_be_paid_by_its_appeal(
    world: FakeWorld, tenant: str
) -> None:
    lead = rejected_lead(world, tenant, closed=False)
    case_id = case_of(world, tenant, lead).stored.case.case_id
    opened = appeal(world, tenant, case_id)
    run_sync(
        world.handlers.refunds.request_refund(
            principal(tenant, Role.ADMIN), RefundRequest(case_id, "manual-1")
        )
    )
    with pytest.raises(AlreadyRefunded):
        decide(world, tenant, opened.appeal_id, AppealDecision.APPROVE)
    assert world.uow.appeals.rows[(tenant, opened.appeal_id)].state is AppealState.PENDING
    assert len(world.uow.refunds.rows) == 1


def test_bad_appeals_and_decisions_name_their_fields(world: FakeWorld, tenant: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        appeal(world, tenant, "", request_id="", reason=" ")
    assert [v.field for v in raised.value.violations] == ["case_id", "reason", "request_id"]
    with pytest.raises(InvalidArgument) as raised:
        decide(world, tenant, "", None, request_id="", note="n" * 1001)
    assert [v.field for v in raised.value.violations] == ["appeal_id", "decision", "note", "request_id"]
    assert world.uow.appeals.rows == {} and world.uow.requests.rows == {}


def test_another_tenants_cases_and_appeals_are_not_found(world: FakeWorld, tenant: str) -> None:
    lead = rejected_lead(world, tenant)
    case_id = case_of(world, tenant, lead).stored.case.case_id
    with pytest.raises(NotFound):
        appeal(world, "other", case_id)
    opened = appeal(world, tenant, case_id)
    with pytest.raises(NotFound):
        decide(world, "other", opened.appeal_id, AppealDecision.APPROVE)


def test_list_appeals_filters_by_state_and_account(world: FakeWorld, tenant: str) -> None:
    first = appeal(
        world, tenant, case_of(world, tenant, rejected_lead(world, tenant)).stored.case.case_id, "a1"
    )
    second = appeal(
        world,
        tenant,
        case_of(world, tenant, rejected_lead(world, tenant, account="acct-2")).stored.case.case_id,
        "a2",
    )
    decide(world, tenant, first.appeal_id, AppealDecision.DENY)
    handlers = world.handlers.appeals
    pending = run_sync(
        handlers.list_appeals(principal(tenant), ListQuery(AppealFilter(state=AppealState.PENDING)))
    )
    assert [a.appeal_id for a in pending.items] == [second.appeal_id]
    of_account = run_sync(
        handlers.list_appeals(principal(tenant), ListQuery(AppealFilter(account_id="acct-1")))
    )
    assert [a.appeal_id for a in of_account.items] == [first.appeal_id]
    assert run_sync(handlers.list_appeals(principal("other"), ListQuery(AppealFilter()))).items == []
