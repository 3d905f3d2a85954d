"""Two replicas racing on the same cases — settling timers, call reports and RequestRefund at once, on many
threads — pay each charge once: the case's compare-and-set and the refund's unique key decide, on SQLite and on
PostgreSQL (where the transactions really interleave)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from services.common.auth import Principal, Role
from services.common.errors import Aborted
from services.refund.domain.calls import CallOutcome
from services.refund.domain.errors import AlreadyRefunded
from services.refund.domain.ledger import imbalance
from services.refund.domain.ports import LedgerFilter, RefundFilter
from services.refund.domain.refunds import RefundRequest
from services.refund.domain.views import ListQuery
from services.refund.handlers.decisions import refresh
from tests.harness import run_sync
from tests.refund.events import call_completed, lead_accepted, unique
from tests.refund.unit.builders import at
from tests.refund.world import SqlWorld

LEADS = 30


def test_racing_settlements_reports_and_requests_pay_each_case_once(world: SqlWorld, tenant: str) -> None:
    world.clock.set(at(2, 10, 10))
    leads = [unique("lead") for _ in range(LEADS)]
    for lead in leads:
        world.deliver(
            lead_accepted(tenant, lead, at(2, 10, 0)),
            call_completed(tenant, lead, f"{lead}-c1", at(2, 10, 5), CallOutcome.EMPTY_NUMBER),
        )
    world.clock.set(at(2, 16, 5))  # settled: the timers, the next report and a RequestRefund all want to pay
    admin = Principal(tenant, "admin", Role.ADMIN)
    case_ids = {
        lead: run_sync(world.handlers.cases.get_eligibility(admin, lead, "")).stored.case.case_id
        for lead in leads
    }

    def settle(lead: str) -> str:
        world.tx.write_now(lambda uow: refresh(uow, tenant, lead, world.clock.now()))
        return "settled"

    def report(lead: str) -> str:
        world.deliver(call_completed(tenant, lead, f"{lead}-c2", at(2, 11, 0), CallOutcome.BUSY))
        return "reported"

    def request(lead: str) -> str:
        try:
            run_sync(
                world.handlers.refunds.request_refund(admin, RefundRequest(case_ids[lead], f"req-{lead}"))
            )
            return "requested"
        except AlreadyRefunded:
            return "already"
        except Aborted:
            return "aborted"

    work = [(job, lead) for lead in leads for job in (settle, report, request, settle)]
    with ThreadPoolExecutor(12) as pool:
        outcomes = list(pool.map(lambda item: item[0](item[1]), work))
    assert "aborted" not in outcomes

    refunds = run_sync(
        world.handlers.refunds.list_refunds(admin, ListQuery(RefundFilter(), page_size=1000))
    ).items
    assert sorted(r.case_id for r in refunds) == sorted(case_ids.values())  # one each, none twice
    entries = run_sync(
        world.handlers.ledger.list_entries(admin, ListQuery(LedgerFilter(), page_size=1000))
    ).items
    assert len(entries) == 2 * LEADS and imbalance(entries) == {"CNY": 0}
