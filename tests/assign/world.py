"""A whole assign service's use cases over one unit of work, for handler and integration tests.

``World(transactions, clock)`` builds every handler family the way bootstrap does and offers the few steps most
tests start with: a team, agents, a policy, a lead arriving (lead.accepted through the intake handler, as the
consumer runs it), and firing the due timers as the runtime would. Handlers are async; the helpers here run them
to completion (``tests.harness.run_sync``), so tests read as plain sequences of steps.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from services.assign.domain.agent_checks import AgentDraft, TeamDraft, WorkingHoursDraft
from services.assign.domain.agents import Agent, Team
from services.assign.domain.enums import AgentStatus, BusinessSource, Channel, TrafficSource, Verdict
from services.assign.domain.leads import LeadFacts, Region
from services.assign.domain.policy_checks import PolicyDraft, RuleDraft
from services.assign.domain.ports import AssignUnitOfWork, Timer
from services.assign.domain.timers import TimerKind
from services.assign.handlers.agents import AgentHandlers
from services.assign.handlers.assignments import AssignmentHandlers
from services.assign.handlers.erasure import ErasureHandlers
from services.assign.handlers.followups import FollowUpHandlers
from services.assign.handlers.intake import IntakeHandlers, IntakeResult
from services.assign.handlers.intake_batch import BatchIntake
from services.assign.handlers.policies import PolicyHandlers
from services.assign.handlers.pool import PoolHandlers
from services.assign.handlers.refunds import RefundHandlers
from services.assign.handlers.requests import RequestLog
from services.assign.handlers.tags import TagHandlers
from services.assign.handlers.timers import TimerHandlers, TimerResult
from services.common.auth import Principal, Role
from services.common.clock import FakeClock
from services.common.paging import PageTokens
from tests.harness import run_sync

T = TypeVar("T")
GUANGDONG = Region("广东省", "深圳市")
_ids = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}"


def admin(tenant: str = "t1", subject: str = "boss") -> Principal:
    return Principal(tenant, subject, Role.ADMIN)


def agent_principal(tenant: str, user_id: str) -> Principal:
    return Principal(tenant, user_id, Role.AGENT)


def service(tenant: str = "t1") -> Principal:
    return Principal(tenant, "telephony", Role.SERVICE)


def lead_facts(lead_id: str | None = None, account_id: str = "acct-1", **changes: Any) -> LeadFacts:
    values: dict[str, Any] = {
        "channel": Channel.FORM,
        "traffic_source": TrafficSource.AD_DIRECT,
        "business_source": BusinessSource.LANDING_PAGE,
        "phone_region": GUANGDONG,
        "verdict": Verdict.NEW,
    }
    values.update(changes)
    return LeadFacts(lead_id=lead_id or unique("lead"), account_id=account_id, **values)


class World:
    """``timer_worker``: the runtime's worker over a real store (fires timers as the service does); None on fakes,
    where due timers are fired here, one transaction each, the same way."""

    def __init__(
        self, transactions: Any, clock: FakeClock, tenant: str = "t1", timer_worker: Any = None
    ) -> None:
        self.tx = transactions
        self.clock = clock
        self.tenant = tenant
        tokens = PageTokens(b"p" * 32)
        requests = RequestLog(b"r" * 32)
        self.agents = AgentHandlers(transactions, clock, tokens, requests)
        self.policies = PolicyHandlers(transactions, clock, tokens, requests)
        self.assignments = AssignmentHandlers(transactions, tokens)
        self.pool = PoolHandlers(transactions, clock, tokens, requests)
        self.follow_ups = FollowUpHandlers(transactions, clock, tokens, requests)
        self.tags = TagHandlers(transactions, clock, tokens, requests)
        self.intake = IntakeHandlers(clock)
        self.batch_intake = BatchIntake(clock, self.intake)
        self.refunds = RefundHandlers(clock)
        self.erasure = ErasureHandlers(clock)
        self.timers = TimerHandlers(clock)
        self.timer_worker = timer_worker
        self.fired: list[TimerResult] = []

    @property
    def admin(self) -> Principal:
        return admin(self.tenant)

    def run(self, coroutine: Any) -> Any:
        return run_sync(coroutine)

    def write(self, work: Callable[[AssignUnitOfWork], T]) -> T:
        """``work`` in one write transaction, as the runtime runs a consumer or timer handler."""
        return self.tx.write_now(work)

    def read(self, work: Callable[[AssignUnitOfWork], T]) -> T:
        return self.tx.read_now(work)

    # ---------------------------------------------------------------------------------------- set-up steps

    def team(self, name: str = "Sales", admins: tuple[str, ...] = ()) -> Team:
        return self.run(self.agents.create_team(self.admin, TeamDraft(name, admins), unique("req")))

    def agent(self, team: Team, name: str | None = None, **fields: Any) -> Agent:
        name = name or unique("agent")
        values: dict[str, Any] = {"team_id": team.id, "display_name": name, "user_id": name}
        values.update(fields)
        if "working_hours" in values and values["working_hours"] is None:
            values["working_hours"] = WorkingHoursDraft()
        return self.run(self.agents.create_agent(self.admin, AgentDraft(**values), unique("req")))

    def set_status(self, agent: Agent, status: AgentStatus) -> Agent:
        return self.run(self.agents.update_agent(self.admin, agent.id, AgentDraft(status=status), ["status"]))

    def policy(self, *rules: RuleDraft, account_id: str = "acct-1", **fields: Any) -> Any:
        draft = PolicyDraft(account_id=account_id, rules=tuple(rules), **fields)
        return self.run(self.policies.set_policy(self.admin, draft, ""))

    # ---------------------------------------------------------------------------------------- events and time

    def accept(self, facts: LeadFacts | None = None, **changes: Any) -> IntakeResult | None:
        lead = facts or lead_facts(**changes)
        return self.write(lambda uow: self.intake.accept(uow, self.tenant, lead))

    def accept_many(self, leads: list[LeadFacts]) -> list[tuple[str, IntakeResult]]:
        """A consumer batch of lead.accepted, routed at once in one transaction (``handlers.intake_batch``)."""
        return self.write(lambda uow: self.batch_intake.accept_many(uow, self.tenant, leads))

    def erase(self, lead_id: str) -> bool:
        """lead.erased for ``lead_id``, as the consumer runs it."""
        return self.write(lambda uow: self.erasure.on_lead_erased(uow, self.tenant, lead_id))

    def fire_due(self) -> list[TimerResult]:
        """Fire every timer due at the clock's time, earliest first (the runtime's contract: the handler runs and
        the row goes in one transaction); what each firing did."""
        self.fired = []
        if self.timer_worker is not None:
            while self.timer_worker.fire_due():
                pass
            return self.fired
        while True:
            due = self.read(lambda uow: _due(uow, self.clock.now()))
            if due is None:
                return self.fired
            self.write(lambda uow, timer=due: self._fire(uow, timer))

    def _fire(self, uow: AssignUnitOfWork, timer: Timer) -> None:
        uow.timers.cancel(timer.kind, timer.key)
        self.handle_timer(uow, timer)

    def handle_timer(self, uow: AssignUnitOfWork, timer: Timer) -> None:
        """The handler of every timer kind (what the runtime's worker is given over a real store)."""
        if timer.kind == TimerKind.REMINDER:
            self.fired.append(self.timers.on_reminder(uow, timer))
        else:
            self.fired.append(self.timers.on_reclaim(uow, timer))

    def advance(self, delta: timedelta) -> list[TimerResult]:
        self.clock.advance(delta)
        return self.fire_due()


def _due(uow: AssignUnitOfWork, now: Any) -> Timer | None:
    found = uow.timers.due(now)  # type: ignore[attr-defined]
    return found[0] if found else None
