"""Database timers: each due timer fires exactly once (two workers racing, a handler that fails, a restart), its
effect and its events commit with the firing, and a moved dev clock fires what became due. SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from google.protobuf import wrappers_pb2
from sqlalchemy import Connection

from services.common.clock import DevClock, FakeClock
from services.common.db import Database
from services.common.dbtx import SqlTransactions, SqlUnitOfWork
from services.common.messaging.outbox import OutboxMessage, OutboxWriter
from services.common.timers import Timer
from services.common.timerstore import SqlTimers, timers_table
from services.common.timerworker import TimerSet, TimerSpec, TimerWorker

from ..helpers import eventually, setup_schema

pytestmark = pytest.mark.timeout(120)

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _effects_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "effects",
        metadata,
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("count", sa.Integer),
    )


class Fixture:
    """A database with the messaging tables, the timers table and an ``effects`` table timers write to."""

    def __init__(self, database_url: str) -> None:
        self.database = Database(database_url)
        holder: dict[str, sa.Table] = {}

        def extra(metadata: sa.MetaData) -> None:
            holder["timers"] = timers_table(metadata)
            holder["effects"] = _effects_table(metadata)

        self.messaging = setup_schema(self.database, extra)
        self.timers, self.effects = holder["timers"], holder["effects"]
        fixture = self

        class UnitOfWork(SqlUnitOfWork):
            def __init__(self, session: Connection, events: OutboxWriter) -> None:
                super().__init__(session, events)
                self.session = session
                self.timers = SqlTimers(session, fixture.timers)

        self.transactions = SqlTransactions(self.database, UnitOfWork, self.messaging, _encode)
        self.failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def schedule(self, *timers: Timer) -> None:
        def add(uow) -> None:  # type: ignore[no-untyped-def]
            for timer in timers:
                uow.timers.schedule(timer)

        self.transactions.write_now(add)

    def effect(self, uow, timer: Timer) -> None:  # type: ignore[no-untyped-def]
        """The handler: count the firing in ``effects``, record an event; fail while the key asks to."""
        e = self.effects
        updated = uow.session.execute(sa.update(e).where(e.c.key == timer.key).values(count=e.c.count + 1))
        if not updated.rowcount:
            uow.session.execute(sa.insert(e).values(key=timer.key, count=1))
        uow.events.add(timer.key)
        with self._lock:
            left = self.failures.get(timer.key, 0)
            if left:
                self.failures[timer.key] = left - 1
        if left:
            raise RuntimeError(f"handler of {timer.key} failed on purpose")

    def counts(self) -> dict[str, int]:
        with self.database.read() as session:
            return {row.key: row.count for row in session.execute(sa.select(self.effects))}

    def outbox_keys(self) -> list[str]:
        o = self.messaging.outbox
        with self.database.read() as session:
            return sorted(row.aggregate_id for row in session.execute(sa.select(o.c.aggregate_id)))

    def pending(self) -> int:
        with self.database.read() as session:
            return int(session.execute(sa.select(sa.func.count()).select_from(self.timers)).scalar_one())

    def worker(self, clock, database: Database | None = None, **options) -> TimerWorker:  # type: ignore[no-untyped-def]
        return TimerWorker(
            database or self.database,
            self.messaging,
            TimerSet(self.timers, (TimerSpec("remind", self.effect),)),
            self.transactions.batch_binder,  # as the runtime wires it: the round's events in one INSERT
            clock,
            **options,
        )


def _encode(event: object) -> OutboxMessage:
    key = str(event)
    return OutboxMessage("leadflow.timertest.v1.fired", wrappers_pb2.StringValue(value=key), key, f"e-{key}")


@pytest.fixture
def fx(database_url: str) -> Fixture:
    fixture = Fixture(database_url)
    yield fixture
    fixture.database.dispose()


def _timer(key: str, at: datetime, **payload: object) -> Timer:
    return Timer(kind="remind", key=key, tenant_id="t1", due_time=at, payload=payload)


def test_due_timers_fire_once_with_their_effect_and_event(fx: Fixture) -> None:
    clock = FakeClock(T0)
    fx.schedule(_timer("a", T0), _timer("b", T0 + timedelta(minutes=5)))
    worker = fx.worker(clock)
    assert worker.fire_due() == 1
    assert fx.counts() == {"a": 1} and fx.outbox_keys() == ["a"]
    assert worker.fire_due() == 0  # fired timers are gone: nothing fires twice
    clock.advance(timedelta(minutes=5))
    assert worker.fire_due() == 1
    assert fx.counts() == {"a": 1, "b": 1} and fx.pending() == 0


def test_rescheduling_moves_the_timer_and_cancel_removes_it(fx: Fixture) -> None:
    clock = FakeClock(T0)
    fx.schedule(_timer("a", T0 + timedelta(minutes=1), n=1))
    fx.schedule(_timer("a", T0 + timedelta(minutes=10), n=2))
    assert fx.transactions.read_now(lambda uow: uow.timers.get("remind", "a")).payload == {"n": 2}
    clock.advance(timedelta(minutes=1))
    assert fx.worker(clock).fire_due() == 0
    assert fx.transactions.write_now(lambda uow: uow.timers.cancel("remind", "a")) is True
    assert fx.transactions.write_now(lambda uow: uow.timers.cancel("remind", "a")) is False
    clock.advance(timedelta(hours=1))
    assert fx.worker(clock).fire_due() == 0 and fx.counts() == {}


def test_a_failing_handler_is_retried_then_dead_lettered_without_blocking_others(fx: Fixture) -> None:
    clock = FakeClock(T0)
    fx.failures = {"bad": 100, "flaky": 1}
    fx.schedule(_timer("bad", T0), _timer("flaky", T0), _timer("good", T0))
    worker = fx.worker(clock, max_attempts=3, retry_after=timedelta(seconds=10))
    assert worker.fire_due() == 3
    # The failures rolled back their own effects and events only.
    assert fx.counts() == {"good": 1} and fx.outbox_keys() == ["good"]
    for _ in range(5):
        clock.advance(timedelta(minutes=5))
        worker.fire_due()
    assert fx.counts() == {"good": 1, "flaky": 1}
    assert fx.pending() == 0  # "bad" gave up after 3 attempts ...
    d = fx.messaging.dead_letters
    with fx.database.read() as session:
        [row] = session.execute(sa.select(d)).all()
    assert (row.consumer, row.subject, row.attempts) == ("timer-remind", "timer:remind", 3)
    assert "failed on purpose" in row.error  # ... into the dead letters, with its error


def test_schedule_many_is_one_statement_and_moves_existing_timers(fx: Fixture) -> None:
    fx.schedule(_timer("a", T0 + timedelta(minutes=1), n=1))
    inserts: list[str] = []
    sa.event.listen(
        fx.database.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_rest: (
            inserts.append(statement) if statement.startswith("INSERT") else None
        ),
    )
    fx.transactions.write_now(
        lambda uow: uow.timers.schedule_many(
            [_timer("a", T0 + timedelta(minutes=9), n=2), _timer("b", T0 + timedelta(minutes=3))]
        )
    )
    fx.transactions.write_now(lambda uow: uow.timers.schedule_many([]))
    assert len(inserts) == 1
    a, b = fx.transactions.read_now(
        lambda uow: (uow.timers.get("remind", "a"), uow.timers.get("remind", "b"))
    )
    assert (a.due_time, a.payload) == (T0 + timedelta(minutes=9), {"n": 2}) and b.due_time == T0 + timedelta(
        minutes=3
    )


def test_a_round_writes_its_events_in_one_statement(fx: Fixture) -> None:
    clock = FakeClock(T0)
    fx.schedule(*(_timer(f"k{i}", T0) for i in range(6)))
    fx.failures = {"k3": 1}  # its event is recorded, then its savepoint rolls back
    outbox_inserts: list[str] = []
    table = fx.messaging.outbox.name
    sa.event.listen(
        fx.database.engine,
        "before_cursor_execute",
        lambda _c, _cur, statement, *_rest: (
            outbox_inserts.append(statement) if statement.startswith(f"INSERT INTO {table} ") else None
        ),
    )
    assert fx.worker(clock).fire_due() == 6
    assert fx.outbox_keys() == ["k0", "k1", "k2", "k4", "k5"] and len(outbox_inserts) == 1


async def test_two_workers_fire_each_of_many_timers_exactly_once(fx: Fixture, database_url: str) -> None:
    clock = FakeClock(T0)
    keys = [f"k{i}" for i in range(300)]
    fx.schedule(*(_timer(key, T0 + timedelta(seconds=i % 7)) for i, key in enumerate(keys)))
    clock.advance(timedelta(seconds=10))
    replicas = [Database(database_url) for _ in range(2)]
    try:
        workers = [fx.worker(clock, database=db, batch=25) for db in replicas]

        def drain(worker: TimerWorker) -> int:
            total = 0
            while (fired := worker.fire_due()) > 0:
                total += fired
            return total

        counts = await asyncio.gather(*(asyncio.to_thread(drain, w) for w in workers))
    finally:
        for db in replicas:
            db.dispose()
    assert sum(counts) == 300
    assert fx.counts() == dict.fromkeys(keys, 1) and fx.outbox_keys() == sorted(keys)


async def test_the_run_loop_fires_what_a_moved_dev_clock_makes_due(fx: Fixture) -> None:
    clock = DevClock()
    now = clock.now()
    fx.schedule(_timer("later", now + timedelta(hours=3)))
    worker = fx.worker(clock, poll_interval=30.0)  # it would sleep 30 s if the clock's move did not wake it
    loop = asyncio.get_running_loop()
    clock.on_change(lambda: loop.call_soon_threadsafe(worker.wake))
    stop = asyncio.Event()
    task = asyncio.create_task(worker.run(stop))
    try:
        await asyncio.sleep(0.3)
        assert fx.counts() == {}
        clock.set_offset(timedelta(hours=3, seconds=1))
        await eventually(
            lambda: fx.counts() == {"later": 1}, timeout=10, what="the timer fired after the move"
        )
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=10)


def test_a_restart_fires_what_was_pending(fx: Fixture, database_url: str) -> None:
    clock = FakeClock(T0)
    fx.schedule(_timer("a", T0 + timedelta(minutes=1)))
    fx.database.dispose()  # the process "stops" with the timer pending
    restarted = Fixture.__new__(Fixture)
    restarted.__dict__.update(fx.__dict__)
    restarted.database = Database(database_url)
    restarted.transactions = SqlTransactions(
        restarted.database,
        fx.transactions._unit_of_work,
        fx.messaging,
        _encode,  # noqa: SLF001
    )
    clock.advance(timedelta(minutes=1))
    assert restarted.worker(clock).fire_due() == 1
    assert restarted.counts() == {"a": 1}
    restarted.database.dispose()


def _worker_with(fx: Fixture, clock, handler) -> TimerWorker:  # type: ignore[no-untyped-def]
    return TimerWorker(
        fx.database,
        fx.messaging,
        TimerSet(fx.timers, (TimerSpec("remind", handler),)),
        fx.transactions.bind,
        clock,
    )


@pytest.mark.parametrize("step", [timedelta(minutes=30), timedelta(0)], ids=["later", "same-due-time"])
def test_a_handler_that_schedules_its_own_key_again_keeps_the_new_timer(fx: Fixture, step: timedelta) -> None:
    """A recurring timer (a reminder that escalates, a rules sweep that continues) reschedules its own key while
    it fires; the firing must delete the timer it claimed, not the one the handler just wrote."""
    clock = FakeClock(T0)
    fx.schedule(_timer("again", T0, round=1))

    def recurring(uow, timer: Timer) -> None:  # type: ignore[no-untyped-def]
        fx.effect(uow, dataclasses.replace(timer, key=f"again-{timer.payload['round']}"))
        if timer.payload["round"] < 3:
            uow.timers.schedule(_timer("again", timer.due_time + step, round=timer.payload["round"] + 1))

    worker = _worker_with(fx, clock, recurring)
    for _ in range(3):
        worker.fire_due()
        clock.advance(timedelta(minutes=30))
    assert fx.counts() == {"again-1": 1, "again-2": 1, "again-3": 1}
    assert fx.pending() == 0


def test_a_lost_race_is_run_again_in_the_same_round_without_counting_a_failure(fx: Fixture) -> None:
    from services.common.metrics import TIMER_FAILURES, TIMERS_FIRED
    from services.common.uow import TransientConflict

    clock = FakeClock(T0)
    fx.schedule(_timer("raced", T0))
    races = {"left": 2}

    def racing(uow, timer: Timer) -> None:  # type: ignore[no-untyped-def]
        fx.effect(uow, timer)
        if races["left"]:
            races["left"] -= 1
            raise TransientConflict()

    failures_before = TIMER_FAILURES.labels(kind="remind")._value.get()  # noqa: SLF001
    fired_before = TIMERS_FIRED.labels(kind="remind")._value.get()  # noqa: SLF001
    assert _worker_with(fx, clock, racing).fire_due() == 1
    assert fx.counts() == {"raced": 1} and fx.outbox_keys() == ["raced"]  # the lost attempts left nothing
    assert fx.pending() == 0
    assert TIMER_FAILURES.labels(kind="remind")._value.get() == failures_before  # noqa: SLF001
    assert TIMERS_FIRED.labels(kind="remind")._value.get() == fired_before + 1  # noqa: SLF001


def test_a_round_whose_commit_fails_counts_nothing_fired(
    fx: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.common.metrics import TIMERS_FIRED

    clock = FakeClock(T0)
    fx.schedule(_timer("a", T0))
    worker = fx.worker(clock)
    fired_before = TIMERS_FIRED.labels(kind="remind")._value.get()  # noqa: SLF001

    @sa.event.listens_for(fx.database.engine, "commit")
    def refuse(_connection) -> None:  # type: ignore[no-untyped-def]
        raise sa.exc.OperationalError("COMMIT", {}, Exception("disk I/O error"))

    with pytest.raises(sa.exc.OperationalError):
        worker.fire_due()
    sa.event.remove(fx.database.engine, "commit", refuse)
    assert TIMERS_FIRED.labels(kind="remind")._value.get() == fired_before  # noqa: SLF001
    assert fx.counts() == {} and fx.pending() == 1
    assert worker.fire_due() == 1 and fx.counts() == {"a": 1}


def test_a_round_fires_keyed_kinds_in_key_order_after_the_others(fx: Fixture) -> None:
    """``TimerSpec.order_key``: the lock order of rounds (see the consumers' ``order_key``). Kinds without a key
    fire first in due order; keyed ones by key, ties in due order; a timer whose key can't be read fires with the
    unkeyed ones."""
    fired: list[str] = []

    def record(uow, timer: Timer) -> None:  # type: ignore[no-untyped-def]
        fired.append(timer.key)

    def by_lead(timer: Timer) -> str:
        return str(timer.payload["lead"])

    timers = [
        Timer("locking", "l-c", "t1", T0, {"lead": "c"}),
        Timer("plain", "p-2", "t1", T0 + timedelta(seconds=2)),
        Timer("locking", "l-a1", "t1", T0 + timedelta(seconds=1), {"lead": "a"}),
        Timer("locking", "l-b", "t1", T0 + timedelta(seconds=3), {"lead": "b"}),
        Timer("locking", "l-a2", "t1", T0 + timedelta(seconds=4), {"lead": "a"}),
        Timer("locking", "l-none", "t1", T0 + timedelta(seconds=5)),  # no lead in its payload
        Timer("plain", "p-1", "t1", T0 - timedelta(seconds=1)),
    ]
    fx.schedule(*timers)
    worker = TimerWorker(
        fx.database,
        fx.messaging,
        TimerSet(fx.timers, (TimerSpec("plain", record), TimerSpec("locking", record, order_key=by_lead))),
        fx.transactions.batch_binder,
        FakeClock(T0 + timedelta(minutes=1)),
    )
    assert worker.fire_due() == len(timers)
    assert fired == ["p-1", "p-2", "l-none", "l-a1", "l-a2", "l-b", "l-c"]
