"""Charges of one person (one lead) handled at the same moment by two replicas: every charge but the first is a
duplicate charge, however the transactions interleave (the chaos suite's replicas once paid 42 of 43).

Each racer is a consumer transaction of its own (the inbox claim, then the handler), on a thread of its own. A
``Checkpoint`` holds every racer right after it has read the lead's file (its cases, then its calls: the reads that
decide which charge is the first and what evidence counts) until all of them have read it: the interleaving in which
each checks before any commits. It lets a racer
go on early only when the others provably cannot reach that read before it commits, because they wait for the
database: a lock on PostgreSQL (the per-lead lock of a write path), the single writer on SQLite. On SQLite that is
always so (its writers are serial), which is why the race showed only on PostgreSQL; the tests run on both.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from services.common.clock import FakeClock
from services.common.db import Database, is_sqlite
from services.refund.adapters.db.uow import SqlRefundUnitOfWork
from services.refund.domain.calls import CallOutcome
from services.refund.domain.cases import CaseState, RefundReason
from services.refund.domain.ledger import imbalance
from services.refund.domain.ports import LedgerFilter, RefundFilter
from services.refund.domain.rules import RulesPatch
from services.refund.domain.views import ListQuery
from tests.harness import run_sync
from tests.refund.events import Event, call_completed, lead_accepted, lead_duplicate, unique
from tests.refund.scenarios import admin, case_of
from tests.refund.unit.builders import at
from tests.refund.world import SqlWorld

SUBMIT = at(2, 10, 0)
WAIT_LIMIT = 30.0  # seconds: the longest a racer waits for the others (a failure, not a timing, when reached)


class Checkpoint:
    """Where racing transactions wait for each other: ``reached()`` returns once every racer has reached it (or
    finished without reaching it), or when every racer still on its way waits for the database (so none of them can
    get here before this one commits: holding on would only deadlock)."""

    def __init__(self, database: Database, racers: int) -> None:
        self._database = database
        self._racers = racers
        self._reached = 0
        self._finished = 0
        self._changed = threading.Condition()
        self._local = threading.local()

    @property
    def racing(self) -> bool:
        return bool(getattr(self._local, "racing", False))

    def race(self, work: Callable[[], None]) -> None:
        """Run ``work`` as one racer: its first read of the lead's file stops at the checkpoint."""
        self._local.racing, self._local.passed = True, False
        try:
            work()
        finally:
            self._local.racing = False
            if not self._local.passed:  # done without reaching the checkpoint (its event was applied already)
                with self._changed:
                    self._finished += 1
                    self._changed.notify_all()

    def reached(self) -> None:
        if not self.racing or getattr(self._local, "passed", False):
            return
        self._local.passed = True
        limit = time.monotonic() + WAIT_LIMIT
        with self._changed:
            self._reached += 1
            self._changed.notify_all()
            while True:
                on_their_way = self._racers - self._reached - self._finished
                if on_their_way <= 0 or self._waiting_for_the_database() >= on_their_way:
                    return
                if time.monotonic() > limit:
                    raise AssertionError(f"{on_their_way} racers neither reached the checkpoint nor waited")
                self._changed.wait(0.05)

    def _waiting_for_the_database(self) -> int:
        """How many transactions wait for the database: on SQLite every other writer (there is one at a time, and
        this racer is it), on PostgreSQL the sessions waiting for a lock."""
        if is_sqlite(self._database.url):
            return self._racers
        with self._database.read() as session:
            return int(
                session.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                ).scalar_one()
            )


class _Held:
    """A racer's call repository: its read of a lead's calls (the last read of the lead's file, after its cases)
    stops at the checkpoint; all else as is."""

    def __init__(self, inner: Any, checkpoint: Checkpoint) -> None:
        self._inner = inner
        self._checkpoint = checkpoint

    def of_lead(self, *args: Any, **kwargs: Any) -> Any:
        found = self._inner.of_lead(*args, **kwargs)
        self._checkpoint.reached()
        return found

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def racing_world(database: Database, clock: FakeClock, checkpoint: Checkpoint) -> SqlWorld:
    class HeldUnitOfWork(SqlRefundUnitOfWork):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            self.calls = _Held(self.calls, checkpoint)  # type: ignore[assignment]

    return SqlWorld(database, clock, HeldUnitOfWork)


