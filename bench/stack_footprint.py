"""`leadflow up` figures: time until all five services are SERVING, and idle RSS of each process.

Runs the real command in a temporary data directory (cold: fresh SQLite files, migrations, streams), then a second
time over the same directory (warm), reads VmRSS of every child from /proc after a short idle period, and stops it.
The baseline for RSS is a bare Python interpreter measured in the same run.

VmRSS is split into its anonymous part (the process's own memory) and its file part (pages of shared libraries
mapped from the page cache, shared with every process that maps them). The file part depends on the page cache more
than on the code: a kernel that keeps files in large folios maps a whole folio on a page fault, so grpc's
cygrpc.so alone counts 9 to 15 MiB depending on how its pages came into the cache (written by pip just now: more;
evicted and read back on demand: less). Compare runs by the anon column when that state may differ, or start from a
known state with ``--libraries-from-disk`` (``bench.pagecache``): the libraries dropped from the page cache first, so
the services read them from disk, as a container started from its image does.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.pagecache import drop_this_pythons_libraries
from services.cli.ports import any_free_ports
from services.common.netutil import free_port


def _rss_mb(pid: int) -> float:
    return _status_mb(pid)["VmRSS"]


def _status_mb(pid: int) -> dict[str, float]:
    """VmRSS, RssAnon, RssFile and RssShmem of a process, in MiB."""
    found = {"VmRSS": 0.0, "RssAnon": 0.0, "RssFile": 0.0, "RssShmem": 0.0}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key = line.split(":", 1)[0]
        if key in found:
            found[key] = int(line.split()[1]) / 1024
    return found


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _name(pid: int) -> str:
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    text = " ".join(part.decode() for part in cmdline if part)
    match = re.search(r"services\.(\w+)", text)
    return match.group(1) if match else ("nats-server" if "nats-server" in text else text[:30])


def run_once(data_dir: Path, idle_seconds: float) -> tuple[float, dict[str, float]]:
    """Seconds until all five are SERVING, and VmRSS (MiB) of every child after ``idle_seconds``."""
    serving, status = _run_stack(data_dir, idle_seconds)
    return serving, {name: mb["VmRSS"] for name, mb in status.items()}


def _run_stack(data_dir: Path, idle_seconds: float) -> tuple[float, dict[str, dict[str, float]]]:
    # Ports of its own (0: free ones) and a nats-server of its own, so another stack on the machine (or a NATS
    # server on 4222) can neither collide with this one nor stand in for its nats-server.
    ports = any_free_ports()
    env = dict(os.environ, PYTHONUNBUFFERED="1", LEADFLOW_NATS_URL=f"nats://127.0.0.1:{free_port()}") | ports
    began = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.cli.main", "up", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    serving = None
    for line in proc.stdout:
        if "SERVING after" in line:
            serving = time.monotonic() - began
            break
    if serving is None:
        raise SystemExit("leadflow up did not reach SERVING")
    time.sleep(idle_seconds)
    status = {_name(pid): _status_mb(pid) for pid in _children(proc.pid)}
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    return serving, status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before reading RSS")
    parser.add_argument(
        "--libraries-from-disk",
        action="store_true",
        help="first drop the interpreter's and the virtualenv's shared libraries from the page cache, so the "
        "services read them from disk as a container started from its image does",
    )
    args = parser.parse_args(argv)
    if args.libraries_from_disk:
        print(f"shared libraries dropped from the page cache: {drop_this_pythons_libraries()} files")
    bare = subprocess.run(
        [sys.executable, "-c", "import re;print(open('/proc/self/status').read())"],
        capture_output=True,
        text=True,
    ).stdout
    bare_mb = int(re.search(r"VmRSS:\s+(\d+)", bare).group(1)) / 1024  # type: ignore[union-attr]
    with tempfile.TemporaryDirectory() as tmp:
        cold, status = _run_stack(Path(tmp) / "stack", args.idle)
        warm, _ = run_once(Path(tmp) / "stack", 0.5)
    print(f"leadflow up to all SERVING: cold {cold:.1f}s, warm {warm:.1f}s (cold includes migrations)")
    print(f"\n{'process':<14} {'idle RSS MiB':>13} {'× bare python':>14} {'anon MiB':>9} {'file MiB':>9}")
    for name in sorted(status):
        mb = status[name]
        rss = mb["VmRSS"]
        print(f"{name:<14} {rss:>13.1f} {rss / bare_mb:>14.1f} {mb['RssAnon']:>9.1f} {mb['RssFile']:>9.1f}")
    print(f"{'bare python':<14} {bare_mb:>13.1f} {1.0:>14.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
