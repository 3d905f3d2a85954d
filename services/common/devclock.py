"""The stack-wide dev clock over NATS: one key-value entry (bucket ``LEADFLOW_DEV_CLOCK``, key ``offset_us``) holds
the offset of the stack's time from the system time, in integer microseconds.

Services started with ``LEADFLOW_DEV_CLOCK=true`` (``leadflow up --dev-clock``) create the bucket, read the offset
and follow every change (``follow``); ``leadflow clock`` reads and writes it (``read_offset``/``write_offset``) and
refuses when the bucket does not exist, that is, when no service of the stack runs on the dev clock. Production never
sets the variable, so its services never look at the bucket.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta

import nats.js.errors
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig
from nats.js.kv import KeyValue

from services.common.clock import DevClock

log = logging.getLogger(__name__)

BUCKET = "LEADFLOW_DEV_CLOCK"
KEY = "offset_us"


class DevClockNotEnabled(RuntimeError):
    """The stack does not run on the dev clock (its bucket does not exist)."""


def _decode(value: bytes | None) -> timedelta:
    return timedelta(microseconds=int(value or b"0"))


async def bucket(js: JetStreamContext, *, create: bool) -> KeyValue:
    try:
        return await js.key_value(BUCKET)
    except nats.js.errors.BucketNotFoundError:
        if not create:
            raise DevClockNotEnabled(
                "this stack does not run on the dev clock: start it with `leadflow up --dev-clock`"
            ) from None
        return await js.create_key_value(KeyValueConfig(bucket=BUCKET, history=1))


async def read_offset(kv: KeyValue) -> timedelta:
    try:
        entry = await kv.get(KEY)
    except nats.js.errors.KeyNotFoundError:
        return timedelta(0)
    return _decode(entry.value)


async def write_offset(kv: KeyValue, offset: timedelta) -> None:
    await kv.put(KEY, str(offset // timedelta(microseconds=1)).encode())


async def join(js: JetStreamContext, clock: DevClock) -> KeyValue:
    """Set ``clock`` to the stack's offset now (creating the bucket if this is the first service) and return the
    bucket to ``follow``. A service calls it before its consumers, timers and gRPC server start, so nothing it does
    ever reads the system time where the stack's time was meant."""
    kv = await bucket(js, create=True)
    clock.set_offset(await read_offset(kv))
    return kv


async def follow(kv: KeyValue, clock: DevClock, stop: asyncio.Event) -> None:
    """Keep ``clock``'s offset equal to the stack's until ``stop`` is set (``kv`` from ``join``)."""
    clock.set_offset(await read_offset(kv))  # a move between join and the watch is not missed
    watcher = await kv.watch(KEY)
    try:
        while not stop.is_set():
            try:
                entry = await watcher.updates(timeout=1.0)
            except (TimeoutError, nats.errors.TimeoutError):
                continue
            if entry is not None and entry.value is not None:
                clock.set_offset(_decode(entry.value))
                # DEBUG: `leadflow demo --accelerate` moves it thousands of times a run, which at INFO were nearly
                # every line of every service's log.
                log.debug("dev clock moved", extra={"offset_seconds": clock.offset.total_seconds()})
    finally:
        with contextlib.suppress(Exception):
            await watcher.stop()
