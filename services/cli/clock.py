"""`leadflow clock show | set <time> | advance <duration>`: move the time of every service of a dev stack at once.

Works only on a stack started with ``leadflow up --dev-clock`` (its services create the clock's key-value bucket in
JetStream; without it the command refuses and says so). ``set`` takes an ISO 8601 time (a time without a zone is
UTC); ``advance`` takes a duration such as ``90s``, ``15m``, ``2h``, ``1d`` or ``1d2h30m`` (``advance -- -2h`` moves back). The stack's time is the
system time plus an offset, so it keeps running after a move, and every timer that became due fires.
"""

from __future__ import annotations

import asyncio
import re
import sys
from datetime import UTC, datetime, timedelta

import nats

from services.cli import stackfile
from services.common import devclock
from services.common.config import Env
from services.common.natsconn import ignore_client_error

_UNITS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$")


def parse_duration(text: str) -> timedelta:
    """``1d2h30m``, ``90s``, ``-2h`` (a negative duration moves back); ValueError otherwise."""
    sign = -1 if text.startswith("-") else 1
    match = _DURATION.match(text.lstrip("+-").strip())
    if not text.strip("+-") or match is None or not any(match.groups()):
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 15m, 2h, 1d or 1d2h30m)")
    days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return sign * timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def _run(action: str, value: str | None, nats_url: str) -> str:
    nc = await nats.connect(
        # One attempt per server: nats-py reads max_reconnect_attempts=0 as "no limit" and would retry forever.
        nats_url,
        connect_timeout=3,
        max_reconnect_attempts=1,
        error_cb=ignore_client_error,
    )
    try:
        kv = await devclock.bucket(nc.jetstream(), create=False)
        offset = await devclock.read_offset(kv)
        if action == "set":
            assert value is not None
            offset = parse_time(value) - datetime.now(UTC)
            await devclock.write_offset(kv, offset)
        elif action == "advance":
            assert value is not None
            offset += parse_duration(value)
            await devclock.write_offset(kv, offset)
    finally:
        await nc.close()
    stack_time = datetime.now(UTC) + offset
    ahead = offset.total_seconds()
    relation = f"{ahead:.0f} s ahead of" if ahead >= 0 else f"{-ahead:.0f} s behind"
    return f"stack time {stack_time.isoformat(timespec='seconds')} ({relation} the system time)"


def run_clock(action: str, value: str | None, nats_url: str | None) -> int:
    url = stackfile.nats_url(Env(), nats_url)
    try:
        print(asyncio.run(_run(action, value, url)))
    except ValueError as exc:
        print(f"leadflow clock: {exc}", file=sys.stderr)
        return 2
    except devclock.DevClockNotEnabled as exc:
        # Name the server: with no stack running over LEADFLOW_DATA_DIR it may be some other NATS on 4222.
        print(f"leadflow clock: {exc} (asked the NATS server at {url})", file=sys.stderr)
        return 1
    except (OSError, nats.errors.NoServersError, TimeoutError) as exc:
        print(f"leadflow clock: cannot reach NATS at {url}: {type(exc).__name__}", file=sys.stderr)
        return 1
    return 0
