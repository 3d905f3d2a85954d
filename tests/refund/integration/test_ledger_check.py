"""The ledger check (``handlers.ledger_check``) on the real store: the running sum gives what a count over the whole
ledger gives, carries an imbalance past the watermark, reads only ranges after its first count, recounts when the
clock goes back and every ``recount_every``, and the range read uses the posted_us index.

Each test posts in a currency of its own (the check sums every tenant, and the module's tests share a database)."""

from __future__ import annotations

import itertools
import string
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from services.common.clock import FakeClock
from services.common.db import Database
from services.common.migrations import upgrade
from services.refund.adapters.db.ledger import SqlLedger
from services.refund.adapters.db.uow import SqlRefundUnitOfWork
from services.refund.bootstrap import MIGRATIONS_DIR
from services.refund.domain.cases import RefundReason
from services.refund.domain.ledger import (
    PLATFORM_REFUND_EXPENSE,
    Direction,
    LedgerEntry,
    LedgerTransaction,
    advertiser_account,
)
from services.refund.domain.money import Money
from services.refund.handlers.ledger_check import LedgerCheck
from tests.harness import run_sync
from tests.refund.events import unique
from tests.refund.world import SqlWorld

_CURRENCIES = ("".join(letters) for letters in itertools.product("XQZ", string.ascii_uppercase, "ABC"))


@pytest.fixture
def currency() -> str:
    return next(_CURRENCIES)


def post(world: SqlWorld, posted_at: datetime, fen: int, currency: str, *, balanced: bool = True) -> None:
    """One transaction posted at ``posted_at``: a debit and its credit, or (``balanced=False``, the bug the check
    exists to see) the debit alone."""
    tx = unique("tx")

    def entry(suffix: str, account: str, direction: Direction) -> LedgerEntry:
        return LedgerEntry(
            entry_id=f"{tx}-{suffix}",
            transaction_id=tx,
            ledger_account=account,
            direction=direction,
            amount=Money(currency, fen),
            account_id="acct-1",
            refund_id=unique("refund"),
            case_id=unique("case"),
            reason=RefundReason.EMPTY_NUMBER,
            posted_at=posted_at,
        )

    entries = [entry("D", PLATFORM_REFUND_EXPENSE, Direction.DEBIT)]
    if balanced:
        entries.append(entry("C", advertiser_account("acct-1"), Direction.CREDIT))
    transaction = LedgerTransaction(tx, posted_at, tuple(entries))
    world.tx.write_now(lambda uow: uow.ledger.append(unique("tenant"), transaction))


def whole_ledger(world: SqlWorld, currency: str) -> int:
    return int(world.tx.read_now(lambda uow: uow.ledger.imbalance()).get(currency, 0))


def check(ledger_check: LedgerCheck, currency: str) -> int:
    return run_sync(ledger_check.imbalance()).get(currency, 0)


def test_the_running_sum_equals_a_count_of_the_whole_ledger_as_time_goes_on(
    world: SqlWorld, clock: FakeClock, currency: str
) -> None:
    ledger_check = LedgerCheck(world.tx, clock, settle_after=timedelta(minutes=10))
    assert check(ledger_check, currency) == 0
    start = clock.now()
    for minute in range(0, 60, 7):
        clock.set(start + timedelta(minutes=minute))
        post(world, clock.now(), 500, currency)
        if minute in (14, 35):
            post(world, clock.now() - timedelta(minutes=3), 120, currency, balanced=False)
        assert check(ledger_check, currency) == whole_ledger(world, currency)
    assert check(ledger_check, currency) == 240
    # Every entry now lies under the watermark: carried in the running sum.
    clock.set(start + timedelta(hours=2))
    assert check(ledger_check, currency) == 240 == whole_ledger(world, currency)
    assert ledger_check.full_counts == 1


class RecordingLedger(SqlLedger):
    reads: list[tuple[datetime | None, datetime | None]] = []

    def imbalance(
        self, *, posted_from: datetime | None = None, posted_before: datetime | None = None
    ) -> dict[str, int]:
        RecordingLedger.reads.append((posted_from, posted_before))
        return super().imbalance(posted_from=posted_from, posted_before=posted_before)


class RecordingUnitOfWork(SqlRefundUnitOfWork):
    def __init__(self, session, events) -> None:  # type: ignore[no-untyped-def]
        super().__init__(session, events)
        self.ledger = RecordingLedger(session)


