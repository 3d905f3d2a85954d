"""Issue 10's scenarios from outside the domain: real event payloads through the consumers, timers fired as the
runtime fires them, on the injectable clock, read back through the handlers. Collected twice: over the in-memory
fakes (``tests/refund/handlers``) and over the real store, SQLite and PostgreSQL (``tests/refund/integration``),
each of which defines the ``world`` fixture.

Times are wall-clock times in Asia/Shanghai (callable hours 08:00-21:00, telephony's default).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from services.common.auth import Principal, Role
from services.refund.domain.calls import CallOutcome
from services.refund.domain.cases import CaseState, RefundReason, RejectionReason
from services.refund.domain.evaluation import RequirementKind
from services.refund.domain.ledger import imbalance
from services.refund.domain.ports import LedgerFilter, RefundFilter
from services.refund.domain.views import CaseView, ListQuery
from tests.harness import run_sync
from tests.refund.events import Event, call_completed, lead_accepted, lead_duplicate, unique
from tests.refund.unit.builders import at
from tests.refund.world import FakeWorld, SqlWorld

World = FakeWorld | SqlWorld
NO_ANSWER = CallOutcome.NO_ANSWER


def admin(tenant: str) -> Principal:
    return Principal(tenant_id=tenant, subject="admin-1", role=Role.ADMIN)


def case_of(world: World, tenant: str, lead: str, submission: str = "") -> CaseView:
    return run_sync(world.handlers.cases.get_eligibility(admin(tenant), lead, submission))


def calls(
    tenant: str, lead: str, *spec: tuple[datetime, CallOutcome] | tuple[datetime, CallOutcome, float]
) -> list[Event]:
    """call.completed events, one call each: (start, outcome) or (start, ANSWERED, talk seconds)."""
    events = []
    for index, item in enumerate(spec, start=1):
        talk = item[2] if len(item) == 3 else 0  # type: ignore[misc]
        events.append(
            call_completed(tenant, lead, f"{lead}-call-{index}", item[0], item[1], talk_seconds=talk)
        )
    return events


def ledger_entries(world: World, tenant: str) -> list:  # type: ignore[type-arg]
    page = run_sync(
        world.handlers.ledger.list_entries(admin(tenant), ListQuery(LedgerFilter(), page_size=1000))
    )
    return page.items


# --- never reached (未建联): submissions at 06:00, 22:50 and 23:30 ---------------------------------------------------


def test_a_0600_submission_is_never_reached_when_its_24h_window_closes_and_paid_6h_later(
    world: World, tenant: str
) -> None:
    lead = unique("lead")
    submitted = at(2, 6, 0)
    world.clock.set(submitted)
    world.deliver(lead_accepted(tenant, lead, submitted))
    fresh = case_of(world, tenant, lead)
    assert fresh.evaluation.state is CaseState.PENDING
    first = fresh.evaluation.requirements[0]
    assert (first.kind, first.due) == (RequirementKind.FIRST_ATTEMPT, at(2, 20, 0))
    assert first.description.startswith("a first attempt before 20:00")

    world.advance_to(at(2, 15, 5))
    world.deliver(
        *calls(tenant, lead, (at(2, 10, 5), NO_ANSWER), (at(2, 11, 30), NO_ANSWER), (at(2, 15, 0), NO_ANSWER))
    )
    met = case_of(world, tenant, lead).evaluation
    assert met.state is CaseState.PENDING and met.progress.met
    assert [r.kind for r in met.requirements] == [RequirementKind.REACH_WINDOW_CLOSE]
    assert "the 24 h window closes at 06:00 tomorrow" in met.requirements[0].description

    world.advance_to(at(3, 5, 59, 59))
    assert case_of(world, tenant, lead).evaluation.state is CaseState.PENDING
    world.advance_to(at(3, 6, 0))
    decided = case_of(world, tenant, lead)
    assert decided.evaluation.state is CaseState.ELIGIBLE
    assert decided.evaluation.refund_reason is RefundReason.NEVER_REACHED
    assert decided.evaluation.settle_time == at(3, 12, 0)
    assert "paid after the settling period at 12:00" in decided.evaluation.requirements[0].description

    world.advance_to(at(3, 11, 59, 59))
    assert case_of(world, tenant, lead).evaluation.state is CaseState.ELIGIBLE
    world.advance_to(at(3, 12, 0))
    paid = case_of(world, tenant, lead)
    assert paid.evaluation.state is CaseState.REFUNDED
    refund = run_sync(world.handlers.refunds.get_refund(admin(tenant), paid.stored.case.closure.refund_id))
    assert (refund.reason, refund.amount.fen, refund.request_id) == (
        RefundReason.NEVER_REACHED,
        5_000,
        f"settle:{paid.stored.case.case_id}",
    )
    entries = ledger_entries(world, tenant)
    assert len(entries) == 2 and imbalance(entries) == {"CNY": 0}


@pytest.mark.parametrize(("hour", "minute"), [(22, 50), (23, 30)])
def test_evening_submissions_get_their_12_callable_hours_the_next_day(
    world: World, tenant: str, hour: int, minute: int
) -> None:
    lead = unique("lead")
    submitted = at(2, hour, minute)
    world.clock.set(submitted)
    world.deliver(lead_accepted(tenant, lead, submitted))
    evaluation = case_of(world, tenant, lead).evaluation
    assert evaluation.timeline.first_attempt_due == at(3, 20, 0)
    assert evaluation.timeline.reach_close == at(3, hour, minute)
    assert evaluation.requirements[0].description.startswith("a first attempt before 20:00 tomorrow")

    world.advance_to(at(3, 20, 41))
    world.deliver(
        *calls(
            tenant, lead, (at(3, 19, 59), NO_ANSWER), (at(3, 20, 10), NO_ANSWER), (at(3, 20, 40), NO_ANSWER)
        )
    )
    world.advance_to(at(3, hour, minute))
    decided = case_of(world, tenant, lead).evaluation
    assert (decided.state, decided.refund_reason) == (CaseState.ELIGIBLE, RefundReason.NEVER_REACHED)
    world.advance_to(at(4, hour - 6, minute))
    assert case_of(world, tenant, lead).evaluation.state is CaseState.REFUNDED


def test_an_evening_submission_first_called_after_its_12_callable_hours_is_not_never_reached(
    world: World, tenant: str
) -> None:
    lead = unique("lead")
    world.clock.set(at(2, 22, 50))
    world.deliver(lead_accepted(tenant, lead, at(2, 22, 50)))
    world.advance_to(at(3, 20, 30))
    world.deliver(
        *calls(
            tenant, lead, (at(3, 20, 0, 1), NO_ANSWER), (at(3, 20, 10), NO_ANSWER), (at(3, 21, 0), NO_ANSWER)
        )
    )
    world.advance_to(at(4, 8, 0))
    evaluation = case_of(world, tenant, lead).evaluation
    assert evaluation.state is CaseState.PENDING
    assert [r.kind for r in evaluation.requirements] == [RequirementKind.DECISIVE_OUTCOME]
    world.advance_to(at(9, 22, 50))  # the claim window closes 7 days after submission
    expired = case_of(world, tenant, lead).evaluation
    assert (expired.state, expired.rejection_reason) == (
        CaseState.EXPIRED,
        RejectionReason.CLAIM_WINDOW_EXPIRED,
    )
    world.advance_to(at(10, 4, 50))  # settled: closed, and no timer left
    closed = case_of(world, tenant, lead)
    assert closed.stored.case.closure is not None
    assert world.timers_of(closed.stored.case.case_id) == []


# --- 9 s versus 10 s ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("talk", "state"), [(9, CaseState.ELIGIBLE), (10, CaseState.NOT_REFUNDABLE)])
def test_an_answered_call_of_9s_is_an_attempt_and_of_10s_reaches_the_lead(
    world: World, tenant: str, talk: float, state: CaseState
) -> None:
    lead = unique("lead")
    world.clock.set(at(2, 10, 0))
    world.deliver(lead_accepted(tenant, lead, at(2, 10, 0)))
    world.advance_to(at(2, 16, 0))
    world.deliver(
        *calls(
            tenant,
            lead,
            (at(2, 10, 5), NO_ANSWER),
            (at(2, 11, 30), CallOutcome.ANSWERED, talk),
            (at(2, 15, 0), NO_ANSWER),
        )
    )
    world.advance_to(at(3, 10, 0))
    evaluation = case_of(world, tenant, lead).evaluation
    assert evaluation.state is state
    assert evaluation.progress.attempts == 3
    world.advance_to(at(3, 16, 0))
    final = case_of(world, tenant, lead)
    if talk < 10:
        assert final.evaluation.state is CaseState.REFUNDED
    else:
        # Decided at the 10 s call (11:30), settled 6 h later, closed at once by its timer.
        assert final.stored.case.closure is not None
        assert final.stored.case.closure.rejection_reason is RejectionReason.ANSWERED
        assert final.stored.case.closure.closed_at == at(2, 17, 30)


# --- the third attempt at exactly 24 h and one second after ---------------------------------------------------------


@pytest.mark.parametrize(("late", "state"), [(0, CaseState.ELIGIBLE), (1, CaseState.PENDING)])
def test_a_third_attempt_at_exactly_24h_counts_and_one_second_later_does_not(
    world: World, tenant: str, late: int, state: CaseState
) -> None:
    lead = unique("lead")
    world.clock.set(at(2, 10, 0))
    world.deliver(lead_accepted(tenant, lead, at(2, 10, 0)))
    world.advance_to(at(2, 11, 31))
    world.deliver(*calls(tenant, lead, (at(2, 10, 5), NO_ANSWER), (at(2, 11, 30), NO_ANSWER)))
    world.advance_to(at(3, 10, 5))
    third = call_completed(tenant, lead, f"{lead}-call-3", at(3, 10, 0, late), NO_ANSWER)
    world.deliver(third)
    evaluation = case_of(world, tenant, lead).evaluation
    assert evaluation.state is state
    if late:
        assert evaluation.progress.attempts == 2
        assert "after the 24 h window closed" in evaluation.evidence[-1].note
    else:
        assert evaluation.refund_reason is RefundReason.NEVER_REACHED
        assert evaluation.decided_at == at(3, 10, 0)


# --- two 关机 15 minutes apart, in different clock hours ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "second", "state"),
    [((10, 50), (11, 5), CaseState.ELIGIBLE), ((10, 10), (10, 25), CaseState.PENDING)],
)
def test_two_powered_off_calls_15_minutes_apart_decide_only_in_different_clock_hours(
    world: World, tenant: str, first: tuple[int, int], second: tuple[int, int], state: CaseState
) -> None:
    lead = unique("lead")
    world.clock.set(at(2, 9, 0))
    world.deliver(lead_accepted(tenant, lead, at(2, 9, 0)))
    world.advance_to(at(2, 11, 30))
    off = CallOutcome.POWERED_OFF
    world.deliver(*calls(tenant, lead, (at(2, *first), off), (at(2, *second), off)))
    evaluation = case_of(world, tenant, lead).evaluation
    assert evaluation.state is state
    if state is CaseState.ELIGIBLE:
        assert evaluation.refund_reason is RefundReason.POWERED_OFF
        world.advance_to(at(2, 17, 5))
        assert case_of(world, tenant, lead).evaluation.state is CaseState.REFUNDED
    else:
        kinds = [r.kind for r in evaluation.requirements]
        assert RequirementKind.POWERED_OFF_CONFIRMATION in kinds


# --- 空号 and corrections -------------------------------------------------------------------------------------------


def test_an_empty_number_is_eligible_at_once_and_a_correction_within_the_settling_period_reverses_it(
    world: World, tenant: str
) -> None:
    lead = unique("lead")
    world.clock.set(at(2, 10, 0))
    world.deliver(lead_accepted(tenant, lead, at(2, 10, 0)))
    world.advance_to(at(2, 10, 10))
    world.deliver(call_completed(tenant, lead, "c1", at(2, 10, 5), CallOutcome.EMPTY_NUMBER, revision=1))
    assert case_of(world, tenant, lead).evaluation.refund_reason is RefundReason.EMPTY_NUMBER
    world.advance_to(at(2, 13, 0))
    world.deliver(
        call_completed(tenant, lead, "c1", at(2, 10, 5), NO_ANSWER, revision=2, reported=at(2, 13, 0))
    )
    corrected = case_of(world, tenant, lead).evaluation
    assert corrected.state is CaseState.PENDING
    assert corrected.evidence[0].call.outcome is NO_ANSWER
    world.advance_to(at(2, 18, 0))  # past the original settle time: nothing is paid
    assert case_of(world, tenant, lead).evaluation.state is CaseState.PENDING
    assert not run_sync(
        world.handlers.refunds.list_refunds(admin(tenant), ListQuery(RefundFilter(lead_id=lead)))
    ).items


# --- duplicate charges ----------------------------------------------------------------------------------------------


def test_a_charged_duplicate_is_refunded_as_a_duplicate_charge_and_the_lead_is_not(
    world: World, tenant: str
) -> None:
    lead = unique("lead")
    world.clock.set(at(2, 10, 0))
    world.deliver(lead_accepted(tenant, lead, at(2, 10, 0)))
    world.advance_to(at(2, 11, 0))
    world.deliver(lead_duplicate(tenant, lead, f"{lead}-dup", at(2, 11, 0)))
    duplicate = case_of(world, tenant, lead, f"{lead}-dup").evaluation
    assert (duplicate.state, duplicate.refund_reason) == (CaseState.ELIGIBLE, RefundReason.DUPLICATE_CHARGE)
    assert duplicate.duplicate_of_submission_id == f"{lead}-sub"
    world.advance_to(at(2, 17, 0))
    assert case_of(world, tenant, lead, f"{lead}-dup").evaluation.state is CaseState.REFUNDED
    assert case_of(world, tenant, lead).evaluation.state is CaseState.PENDING


def test_a_free_lead_opens_no_case(world: World, tenant: str) -> None:
    from services.common.errors import NotFound

    lead = unique("lead")
    world.deliver(lead_accepted(tenant, lead, at(1, 10, 0), cost_fen=None))
    with pytest.raises(NotFound):
        case_of(world, tenant, lead)


def test_repeated_and_reordered_events_pay_once(world: World, tenant: str) -> None:
    lead = unique("lead")
    world.clock.set(at(2, 12, 0))
    accepted = lead_accepted(tenant, lead, at(2, 10, 0))
    empty = call_completed(tenant, lead, "c1", at(2, 10, 5), CallOutcome.EMPTY_NUMBER)
    # The call before the charge, each twice, plus the same report under another event id (a re-publication).
    again = Event(empty.subject, unique("evt-republished"), empty.data)
    world.deliver(empty, empty, again, accepted, accepted)
    world.advance_to(at(2, 16, 5))
    world.deliver(empty, again, accepted)
    entries = ledger_entries(world, tenant)
    assert len(entries) == 2
    assert case_of(world, tenant, lead).evaluation.state is CaseState.REFUNDED


def test_timers_follow_the_case_and_none_is_left_after_it_closes(world: World, tenant: str) -> None:
    lead = unique("lead")
    world.clock.set(at(2, 10, 0))
    world.deliver(lead_accepted(tenant, lead, at(2, 10, 0)))
    view = case_of(world, tenant, lead)
    assert view.stored.standing.next_change_time == at(9, 10, 0)  # nothing but the claim window can change it
    assert [t.due_time for t in world.timers_of(view.stored.case.case_id)] == [at(9, 10, 0)]
    world.deliver(call_completed(tenant, lead, "c1", at(2, 10, 5), CallOutcome.SUSPENDED))
    view = case_of(world, tenant, lead)
    assert view.stored.standing.next_change_time == at(2, 16, 5)
    [timer] = world.timers_of(view.stored.case.case_id)
    assert timer.due_time == at(2, 16, 5)
    world.advance_to(at(2, 16, 5))
    closed = case_of(world, tenant, lead)
    assert closed.evaluation.state is CaseState.REFUNDED
    assert closed.stored.standing.next_change_time is None
    assert world.timers_of(closed.stored.case.case_id) == []


def test_rules_changes_reevaluate_open_cases(world: World, tenant: str) -> None:
    from services.refund.domain.rules import RulesPatch

    lead = unique("lead")
    world.clock.set(at(2, 10, 0))
    world.deliver(lead_accepted(tenant, lead, at(2, 10, 0), account_id="acct-fast"))
    world.deliver(call_completed(tenant, lead, "c1", at(2, 10, 5), CallOutcome.EMPTY_NUMBER))
    assert case_of(world, tenant, lead).evaluation.settle_time == at(2, 16, 5)
    patch = RulesPatch("acct-fast", ("settling_period",), {"settling_period": timedelta(hours=1)})
    world.advance_to(at(2, 12, 0))
    run_sync(world.handlers.rules.update_rules(admin(tenant), patch))
    world.fire_due()  # the rules timer is due at once: the case settled at 11:05 and is paid now
    assert case_of(world, tenant, lead).evaluation.state is CaseState.REFUNDED
