"""services.common.eventloop runs a service's main coroutine on the loop its settings chose."""

from __future__ import annotations

import asyncio

import pytest

from services.common import eventloop


async def _loop_module_and(value: int) -> tuple[str, int]:
    await asyncio.sleep(0)
    await asyncio.to_thread(
        lambda: None
    )  # a thread's call_soon_threadsafe back into the loop, as the db hops do
    return type(asyncio.get_running_loop()).__module__, value


def test_uvloop_runs_the_coroutine_on_a_uvloop_loop() -> None:
    module, value = eventloop.run(_loop_module_and(7), "uvloop")
    assert module.startswith("uvloop")
    assert value == 7


def test_asyncio_runs_the_coroutine_on_the_standard_loop() -> None:
    module, value = eventloop.run(_loop_module_and(8), "asyncio")
    assert module.startswith("asyncio")
    assert value == 8


def test_an_unknown_loop_is_refused_before_anything_runs() -> None:
    coroutine = _loop_module_and(9)
    with pytest.raises(ValueError, match="trio"):
        eventloop.run(coroutine, "trio")
    coroutine.close()
