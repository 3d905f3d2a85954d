"""CPU time and memory of processes, read from /proc (Linux): cheap enough to read around every measured window."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_ms(pid: int) -> float:
    """User + system CPU time of ``pid`` so far, in milliseconds (utime + stime of /proc/<pid>/stat, all threads).

    Raises OSError when the process is gone."""
    return sum(user_system_ms(pid))


def user_system_ms(pid: int) -> tuple[float, float]:
    """User and system CPU time of ``pid`` so far, in milliseconds (utime and stime of /proc/<pid>/stat).

    Raises OSError when the process is gone."""
    # The command name (field 2) may hold spaces and parentheses: the fields after it start after the last ")".
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5), counted from 1
    return utime * 1000 / _TICKS_PER_SECOND, stime * 1000 / _TICKS_PER_SECOND


def all_threads_stopped(pid: int) -> bool:
    """Whether every thread of ``pid`` is stopped (state ``T`` in /proc/<pid>/task/<tid>/stat): a SIGSTOP takes effect
    when each thread next enters the kernel, not when ``kill`` returns, and a thread still running is still counted."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            continue  # the thread ended meanwhile
        if state not in ("T", "t"):
            return False
    return True


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` now (VmRSS), in MiB; 0.0 when the kernel does not say."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_anon_mb(pid: int) -> float:
    """The anonymous part of ``pid``'s resident memory (RssAnon: its own heap and stacks, not the pages of shared
    libraries mapped from the page cache), in MiB; 0.0 when the kernel does not say. The file part depends on how
    the libraries came into the page cache (``bench.stack_footprint``), the anonymous part on the code alone."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) / 1024
    return 0.0


def machine_busy_ms() -> float:
    """CPU time every core of the machine has spent busy since boot (all of /proc/stat's "cpu" line but idle and
    iowait), in milliseconds: with our processes' own time it tells how much of the machine others used."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values[:8]) - idle) * 1000 / _TICKS_PER_SECOND


def machine() -> dict[str, object]:
    """The machine a run measured: CPU model, cores, load average at the time."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    return {"cpu_model": model, "cores": os.cpu_count(), "loadavg": list(os.getloadavg())}
