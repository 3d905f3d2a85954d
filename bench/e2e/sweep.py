"""Saturation found by caller counts: each closed-loop family (unary, batch; whole stack and alone) is run at
several caller counts, and its figure is the best answered rate of the family; the unary ratio divides it by the
best raw echo measured at the same caller counts in the same run.

Why a sweep: the echo's rate stops rising at a few callers (on 2 cores, 16 and 64 callers gave 3,442 and 3,128
calls/s, then 3,047 and 3,409), while SubmitLead's group commit stores every call that waits together in one
transaction, so 16 callers leave ingest running groups of 8 (the other 8 are being answered) and a rate that more
callers raise (ingest + dedup alone, same machine minutes apart: 442 leads/s at 16 callers, 957 at 64). A
"saturation" rate taken at 16 callers is not the service's saturation. The first caller count stays the phase of
record for CPU per lead, comparable with earlier runs.
"""

from __future__ import annotations

from typing import Any

UNARY = "saturation"
BATCH = "batch"
ALONE_UNARY = "alone_saturation"
ALONE_BATCH = "alone_batch"


def phase_key(family: str, callers: int) -> str:
    """The phase name of ``family`` (one of the four above) run again with ``callers`` callers."""
    return f"{family}_{callers}_callers"


def echo_key(callers: int) -> str:
    """The ceilings' key of the raw echo measured with ``callers`` callers (``echo`` is the first count's)."""
    return f"echo_{callers}_callers"


def calls_per_s(rate: dict[str, Any]) -> float:
    """A ceiling's (``bench.echo.Rate`` as a dict) calls, or messages, per second."""
    return rate["calls"] / rate["seconds"] if rate["seconds"] else 0.0


def family(
    phases: dict[str, Any], name: str, first: int, more: tuple[int, ...]
) -> list[tuple[int, dict[str, Any]]]:
    """(callers, phase) of every phase of the family ``name`` this run has, first count first."""
    found = [(first, phases[name])] if name in phases else []
    return found + [(n, phases[phase_key(name, n)]) for n in more if phase_key(name, n) in phases]


def best_of(
    ceilings: dict[str, Any],
    phases: dict[str, Any],
    *,
    callers: int,
    more_callers: tuple[int, ...],
    batch_callers: int,
    more_batch_callers: tuple[int, ...],
) -> dict[str, Any]:
    """The best of each family, keyed by the family's phase name: ``{"echo": {"callers", "calls_per_s"},
    "saturation" | "alone_saturation": {"callers", "rpc_leads_per_s", "rpc_p99_ms", "to_echo"}, "batch" |
    "alone_batch": {"callers", "rpc_leads_per_s", "rpc_p99_ms"}}``; rates are answered leads (or echo calls) per
    second, ``to_echo`` divides by the best echo. A family the run does not have is left out."""
    echoes = [(callers, calls_per_s(ceilings["echo"]))] + [
        (n, calls_per_s(ceilings[echo_key(n)])) for n in more_callers if echo_key(n) in ceilings
    ]
    echo_callers, echo_rate = max(echoes, key=lambda pair: pair[1])
    best: dict[str, Any] = {"echo": {"callers": echo_callers, "calls_per_s": echo_rate}}
    for name, first, more in (
        (UNARY, callers, more_callers),
        (ALONE_UNARY, callers, more_callers),
        (BATCH, batch_callers, more_batch_callers),
        (ALONE_BATCH, batch_callers, more_batch_callers),
    ):
        runs = family(phases, name, first, more)
        if not runs:
            continue
        n, phase = max(runs, key=lambda pair: pair[1]["rpc_leads_per_s"])
        best[name] = {
            "callers": n,
            "rpc_leads_per_s": phase["rpc_leads_per_s"],
            "rpc_p99_ms": phase["rpc_p99_ms"],
        }
        if name in (UNARY, ALONE_UNARY):
            best[name]["to_echo"] = phase["rpc_leads_per_s"] / echo_rate if echo_rate else 0.0
    return best
