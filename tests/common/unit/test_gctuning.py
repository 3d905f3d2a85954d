"""gctuning: a serving process's collector freezes start-up's objects and collects its youngest generation less
often; run_service applies it once the service started."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from services.common import gctuning, runtime


@pytest.fixture
def restored_collector():  # type: ignore[no-untyped-def]
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_tuning_freezes_what_exists_and_raises_only_the_youngest_threshold(restored_collector) -> None:  # type: ignore[no-untyped-def]
    gc.set_threshold(700, 11, 12)
    kept = [object() for _ in range(3)]
    before = gc.get_freeze_count()
    gctuning.tune_for_serving()
    assert gc.get_freeze_count() > before  # start-up's objects are in the permanent generation
    assert gc.get_threshold() == (gctuning.GEN0_THRESHOLD, 11, 12)
    assert len(kept) == 3


def test_cyclic_garbage_of_start_up_is_collected_before_the_freeze(restored_collector) -> None:  # type: ignore[no-untyped-def]
    class Node:
        other: object

    gc.disable()  # no automatic collection may free the cycle first
    try:
        a, b = Node(), Node()
        a.other, b.other = b, a  # a cycle only the collector can free
        watch = weakref.ref(a)
        del a, b
        assert watch() is not None
        gctuning.tune_for_serving()
        assert watch() is None  # frozen without a collection first, it would live for ever
    finally:
        gc.enable()


def test_run_service_tunes_the_collector_once_started(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    order: list[str] = []

    async def start(self) -> None:  # type: ignore[no-untyped-def]
        order.append("started")
        self.stop_event.set()

    async def stop(self) -> None:  # type: ignore[no-untyped-def]
        order.append("stopped")

    monkeypatch.setattr(runtime.RunningService, "start", start)
    monkeypatch.setattr(runtime.RunningService, "stop", stop)
    monkeypatch.setattr(gctuning, "tune_for_serving", lambda: order.append("tuned"))
    assert asyncio.run(runtime.run_service(app=None)) == 0  # type: ignore[arg-type]
    assert order == ["started", "tuned", "stopped"]