def test_after_its_first_count_a_check_reads_only_ranges(
    refund_database: Database, clock: FakeClock, currency: str
) -> None:
    world = SqlWorld(refund_database, clock, RecordingUnitOfWork)
    settle = timedelta(minutes=10)
    ledger_check = LedgerCheck(world.tx, clock, settle_after=settle, recount_every=timedelta(hours=6))
    RecordingLedger.reads.clear()
    first = clock.now()
    run_sync(ledger_check.imbalance())
    assert RecordingLedger.reads == [(None, first - settle), (first - settle, None)]
    RecordingLedger.reads.clear()
    clock.advance(timedelta(seconds=30))
    run_sync(ledger_check.imbalance())
    second = clock.now()
    assert RecordingLedger.reads == [(first - settle, second - settle), (second - settle, None)]


def test_the_clock_going_back_and_the_recount_interval_count_everything_again(
    world: SqlWorld, clock: FakeClock, currency: str
) -> None:
    ledger_check = LedgerCheck(
        world.tx, clock, settle_after=timedelta(minutes=10), recount_every=timedelta(hours=6)
    )
    start = clock.now()
    post(world, start, 300, currency, balanced=False)
    assert check(ledger_check, currency) == 300
    clock.set(start + timedelta(hours=1))
    assert check(ledger_check, currency) == 300 and ledger_check.full_counts == 1
    # Posted under the watermark after it passed (a replica whose clock is 50 minutes behind): the running sum does
    # not see it until the next count from the start.
    post(world, start + timedelta(minutes=5), 300, currency, balanced=False)
    assert check(ledger_check, currency) == 300
    clock.set(start + timedelta(hours=6, minutes=1))
    assert check(ledger_check, currency) == 600 == whole_ledger(world, currency)
    assert ledger_check.full_counts == 2
    clock.set(start + timedelta(hours=2))  # the dev clock set back
    post(world, start + timedelta(minutes=30), 50, currency, balanced=False)
    assert check(ledger_check, currency) == 650 and ledger_check.full_counts == 3


class FlakyTransactions:
    """The world's transactions, whose reads fail while ``failing`` is set (a database gone for a check)."""

    def __init__(self, tx) -> None:  # type: ignore[no-untyped-def]
        self._tx = tx
        self.failing = False

    async def read(self, work):  # type: ignore[no-untyped-def]
        if self.failing:
            raise RuntimeError("database gone")
        return await self._tx.read(work)


def test_a_failed_check_leaves_the_running_sum_as_it_was(
    world: SqlWorld, clock: FakeClock, currency: str
) -> None:
    transactions = FlakyTransactions(world.tx)
    ledger_check = LedgerCheck(transactions, clock)  # type: ignore[arg-type]
    post(world, clock.now() - timedelta(hours=1), 80, currency, balanced=False)
    assert check(ledger_check, currency) == 80
    transactions.failing = True
    clock.advance(timedelta(minutes=30))
    with pytest.raises(RuntimeError):
        run_sync(ledger_check.imbalance())
    transactions.failing = False
    # Posted between the last good check's watermark and the next one's.
    post(world, clock.now() - timedelta(minutes=20), 7, currency, balanced=False)
    assert check(ledger_check, currency) == 87 and ledger_check.full_counts == 1


@pytest.mark.parametrize(
    ("settle_after", "recount_every"),
    [(timedelta(0), timedelta(hours=1)), (timedelta(minutes=1), timedelta(seconds=-1))],
    ids=["settle_after 0", "recount_every negative"],
)
def test_non_positive_intervals_are_refused(
    world: SqlWorld, clock: FakeClock, settle_after: timedelta, recount_every: timedelta
) -> None:
    with pytest.raises(ValueError, match="must be positive"):
        LedgerCheck(world.tx, clock, settle_after=settle_after, recount_every=recount_every)


def test_the_range_read_uses_the_posted_index_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The statement the check runs, as SQLite plans it on the migrated schema."""
    url = f"sqlite:///{tmp_path / 'refund.db'}"
    upgrade(MIGRATIONS_DIR, url)
    database = Database(url)
    ran: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        ran.append((statement, parameters))

    sa.event.listen(sa.engine.Engine, "before_cursor_execute", record)  # reads have an engine of their own
    try:
        with database.read() as session:
            SqlLedger(session).imbalance(posted_from=datetime(2026, 3, 1, tzinfo=UTC))
        [(statement, parameters)] = [(sql, p) for sql, p in ran if "refund_ledger_entries" in sql]
        with database.read() as session:
            plan = session.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()  # type: ignore[arg-type]
    finally:
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", record)
        database.dispose()
    assert any("ix_refund_ledger_entries_posted" in str(row) for row in plan), plan
