"""Retention of the messaging tables: sent outbox rows and inbox records past their age are deleted, in chunks,
and nothing else: never an unsent row, never a record younger than the cutoff, never a dead letter."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from prometheus_client import REGISTRY

from services.common.config import ConfigError, Env, RetentionSettings
from services.common.db import Database
from services.common.messaging import MessagingTables, messaging_tables
from services.common.messaging.retention import (
    HOUR,
    MIN_INBOX_SECONDS,
    MessagingRetention,
    Progress,
    RetentionConfig,
    prune_inbox_chunk,
    prune_outbox_chunk,
)

from ..helpers import setup_schema

pytestmark = pytest.mark.timeout(60)

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
OUTBOX_KEEP = timedelta(hours=168)
INBOX_KEEP = timedelta(seconds=MIN_INBOX_SECONDS)


def _config(chunk_rows: int = 3) -> RetentionConfig:
    return RetentionConfig(
        outbox_seconds=OUTBOX_KEEP.total_seconds(),
        inbox_seconds=INBOX_KEEP.total_seconds(),
        chunk_rows=chunk_rows,
        chunk_pause_seconds=0.0,
    )


def _outbox(tables: MessagingTables, database: Database, sent_at: list[datetime | None]) -> list[int]:
    """One outbox row per entry of ``sent_at`` (None: unsent), in id order; their ids."""
    rows = [
        {
            "event_id": f"E{i:04d}",
            "subject": "leadflow.retention.v1.x",
            "aggregate_id": "a",
            "payload": b"p",
            "headers": {},
            "created_at": (sent or NOW) - timedelta(seconds=1),
            "sent_at": sent,
        }
        for i, sent in enumerate(sent_at)
    ]
    with database.transaction() as session:
        for row in rows:  # one by one: ids in this order
            session.execute(sa.insert(tables.outbox), row)
        return list(session.execute(sa.select(tables.outbox.c.id).order_by(tables.outbox.c.id)).scalars())


def _inbox(
    tables: MessagingTables, database: Database, processed: list[datetime], consumer: str = "c"
) -> None:
    with database.transaction() as session:
        session.execute(
            sa.insert(tables.inbox),
            [
                {"consumer": consumer, "event_id": f"{consumer}{i:04d}", "processed_at": at}
                for i, at in enumerate(processed)
            ],
        )


def _left(database: Database, table: sa.Table, column: sa.Column) -> list:
    with database.read() as session:
        return list(session.execute(sa.select(column).order_by(column)).scalars())


@pytest.fixture
def messaging(database_url: str):
    database = Database(database_url)
    tables = setup_schema(database)
    yield database, tables
    database.dispose()


def _pruned(table: str) -> float:
    return REGISTRY.get_sample_value("leadflow_messaging_rows_pruned_total", {"table": table}) or 0.0


def test_sent_rows_past_retention_go_and_the_rest_stay(messaging) -> None:
    database, tables = messaging
    old, young = NOW - OUTBOX_KEEP - timedelta(minutes=1), NOW - OUTBOX_KEEP + timedelta(minutes=1)
    # 7 old sent rows (more than two chunks of 3), then a young one, then an old one again: only the head goes.
    ids = _outbox(tables, database, [old] * 7 + [young, old, None])
    before = _pruned("outbox")
    deleted = asyncio.run(MessagingRetention(database, tables, _config(), now=lambda: NOW).prune_once())
    assert deleted["outbox"] == 7
    assert _pruned("outbox") - before == 7
    assert _left(database, tables.outbox, tables.outbox.c.id) == ids[7:]


def test_an_unsent_row_stops_pruning_behind_it_however_old(messaging) -> None:
    database, tables = messaging
    ancient = NOW - OUTBOX_KEEP - timedelta(days=30)
    ids = _outbox(tables, database, [ancient, ancient, None, ancient, ancient])
    deleted = asyncio.run(MessagingRetention(database, tables, _config(), now=lambda: NOW).prune_once())
    assert deleted["outbox"] == 2
    assert _left(database, tables.outbox, tables.outbox.c.id) == ids[2:]
    with database.read() as session:
        unsent = session.execute(
            sa.select(tables.outbox.c.sent_at).where(tables.outbox.c.id == ids[2])
        ).scalar()
    assert unsent is None


def test_a_row_sent_exactly_at_the_cutoff_stays(messaging) -> None:
    database, tables = messaging
    cutoff = NOW - OUTBOX_KEEP
    ids = _outbox(tables, database, [cutoff - timedelta(microseconds=1), cutoff])
    asyncio.run(MessagingRetention(database, tables, _config(), now=lambda: NOW).prune_once())
    assert _left(database, tables.outbox, tables.outbox.c.id) == ids[1:]


@pytest.mark.parametrize("old_records", [0, 2, 3, 6, 7])
def test_inbox_records_past_retention_go_in_chunks(messaging, old_records: int) -> None:
    """Around the chunk size (3): none, fewer, exactly one chunk, exactly two, two and a bit."""
    database, tables = messaging
    cutoff = NOW - INBOX_KEEP
    old = [cutoff - timedelta(hours=old_records - i) for i in range(old_records)]
    young = [cutoff, cutoff + timedelta(hours=1)]
    _inbox(tables, database, old + young)
    _inbox(
        tables, database, [cutoff - timedelta(days=1)], consumer="other"
    )  # every consumer's records age alike
    before = _pruned("inbox")
    deleted = asyncio.run(MessagingRetention(database, tables, _config(), now=lambda: NOW).prune_once())
    assert deleted["inbox"] == old_records + 1
    assert _pruned("inbox") - before == old_records + 1
    assert _left(database, tables.inbox, tables.inbox.c.event_id) == [
        f"c{old_records:04d}",
        f"c{old_records + 1:04d}",
    ]


def test_dead_letters_are_not_touched(messaging) -> None:
    database, tables = messaging
    with database.transaction() as session:
        session.execute(
            sa.insert(tables.dead_letters),
            {
                "consumer": "c", "subject": "s", "event_id": "E", "stream_sequence": 1, "payload": b"p",
                "headers": {}, "error": "e", "attempts": 5, "created_at": NOW - timedelta(days=400),
            },
        )  # fmt: skip
    asyncio.run(MessagingRetention(database, tables, _config(), now=lambda: NOW).prune_once())
    assert len(_left(database, tables.dead_letters, tables.dead_letters.c.id)) == 1


def test_the_inbox_index_serves_the_oldest_records(messaging) -> None:
    """The bound query reads ix_inbox_processed_at, not the whole inbox (SQLite's plan; PostgreSQL has the index)."""
    database, tables = messaging
    with database.read() as session:
        if database.dialect == "sqlite":
            plan = " ".join(
                str(row[-1])
                for row in session.execute(
                    sa.text(
                        "EXPLAIN QUERY PLAN SELECT processed_at FROM inbox WHERE processed_at < :c"
                        " ORDER BY processed_at LIMIT 1 OFFSET 2"
                    ),
                    {"c": "2026"},
                )
            )
            assert "ix_inbox_processed_at" in plan
        indexes = {index["name"] for index in sa.inspect(session).get_indexes("inbox")}
    assert "ix_inbox_processed_at" in indexes


def test_the_run_loop_prunes_every_interval_and_stops_when_told(messaging) -> None:
    database, tables = messaging
    _outbox(tables, database, [NOW - OUTBOX_KEEP - timedelta(hours=1)])
    config = RetentionConfig(interval_seconds=0.01, chunk_pause_seconds=0.0)

    async def scenario() -> list[int]:
        stop = asyncio.Event()
        task = asyncio.create_task(MessagingRetention(database, tables, config, now=lambda: NOW).run(stop))
        for _ in range(500):
            if not _left(database, tables.outbox, tables.outbox.c.id):
                break
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.wait_for(task, 5)
        return _left(database, tables.outbox, tables.outbox.c.id)

    assert asyncio.run(scenario()) == []


def test_inbox_retention_below_the_streams_age_is_refused() -> None:
    least = int(MIN_INBOX_SECONDS // HOUR)
    with pytest.raises(ConfigError, match="LEADFLOW_INBOX_RETENTION_HOURS.*keep a message 14 days"):
        RetentionSettings.from_env(Env({"LEADFLOW_INBOX_RETENTION_HOURS": str(least - 1)}))
    assert (
        RetentionSettings.from_env(Env({"LEADFLOW_INBOX_RETENTION_HOURS": str(least)})).inbox_hours == least
    )
    with pytest.raises(ValueError, match="at least"):
        RetentionConfig(inbox_seconds=MIN_INBOX_SECONDS - 1)
    with pytest.raises(ConfigError, match="LEADFLOW_OUTBOX_RETENTION_HOURS"):
        RetentionSettings.from_env(Env({"LEADFLOW_OUTBOX_RETENTION_HOURS": "0"}))
    settings = RetentionSettings.from_env(Env({"LEADFLOW_OUTBOX_RETENTION_HOURS": "2"}))
    assert RetentionConfig.from_settings(settings).outbox_seconds == 2 * HOUR


@pytest.mark.parametrize("service", ["dedup", "refund"])
async def test_a_running_service_prunes_its_own_tables(service: str, tmp_path, shared_nats_server) -> None:
    """Wired in the runtime: every service prunes on LEADFLOW_RETENTION_INTERVAL_SECONDS, with the hours the
    settings give (a producer, dedup, and a consumer-only service, refund, alike)."""
    from tests.harness import service_environ, start_service

    env = service_environ(service, tmp_path, shared_nats_server.url, LEADFLOW_RETENTION_INTERVAL_SECONDS="1")
    running = await start_service(service, env)
    try:
        database, tables = running.app.database, running.app.messaging
        now = datetime.now(UTC)
        kept = _outbox(tables, database, [now - OUTBOX_KEEP - timedelta(hours=1), now])[1:]
        _inbox(tables, database, [now - INBOX_KEEP - timedelta(hours=1), now], consumer="retention-test")
        for _ in range(1000):
            outbox_left = _left(database, tables.outbox, tables.outbox.c.id)
            inbox_left = [
                e for e in _left(database, tables.inbox, tables.inbox.c.event_id) if e.startswith("retention")
            ]
            if outbox_left == kept and inbox_left == ["retention-test0001"]:
                break
            await asyncio.sleep(0.02)
        assert outbox_left == kept
        assert inbox_left == ["retention-test0001"]
    finally:
        await running.stop()


def _vm_steps_of_one_chunk(tmp_path, name: str, old_records: int, chunk) -> int:  # type: ignore[no-untyped-def]
    """SQLite virtual-machine steps (in hundreds) of one chunk of ``chunk`` over ``old_records`` records (and as
    many sent outbox rows) past retention."""
    database = Database(f"sqlite:///{tmp_path / name}")
    tables = setup_schema(database)
    old = NOW - INBOX_KEEP - timedelta(days=1)
    with database.transaction() as session:
        session.execute(
            sa.insert(tables.inbox),
            [{"consumer": "c", "event_id": f"E{i:08d}", "processed_at": old + timedelta(seconds=i)} for i in range(old_records)],
        )  # fmt: skip
        session.execute(
            sa.insert(tables.outbox),
            [
                {"event_id": f"E{i:08d}", "subject": "s", "aggregate_id": "a", "payload": b"p", "headers": {},
                 "created_at": old, "sent_at": old + timedelta(seconds=i)}
                for i in range(old_records)
            ],
        )  # fmt: skip
    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    try:
        with database.transaction() as session:
            driver = session.connection.dbapi_connection
            driver.set_progress_handler(count, 100)  # type: ignore[union-attr]
            try:
                chunk(session, tables, NOW - OUTBOX_KEEP, 200, Progress())
            finally:
                driver.set_progress_handler(None, 100)  # type: ignore[union-attr]
    finally:
        database.dispose()
    return steps


@pytest.mark.parametrize("chunk", [prune_inbox_chunk, prune_outbox_chunk], ids=["inbox", "outbox"])
def test_a_chunk_reads_its_rows_not_every_old_one(tmp_path, chunk) -> None:  # type: ignore[no-untyped-def]
    """One chunk of 200 costs the same with 2,000 or 40,000 rows past retention: its statements read the chunk's
    rows by the index, not every row older than the cutoff (the inbox's delete did, with the cutoff beside the
    chunk's bound: SQLite took the cutoff for the index range)."""
    small = _vm_steps_of_one_chunk(tmp_path, "small.db", 2_000, chunk)
    large = _vm_steps_of_one_chunk(tmp_path, "large.db", 40_000, chunk)
    assert small > 0
    assert large < 1.5 * small, (small, large)


def test_a_failed_round_is_counted_and_the_next_one_tried(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No messaging tables (a database never migrated): each round fails, is counted for
    LeadflowRetentionFailing, and the loop goes on instead of crashing the service."""
    database = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    tables = messaging_tables(sa.MetaData())  # the shapes, not created in this database
    config = RetentionConfig(interval_seconds=0.01, chunk_pause_seconds=0.0)
    failures = "leadflow_messaging_retention_failures_total"

    async def scenario() -> float:
        before = REGISTRY.get_sample_value(failures) or 0.0
        stop = asyncio.Event()
        task = asyncio.create_task(MessagingRetention(database, tables, config).run(stop))
        for _ in range(500):
            if (REGISTRY.get_sample_value(failures) or 0.0) - before >= 2:
                break
            await asyncio.sleep(0.01)
        assert not task.done(), "the loop goes on after a failed round"
        stop.set()
        await asyncio.wait_for(task, 5)
        return (REGISTRY.get_sample_value(failures) or 0.0) - before

    try:
        assert asyncio.run(scenario()) >= 2
    finally:
        database.dispose()
