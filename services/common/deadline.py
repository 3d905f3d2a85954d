"""The deadline of the work running now: the caller's gRPC deadline, set by the interceptor, carried into worker
threads with the context. Database waits never outlive it, and work whose caller has given up is not started."""

from __future__ import annotations

import contextvars
import time

from services.common.errors import DeadlineExceeded

# A time.monotonic() instant, or None when the caller set no deadline.
deadline_var: contextvars.ContextVar[float | None] = contextvars.ContextVar("deadline", default=None)


def remaining() -> float | None:
    """Seconds left before the caller's deadline (may be negative), or None without a deadline."""
    deadline = deadline_var.get()
    return None if deadline is None else deadline - time.monotonic()


def check(what: str) -> None:
    """Raise DeadlineExceeded when the caller's deadline has passed: ``what`` would be work nobody waits for."""
    left = remaining()
    if left is not None and left <= 0:
        raise DeadlineExceeded(f"the caller's deadline passed before {what} started; nothing was done")


def bounded_ms(limit_ms: int) -> int:
    """``limit_ms``, or the milliseconds left before the deadline when fewer (at least 1)."""
    left = remaining()
    return limit_ms if left is None else max(1, min(limit_ms, int(left * 1000)))
