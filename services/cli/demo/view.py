"""The live view while the day runs (rich Live): the stack's time and phase, a progress bar of the submissions,
the funnel filling from what the services answer, and each agent's load as assign counts it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from services.cli.demo import cast
from services.cli.demo.driver import DayState
from services.cli.demo.tally import Tally
from services.cli.demo.timeline import ZONE

REFRESHES_PER_SECOND = 4


class LiveView:
    def __init__(self, console: Console, tally: Tally, state: DayState, *, enabled: bool) -> None:
        self._console = console
        self._tally = tally
        self._state = state
        self._enabled = enabled
        self.agent_ids: dict[str, str] = {}
        self.loads: dict[str, int] = {}
        self.calls_by_agent: Callable[[], dict[str, int]] = dict
        self.stack_time: datetime | None = None
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(bar_width=40),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        )
        self._leads = self._progress.add_task("leads submitted", total=None)
        self._day = self._progress.add_task("stack time      ", total=None)
        self._live = Live(
            self._render(), console=console, refresh_per_second=REFRESHES_PER_SECOND, transient=False
        )

    def __enter__(self) -> LiveView:
        if self._enabled:
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._enabled:
            self.refresh()
            self._live.__exit__(None, None, None)

    def refresh(self) -> None:
        state = self._state
        self._progress.update(self._leads, total=state.planned or None, completed=self._tally.submitted)
        if state.day_start and state.day_end and self.stack_time:
            span = (state.day_end - state.day_start).total_seconds()
            done = min(max((self.stack_time - state.day_start).total_seconds(), 0), span)
            self._progress.update(self._day, total=span / 3600, completed=round(done / 3600, 1))
        if self._enabled:
            self._live.update(self._render())

    def _render(self) -> RenderableType:
        when = self.stack_time.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") if self.stack_time else "-"
        header = (
            f"[bold]leadflow demo[/]  phase: [cyan]{self._state.phase}[/]  stack time: {when} Asia/Shanghai"
        )
        return Group(header, self._progress, self._funnel(), self._agents())

    def _funnel(self) -> Table:
        t = self._tally
        table = Table(title="funnel (as the services answered)", title_justify="left", show_header=False)
        table.add_column(min_width=28)
        table.add_column(justify="right")
        table.add_row("submitted", str(t.submitted))
        for verdict in ("NEW", "RETURNING", "DUPLICATE", "REJECTED"):
            table.add_row(f"  {verdict}", str(t.verdicts[verdict]))
        table.add_row("calls started", str(t.calls_started))
        for outcome, count in t.outcomes_seen.most_common(5):
            table.add_row(f"  {outcome}", str(count))
        table.add_row("claimed from the pool", str(t.pool_claims))
        table.add_row("conversations followed up", str(sum(t.follow_ups.values())))
        return table

    def _agents(self) -> Table:
        table = Table(title="agents", title_justify="left")
        table.add_column("agent")
        table.add_column("team")
        table.add_column("shift")
        table.add_column("holding now", justify="right")
        table.add_column("calls", justify="right")
        teams = {team.key: team.name for team in cast.TEAMS}
        calls = self.calls_by_agent()
        for agent in cast.AGENTS:
            load = self.loads.get(agent.key)
            table.add_row(
                agent.name,
                teams[agent.team],
                f"{agent.shift[0]:02d}-{agent.shift[1]:02d}",
                "" if load is None else f"{load} " + "█" * min(load, 30),
                str(calls.get(agent.key, 0)),
            )
        return table
