"""RequestRefund / GetRefund / ListRefunds: who may refund what, once; the idempotency key; amounts; tenancy."""

from __future__ import annotations

import pytest

from services.common.auth import Role
from services.common.errors import InvalidArgument, NotFound
from services.refund.domain.cases import CaseState, RefundReason
from services.refund.domain.errors import AlreadyRefunded, CaseNotRefundable, RequestIdReused
from services.refund.domain.events import RefundIssued
from services.refund.domain.ledger import imbalance
from services.refund.domain.money import Money
from services.refund.domain.ports import RefundFilter
from services.refund.domain.refunds import RefundRequest
from services.refund.domain.views import ListQuery
from tests.harness import run_sync
from tests.refund.handlers.helpers import case_of, charged_lead, eligible_lead, principal, rejected_lead
from tests.refund.unit.builders import at
from tests.refund.world import FakeWorld


def request(world: FakeWorld, tenant: str, req: RefundRequest, role: Role = Role.SERVICE):  # type: ignore[no-untyped-def]
    return run_sync(world.handlers.refunds.request_refund(principal(tenant, role), req))


def case_id(world: FakeWorld, tenant: str, lead: str) -> str:
    return case_of(world, tenant, lead).stored.case.case_id


def test_an_eligible_case_is_refunded_now_once_with_its_own_reason(world: FakeWorld, tenant: str) -> None:
    lead = eligible_lead(world, tenant)
    cid = case_id(world, tenant, lead)
    first = request(world, tenant, RefundRequest(cid, "req-1", note="advertiser asked"))
    assert first.fresh
    refund = first.refund
    assert (refund.reason, refund.amount, refund.request_id, refund.note) == (
        RefundReason.EMPTY_NUMBER,
        Money("CNY", 5_000),
        "req-1",
        "advertiser asked",
    )
    assert case_of(world, tenant, lead).evaluation.state is CaseState.REFUNDED
    assert [type(e) for e in world.recorded_events()] == [RefundIssued]
    entries = [e for _, e in world.uow.ledger.rows]
    assert len(entries) == 2 and imbalance(entries) == {"CNY": 0}

    replay = request(world, tenant, RefundRequest(cid, "req-1", note="advertiser asked"))
    assert (replay.refund, replay.fresh) == (refund, False)
    with pytest.raises(RequestIdReused):
        request(world, tenant, RefundRequest(cid, "req-1", note="something else"))
    with pytest.raises(AlreadyRefunded):
        request(world, tenant, RefundRequest(cid, "req-2"))
    # The settling timer later finds it closed: nothing more is paid.
    world.advance_to(at(3, 0, 0))
    assert len(world.uow.refunds.rows) == 1 and len(world.uow.ledger.rows) == 2
    assert run_sync(world.handlers.refunds.get_refund(principal(tenant), refund.refund_id)) == refund


def test_a_pending_case_is_refunded_only_by_an_administrator_as_manual(world: FakeWorld, tenant: str) -> None:
    lead = charged_lead(world, tenant)
    cid = case_id(world, tenant, lead)
    with pytest.raises(CaseNotRefundable):
        request(world, tenant, RefundRequest(cid, "r1"))
    with pytest.raises(CaseNotRefundable):
        request(world, tenant, RefundRequest(cid, "r2", reason=RefundReason.EMPTY_NUMBER), Role.ADMIN)
    refund = request(world, tenant, RefundRequest(cid, "r3", amount=Money("CNY", 1_000)), Role.ADMIN).refund
    assert (refund.reason, refund.amount.fen) == (RefundReason.MANUAL, 1_000)
    assert world.uow.timers.rows == {}  # the closed case has no timer left


def test_a_closed_rejection_is_refunded_only_through_an_appeal(world: FakeWorld, tenant: str) -> None:
    lead = rejected_lead(world, tenant)
    with pytest.raises(CaseNotRefundable) as raised:
        request(world, tenant, RefundRequest(case_id(world, tenant, lead), "r1"), Role.ADMIN)
    assert "appeal it instead" in raised.value.message


@pytest.mark.parametrize(
    ("req", "fields"),
    [
        (RefundRequest("", ""), ["case_id", "request_id"]),
        (RefundRequest("c", "r", note="x" * 257), ["note"]),
        (RefundRequest("c", "r", amount=Money("CNY", 0)), ["amount"]),
        (RefundRequest("c", "r" * 65), ["request_id"]),
    ],
)
def test_bad_requests_name_every_field_and_change_nothing(
    world: FakeWorld, tenant: str, req: RefundRequest, fields: list[str]
) -> None:
    eligible_lead(world, tenant)
    before = dict(world.uow.cases.rows)
    with pytest.raises(InvalidArgument) as raised:
        request(world, tenant, req)
    assert [v.field for v in raised.value.violations] == fields
    assert world.uow.cases.rows == before and world.uow.refunds.rows == {}


@pytest.mark.parametrize(
    ("amount", "field"), [(Money("CNY", 5_001), "amount"), (Money("USD", 100), "amount.currency_code")]
)
def test_an_amount_above_the_charge_or_in_another_currency_is_refused(
    world: FakeWorld, tenant: str, amount: Money, field: str
) -> None:
    lead = eligible_lead(world, tenant)
    with pytest.raises(InvalidArgument) as raised:
        request(world, tenant, RefundRequest(case_id(world, tenant, lead), "r1", amount=amount))
    assert [v.field for v in raised.value.violations] == [field]
    assert world.uow.refunds.rows == {} and world.uow.ledger.rows == []


def test_another_tenants_case_and_refund_are_not_found(world: FakeWorld, tenant: str) -> None:
    lead = eligible_lead(world, tenant)
    cid = case_id(world, tenant, lead)
    with pytest.raises(NotFound):
        request(world, "other-tenant", RefundRequest(cid, "r1"))
    refund = request(world, tenant, RefundRequest(cid, "r1")).refund
    with pytest.raises(NotFound):
        run_sync(world.handlers.refunds.get_refund(principal("other-tenant"), refund.refund_id))


def test_list_refunds_filters_and_pages_newest_first(world: FakeWorld, tenant: str) -> None:
    paid = []
    for account in ("acct-a", "acct-b", "acct-a"):
        lead = eligible_lead(world, tenant, account=account)
        world.clock.set(world.clock.now().replace(minute=world.clock.now().minute + len(paid)))
        paid.append(
            request(world, tenant, RefundRequest(case_id(world, tenant, lead), f"r{len(paid)}")).refund
        )
    handlers = world.handlers.refunds
    page = run_sync(
        handlers.list_refunds(principal(tenant), ListQuery(RefundFilter(account_id="acct-a"), page_size=1))
    )
    assert [r.refund_id for r in page.items] == [paid[2].refund_id] and page.next_page_token
    rest = run_sync(
        handlers.list_refunds(
            principal(tenant), ListQuery(RefundFilter(account_id="acct-a"), 1, page.next_page_token)
        )
    )
    assert [r.refund_id for r in rest.items] == [paid[0].refund_id] and not rest.next_page_token
    with pytest.raises(InvalidArgument) as raised:
        run_sync(
            handlers.list_refunds(
                principal(tenant), ListQuery(RefundFilter(account_id="acct-b"), 1, page.next_page_token)
            )
        )
    assert raised.value.violations[0].field == "page_token"
    everything = run_sync(handlers.list_refunds(principal(tenant), ListQuery(RefundFilter())))
    assert len(everything.items) == 3
    assert run_sync(handlers.list_refunds(principal("other"), ListQuery(RefundFilter()))).items == []