class Race:
    """``deliver_at_once(events)``: each event in its own consumer transaction on its own thread, all at once."""

    def __init__(self, database: Database, clock: FakeClock) -> None:
        self.database = database
        self.clock = clock

    def deliver_at_once(self, events: Sequence[Event]) -> None:
        checkpoint = Checkpoint(self.database, len(events))
        world = racing_world(self.database, self.clock, checkpoint)
        with ThreadPoolExecutor(len(events)) as pool:
            # world.deliver: the inbox claim and the handler in one transaction, as the consumer runs them.
            racers = [pool.submit(checkpoint.race, functools.partial(world.deliver, e)) for e in events]
            for racer in racers:
                racer.result()


@pytest.fixture
def race(refund_database: Database, clock: FakeClock) -> Race:
    return Race(refund_database, clock)


@pytest.fixture
def world(sql_world: SqlWorld) -> SqlWorld:
    return sql_world


def pay_at_once(world: SqlWorld, tenant: str, *accounts: str) -> None:
    """The chaos suite's rules: a decision settles at once (settling period 0), so a duplicate is paid when seen."""
    for account in accounts:
        patch = RulesPatch(account, ("settling_period",), {"settling_period": timedelta(0)})
        run_sync(world.handlers.rules.update_rules(admin(tenant), patch))


def duplicate_refunds(world: SqlWorld, tenant: str) -> dict[str, RefundReason]:
    """``{submission id: reason}`` of every refund of the tenant; the ledger must balance."""
    refunds = run_sync(
        world.handlers.refunds.list_refunds(admin(tenant), ListQuery(RefundFilter(), page_size=1000))
    ).items
    entries = run_sync(
        world.handlers.ledger.list_entries(admin(tenant), ListQuery(LedgerFilter(), page_size=1000))
    ).items
    assert len(entries) == 2 * len(refunds) and imbalance(entries) in ({}, {"CNY": 0})
    by_submission = {r.submission_id: r.reason for r in refunds}
    assert len(by_submission) == len(refunds), "a charge refunded twice"
    return by_submission


def charges(
    tenant: str, lead: str, count: int, *, account: str = "acct-1", first: int = 0
) -> Iterator[Event]:
    """The lead's own charge (when ``first`` is 0) and its charged duplicates, a minute apart in submit time."""
    for index in range(first, first + count):
        moment = SUBMIT + timedelta(minutes=index)
        if index == 0:
            yield lead_accepted(tenant, lead, moment, account_id=account, submission_id=f"{lead}-s0")
        else:
            yield lead_duplicate(tenant, lead, f"{lead}-s{index}", moment, account_id=account)


def test_two_charges_of_one_person_at_once_refund_the_second(
    world: SqlWorld, race: Race, tenant: str
) -> None:
    world.clock.set(SUBMIT + timedelta(minutes=5))
    pay_at_once(world, tenant, "acct-1")
    lead = unique("lead")
    race.deliver_at_once(list(charges(tenant, lead, 2)))
    assert duplicate_refunds(world, tenant) == {f"{lead}-s1": RefundReason.DUPLICATE_CHARGE}
    assert case_of(world, tenant, lead).stored.standing.state is CaseState.PENDING  # the first is kept


def test_three_charges_at_once_refund_all_but_the_earliest(world: SqlWorld, race: Race, tenant: str) -> None:
    world.clock.set(SUBMIT + timedelta(minutes=5))
    pay_at_once(world, tenant, "acct-1")
    lead = unique("lead")
    race.deliver_at_once(list(charges(tenant, lead, 3)))
    assert duplicate_refunds(world, tenant) == {
        f"{lead}-s1": RefundReason.DUPLICATE_CHARGE,
        f"{lead}-s2": RefundReason.DUPLICATE_CHARGE,
    }


def test_two_duplicates_at_once_after_the_first_was_stored(world: SqlWorld, race: Race, tenant: str) -> None:
    """The lead's own charge committed long before; two duplicates race (each sees the first: no skew)."""
    world.clock.set(SUBMIT + timedelta(minutes=5))
    pay_at_once(world, tenant, "acct-1")
    lead = unique("lead")
    first, *duplicates = charges(tenant, lead, 3)
    world.deliver(first)
    race.deliver_at_once(duplicates)
    assert set(duplicate_refunds(world, tenant)) == {f"{lead}-s1", f"{lead}-s2"}


