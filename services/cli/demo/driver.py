"""The day itself: an ordered timeline of actions on the stack's clock.

Actions (submissions, agents opening their lists, pool rounds, calls, reviews) wait in a heap by stack time; the
driver moves the clock (``timeline.wait_until``) to the next one and runs it, one at a time, so that submissions
of one person keep their order and a seed gives the same submissions every run. Submissions are paced to at most
``--rate`` per wall second. Failures of single actions are counted, not fatal: the day goes on.
"""

from __future__ import annotations

import asyncio
import functools
import heapq
import itertools
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import grpc

from services.cli.demo import cast
from services.cli.demo.agents import Agents
from services.cli.demo.connection import Connection, error_reason
from services.cli.demo.plan import HOUR, DayPlan, Submission
from services.cli.demo.setup import Tenant
from services.cli.demo.submitting import answer_of, request_of
from services.cli.demo.tally import Tally
from services.cli.demo.timeline import Timeline

log = logging.getLogger("leadflow.demo")

LIST_EVERY = 20 * 60  # scenario seconds between two looks of an agent at their list
MIN_LIST_EVERY_WALL = 2.0  # in real time, at most one look per agent every 2 s
DAY_END_OFFSET = 47 * HOUR
LOOK_GRACE = timedelta(
    minutes=30
)  # assign may take a while to assign a lead that arrived before a look  # 07:00 two days later: the last reach windows closed and their refunds settled

Action = Callable[[], Awaitable[None]]


@dataclass
class DayState:
    """What the live view reads: the phase, the plan's size and the moments that frame the day."""

    phase: str = "connecting"
    planned: int = 0
    day_start: datetime | None = None
    day_end: datetime | None = None
    action_errors: dict[str, int] = field(default_factory=dict)


class Day:
    def __init__(
        self,
        conn: Connection,
        tenant: Tenant,
        plan: DayPlan,
        timeline: Timeline,
        tally: Tally,
        state: DayState,
        *,
        seed: int,
        rate: float,
    ) -> None:
        self._conn = conn
        self._plan = plan
        self._timeline = timeline
        self._tally = tally
        self._state = state
        self._rate = rate
        self._heap: list[tuple[datetime, int, Action]] = []
        self._order = itertools.count()
        self._last_submit_wall = 0.0
        self._last_arrival: datetime | None = None
        self._looked: dict[str, datetime] = {}
        self.submit_times = {s.index: self._submit_time(s) for s in plan.submissions}
        self.agents = Agents(conn, tenant, tally, timeline, self.schedule, seed, self.submit_times)

    def schedule(self, moment: datetime, action: Action) -> None:
        heapq.heappush(self._heap, (moment, next(self._order), action))

    def _submit_time(self, planned: Submission) -> datetime:
        if planned.offset_seconds < 0:  # the history: real days before the day, in both modes
            return self._timeline.origin + timedelta(seconds=planned.offset_seconds)
        return self._timeline.at(planned.offset_seconds)

    @property
    def end(self) -> datetime:
        return self._timeline.at(DAY_END_OFFSET)

    # ------------------------------------------------------------------ submissions

    async def submit(self, planned: Submission) -> None:
        if self._rate > 0:
            pause = self._last_submit_wall + 1.0 / self._rate - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
            self._last_submit_wall = time.monotonic()
        # The submit time is the plan's own when the stack's clock follows the plan (and for the history);
        # in real time ingest stamps its receive time.
        stamp = (
            self.submit_times[planned.index]
            if self._timeline.accelerated or planned.offset_seconds < 0
            else None
        )
        try:
            reply = await self._conn.call(self._conn.stubs.ingest.SubmitLead, request_of(planned, stamp))
        except grpc.aio.AioRpcError as exc:
            self._tally.submit_errors[error_reason(exc)] += 1
            return
        answer = answer_of(reply)
        self._tally.submission(planned, answer)
        self._last_arrival = self._timeline.now()
        if not self._timeline.accelerated and planned.offset_seconds >= 0 and answer.lead_id:
            self.submit_times[planned.index] = reply.submission.submit_time.ToDatetime().astimezone(
                self._timeline.origin.tzinfo
            )

    async def submit_history(self) -> None:
        for planned in self._plan.history:
            await self.submit(planned)

    # ------------------------------------------------------------------ the day

    def plan_actions(self) -> None:
        for planned in self._plan.day:
            self.schedule(self._timeline.at(planned.offset_seconds), functools.partial(self.submit, planned))
        every = float(LIST_EVERY)
        if not self._timeline.accelerated:
            every = max(every, MIN_LIST_EVERY_WALL * self._timeline.compression)
        for number, agent in enumerate(cast.AGENTS):
            offset = float(number * 60)  # the agents do not all look at the same minute
            while offset < DAY_END_OFFSET:
                self.schedule(self._timeline.at(offset), functools.partial(self._look, agent.key))
                offset += every
        for hour in range(DAY_END_OFFSET // HOUR):
            self.schedule(self._timeline.at(hour * HOUR + 30), self._pool_round)

    async def _look(self, agent_key: str) -> None:
        """The agent looks at their list when working, and only when a lead arrived since their last look (a
        list changes only after a submission: rules and familiarity assign on arrival; pool claims are the
        agent's own)."""
        now = self._timeline.now()
        if self._timeline.accelerated and not self.agents.is_working(agent_key, now):
            return
        last = self._looked.get(agent_key)
        if last is not None and (self._last_arrival is None or self._last_arrival < last - LOOK_GRACE):
            return
        self._looked[agent_key] = now
        await self.agents.look_at_list(agent_key)

    async def _pool_round(self) -> None:
        """At the top of each hour, the agents at work take today's leads from the pool, if it holds any."""
        if await self.agents.pool_has_todays_leads():
            for agent in cast.AGENTS:
                await self.agents.claim_from_pool(agent.key)

    async def run(self) -> None:
        """Run every action due before the end of the day, in order, then move the clock to the end."""
        end = self.end
        while self._heap and self._heap[0][0] <= end:
            moment = self._heap[0][0]
            if moment > self._timeline.now():
                await self._timeline.wait_until(moment)
            _, _, action = heapq.heappop(self._heap)
            try:
                await action()
            except grpc.aio.AioRpcError as exc:
                reason = error_reason(exc)
                self._state.action_errors[reason] = self._state.action_errors.get(reason, 0) + 1
                log.debug("demo action failed: %s", reason)
        await self._timeline.wait_until(end)
