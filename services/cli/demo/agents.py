"""The agents' side of the day: each agent looks at the leads they hold, calls them through telephony as
themselves (StartCall with their own token: the holder calls), and decides from the calls' outcomes whether to try
again; at the top of each hour of their shift they take a few of today's leads from the public pool.

How an agent works a lead (modelled on lead-CRM call-centre practice and on the refund rules it meets):
- the first call a few minutes after the lead appears in their list (2-40 min), inside their shift and the
  tenant's callable hours;
- after each call, a look at its outcome 65-180 min later (so the next attempt falls in another clock hour): a
  conversation of 10 s or more, or a number proved empty or suspended, ends the work; otherwise another call, until
  three calls reached the lead's network (a blocked call or one the agent hung up before it rang 15 s is no
  attempt), at most six calls, within 22 hours of the lead's submission (the refund's 24-hour reach window);
- after a conversation, a follow-up with what came of it (interested, not interested, converted).

Refusals of StartCall are counted by reason: telephony may not have heard of the lead or its assignment yet (the
events are asynchronous: tried again two minutes later, a few times), the lead may have moved to another agent or
been proved dead meanwhile (the work ends), or another call of the lead may not have ended yet (CALL_IN_PROGRESS:
tried again later, as a review of unended calls is). In real-time mode the windows are not waited for: a call outside them is
refused by telephony (OUTSIDE_CALLABLE_HOURS), and that refusal is what the table shows.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import grpc

from leadflow.assign.v1 import assign_service_pb2 as assign_pb
from leadflow.common.v1 import call_pb2
from leadflow.telephony.v1 import telephony_service_pb2 as telephony_pb
from services.cli.demo import cast
from services.cli.demo.connection import Connection, error_reason
from services.cli.demo.setup import Tenant
from services.cli.demo.tally import Tally
from services.cli.demo.timeline import ZONE, Timeline

MAX_ATTEMPTS = 3  # calls that reached the lead's network, as refund counts attempts
MAX_CALLS = 6
MIN_RING_SECONDS = 15
NOT_ATTEMPTS = (
    call_pb2.CALL_OUTCOME_BLOCKED,
    call_pb2.CALL_OUTCOME_NETWORK_ERROR,
    call_pb2.CALL_OUTCOME_UNKNOWN,
)
MIN_REACHED_TALK_SECONDS = 10
STOP_CALLING_AFTER = timedelta(hours=22)
TELEPHONY_CATCH_UP_TRIES = 8
REVIEW_TRIES = 20  # looks at a lead whose calls have not all ended before the agent leaves it
CARRIER_REPORT_WAIT = timedelta(seconds=20)  # stack time between two such looks, at least
POOL_CLAIMS_PER_HOUR = 2
PAGE = 1000
FINAL_OUTCOMES = ("EMPTY_NUMBER", "SUSPENDED")
# Telephony has not applied the lead's or the agent's events yet, or an earlier attempt of this StartCall is still
# binding (CALL_STARTING, after a restart of telephony): try again shortly, with the same request id.
NOT_YET = {
    "NOT_FOUND",
    "LEAD_PHONE_UNKNOWN",
    "AGENT_PHONE_UNKNOWN",
    "AGENT_UNKNOWN",
    "NOT_LEAD_HOLDER",
    "CALL_STARTING",
}
# Real time between two tries of a CALL_STARTING StartCall, at least: telephony finishes or gives up an earlier
# attempt's binding 30 s after it began (services/telephony/handlers/calls.py, BIND_IN_FLIGHT).
CALL_STARTING_WAIT = timedelta(seconds=10)
FOLLOW_UPS: tuple[tuple[str, str, float], ...] = (
    ("WECHAT_ADDED", "INTERESTED", 0.45),
    ("NOTE", "NOT_INTERESTED", 0.30),
    ("VISIT", "CONVERTED", 0.15),
    ("NOTE", "REACHED", 0.10),
)

Schedule = Callable[[datetime, Callable[[], Awaitable[None]]], None]


def working_window(agent: cast.AgentSpec) -> tuple[int, int]:
    """An agent's calling hours: their shift within the tenant's callable hours (local hours, Asia/Shanghai)."""
    start, end = agent.shift
    return max(start, cast.CALLABLE_HOURS[0][0]), min(end, cast.CALLABLE_HOURS[1][0])


def is_working(agent: cast.AgentSpec, moment: datetime) -> bool:
    start, end = working_window(agent)
    return start <= moment.astimezone(ZONE).hour < end


def everyone_working_hour() -> int:
    """The first local hour at which every agent can call (the latest start of their calling hours)."""
    return max(working_window(agent)[0] for agent in cast.AGENTS)


@dataclass
class LeadWork:
    lead_id: str
    agent_key: str
    index: int
    submit_time: datetime
    rng: random.Random
    attempts: int = 0
    retries: int = 0
    done: bool = False
    call_ids: list[str] = field(default_factory=list)
    seen_calls: set[str] = field(default_factory=set)


class Agents:
    def __init__(
        self,
        conn: Connection,
        tenant: Tenant,
        tally: Tally,
        timeline: Timeline,
        schedule: Schedule,
        seed: int,
        submit_times: dict[int, datetime],
    ) -> None:
        self._conn = conn
        self._tenant = tenant
        self._tally = tally
        self._timeline = timeline
        self._schedule = schedule
        self._seed = seed
        self._submit_times = submit_times
        self._specs = {a.key: a for a in cast.AGENTS}
        self.work: dict[str, LeadWork] = {}

    def calls_by_agent(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for work in self.work.values():
            counts[work.agent_key] = counts.get(work.agent_key, 0) + work.attempts
        return counts

    # ------------------------------------------------------------------ when agents work

    def working_window(self, agent_key: str) -> tuple[int, int]:
        """The agent's calling hours: their shift within the tenant's callable hours (local hours)."""
        return working_window(self._specs[agent_key])

    def is_working(self, agent_key: str, moment: datetime) -> bool:
        return is_working(self._specs[agent_key], moment)

    def next_working(self, agent_key: str, moment: datetime, rng: random.Random) -> datetime:
        """``moment`` when the agent may call then (or in real time, where windows are not waited for), else the
        next opening of their window plus a few minutes."""
        if not self._timeline.accelerated or self.is_working(agent_key, moment):
            return moment
        start, _ = self.working_window(agent_key)
        local = moment.astimezone(ZONE)
        opening = local.replace(hour=start, minute=0, second=0, microsecond=0)
        if opening <= local:
            opening += timedelta(days=1)
        return opening + timedelta(minutes=rng.randint(1, 20))

    # ------------------------------------------------------------------ tokens

    def _token(self, agent_key: str) -> str | None:
        return self._conn.tokens.agent(self._specs[agent_key].user_id)

    def _as_agent(self, agent_key: str) -> str:
        """The agent id to name in requests: empty when the agent calls with their own token."""
        return "" if self._conn.tokens.agents_act_themselves else self._tenant.agent_ids[agent_key]

    # ------------------------------------------------------------------ the agent's list

    async def look_at_list(self, agent_key: str) -> None:
        """The agent opens 我的线索 and starts work on today's leads not seen before."""
        reply = await self._conn.call(
            self._conn.stubs.assign.ListAssignments,
            assign_pb.ListAssignmentsRequest(
                agent_id=self._as_agent(agent_key), state=assign_pb.ASSIGNMENT_STATE_ACTIVE, page_size=1000
            ),
            self._token(agent_key),
        )
        for assignment in reply.assignments:
            self.take(agent_key, assignment.lead_id)

    def take(self, agent_key: str, lead_id: str) -> None:
        index = self._tally.leads.get(lead_id)
        if index is None or lead_id in self.work:
            return  # not one of today's leads (the history), or already being worked
        rng = random.Random(f"{self._seed}:{index}:agent")
        work = LeadWork(lead_id, agent_key, index, self._submit_times[index], rng)
        self.work[lead_id] = work
        first = self._timeline.later(self._timeline.now(), rng.randint(2, 40) * 60)
        self._schedule(self.next_working(agent_key, first, rng), lambda: self.call(work))

    async def pool_has_todays_leads(self) -> bool:
        reply = await self._conn.call(
            self._conn.stubs.assign.ListPool, assign_pb.ListPoolRequest(page_size=PAGE)
        )
        return any(e.lead_id in self._tally.leads and e.lead_id not in self.work for e in reply.entries)

    async def claim_from_pool(self, agent_key: str) -> None:
        """At the top of an hour of their shift, the agent takes a few of today's leads waiting in the pool."""
        if not self.is_working(agent_key, self._timeline.now()):
            return
        token = self._token(agent_key)
        reply = await self._conn.call(
            self._conn.stubs.assign.ListPool, assign_pb.ListPoolRequest(page_size=PAGE), token
        )
        claimed = 0
        for entry in reply.entries:
            if claimed >= POOL_CLAIMS_PER_HOUR:
                break
            if entry.lead_id not in self._tally.leads or entry.lead_id in self.work:
                continue
            try:
                await self._conn.call(
                    self._conn.stubs.assign.ClaimFromPool,
                    assign_pb.ClaimFromPoolRequest(
                        lead_id=entry.lead_id,
                        agent_id=self._as_agent(agent_key),
                        request_id=f"claim-{entry.lead_id}-{agent_key}",
                    ),
                    token,
                )
            except grpc.aio.AioRpcError as exc:
                self._tally.call_refusals[f"pool claim: {error_reason(exc)}"] += 1
                continue
            claimed += 1
            self._tally.pool_claims += 1
            self.take(agent_key, entry.lead_id)

    # ------------------------------------------------------------------ calling

    async def call(self, work: LeadWork) -> None:
        if work.done:
            return
        now = self._timeline.now()
        if self._timeline.accelerated and now - work.submit_time > STOP_CALLING_AFTER:
            work.done = True
            return
        try:
            reply = await self._conn.call(
                self._conn.stubs.telephony.StartCall,
                telephony_pb.StartCallRequest(
                    lead_id=work.lead_id,
                    agent_id=self._as_agent(work.agent_key),
                    request_id=f"call-{work.lead_id}-{work.attempts + 1}",
                ),
                self._token(work.agent_key),
            )
        except grpc.aio.AioRpcError as exc:
            self._refused(work, error_reason(exc))
            return
        work.attempts += 1
        work.call_ids.append(reply.call.id)
        self._tally.calls_started += 1
        look = self._timeline.later(now, work.rng.randint(65, 180) * 60)
        self._schedule(look, lambda: self.review(work))

    def _refused(self, work: LeadWork, reason: str) -> None:
        if reason in NOT_YET and work.retries < TELEPHONY_CATCH_UP_TRIES:
            work.retries += 1
            now = self._timeline.now()
            again = self._timeline.later(now, 120)
            if reason == "CALL_STARTING":
                again = max(again, now + CALL_STARTING_WAIT)
            self._schedule(again, lambda: self.call(work))
            return
        self._tally.call_refusals[reason] += 1
        if reason == "NO_NUMBER_AVAILABLE" and work.retries < TELEPHONY_CATCH_UP_TRIES:
            work.retries += 1
            self._schedule(self._timeline.later(self._timeline.now(), 30 * 60), lambda: self.call(work))
            return
        if reason == "CALL_IN_PROGRESS" and work.retries < REVIEW_TRIES:
            # Another call of the lead has not ended (its previous holder's, or one whose report is late): the
            # agent tries again once the carrier has had time to report it.
            work.retries += 1
            now = self._timeline.now()
            self._schedule(
                max(self._timeline.later(now, 30 * 60), now + CARRIER_REPORT_WAIT), lambda: self.call(work)
            )
            return
        if reason == "OUTSIDE_CALLABLE_HOURS" and self._timeline.accelerated:
            nxt = self.next_working(
                work.agent_key, self._timeline.later(self._timeline.now(), 3600), work.rng
            )
            self._schedule(nxt, lambda: self.call(work))
            return
        work.done = True

    async def review(self, work: LeadWork) -> None:
        """The agent looks at the lead's calls and decides: done, or call again."""
        if work.done:
            return
        reply = await self._conn.call(
            self._conn.stubs.telephony.ListCalls,
            telephony_pb.ListCallsRequest(lead_id=work.lead_id, page_size=50),
            self._token(work.agent_key),
        )
        calls = list(reply.calls)
        if any(c.state != telephony_pb.CALL_STATE_ENDED for c in calls):
            if work.retries >= REVIEW_TRIES:
                # The carrier has not reported for this long: calling again would pile calls on a lead whose
                # earlier ones are still open (in real time, six within a minute, every one refused an outcome).
                work.done = True
                self._tally.calls_left_open += 1
                return
            work.retries += 1  # the carrier's last reports are not in yet: look again later
            now = self._timeline.now()
            # Half an hour of the day, but never less than the carrier's own pace in stack time: compressed
            # real time makes half an hour a second, while a call takes about a minute to end.
            again = max(self._timeline.later(now, 30 * 60), now + CARRIER_REPORT_WAIT)
            self._schedule(again, lambda: self.review(work))
            return
        outcomes = [call_pb2.CallOutcome.Name(c.outcome).removeprefix("CALL_OUTCOME_") for c in calls]
        for call, outcome in zip(calls, outcomes, strict=True):
            if call.id not in work.seen_calls:
                work.seen_calls.add(call.id)
                self._tally.outcomes_seen[outcome] += 1
                self._tally.call_outcome_seen[call.id] = outcome
        reached = any(
            c.outcome == call_pb2.CALL_OUTCOME_ANSWERED
            and c.talk_duration.seconds >= MIN_REACHED_TALK_SECONDS
            for c in calls
        )
        if reached:
            work.done = True
            await self._follow_up(work)
            return
        counted = sum(1 for c in calls if _reached_the_network(c))
        if (
            any(o in FINAL_OUTCOMES for o in outcomes)
            or counted >= MAX_ATTEMPTS
            or work.attempts >= MAX_CALLS
        ):
            work.done = True
            return
        moment = self.next_working(work.agent_key, self._timeline.now(), work.rng)
        self._schedule(moment, lambda: self.call(work))

    async def _follow_up(self, work: LeadWork) -> None:
        kind, outcome, _ = work.rng.choices(FOLLOW_UPS, [w for _, _, w in FOLLOW_UPS])[0]
        follow_up = assign_pb.FollowUp(
            lead_id=work.lead_id,
            agent_id=self._as_agent(work.agent_key),
            kind=assign_pb.FollowUpKind.Value(f"FOLLOW_UP_KIND_{kind}"),
            outcome=assign_pb.FollowUpOutcome.Value(f"FOLLOW_UP_OUTCOME_{outcome}"),
            note="电话沟通后跟进",
        )
        try:
            await self._conn.call(
                self._conn.stubs.assign.RecordFollowUp,
                assign_pb.RecordFollowUpRequest(follow_up=follow_up, request_id=f"fu-{work.lead_id}"),
                self._token(work.agent_key),
            )
        except grpc.aio.AioRpcError as exc:
            self._tally.call_refusals[f"follow-up: {error_reason(exc)}"] += 1
            return
        self._tally.follow_ups[outcome] += 1


def _reached_the_network(call: telephony_pb.Call) -> bool:
    """Whether a call counts as an attempt the way refund's default rules count them (services/refund/domain/
    attempts.py): not blocked, not a network failure, not unknown, and not hung up by the agent before ringing
    15 s."""
    if call.outcome in NOT_ATTEMPTS or call.outcome == call_pb2.CALL_OUTCOME_UNSPECIFIED:
        return False
    if call.outcome == call_pb2.CALL_OUTCOME_CALLER_CANCELLED:
        return call.ring_duration.seconds >= MIN_RING_SECONDS
    return True
