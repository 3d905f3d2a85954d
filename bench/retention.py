"""How long retention (``services.common.messaging.retention``) holds the write lock per chunk, and how fast it
clears a backlog: ``--rows`` sent outbox rows and as many inbox records, all past retention, pruned chunk by chunk
as a replica's round does (without its pauses), on SQLite and, with ``--postgres``, on a fresh PostgreSQL database.

`.venv/bin/python -m bench.retention [--rows 200000] [--postgres postgresql://postgres@127.0.0.1:5432/test]`

Rows: per table, the chunks, the p50 and largest wall milliseconds of one chunk's transaction (the time other
writers of the database may wait behind it), and the seconds for the whole backlog. PostgreSQL keeps deleted rows'
index entries until a vacuum, so a round that started each chunk from the table's head again would read them all
again: its figures show whether a chunk's cost stays flat as the round goes on.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from services.common.db import Database
from services.common.ids import new_id
from services.common.messaging import messaging_tables
from services.common.messaging.retention import (
    Chunk,
    Progress,
    RetentionConfig,
    prune_inbox_chunk,
    prune_outbox_chunk,
)
from tests.harness import fresh_postgres_database

INSERT_BATCH = 10_000


def _fill(database: Database, rows: int) -> None:
    tables = messaging_tables(metadata := sa.MetaData())
    metadata.create_all(database.engine)
    sent = datetime.now(UTC) - timedelta(days=30)
    millis = int(sent.timestamp() * 1000)
    with database.transaction() as session:
        for start in range(0, rows, INSERT_BATCH):
            numbers = range(start, min(rows, start + INSERT_BATCH))
            session.execute(
                sa.insert(tables.outbox),
                [
                    {"event_id": new_id(millis + i), "subject": "leadflow.bench.v1.x", "aggregate_id": "a",
                     "payload": b"x" * 300, "headers": {}, "created_at": sent, "sent_at": sent}
                    for i in numbers
                ],
            )  # fmt: skip
            session.execute(
                sa.insert(tables.inbox),
                [
                    {"consumer": "bench", "event_id": new_id(millis + i), "processed_at": sent + timedelta(milliseconds=i)}
                    for i in numbers
                ],
            )  # fmt: skip


def measure(database_url: str, rows: int) -> list[tuple[str, int, float, float, float]]:
    """Per table: (table, chunks, p50 ms per chunk, largest ms per chunk, seconds for all)."""
    database = Database(database_url)
    try:
        _fill(database, rows)
        tables = messaging_tables(sa.MetaData())
        config = RetentionConfig()
        now = datetime.now(UTC)
        found: list[tuple[str, int, float, float, float]] = []
        rounds: tuple[tuple[str, Chunk, float], ...] = (
            ("outbox", prune_outbox_chunk, config.outbox_seconds),
            ("inbox", prune_inbox_chunk, config.inbox_seconds),
        )
        for name, chunk, keep in rounds:
            cutoff = now - timedelta(seconds=keep)
            progress, took = Progress(), []
            while progress.more:
                began = time.perf_counter()
                with database.transaction() as session:
                    chunk(session, tables, cutoff, config.chunk_rows, progress)
                took.append((time.perf_counter() - began) * 1000)
            if progress.deleted != rows:
                raise SystemExit(f"{name}: {progress.deleted} rows pruned of {rows}")
            took.sort()
            found.append((name, len(took), took[len(took) // 2], took[-1], sum(took) / 1000))
        return found
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to make a fresh database on")
    args = parser.parse_args(argv)
    print(f"{'database':<11} {'table':<7} {'chunks':>7} {'p50 ms':>7} {'max ms':>7} {'all s':>6}")
    with tempfile.TemporaryDirectory() as folder:
        urls: list[tuple[str, str, Callable[[], None]]] = [
            ("SQLite", f"sqlite:///{Path(folder) / 'retention.db'}", lambda: None)
        ]
        if args.postgres:
            url, drop = fresh_postgres_database("lf_bench_retention", args.postgres)
            urls.append(("PostgreSQL", url, drop))
        for label, url, drop in urls:
            try:
                for table, chunks, p50, largest, seconds in measure(url, args.rows):
                    print(f"{label:<11} {table:<7} {chunks:>7} {p50:>7.1f} {largest:>7.1f} {seconds:>6.1f}")
            finally:
                drop()


if __name__ == "__main__":
    main()
