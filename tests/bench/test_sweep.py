"""bench.e2e.sweep: the best of each caller-count family, and the unary ratio against the best echo of the run."""

from __future__ import annotations

from typing import Any

from bench.e2e.sweep import best_of, echo_key, family, phase_key


def _rate(calls: int, seconds: float = 1.0) -> dict[str, Any]:
    return {"calls": calls, "seconds": seconds, "p50_ms": 1.0, "p99_ms": 2.0}


def _phase(rate: float, p99: float = 10.0) -> dict[str, Any]:
    return {"rpc_leads_per_s": rate, "rpc_p99_ms": p99}


def test_the_best_phase_of_each_family_against_the_best_echo() -> None:
    # The echo peaks at the first count, SubmitLead at the last: the ratio divides the two bests.
    ceilings = {"echo": _rate(3000), echo_key(64): _rate(2800)}
    phases = {
        "saturation": _phase(400),
        phase_key("saturation", 64): _phase(900, p99=120.0),
        "alone_saturation": _phase(450),
        phase_key("alone_saturation", 64): _phase(300),
        "batch": _phase(2100),
        phase_key("batch", 16): _phase(2050),
    }
    best = best_of(
        ceilings, phases, callers=16, more_callers=(64,), batch_callers=4, more_batch_callers=(16,)
    )
    assert best["echo"] == {"callers": 16, "calls_per_s": 3000.0}
    assert best["saturation"] == {"callers": 64, "rpc_leads_per_s": 900, "rpc_p99_ms": 120.0, "to_echo": 0.3}
    assert best["alone_saturation"]["callers"] == 16 and best["alone_saturation"]["to_echo"] == 0.15
    assert best["batch"] == {"callers": 4, "rpc_leads_per_s": 2100, "rpc_p99_ms": 10.0}
    assert "to_echo" not in best["batch"]
    assert "alone_batch" not in best  # a family the run does not have


def test_a_later_echo_that_beats_the_first_is_the_ceiling() -> None:
    ceilings = {"echo": _rate(3000, 2.0), echo_key(32): _rate(2000)}  # 1,500 against 2,000 calls/s
    phases = {"saturation": _phase(500), phase_key("saturation", 32): _phase(400)}
    best = best_of(ceilings, phases, callers=16, more_callers=(32,), batch_callers=4, more_batch_callers=())
    assert best["echo"] == {"callers": 32, "calls_per_s": 2000.0}
    assert best["saturation"]["callers"] == 16 and best["saturation"]["to_echo"] == 0.25


def test_a_family_lists_the_counts_it_ran_first_count_first() -> None:
    phases = {"batch": _phase(1), phase_key("batch", 16): _phase(2), phase_key("batch", 8): _phase(3)}
    assert [n for n, _ in family(phases, "batch", 4, (8, 16, 32))] == [4, 8, 16]
    assert family(phases, "saturation", 16, (64,)) == []
