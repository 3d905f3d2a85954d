"""bench.calibration: the CPU a fixed workload takes, the fastest of its rounds."""

from __future__ import annotations

import time

from bench import calibration


def test_the_fastest_round_is_kept(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    clock = iter([0.0, 0.30, 1.0, 1.12, 2.0, 2.25])  # rounds of 300, 120 and 250 ms of CPU
    monkeypatch.setattr(time, "process_time", lambda: next(clock))
    monkeypatch.setattr(calibration, "_workload", lambda: 0)
    assert round(calibration.python_cpu_ms(rounds=3)) == 120


def test_the_workload_costs_cpu() -> None:
    assert calibration.python_cpu_ms(rounds=1) > 1.0
