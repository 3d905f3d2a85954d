"""`leadflow up`: nats-server with JetStream plus the five services on SQLite, in one command.

Ports and the NATS server come from flags, then LEADFLOW_* variables, then the defaults (``ports.py``). The table
and the "all five services SERVING" line are printed only once every service has reported, itself, the ports it
bound (``stack.py``); a service that exits before that, or later, is reported by name with the last lines of its
log, everything is stopped, and the exit status is 1. Ctrl-C or SIGTERM (what `leadflow down` sends) stops the
services first (each drains and exits 0), then nats-server.

``--then-demo ARGS`` (what ``make run`` uses) runs ``leadflow demo ARGS`` once the table is printed, against the
ports and NATS server the services reported, in the same terminal; when it ends, the stack stays up until Ctrl-C.
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from services.cli import stackfile
from services.cli.ports import StackPlan, plan_stack
from services.cli.stack import Failure, Stack
from services.common.auth import TokenCodec
from services.common.config import SERVICES, AuthSettings, ConfigError, Env


def _print_table(stack: Stack, token: str, elapsed: float) -> None:
    rows = [("service", "gRPC address", "metrics URL", "database")]
    for name in SERVICES:
        child = stack.children[name]
        assert child.report is not None
        rows.append(
            (
                child.name,
                f"127.0.0.1:{child.report.grpc_port}",
                f"http://127.0.0.1:{child.report.metrics_port}/metrics",
                str(stack.data_dir / f"{child.name}.db"),
            )
        )
    store = str(stack.data_dir / "jetstream") if stack.nats is not None else "(not started by up)"
    rows.append(("nats-server", stack.nats_url, "-", store))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for note in stack.plan.notes:
        print(f"note: {note}")
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\nall five services SERVING after {elapsed:.1f}s; logs in {stack.logs}")
    if os.environ.get("LEADFLOW_DEV_CLOCK") == "true":
        # `leadflow clock` finds this stack's NATS (even on a port up had to pick) from the data directory.
        print(
            "dev clock on: `.venv/bin/leadflow clock show | set TIME | advance 2h` moves every service's time"
        )
    print("dev admin token (tenant 'demo', 24 h):")
    print(token)
    print("\nCtrl-C (or `.venv/bin/leadflow down` from another terminal) stops everything.", flush=True)


def _report(failures: list[Failure]) -> None:
    for failure in failures:
        print(failure.render(), file=sys.stderr)
    sys.stderr.flush()


def run_up(
    data_dir_arg: str | None,
    timeout: float,
    *,
    grpc_ports: dict[str, int] | None = None,
    metrics_ports: dict[str, int] | None = None,
    nats_url: str | None = None,
    dev_clock: bool = False,
    then_demo: list[str] | None = None,
) -> int:
    if dev_clock:
        os.environ["LEADFLOW_DEV_CLOCK"] = "true"  # the children inherit it (services.common.devclock)
    env = Env()
    data_dir = Path(data_dir_arg or env.str("LEADFLOW_DATA_DIR", str(Path.cwd() / ".leadflow"))).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["LEADFLOW_DATA_DIR"] = str(data_dir)
    lock = open(data_dir / stackfile.LOCK_FILE, "w")  # noqa: SIM115 - held for the life of the stack
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"leadflow up: another stack already runs over {data_dir}", file=sys.stderr)
        return 1
    stackfile.write_holder(lock)  # `leadflow down` reads whom to stop from here
    try:
        plan: StackPlan = plan_stack(
            env, grpc_flags=grpc_ports, metrics_flags=metrics_ports, nats_url_flag=nats_url
        )
    except ConfigError as exc:
        print(f"leadflow up: configuration error: {exc}", file=sys.stderr)
        return 2
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    started = time.monotonic()
    stack = Stack(data_dir, plan)
    code = 0
    demo: subprocess.Popen[bytes] | None = None
    try:
        failures = _start(stack, timeout, lambda: stopping)
        if failures:
            _report(failures)
            return 0 if stopping else 1
        token = TokenCodec(AuthSettings.from_env(Env(), data_dir)).mint(
            tenant="demo", role="admin", subject="dev-admin"
        )
        stackfile.write(data_dir, _addresses(stack, Env().bool("LEADFLOW_DEV_CLOCK", False)))
        _print_table(stack, token, time.monotonic() - started)
        demo = start_demo(stack, then_demo) if then_demo is not None else None
        while not stopping:
            exited = stack.exited()
            if exited:
                _report(exited)
                code = 1
                break
            if demo is not None and demo.poll() is not None:
                print(
                    f"\nleadflow demo finished (exit status {demo.returncode}); the stack stays up: Ctrl-C or "
                    "`.venv/bin/leadflow down` stops it.",
                    flush=True,
                )
                demo = None
            time.sleep(0.2)
    finally:
        stackfile.remove(data_dir)  # first: nothing should look for a stack that is going away
        if demo is not None:
            stop_demo(demo)
        print("stopping…", flush=True)
        stack.stop()
        print("stopped.", flush=True)
    return code


def _addresses(stack: Stack, dev_clock: bool) -> stackfile.StackAddresses:
    """Where the started stack listens, as its services reported it (``stackfile``)."""
    reports = {name: stack.children[name].report for name in SERVICES}
    return stackfile.StackAddresses(
        nats_url=stack.nats_url,
        grpc_ports={name: report.grpc_port for name, report in reports.items() if report is not None},
        metrics_ports={name: report.metrics_port for name, report in reports.items() if report is not None},
        dev_clock=dev_clock,
    )


def start_demo(stack: Stack, args: list[str]) -> subprocess.Popen[bytes]:
    """`leadflow demo ARGS` against this stack: its ports and NATS as the services reported them, the data
    directory's key (inherited LEADFLOW_DATA_DIR). It shares the terminal; Ctrl-C reaches it too."""
    ports = [f"--grpc-port={name}={stack.grpc_port(name)}" for name in SERVICES]
    command = [
        sys.executable,
        "-m",
        "services.cli.main",
        "demo",
        *ports,
        f"--nats-url={stack.nats_url}",
        *args,
    ]
    print(f"\nrunning: leadflow demo {' '.join(args)}\n", flush=True)
    return subprocess.Popen(command)


def stop_demo(demo: subprocess.Popen[bytes]) -> None:
    if demo.poll() is None:
        demo.send_signal(signal.SIGINT)
        try:
            demo.wait(timeout=10)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait()


def _start(stack: Stack, timeout: float, stopping: Callable[[], bool]) -> list[Failure]:
    """Start nats-server and the services; the failures of whatever is not ready (empty when all are)."""
    failure = stack.start_nats(timeout)
    if failure is not None:
        return [failure]
    if stack.grpc_port("dedup") != 0:
        return stack.wait_ready(stack.spawn(list(SERVICES)), timeout, stopping)
    # ingest needs dedup's address, which only dedup knows once it has bound its port: start ingest after it.
    early = stack.spawn([name for name in SERVICES if name != "ingest"])
    dedup = stack.children["dedup"]
    others = [child for child in early if child is not dedup]
    failures = stack.wait_ready([dedup], timeout, stopping)
    if failures:
        return failures + stack.wait_ready(others, timeout, stopping)
    return stack.wait_ready([*others, *stack.spawn(["ingest"])], timeout, stopping)
