"""Connecting to NATS: keep trying until it answers (it may start after us in Kubernetes), then reconnect forever."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import nats
from nats.aio.client import Client

from services.common.config import NatsSettings
from services.common.metrics import NATS_CONNECTED

log = logging.getLogger("leadflow.nats")


class ClientErrorLog:
    """nats-py's error callback for a service's connection: one warning line (the error's type and message) instead
    of the client's default traceback, and at most one per ``interval_s`` seconds. While NATS is away nats-py reports
    every reconnect attempt (two a second), which would fill every replica's log; the line after a quiet spell says
    how many were left out (``suppressed``). ``reset()`` (on reconnecting) lets the next error through at once."""

    def __init__(self, interval_s: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._interval_s = interval_s
        self._clock = clock
        self._quiet_until = float("-inf")
        self._suppressed = 0

    async def report(self, error: Exception) -> None:
        """The callback itself (a coroutine function: nats-py refuses any other kind)."""
        now = self._clock()
        if now < self._quiet_until:
            self._suppressed += 1
            return
        extra: dict[str, object] = {"error": f"{type(error).__name__}: {error}"}
        if self._suppressed:
            extra["suppressed"] = self._suppressed
        log.warning("nats client error", extra=extra)
        self._suppressed = 0
        self._quiet_until = now + self._interval_s

    def reset(self) -> None:
        self._quiet_until = float("-inf")


async def ignore_client_error(_error: Exception) -> None:
    """nats-py's error callback for a command's one-shot connection, which reports a failure itself."""


def credential_options(settings: NatsSettings) -> dict[str, Any]:
    """``nats.connect`` keyword arguments for the credentials and inbox prefix in ``settings``.

    The password is a callable that reads the file on every (re)connect, and nats-py reads a creds file on every
    (re)connect too, so a rotated Kubernetes Secret is picked up without a restart.
    """
    options: dict[str, Any] = {"inbox_prefix": settings.inbox_prefix}
    if settings.creds_file is not None:
        options["user_credentials"] = str(settings.creds_file)
    if settings.user is not None and settings.password_file is not None:
        password_file = settings.password_file
        options["user"] = settings.user
        options["password"] = lambda: password_file.read_text().strip()
    return options


async def connect_nats(
    url: str,
    name: str,
    stop: asyncio.Event,
    *,
    max_wait: float = 5.0,
    settings: NatsSettings | None = None,
) -> Client | None:
    """Connect, retrying with backoff; returns None only if ``stop`` is set first."""
    options = credential_options(settings) if settings is not None else {}
    delay = 0.1
    errors = ClientErrorLog()

    async def disconnected() -> None:
        NATS_CONNECTED.set(0)

    async def reconnected() -> None:
        NATS_CONNECTED.set(1)
        errors.reset()

    while not stop.is_set():
        # nats-py keeps trying an unreachable server inside connect() itself (every reconnect_time_wait, without
        # end): the attempt races ``stop``, so a service asked to stop while NATS is away stops at once.
        connecting = asyncio.ensure_future(
            nats.connect(
                url,
                name=name,
                connect_timeout=2,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                allow_reconnect=True,
                disconnected_cb=disconnected,
                reconnected_cb=reconnected,
                error_cb=errors.report,
                **options,
            )
        )
        stopping = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not connecting.done():
            connecting.cancel()
            with contextlib.suppress(BaseException):
                await connecting
            return None
        try:
            client = connecting.result()
            NATS_CONNECTED.set(1)
            return client
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
