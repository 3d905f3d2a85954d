"""Profile the stack as deployed under one load shape: what `make bench` measures, for one phase, with py-spy on the
services you name. The tool used to find where a lead's CPU goes (issue 14).

    .venv/bin/python -m bench.profile_stack [--shape unary|batch|rate] [--leads N] [--callers N] [--rate N]
        [--seconds S] [--alone] [--postgres] [--py-spy ingest,dedup] [--output DIR]

Starts nats-server and the five services in processes of their own (``bench.e2e.stack``), sets up assignment, warms
up, then runs one load: ``unary`` (``--leads`` SubmitLeads from ``--callers`` clients back to back), ``batch``
(BatchSubmitLeads of 100 from 4 clients) or ``rate`` (``--rate`` SubmitLeads a second for ``--seconds``).
``--alone`` stops assign, telephony and refund for the window, as the bench's "alone" rows do. It prints the RPC
rate and p99, and per process the CPU ms per lead, split into user and system time, and the statements and
transactions per lead.

``--py-spy`` records the named services with py-spy (a dev dependency; the GIL holder only, 200 samples a second) into ``DIR/<service>.txt`` (py-spy's raw format: one stack per line, with its count) and prints each one's
costliest frames, counted inclusively. py-spy slows what it samples a little, so compare CPU figures from runs
without it.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import signal
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import grpc

from bench import calibration, loop
from bench.e2e import leads, procs
from bench.e2e.alone import RUNNING, downstream_paused
from bench.e2e.stack import DEFAULT_POSTGRES, BenchStack, start
from bench.e2e.window import settle, snapshot, spent
from services.common.config import SERVICES


def _stacks(raw: Path) -> Iterator[tuple[list[str], int]]:
    for line in raw.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if stack and samples.isdigit():
            yield stack.split(";"), int(samples)


def top_frames(raw: Path, count: int = 20, *, within: str = "") -> list[tuple[float, str]]:
    """The frames whose text holds ``within`` that appear in most samples of a py-spy raw profile, each counted once
    per stack (inclusive: the frame and what it called), as (share of all samples, frame)."""
    total, seen = 0, Counter[str]()
    for frames, samples in _stacks(raw):
        total += samples
        for frame in {f for f in frames if within in f}:
            seen[frame] += samples
    return [(n / total, frame) for frame, n in seen.most_common(count)] if total else []


def top_leaves(raw: Path, count: int = 15) -> list[tuple[float, str]]:
    """The innermost frames of a py-spy raw profile by samples (self time), as (share of all samples, frame)."""
    total, seen = 0, Counter[str]()
    for frames, samples in _stacks(raw):
        total += samples
        seen[frames[-1]] += samples
    return [(n / total, frame) for frame, n in seen.most_common(count)] if total else []


@contextlib.contextmanager
def py_spy(stack: BenchStack, services: list[str], output: Path) -> Iterator[None]:
    """py-spy recording each of ``services`` for the block; SIGINT makes it write its file."""
    beside = Path(sys.executable).with_name("py-spy")  # the venv's own (a dev dependency)
    binary = str(beside) if beside.exists() else shutil.which("py-spy")
    if services and binary is None:
        raise SystemExit("--py-spy needs py-spy: pip install py-spy")
    spies = [
        subprocess.Popen(
            [binary or "py-spy", "record", "--nonblocking", "--gil", "-r", "200", "-f", "raw"]
            + ["-o", str(output / f"{name}.txt"), "--pid", str(stack.pids[name])],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for name in services
    ]
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
        for spy in spies:
            spy.wait(timeout=60)


def _spent_since(before: tuple[float, float], now: tuple[float, float]) -> tuple[float, float]:
    """User and system CPU ms spent between two readings of ``procs.user_system_ms``."""
    return now[0] - before[0], now[1] - before[1]


async def _profile(stack: BenchStack, arguments: argparse.Namespace, output: Path) -> None:
    metadata = stack.metadata()
    await leads.set_up_assignment(stack.grpc_address("assign"), metadata)
    async with grpc.aio.insecure_channel(stack.grpc_address("ingest")) as channel:
        load = leads.Load(channel, metadata, leads.People())
        await load.closed_loop(40, 4)  # connections, caches, first plans
        await settle(stack.nats_url, 60)
        running = RUNNING if arguments.alone else SERVICES
        pauses = downstream_paused(stack) if arguments.alone else contextlib.nullcontext()
        with pauses, py_spy(stack, arguments.py_spy, output):
            before = snapshot(stack, running)
            times = {name: procs.user_system_ms(pid) for name, pid in stack.pids.items()}
            if arguments.shape == "unary":
                outcome = await load.closed_loop(arguments.leads, arguments.callers)
            elif arguments.shape == "rate":
                outcome = await load.fixed_rate(arguments.rate, arguments.seconds)
            else:
                outcome = await load.batches(arguments.leads, 100, 4)
            if not arguments.alone:
                await settle(stack.nats_url, 300)  # the work behind the answers is part of the window
            after = snapshot(stack, running)
            times = {
                name: _spent_since(times[name], procs.user_system_ms(pid)) for name, pid in stack.pids.items()
            }
    figures = outcome.figures(leads.AssignedWatch(), 0)
    window = spent(before, after, len(outcome.sent_at))
    print(
        f"machine: a fixed Python workload takes {calibration.python_cpu_ms():.0f} ms of CPU now (bench.calibration)"
    )
    print(
        f"{arguments.shape}: {figures['leads']} leads answered at {figures['rpc_leads_per_s']:.0f}/s,"
        f" p50 {figures['rpc_p50_ms']:.1f} ms, p99 {figures['rpc_p99_ms']:.1f} ms, errors {figures['errors']}"
    )
    per = max(len(outcome.sent_at), 1)
    if window["leads_per_submit_group"] is not None:
        print(f"SubmitLeads per group commit: {window['leads_per_submit_group']:.1f}")
    print(f"{'process':<14} {'CPU ms/lead':>12} {'user':>7} {'system':>7} {'stmts/lead':>11} {'tx/lead':>8}")
    for name, cpu in window["cpu_ms_per_lead"].items():  # type: ignore[attr-defined]
        user, system = times[name]
        statements = window["statements_per_lead"].get(name)  # type: ignore[attr-defined]
        transactions = window["transactions_per_lead"].get(name)  # type: ignore[attr-defined]
        print(
            f"{name:<14} {cpu:>12.2f} {user / per:>7.2f} {system / per:>7.2f}"
            f" {'' if statements is None else f'{statements:.1f}':>11}"
            f" {'' if transactions is None else f'{transactions:.2f}':>8}"
        )
    for name in arguments.py_spy:
        raw = output / f"{name}.txt"
        print(f"\n{name}: share of GIL samples in leadflow's own frames, inclusive ({raw})")
        for share, frame in top_frames(raw, within="services/"):
            print(f"  {share:6.1%}  {frame[:140]}")
        print(
            f"{name}: innermost frames (self time; 'Handle._run' alone is native callbacks, gRPC's above all)"
        )
        for share, frame in top_leaves(raw):
            print(f"  {share:6.1%}  {frame[:140]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile_stack", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--shape", choices=("unary", "batch", "rate"), default="unary")
    parser.add_argument("--leads", type=int, default=3000)
    parser.add_argument("--callers", type=int, default=16)
    parser.add_argument("--rate", type=int, default=150, help="SubmitLeads a second (--shape rate)")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long (--shape rate)")
    parser.add_argument(
        "--alone", action="store_true", help="assign, telephony and refund stopped for the window"
    )
    parser.add_argument("--postgres", action="store_true", help=f"fresh databases on {DEFAULT_POSTGRES}")
    parser.add_argument(
        "--py-spy", type=lambda v: [s for s in v.split(",") if s], default=[], metavar="SERVICES"
    )
    parser.add_argument(
        "--output", type=Path, default=None, help="where py-spy's profiles go (a temporary folder)"
    )
    arguments = parser.parse_args(argv)
    unknown = set(arguments.py_spy) - set(SERVICES)
    if unknown:
        parser.error(f"--py-spy: not a service: {', '.join(sorted(unknown))}")
    output = arguments.output or Path(tempfile.mkdtemp(prefix="leadflow-profile-"))
    output.mkdir(parents=True, exist_ok=True)
    stack = start(DEFAULT_POSTGRES if arguments.postgres else None)
    try:
        loop.run(_profile(stack, arguments, output))
    finally:
        stack.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
