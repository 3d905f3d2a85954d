"""lead.erased in refund, as one scenario for the in-memory fakes and the real store: the free texts of the erased
leads' refunds and appeals lose the person's number and e-mail; amounts, reasons, states, the ledger and another
lead's texts stay; a redelivery changes nothing."""

from __future__ import annotations

from services.common.auth import Role
from services.refund.domain.appeals import AppealDecision
from services.refund.domain.refunds import RefundRequest
from tests.harness import run_sync
from tests.refund.events import lead_erased
from tests.refund.handlers.helpers import World, case_of, eligible_lead, principal, rejected_lead
from tests.refund.unit.builders import at

NOTE = "客户说 138-0013-8000 是空号，邮件 zs@example.com"
REASON = "我们打了 13800138000 三次都没人接"


def erase_refunded_and_appealed_leads(world: World, tenant: str) -> tuple[str, str, str]:
    """(refunded lead, appealed lead, untouched lead), after every check."""
    refunded = eligible_lead(world, tenant)
    case = case_of(world, tenant, refunded).stored.case.case_id
    refund = run_sync(
        world.handlers.refunds.request_refund(
            principal(tenant, Role.ADMIN), RefundRequest(case, "r-1", note=NOTE)
        )
    ).refund
    appealed = rejected_lead(world, tenant)
    appealed_case = case_of(world, tenant, appealed).stored.case.case_id
    appeal = run_sync(
        world.handlers.appeals.appeal_case(
            principal(tenant, Role.AGENT, "agent-7"), appealed_case, REASON, "ap-1"
        )
    )
    run_sync(
        world.handlers.appeals.decide_appeal(
            principal(tenant, Role.ADMIN, "boss"), appeal.appeal_id, AppealDecision.DENY, NOTE, "d-1"
        )
    )
    other = eligible_lead(world, tenant)
    other_case = case_of(world, tenant, other).stored.case.case_id
    kept = run_sync(
        world.handlers.refunds.request_refund(
            principal(tenant, Role.ADMIN), RefundRequest(other_case, "r-2", note=NOTE)
        )
    ).refund

    erased_at = at(3, 9, 0)
    events = [lead_erased(tenant, refunded, erased_at), lead_erased(tenant, appealed, erased_at)]
    world.deliver(*events)
    world.deliver(*events)  # a redelivery: the inbox drops it

    after = run_sync(world.handlers.refunds.get_refund(principal(tenant), refund.refund_id))
    assert "8000" not in after.note and "zs@example.com" not in after.note and "空号" in after.note
    assert (after.amount, after.reason, after.case_id) == (refund.amount, refund.reason, refund.case_id)
    decided = world.tx.read_now(lambda uow: uow.appeals.get(tenant, appeal.appeal_id))
    assert "13800138000" not in decided.reason and "三次都没人接" in decided.reason
    assert "8000" not in decided.decision_note and decided.state.name == "DENIED"
    untouched = run_sync(world.handlers.refunds.get_refund(principal(tenant), kept.refund_id))
    assert untouched.note == NOTE  # another lead's refund keeps its text
    return refunded, appealed, other
