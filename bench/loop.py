"""The event loop a benchmark's own process runs on: the one the services choose in the same environment.

A ceiling is only a ceiling if it runs on the same loop as what it bounds: the raw gRPC echo measured on the
standard loop while the services run on uvloop would flatter every ratio. So the driver, its load generator and
the ceilings it measures run on ``services.common.config.event_loop`` (uvloop by default, ``asyncio`` when
LEADFLOW_EVENT_LOOP says so), and the results record which.
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any, TypeVar

from services.common import eventloop
from services.common.config import Env, event_loop

T = TypeVar("T")


def name() -> str:
    """``uvloop`` or ``asyncio``. Raises ConfigError for a bad LEADFLOW_EVENT_LOOP."""
    return event_loop(Env())


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to its end on the services' loop; returns what it returns."""
    return eventloop.run(main, name())
