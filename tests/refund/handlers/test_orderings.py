"""The same set of events, delivered through the consumers in any order and any number of times, gives the same
decision and pays the same refunds (issue 10: decisions follow the calls' own start times, never arrival order).

Hypothesis draws a lead's charges (its own, maybe a charged duplicate), calls with any outcome around the rule
boundaries, corrections of some calls, and a delivery order with repeats and re-published copies; every delivery
happens at one moment, then the clock runs past the claim window. The decisions of every case, the refunds and the
ledger must equal those of the canonical delivery.

The moment is before any decision can settle (the earliest is 6 h after submission): a decision that has settled is
final by design, so a correction that arrives after it (in whatever order within one batch) no longer changes it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.common.clock import FakeClock
from services.refund.domain.calls import CallOutcome
from tests.harness import run_sync
from tests.refund.events import Event, call_completed, lead_accepted, lead_duplicate
from tests.refund.handlers.helpers import principal
from tests.refund.unit.builders import at
from tests.refund.world import FakeWorld

SUBMIT = at(2, 10, 0)
TENANT = "tenant-orderings"
LEAD = "lead-o"
OUTCOMES = [
    CallOutcome.NO_ANSWER,
    CallOutcome.BUSY,
    CallOutcome.ANSWERED,
    CallOutcome.POWERED_OFF,
    CallOutcome.EMPTY_NUMBER,
    CallOutcome.CALLER_CANCELLED,
    CallOutcome.BLOCKED,
]


@st.composite
def lead_events(draw: st.DrawFn) -> list[Event]:
    events = [lead_accepted(TENANT, LEAD, SUBMIT, event_id="acc")]
    if draw(st.booleans()):
        minutes = draw(st.integers(0, 600))
        events.append(
            lead_duplicate(TENANT, LEAD, "dup", SUBMIT + timedelta(minutes=minutes), event_id="dup")
        )
    for index in range(draw(st.integers(0, 6))):
        start = SUBMIT + timedelta(minutes=draw(st.integers(-30, 26 * 60)))
        outcome = draw(st.sampled_from(OUTCOMES))
        talk = draw(st.sampled_from([0, 9, 10, 30])) if outcome is CallOutcome.ANSWERED else 0
        ring = draw(st.sampled_from([5, 15, 20]))
        call_id = f"c{index}"
        events.append(
            call_completed(
                TENANT,
                LEAD,
                call_id,
                start,
                outcome,
                talk_seconds=talk,
                ring_seconds=ring,
                event_id=f"{call_id}-1",
            )
        )
        if draw(st.booleans()):  # a correction: a later revision with another outcome
            corrected = draw(st.sampled_from(OUTCOMES))
            events.append(
                call_completed(
                    TENANT,
                    LEAD,
                    call_id,
                    start,
                    corrected,
                    talk_seconds=30 if corrected is CallOutcome.ANSWERED else 0,
                    revision=2,
                    reported=start + timedelta(hours=3),
                    event_id=f"{call_id}-2",
                )
            )
    return events


def outcome(events: list[Event], deliver_at: datetime) -> tuple[object, ...]:
    world = FakeWorld(FakeClock(deliver_at))
    world.deliver(*events)
    standing_now = _decisions(world)
    world.advance_to(SUBMIT + timedelta(days=8))
    refunds = sorted((r.submission_id, r.reason, r.amount.fen) for r in world.uow.refunds.rows.values())
    ledger = sorted((e.ledger_account, e.direction, e.amount.fen) for _, e in world.uow.ledger.rows)
    return standing_now, _decisions(world), refunds, ledger


def _decisions(world: FakeWorld) -> list[tuple[object, ...]]:
    views = []
    for stored in world.uow.cases.of_lead(TENANT, LEAD):
        view = run_sync(
            world.handlers.cases.get_eligibility(principal(TENANT), LEAD, stored.case.submission_id)
        )
        e = view.evaluation
        views.append(
            (
                stored.case.submission_id,
                e.state,
                e.refund_reason,
                e.rejection_reason,
                e.decided_at,
                e.deciding_call_id,
            )
        )
    return sorted(views, key=lambda view: str(view[0]))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=lead_events(),
    order=st.randoms(use_true_random=False),
    repeats=st.lists(st.integers(0, 20), max_size=8),
    deliver_after=st.integers(0, 6 * 60 - 1),
)
def test_any_order_and_any_repeats_give_the_same_decisions_and_refunds(
    events: list[Event],
    order,
    repeats: list[int],
    deliver_after: int,  # type: ignore[no-untyped-def]
) -> None:
    deliver_at = SUBMIT + timedelta(minutes=deliver_after)
    expected = outcome(events, deliver_at)
    shuffled = list(events)
    order.shuffle(shuffled)
    for index in repeats:
        original = events[index % len(events)]
        shuffled.insert(index % (len(shuffled) + 1), original)  # a redelivery (same event id)
        shuffled.append(Event(original.subject, f"{original.event_id}-republished", original.data))
    assert outcome(shuffled, deliver_at) == expected
