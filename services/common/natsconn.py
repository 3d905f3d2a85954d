"""Connecting to NATS: keep trying until it answers (it may start after us in Kubernetes), then reconnect forever."""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client

log = logging.getLogger("leadflow.nats")


async def connect_nats(url: str, name: str, stop: asyncio.Event, *, max_wait: float = 5.0) -> Client | None:
    """Connect, retrying with backoff; returns None only if ``stop`` is set first."""
    delay = 0.1
    while not stop.is_set():
        try:
            return await nats.connect(
                url,
                name=name,
                connect_timeout=2,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                allow_reconnect=True,
            )
        except (OSError, nats.errors.NoServersError, TimeoutError) as exc:
            log.warning(
                "nats not reachable yet, retrying", extra={"retry_in_s": round(delay, 2), "error": str(exc)}
            )
            try:
                await asyncio.wait_for(stop.wait(), timeout=delay)
            except TimeoutError:
                pass
            delay = min(delay * 2, max_wait)
    return None
