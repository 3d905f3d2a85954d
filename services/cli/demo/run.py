"""`leadflow demo`: connect, set up the tenant, run the day, let the stack settle, read the day back, show it.

Exit status: 0 the day ran and the final table was printed; 1 the stack does not answer (or refuses the token);
2 the options cannot be used (``--accelerate`` without a dev clock, a malformed port variable); 130 interrupted.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from datetime import timedelta

import grpc
from rich.console import Console

from services.cli import stackfile
from services.cli.demo import cast
from services.cli.demo.agents import everyone_working_hour, is_working
from services.cli.demo.connection import Connection, StackUnreachable, Tokens, error_reason, resolve_addresses
from services.cli.demo.driver import DAY_END_OFFSET, Day, DayState
from services.cli.demo.funnel import agent_name, render_final
from services.cli.demo.plan import HOUR, HOURLY_WEIGHTS, plan_day
from services.cli.demo.readback import Readback, agent_loads, read_back
from services.cli.demo.setup import set_up
from services.cli.demo.stackclock import DevClockRequired, StackClock
from services.cli.demo.tally import Tally
from services.cli.demo.timeline import ZONE, Timeline, next_day_start
from services.cli.demo.view import LiveView
from services.common.config import ConfigError, Env, data_dir

DAY_FIRST_HOUR = 8
SETUP_MARGIN = timedelta(minutes=30)  # the day starts at least this long after the stack's time
SETUP_LEAD = timedelta(minutes=20)  # the tenant is set up and the history submitted this long before the day
REAL_TIME_LEAD = timedelta(seconds=2)  # in real time, the day starts this long after the stack's time
LEAD_SPAN_SECONDS = len(HOURLY_WEIGHTS) * HOUR
VIEW_REFRESH_SECONDS = 1.0
SETTLE_POLL_SECONDS = 1.0


@dataclass(frozen=True)
class DemoOptions:
    seed: int = 1
    leads: int = 300
    rate: float = 25.0
    accelerate: bool = False
    day_seconds: float = 60.0
    host: str = "127.0.0.1"
    grpc_ports: dict[str, int] = field(default_factory=dict)
    nats_url: str | None = None
    token: str | None = None
    tenant: str | None = None
    live: bool | None = None  # None: when the terminal is interactive
    settle_seconds: float = 60.0


def run_demo(options: DemoOptions, console: Console | None = None) -> int:
    console = console or Console()
    try:
        return asyncio.run(_run(options, console))
    except KeyboardInterrupt:
        console.print("\n[yellow]interrupted[/]: the stack keeps running; what was sent stays there.")
        return 130


async def _run(options: DemoOptions, console: Console) -> int:
    env = Env()
    try:
        addresses = resolve_addresses(env, options.host, options.grpc_ports)
    except ConfigError as exc:
        console.print(f"[red]leadflow demo: configuration error: {exc}[/]")
        return 2
    nats_url = stackfile.nats_url(env, options.nats_url)
    try:
        clock = await StackClock.open(nats_url, accelerate=options.accelerate)
    except DevClockRequired as exc:
        console.print(f"[red]leadflow demo: {exc}[/]")
        return 2
    try:
        tenant = options.tenant or f"demo-s{options.seed}-{clock.now():%m%d%H%M%S}"
        try:
            tokens = (
                Tokens.given(options.token)
                if options.token
                else Tokens.mint_with_data_dir(env, data_dir(env), tenant)
            )
        except StackUnreachable as exc:
            console.print(f"[red]leadflow demo: {exc}[/]")
            return 1
        conn = Connection(addresses, tokens)
        try:
            await conn.check_serving()
            return await _day(options, console, conn, clock)
        except StackUnreachable as exc:
            console.print(f"[red]leadflow demo: {exc}[/]")
            return 1
        except grpc.aio.AioRpcError as exc:
            if exc.code() is grpc.StatusCode.UNAUTHENTICATED:
                console.print(
                    "[red]leadflow demo: the stack refuses the token "
                    f"({error_reason(exc)}): mint it with the stack's data directory (LEADFLOW_DATA_DIR) or pass "
                    "--token[/]"
                )
                return 1
            raise
        finally:
            await conn.close()
    finally:
        await clock.close()


def _timeline(options: DemoOptions, clock: StackClock) -> Timeline:
    if options.accelerate:
        day_start = next_day_start(clock.now(), DAY_FIRST_HOUR, SETUP_MARGIN)
        return Timeline(clock, day_start, accelerated=True, speed=86400 / options.day_seconds)
    submitting_seconds = max(options.leads / options.rate, 1.0) if options.rate > 0 else 1.0
    origin = clock.now() + REAL_TIME_LEAD
    return Timeline(clock, origin, accelerated=False, compression=LEAD_SPAN_SECONDS / submitting_seconds)


async def _real_time_mode(clock: StackClock) -> str:
    """How real time runs, said in the header. When no agent's shift is on at the stack's time, nobody would call
    (telephony refuses OUTSIDE_CALLABLE_HOURS, agents take nothing from the pool): a dev clock is moved forward
    once, to the next hour every agent works, and is left alone from there; a system clock cannot be, and the
    header says what will happen."""
    start = clock.now() + REAL_TIME_LEAD
    if any(is_working(agent, start) for agent in cast.AGENTS):
        return "real time: the stack's clock is not moved; refund windows will not pass"
    local = f"{start.astimezone(ZONE):%H:%M}"
    if not clock.movable:
        return (
            f"real time: the stack's time is {local} in Asia/Shanghai, outside every agent's shift: leads will "
            "wait in the pool and nobody will call (run with --accelerate on a dev-clock stack for the whole day)"
        )
    await clock.advance_to(next_day_start(start, everyone_working_hour(), timedelta(0)))
    return (
        f"real time: no agent works at {local} Asia/Shanghai, so the stack's dev clock was moved once, to "
        f"{clock.now().astimezone(ZONE):%m-%d %H:%M}, when every agent does, and is left alone from there; "
        "refund windows will not pass"
    )


async def _day(options: DemoOptions, console: Console, conn: Connection, clock: StackClock) -> int:
    plan = plan_day(options.seed, options.leads)
    mode = (
        f"accelerated: a day in {options.day_seconds:g} s of wall time on the dev clock"
        if options.accelerate
        else await _real_time_mode(clock)
    )
    timeline = _timeline(options, clock)
    tally = Tally(planned=len(plan.day))
    state = DayState(planned=len(plan.day), day_start=timeline.origin, day_end=timeline.at(DAY_END_OFFSET))
    live = console.is_terminal if options.live is None else options.live
    console.print(
        f"leadflow demo: tenant [bold]{conn.tokens.tenant}[/], seed {options.seed}, {len(plan.day)} leads "
        f"(+{len(plan.history)} earlier submissions of returning persons), plan sha256 {plan.digest()}\n"
        f"  {mode}; day starts {timeline.origin.astimezone(ZONE):%Y-%m-%d %H:%M} Asia/Shanghai (stack time)"
    )
    with LiveView(console, tally, state, enabled=live) as view:
        refresher = asyncio.create_task(_refresh(view, conn, clock, live))
        try:
            state.phase = "setting up the tenant"
            await timeline.jump_to(timeline.origin - SETUP_LEAD)
            tenant = await set_up(conn, options.seed)
            view.agent_ids = tenant.agent_ids
            day = Day(conn, tenant, plan, timeline, tally, state, seed=options.seed, rate=options.rate)
            view.calls_by_agent = day.agents.calls_by_agent
            state.phase = "submitting last month's leads (the returning persons)"
            await day.submit_history()
            day.plan_actions()
            state.phase = "the day: leads arrive, agents call"
            await day.run()
            state.phase = "settling: late carrier receipts, refund windows"
            names = {agent_id: agent_name(key) for key, agent_id in tenant.agent_ids.items()}
            back = await _settle(conn, timeline, names, options.settle_seconds, state)
        finally:
            refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refresher
    notes = []
    open_calls = sum(n for call_state, n in back.call_states.items() if call_state != "ENDED")
    if open_calls:
        notes.append(
            f"{open_calls} calls had not ended when the demo stopped waiting ({options.settle_seconds:g} s, "
            "--settle-seconds): their outcomes are in neither column yet"
            + (
                " (in real time a call takes its real ringing and talking time)"
                if not options.accelerate
                else ""
            )
        )
    if state.action_errors:
        notes.append("actions that failed: " + ", ".join(f"{k} ×{v}" for k, v in state.action_errors.items()))
    if tally.submit_errors:
        notes.append(
            "submissions that failed: " + ", ".join(f"{k} ×{v}" for k, v in tally.submit_errors.items())
        )
    if not options.accelerate and not any(is_working(agent, timeline.origin) for agent in cast.AGENTS):
        notes.append(
            f"the stack's time was {timeline.origin.astimezone(ZONE):%H:%M} in Asia/Shanghai, outside every agent's "
            "shift: leads waited in the pool and nobody called (run with --accelerate on a dev-clock stack to see "
            "the whole day)"
        )
    if not options.accelerate:
        notes.append(
            "real time: refund cases stay PENDING until their 24 h windows pass on the stack's clock"
        )
    console.print(render_final(tally, back, plan=plan, tenant=conn.tokens.tenant, notes=notes))
    return 0


async def _refresh(view: LiveView, conn: Connection, clock: StackClock, live: bool) -> None:
    """Every second: the stack's time, and (when shown) each agent's load from assign."""
    while True:
        view.stack_time = clock.now()
        if live and view.agent_ids:
            with contextlib.suppress(grpc.aio.AioRpcError):
                view.loads = await agent_loads(conn, view.agent_ids)
        view.refresh()
        await asyncio.sleep(VIEW_REFRESH_SECONDS)


async def _settle(
    conn: Connection, timeline: Timeline, names: dict[str, str], limit: float, state: DayState
) -> Readback:
    """Read the day back until nothing moves any more (every call ended, two reads alike) or ``limit`` seconds;
    the last read is the final table's."""
    deadline = time.monotonic() + limit
    previous = None
    while True:
        back = await read_back(conn, timeline.origin, names)
        unfinished = sum(n for s, n in back.call_states.items() if s != "ENDED")
        if back.fingerprint() == previous and unfinished == 0:
            return back
        if time.monotonic() > deadline:
            state.phase = f"gave up waiting after {limit:g} s ({unfinished} calls not ended)"
            return back
        previous = back.fingerprint()
        await asyncio.sleep(SETTLE_POLL_SECONDS)
