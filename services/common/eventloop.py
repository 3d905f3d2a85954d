"""The asyncio event loop a service runs on: uvloop where it is installed, the standard library's loop otherwise.

uvloop (libuv under asyncio's API) makes loop operations cheaper: scheduling a callback, a thread's
``call_soon_threadsafe``, a socket read. A service does many of them per SubmitLead (grpc.aio's completion callbacks,
``asyncio.to_thread`` hops, nats-py's reads and flushes). Measured with ``bench.profile_stack``, alternating the two
loops: unary SubmitLead through the whole stack cost ingest 4-20 % less CPU per lead (three pairs), a raw gRPC echo
server 15 % less per call; at 150 leads/s offered no difference; BatchSubmitLeads a few per cent more. grpc.aio
supports any asyncio loop (grpc/grpc#22311); nats-py and prometheus_client's thread need nothing of the loop.

``LEADFLOW_EVENT_LOOP`` (read by ``services.common.config.event_loop``) chooses: ``uvloop`` (the default where
uvloop is installed, as it is on Linux and macOS with leadflow's dependencies) or ``asyncio`` (the standard loop:
the default on Windows, where uvloop does not run, and a way back if a loop-specific problem ever shows up).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from services.common.config import EVENT_LOOPS

T = TypeVar("T")


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop]:
    """A function making a new event loop of the kind ``name`` (one of ``EVENT_LOOPS``)."""
    if name == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    if name == "asyncio":
        return asyncio.new_event_loop
    raise ValueError(f"unknown event loop {name!r}; one of {EVENT_LOOPS}")


def run(main: Coroutine[Any, Any, T], name: str) -> T:
    """``asyncio.run(main)`` on a new loop of the kind ``name``; returns what ``main`` returns."""
    with asyncio.Runner(loop_factory=loop_factory(name)) as runner:
        return runner.run(main)
