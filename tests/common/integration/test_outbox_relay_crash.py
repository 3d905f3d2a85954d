"""The relay is SIGKILLed and restarted at random moments while 5,000 events are written and published.

Afterwards the stream must hold every event exactly once, and each aggregate's events in the order they were
committed. Writers run in several threads, each owning its own aggregates (as a service's writers would serialise
on the aggregate's row), and pause inside their transactions, so that on PostgreSQL a row with a lower id often
commits after rows with higher ids: the case a high-water-mark relay would skip.
"""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import nats
import pytest
from google.protobuf import struct_pb2

from services.common.db import Database
from services.common.ids import new_id
from services.common.messaging import MSG_ID_HEADER, StreamSpec, ensure_stream, record_event

from ..helpers import eventually, read_stream, setup_schema, unsent_count

pytestmark = [pytest.mark.timeout(120), pytest.mark.slow]

EVENTS = 5_000
AGGREGATES = 20
WRITERS = 4
MIN_KILLS = 5
SUBJECTS = ("leadflow.crashtest.v1.created", "leadflow.crashtest.v1.updated")
STREAM = StreamSpec("LEADFLOW_CRASHTEST", SUBJECTS)
RELAY_SCRIPT = Path(__file__).resolve().parents[1] / "relay_process.py"
REPO_ROOT = Path(__file__).resolve().parents[3]


class RelayProcess:
    """The relay script as a child process that can be crashed and started again."""

    def __init__(self, database_url: str, nats_url: str, log_path: Path) -> None:
        self._args = [sys.executable, str(RELAY_SCRIPT), database_url, nats_url, "--batch-size", "64"]
        self._log_path = log_path
        self._log = log_path.open("ab")
        self._proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        env = {"PYTHONPATH": str(REPO_ROOT), "PATH": "/usr/bin:/bin"}
        self._proc = subprocess.Popen(self._args, cwd=REPO_ROOT, env=env, stdout=self._log, stderr=self._log)
        self.starts += 1

    async def ready(self, timeout: float = 15.0) -> None:
        """Wait until the latest process is past its imports and connections and has begun to relay."""
        deadline = time.monotonic() + timeout
        while self._log_path.read_text().count("relay process ready") < self.starts:
            assert self._proc is not None and self._proc.poll() is None, "relay exited during start-up"
            assert time.monotonic() < deadline, "relay did not start"
            await asyncio.sleep(0.02)

    def kill(self) -> None:
        assert self._proc is not None
        assert self._proc.poll() is None, f"relay exited by itself with {self._proc.returncode}"
        self._proc.send_signal(signal.SIGKILL)
        self._proc.wait(timeout=10)

    def stop(self) -> int:
        assert self._proc is not None
        self._proc.send_signal(signal.SIGTERM)
        return self._proc.wait(timeout=15)

    def close(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=10)
        self._log.close()


def write_events(database: Database, tables, writer: int, seed: int) -> None:
    """One writer thread: EVENTS / WRITERS events over its own aggregates, in transactions of 1–40 events."""
    rng = random.Random(seed)
    aggregates = [f"agg-{i:02d}" for i in range(writer, AGGREGATES, WRITERS)]
    next_seq = dict.fromkeys(aggregates, 0)
    remaining = EVENTS // WRITERS
    while remaining:
        size = min(remaining, rng.randint(1, 40))
        with database.transaction() as session:
            for _ in range(size):
                aggregate = rng.choice(aggregates)
                event_id = new_id()
                message = struct_pb2.Struct()
                message.update({"aggregate": aggregate, "seq": next_seq[aggregate], "event_id": event_id})
                record_event(
                    session,
                    tables,
                    subject=rng.choice(SUBJECTS),
                    message=message,
                    aggregate_id=aggregate,
                    event_id=event_id,
                    traceparent=f"00-{rng.getrandbits(128):032x}-{rng.getrandbits(64):016x}-01",
                )
                next_seq[aggregate] += 1
            # Hold the transaction open a little: other writers take later ids and commit first. (SQLite writers
            # queue on the database lock, so there the pause would only slow everything down.)
            time.sleep(rng.uniform(0, 0.06 if database.dialect == "postgresql" else 0.005))
        remaining -= size
        time.sleep(rng.uniform(0.02, 0.2))


async def test_relay_crashes_publish_every_event_once_in_order(
    database_url: str, nats_server, tmp_path: Path
):
    seed = random.randrange(2**32)
    print(f"seed={seed}")
    rng = random.Random(seed)
    database = Database(database_url)
    tables = setup_schema(database)
    nc = await nats.connect(nats_server.url)
    relay = RelayProcess(database_url, nats_server.url, tmp_path / "relay.log")
    try:
        js = nc.jetstream()
        await ensure_stream(js, STREAM)
        relay.start()

        writers = [
            asyncio.to_thread(write_events, database, tables, w, rng.randrange(2**32)) for w in range(WRITERS)
        ]
        writing = asyncio.gather(*writers)
        kills = 0
        # Crash the relay at random moments while events are being written and published, at least MIN_KILLS times.
        while not writing.done() or kills < MIN_KILLS:
            await relay.ready()
            await asyncio.sleep(rng.uniform(0.05, 0.6))
            relay.kill()
            kills += 1
            relay.start()
        await writing

        await eventually(lambda: unsent_count(database, tables) == 0, timeout=60, what="outbox drained")
        await relay.ready()
        assert relay.stop() == 0, "SIGTERM must stop the relay cleanly"

        messages = await read_stream(js, STREAM.name, "leadflow.crashtest.v1.>")
        info = await js.stream_info(STREAM.name)
    finally:
        relay.close()
        await nc.close()

    with database.read() as session:
        ids = {row.event_id: row.id for row in session.execute(tables.outbox.select())}
    committed = set(ids)
    database.dispose()

    assert len(committed) == EVENTS
    assert info.state.messages == EVENTS, "the stream must hold each event exactly once"
    msg_ids = [m.headers[MSG_ID_HEADER] for m in messages]
    assert len(set(msg_ids)) == EVENTS, "duplicate Nats-Msg-Id in the stream"
    assert set(msg_ids) == committed, "events missing from the stream"

    seqs: dict[str, list[int]] = defaultdict(list)
    for msg in messages:
        body = struct_pb2.Struct()
        body.ParseFromString(msg.data)
        assert body["event_id"] == msg.headers[MSG_ID_HEADER]
        assert msg.headers["traceparent"].startswith("00-")
        seqs[body["aggregate"]].append(int(body["seq"]))
    assert len(seqs) == AGGREGATES
    for aggregate, order in seqs.items():
        assert order == list(range(len(order))), f"{aggregate}: events out of commit order"

    log = (tmp_path / "relay.log").read_text()
    duplicates = log.count("re-published duplicates")
    stream_ids = [ids[msg_id] for msg_id in msg_ids]
    late = sum(1 for before, after in zip(stream_ids, stream_ids[1:], strict=False) if after < before)
    print(
        f"{kills} kills, {relay.starts} relay starts, {duplicates} batches with deduplicated re-publishes, "
        f"{late} rows committed after a row with a higher id"
    )
    assert kills >= MIN_KILLS
