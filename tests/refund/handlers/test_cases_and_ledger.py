"""GetEligibility / ListCases / ListLedgerEntries / GetStatement: what a case shows, filters and pages, the
statement equal to the ledger, bad input named per field, tenancy."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument, NotFound
from services.refund.domain.cases import CaseState, RefundReason
from services.refund.domain.ledger import Direction
from services.refund.domain.ports import CaseFilter, LedgerFilter
from services.refund.domain.views import ListQuery
from tests.harness import run_sync
from tests.refund.handlers.helpers import case_of, charged_lead, eligible_lead, principal, rejected_lead
from tests.refund.unit.builders import at
from tests.refund.world import FakeWorld


def test_eligibility_shows_evidence_requirements_and_the_window_it_used(
    world: FakeWorld, tenant: str
) -> None:
    lead = eligible_lead(world, tenant)
    view = case_of(world, tenant, lead)
    assert view.evaluation.state is CaseState.ELIGIBLE
    [evidence] = view.evaluation.evidence
    assert evidence.decisive and evidence.counted_as_attempt
    assert "this call decided the case" in evidence.note
    assert str(view.window) == "08:00-21:00 Asia/Shanghai"  # telephony's default: no call reported another
    assert view.evaluation.requirements[0].description == "paid after the settling period at 16:05"


@pytest.mark.parametrize(
    ("lead", "submission", "fields"), [("", "", ["lead_id"]), ("l", "s\x00", ["submission_id"])]
)
def test_eligibility_names_bad_fields(
    world: FakeWorld, tenant: str, lead: str, submission: str, fields: list[str]
) -> None:
    with pytest.raises(InvalidArgument) as raised:
        run_sync(world.handlers.cases.get_eligibility(principal(tenant), lead, submission))
    assert [v.field for v in raised.value.violations] == fields


def test_another_tenants_lead_and_an_unknown_submission_are_not_found(world: FakeWorld, tenant: str) -> None:
    lead = charged_lead(world, tenant)
    with pytest.raises(NotFound):
        case_of(world, "other", lead)
    with pytest.raises(NotFound):
        case_of(world, tenant, lead, "no-such-submission")


def test_list_cases_filters_counts_and_pages(world: FakeWorld, tenant: str) -> None:
    pending = charged_lead(world, tenant)
    world.clock.set(at(2, 10, 1))
    eligible = eligible_lead(world, tenant, account="acct-2")
    rejected = rejected_lead(world, tenant, closed=False)
    cases = world.handlers.cases

    def ids(where: CaseFilter, size: int = 0, token: str = "") -> tuple[list[str], str, int]:
        page = run_sync(cases.list_cases(principal(tenant), ListQuery(where, size, token)))
        return [v.stored.case.lead_id for v in page.items], page.next_page_token, page.total_size

    assert ids(CaseFilter(state=CaseState.PENDING))[0] == [pending]
    assert ids(CaseFilter(reason=RefundReason.EMPTY_NUMBER))[0] == [eligible]
    assert ids(CaseFilter(account_id="acct-2"))[0] == [eligible]
    assert ids(CaseFilter(lead_id=rejected))[0] == [rejected]
    first, token, total = ids(CaseFilter(), size=2)
    assert total == 3 and len(first) == 2 and token
    rest, last_token, _ = ids(CaseFilter(), size=2, token=token)
    assert sorted(first + rest) == sorted([pending, eligible, rejected]) and not last_token
    with pytest.raises(InvalidArgument) as raised:
        ids(CaseFilter(state=CaseState.PENDING), size=2, token=token)
    assert raised.value.violations[0].field == "page_token"
    with pytest.raises(InvalidArgument) as raised:
        ids(CaseFilter(create_start=at(3, 0, 0), create_end=at(2, 0, 0)))
    assert raised.value.violations[0].field == "create_end_time"
    assert run_sync(cases.list_cases(principal("other"), ListQuery(CaseFilter()))).total_size == 0


def test_the_statement_equals_the_ledger(world: FakeWorld, tenant: str) -> None:
    for account in ("acct-1", "acct-1", "acct-2"):
        eligible_lead(world, tenant, account=account)
        world.advance_to(at(2, 16, 5))  # paid by the settling timer
    ledger = world.handlers.ledger
    entries = run_sync(
        ledger.list_entries(principal(tenant), ListQuery(LedgerFilter(account_id="acct-1")))
    ).items
    assert len(entries) == 4
    credits = [
        e
        for e in entries
        if e.direction is Direction.CREDIT and e.ledger_account == "advertiser:acct-1:refunds"
    ]
    result = run_sync(ledger.get_statement(principal(tenant), "acct-1", 2026, 3))
    statement = result.statement
    assert statement.refund_count == len(credits) == 2
    assert [(line.reason, line.refund_count, line.amount.fen) for line in statement.lines] == [
        (RefundReason.EMPTY_NUMBER, 2, sum(e.amount.fen for e in credits))
    ]
    assert run_sync(ledger.get_statement(principal(tenant), "acct-1", 2026, 4)).statement.lines == ()
    assert run_sync(ledger.get_statement(principal("other"), "acct-1", 2026, 3)).statement.refund_count == 0
    with pytest.raises(InvalidArgument) as raised:
        run_sync(ledger.get_statement(principal(tenant), "", 2026, 13))
    assert [v.field for v in raised.value.violations] == ["account_id", "month"]


def test_ledger_entries_page_oldest_first(world: FakeWorld, tenant: str) -> None:
    eligible_lead(world, tenant)
    world.advance_to(at(2, 16, 5))
    ledger = world.handlers.ledger
    first = run_sync(ledger.list_entries(principal(tenant), ListQuery(LedgerFilter(), page_size=1)))
    second = run_sync(
        ledger.list_entries(principal(tenant), ListQuery(LedgerFilter(), 1, first.next_page_token))
    )
    assert [e.entry_id[-1] for e in first.items + second.items] == ["C", "D"]
    assert not second.next_page_token
    assert run_sync(ledger.list_entries(principal("other"), ListQuery(LedgerFilter()))).items == []


def test_a_case_timer_handled_on_a_clock_behind_its_due_time_still_acts(
    world: FakeWorld, tenant: str
) -> None:
    """A timer the runtime claimed when the clock reached its due time is evaluated at that time, even if the clock
    reads earlier when its handler runs (a dev clock moved back): the case is paid rather than left timerless."""
    lead = eligible_lead(world, tenant)
    [timer] = world.uow.timers.rows.values()
    assert timer.due_time == at(2, 16, 5)
    world.clock.set(at(2, 15, 0))
    world.tx.write_now(lambda uow: world.handlers.cases.on_case_timer(uow, timer))
    assert case_of(world, tenant, lead).evaluation.state is CaseState.REFUNDED
