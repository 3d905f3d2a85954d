"""W3C trace context (https://www.w3.org/TR/trace-context/) carried from an RPC or an event to the events it causes.

The gRPC interceptor sets the incoming ``traceparent`` (or starts a trace when the caller sent none); a consumer sets
the ``traceparent`` header of the event it handles. The outbox writes the current value into the headers of every
event recorded in that context, so one trace spans SubmitLead, the events and their consumers. Context variables
follow the work into worker threads (``asyncio.to_thread`` and ``dbtx`` copy the context).
"""

from __future__ import annotations

import contextvars
import os
import re

_TRACEPARENT = re.compile(r"^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_ZERO_TRACE, _ZERO_SPAN = "0" * 32, "0" * 16

traceparent_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("traceparent", default=None)


def parse(header: str | None) -> tuple[str, str, str] | None:
    """(trace id, parent span id, flags) of a valid version-00 header, else None."""
    match = _TRACEPARENT.match((header or "").strip().lower())
    if match is None or match.group(1) == "ff":
        return None
    _version, trace_id, span_id, flags = match.groups()
    if trace_id == _ZERO_TRACE or span_id == _ZERO_SPAN:
        return None
    return trace_id, span_id, flags


def child_of(header: str | None) -> str:
    """A traceparent for work done on behalf of ``header``: the same trace with a new span id, or a new sampled
    trace when ``header`` is missing or invalid."""
    parsed = parse(header)
    trace_id, flags = (parsed[0], parsed[2]) if parsed else (os.urandom(16).hex(), "01")
    return f"00-{trace_id}-{os.urandom(8).hex()}-{flags}"


def trace_id_of(header: str | None) -> str | None:
    parsed = parse(header)
    return parsed[0] if parsed else None


def current() -> str | None:
    """The traceparent of the work running now, if any."""
    return traceparent_var.get()
