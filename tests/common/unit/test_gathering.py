"""Group commit's gatherer: one run per group, each caller answered with its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from services.common.gathering import Gatherer


class Runs:
    def __init__(self, fail_all: Exception | None = None) -> None:
        self.groups: list[list[int]] = []
        self.fail_all = fail_all

    async def __call__(self, key: str, items: Sequence[int]) -> list[int | BaseException]:
        self.groups.append(list(items))
        await asyncio.sleep(0)
        if self.fail_all is not None:
            raise self.fail_all
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]


async def test_concurrent_calls_share_one_run_and_get_their_own_outcomes() -> None:
    runs = Runs()
    gatherer: Gatherer[str, int, int] = Gatherer(runs, window=0.05, max_size=100)
    results = await asyncio.gather(*(gatherer.call("t", i) for i in range(6)), return_exceptions=True)
    assert runs.groups == [[0, 1, 2, 3, 4, 5]]
    assert [r if isinstance(r, int) else str(r) for r in results] == [0, "odd 1", 20, "odd 3", 40, "odd 5"]


async def test_groups_are_per_key_and_at_most_max_size() -> None:
    runs = Runs()
    gatherer: Gatherer[str, int, int] = Gatherer(runs, window=0.05, max_size=3)
    calls = [gatherer.call("a", i) for i in (0, 2, 4, 6, 8)] + [gatherer.call("b", 10)]
    assert await asyncio.gather(*calls) == [0, 20, 40, 60, 80, 100]
    assert sorted(runs.groups) == [[0, 2, 4], [6, 8], [10]]


async def test_a_failed_run_fails_every_caller_and_a_cancelled_caller_leaves_the_others() -> None:
    failing = Gatherer(Runs(fail_all=RuntimeError("store down")), window=0.02, max_size=10)
    results = await asyncio.gather(*(failing.call("t", i) for i in range(3)), return_exceptions=True)
    assert [str(r) for r in results] == ["store down"] * 3

    runs = Runs()
    gatherer: Gatherer[str, int, int] = Gatherer(runs, window=0.05, max_size=10)
    leader = asyncio.ensure_future(gatherer.call("t", 2))
    other = asyncio.ensure_future(gatherer.call("t", 4))
    await asyncio.sleep(0)
    leader.cancel()
    assert await other == 40
    assert runs.groups == [[2, 4]]
    with pytest.raises(asyncio.CancelledError):
        await leader


def test_window_and_size_must_allow_a_group() -> None:
    with pytest.raises(ValueError):
        Gatherer(Runs(), window=0, max_size=5)


async def test_callers_arriving_while_a_group_runs_form_the_next_group_and_keys_do_not_wait() -> None:
    release = asyncio.Event()
    groups: list[tuple[str, list[int]]] = []

    async def run(key: str, items: Sequence[int]) -> list[int | BaseException]:
        groups.append((key, list(items)))
        if key == "slow" and not release.is_set():
            await release.wait()
        return list(items)

    gatherer: Gatherer[str, int, int] = Gatherer(run, window=0.01, max_size=100, max_running=1)
    first = asyncio.ensure_future(gatherer.call("slow", 1))
    await asyncio.sleep(0.05)  # its group is running (blocked)
    later = [asyncio.ensure_future(gatherer.call("slow", n)) for n in (2, 3, 4)]
    other = await asyncio.wait_for(gatherer.call("fast", 9), timeout=5)  # another key is not held up
    await asyncio.sleep(0.05)
    release.set()
    assert await first == 1 and await asyncio.gather(*later) == [2, 3, 4] and other == 9
    assert groups == [("slow", [1]), ("fast", [9]), ("slow", [2, 3, 4])]
