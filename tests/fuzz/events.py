"""Reading back what the services published to JetStream during the bad-input suite: the streams' positions when
it started, and every event stored since, decoded with its catalog payload type."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import nats
from google.protobuf.message import Message
from nats.js.errors import NotFoundError

from services.common.events import STREAM_OF_SERVICE, payload_types
from tests.harness import run_sync

STREAMS = tuple(spec.name for spec in STREAM_OF_SERVICE.values())


@dataclass(frozen=True)
class StoredEvent:
    stream: str
    sequence: int
    subject: str
    data: bytes

    def payload(self) -> Message:
        """The payload decoded as the catalog's type for its subject (services.common.events)."""
        message: Message = payload_types()[self.subject]()
        message.ParseFromString(self.data)
        return message


async def _positions(url: str) -> dict[str, int]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        out = {}
        for name in STREAMS:
            try:
                out[name] = (await js.stream_info(name)).state.last_seq
            except NotFoundError:
                out[name] = 0
        return out
    finally:
        await nc.close()


def stream_positions(url: str) -> dict[str, int]:
    """Each producer stream's last sequence (0 for a stream not created yet)."""
    return run_sync(_positions(url))


async def _events_after(url: str, start: dict[str, int]) -> list[StoredEvent]:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        events = []
        for name in STREAMS:
            last = (await js.stream_info(name)).state.last_seq
            for sequence in range(start.get(name, 0) + 1, last + 1):
                try:
                    stored = await js.get_msg(name, sequence)
                except NotFoundError:
                    continue  # removed by the stream's limits
                events.append(StoredEvent(name, sequence, stored.subject or "", stored.data or b""))
        return events
    finally:
        await nc.close()


def settled_events(url: str, start: dict[str, int], quiet_seconds: float = 1.0) -> list[StoredEvent]:
    """Every event stored after ``start`` once the relays have stopped publishing (no new event for
    ``quiet_seconds``), so outbox rows committed by the last cases are included."""

    async def settle() -> list[StoredEvent]:
        previous = await _positions(url)
        while True:
            await asyncio.sleep(quiet_seconds)
            now = await _positions(url)
            if now == previous:
                return await _events_after(url, start)
            previous = now

    return run_sync(settle())
