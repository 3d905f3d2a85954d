"""The stack's time as the demo sees it, and moving it (``--accelerate``) on a dev-clock stack.

A stack started with ``leadflow up --dev-clock`` keeps its time as the system time plus an offset in a JetStream
key-value entry (``services.common.devclock``); every service follows it. The demo reads that offset to know the
stack's time, and with ``--accelerate`` writes it forward in steps, never back, so that timers fire in order.
Without a dev clock the stack's time is the system time.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import nats
from nats.aio.client import Client
from nats.js.kv import KeyValue

from services.common import devclock
from services.common.natsconn import ignore_client_error

NATS_CONNECT_TIMEOUT_SECONDS = 2


class DevClockRequired(RuntimeError):
    """--accelerate on a stack without a dev clock (or without a reachable NATS to move it through)."""


class StackClock:
    """System time plus the dev clock's offset (zero without one)."""

    def __init__(self, nc: Client | None, kv: KeyValue | None, offset: timedelta) -> None:
        self._nc = nc
        self._kv = kv
        self._offset = offset

    @classmethod
    async def open(cls, nats_url: str, *, accelerate: bool) -> StackClock:
        """The stack's clock. With ``accelerate`` the dev clock must exist (DevClockRequired says why not);
        without it a dev clock is followed when there is one, and the system time used otherwise."""
        try:
            nc = await asyncio.wait_for(
                nats.connect(
                    nats_url,
                    connect_timeout=NATS_CONNECT_TIMEOUT_SECONDS,
                    max_reconnect_attempts=1,  # nats-py reads 0 as "no limit"
                    error_cb=ignore_client_error,
                ),
                NATS_CONNECT_TIMEOUT_SECONDS * 2,
            )
        except (OSError, nats.errors.NoServersError, TimeoutError) as exc:
            if accelerate:
                raise DevClockRequired(
                    f"--accelerate moves the stack's dev clock through NATS, and nothing answers at {nats_url} "
                    f"({type(exc).__name__}): pass the stack's --nats-url (or LEADFLOW_NATS_URL)"
                ) from None
            return cls(None, None, timedelta(0))
        try:
            kv = await devclock.bucket(nc.jetstream(), create=False)
        except devclock.DevClockNotEnabled:
            await nc.close()
            if accelerate:
                raise DevClockRequired(
                    "--accelerate runs the day on the stack's dev clock, and this stack has none: start it with "
                    "`leadflow up --dev-clock` (as `make run` does), or run the demo without --accelerate, in real "
                    "time (refund windows of 24 h will then not pass during the run)"
                ) from None
            return cls(None, None, timedelta(0))
        return cls(nc, kv, await devclock.read_offset(kv))

    @property
    def movable(self) -> bool:
        return self._kv is not None

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    async def refresh(self) -> None:
        """Read the offset again (someone else may have moved the clock)."""
        if self._kv is not None:
            self._offset = await devclock.read_offset(self._kv)

    async def advance_to(self, moment: datetime) -> None:
        """Move the stack's time forward to ``moment``; an earlier moment changes nothing."""
        if self._kv is None:
            raise DevClockRequired("the stack has no dev clock to move")
        offset = moment - datetime.now(UTC)
        if offset > self._offset:
            self._offset = offset
            await devclock.write_offset(self._kv, offset)

    async def close(self) -> None:
        if self._nc is not None:
            with contextlib.suppress(Exception):
                await self._nc.close()
