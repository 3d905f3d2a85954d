"""How fast this machine runs Python right now: the CPU milliseconds a fixed pure-Python workload takes.

CPU per lead is the figure to compare across changes, but on a virtual machine it is not steady: while the host
runs other guests on the same physical cores, the guest still counts the time as its own process's CPU (no steal
is reported here), so the same code costs up to twice the CPU milliseconds in one hour as in another. A fixed
workload measured in the same run shows that state: divide two runs' CPU per lead by their calibrations before
comparing them, or compare only runs whose calibrations agree.

The workload is what a service's Python does most (dict and attribute lookups, small allocations, string
formatting, calls), with no I/O; it is run a few times and the fastest kept, the run least disturbed.
"""

from __future__ import annotations

import time


def _workload() -> int:
    total = 0
    record: dict[str, object] = {}
    for i in range(200_000):
        record["id"] = i
        record["name"] = f"lead-{i}"
        record["tags"] = [i, i + 1]
        total += len(str(record["name"])) + len(record)  # type: ignore[arg-type]
    return total


def python_cpu_ms(rounds: int = 3) -> float:
    """CPU milliseconds (this process's user + system time) of the fixed workload: the fastest of ``rounds``."""
    best = float("inf")
    for _ in range(rounds):
        began = time.process_time()
        _workload()
        best = min(best, (time.process_time() - began) * 1000)
    return best