def test_charges_in_two_accounts_at_once_keep_each_accounts_first(
    world: SqlWorld, race: Race, tenant: str
) -> None:
    """Dedup may answer DUPLICATE across the accounts of one advertiser (an account group): the lead is charged to
    both accounts. Each account's earliest charge is its own first; the rest are duplicates of it."""
    world.clock.set(SUBMIT + timedelta(minutes=10))
    pay_at_once(world, tenant, "acct-a", "acct-b")
    lead = unique("lead")
    events = [
        *charges(tenant, lead, 2, account="acct-a"),
        *charges(tenant, lead, 2, account="acct-b", first=2),
    ]
    race.deliver_at_once(events)
    assert duplicate_refunds(world, tenant) == {
        f"{lead}-s1": RefundReason.DUPLICATE_CHARGE,  # acct-a: s0 kept
        f"{lead}-s3": RefundReason.DUPLICATE_CHARGE,  # acct-b: s2 kept
    }


def test_the_first_charge_redelivered_at_once_with_the_second(
    world: SqlWorld, race: Race, tenant: str
) -> None:
    """The lead's own charge, handled by a replica that died before its ack, is redelivered to both replicas (the
    same event id) while the duplicate is handled: applied once, and the duplicate is still the duplicate."""
    world.clock.set(SUBMIT + timedelta(minutes=5))
    pay_at_once(world, tenant, "acct-1")
    lead = unique("lead")
    first, second = charges(tenant, lead, 2)
    race.deliver_at_once([second, first, first])
    assert duplicate_refunds(world, tenant) == {f"{lead}-s1": RefundReason.DUPLICATE_CHARGE}


def test_a_late_first_charge_makes_the_earlier_handled_one_a_duplicate(world: SqlWorld, tenant: str) -> None:
    """Arrival order decides nothing: the duplicate handled alone first is its lead's only charge for a while, and
    becomes the duplicate when the earlier charge arrives (a redelivery after a kill); a further redelivery of
    either changes nothing."""
    world.clock.set(SUBMIT + timedelta(minutes=5))
    pay_at_once(world, tenant, "acct-1")
    lead = unique("lead")
    first, second = charges(tenant, lead, 2)
    world.deliver(second)
    assert duplicate_refunds(world, tenant) == {}
    world.deliver(first, first, second, Event(first.subject, unique("evt-republished"), first.data))
    assert duplicate_refunds(world, tenant) == {f"{lead}-s1": RefundReason.DUPLICATE_CHARGE}


def test_with_a_settling_period_the_racing_duplicate_is_paid_when_it_settles(
    world: SqlWorld, race: Race, tenant: str
) -> None:
    """Default rules (6 h to settle): the duplicate is ELIGIBLE at once and paid at its settle time, not left
    PENDING until the claim window closes."""
    world.clock.set(SUBMIT + timedelta(minutes=5))
    lead = unique("lead")
    race.deliver_at_once(list(charges(tenant, lead, 2)))
    duplicate = case_of(world, tenant, lead, f"{lead}-s1")
    assert (duplicate.stored.standing.state, duplicate.stored.standing.refund_reason) == (
        CaseState.ELIGIBLE,
        RefundReason.DUPLICATE_CHARGE,
    )
    world.advance_to(SUBMIT + timedelta(hours=7))
    assert duplicate_refunds(world, tenant) == {f"{lead}-s1": RefundReason.DUPLICATE_CHARGE}


def test_a_call_reported_at_once_with_the_first_charge_counts(
    world: SqlWorld, race: Race, tenant: str
) -> None:
    """The same race between a call report and its lead's first charge: the report finds no case yet and the charge
    must then find the report (a report of a lead without cases is kept for its charge to find)."""
    world.clock.set(SUBMIT + timedelta(minutes=10))
    lead = unique("lead")
    [first] = charges(tenant, lead, 1)
    report = call_completed(
        tenant, lead, f"{lead}-c1", SUBMIT + timedelta(minutes=5), CallOutcome.EMPTY_NUMBER
    )
    race.deliver_at_once([report, first])
    standing = case_of(world, tenant, lead).stored.standing
    assert (standing.state, standing.refund_reason) == (CaseState.ELIGIBLE, RefundReason.EMPTY_NUMBER)
