"""Helpers shared by the telephony handler, integration and API tests: a world of leads, agents and numbers built
through the real use cases (the consumers' handlers and AddNumbers), principals, and times."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from services.common.auth import Principal, Role
from services.common.clock import FakeClock
from services.common.paging import PageTokens
from services.common.uow import Transactions
from services.telephony.adapters.carriers.simulated import SimulatedCarrier
from services.telephony.bootstrap import Handlers
from services.telephony.domain.call import CallMode
from services.telephony.domain.commands import (
    AgentChanged,
    LeadAccepted,
    LeadAssigned,
    NewNumber,
    StartCallCommand,
)
from services.telephony.domain.ports import Carrier, TelephonyUnitOfWork
from services.telephony.handlers.bindings import BindingHandlers
from services.telephony.handlers.call_events import CallEventHandlers
from services.telephony.handlers.calls import CallHandlers
from services.telephony.handlers.erasure import ErasureHandlers
from services.telephony.handlers.numbers import NumberHandlers
from services.telephony.handlers.parties import PartyHandlers
from services.telephony.handlers.pool import PoolGauges
from services.telephony.handlers.settings import SettingsHandlers
from tests.common.fakes import FakeTransactions
from tests.harness import run_sync
from tests.telephony.fakes import FakeTelephonyUnitOfWork

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Beijing
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_counter)}"


def admin(tenant: str) -> Principal:
    return Principal(tenant_id=tenant, subject="admin-user", role=Role.ADMIN)


def agent_principal(tenant: str, user: str) -> Principal:
    return Principal(tenant_id=tenant, subject=user, role=Role.AGENT)


def mobile(n: int) -> str:
    return f"+86139{n:08d}"


def build(
    transactions: Transactions[TelephonyUnitOfWork], clock: FakeClock, carriers: Mapping[str, Carrier]
) -> Handlers:
    tokens = PageTokens(b"p" * 32)
    return Handlers(
        numbers=NumberHandlers(transactions, clock, carriers, "simulated", tokens),
        calls=CallHandlers(transactions, clock, carriers, tokens),
        bindings=BindingHandlers(transactions, clock, carriers),
        call_events=CallEventHandlers(transactions, clock),
        settings=SettingsHandlers(transactions, clock),
        parties=PartyHandlers(),
        gauges=PoolGauges(transactions, clock),
        erasure=ErasureHandlers(clock),
    )


@dataclass
class World:
    """Handlers over one store, a fake clock, the simulated carrier, and builders of a tenant's world."""

    handlers: Handlers
    transactions: Any
    clock: FakeClock
    carrier: SimulatedCarrier
    tenant: str

    def run(self, coroutine: Any) -> Any:
        return run_sync(coroutine)

    def lead(
        self,
        lead_id: str | None = None,
        *,
        phone: str | None = None,
        province: str = "广东省",
        city: str = "深圳市",
        holder: str | None = None,
    ) -> str:
        lead_id = lead_id or unique("lead")
        accepted = LeadAccepted(
            self.tenant,
            lead_id,
            "acct-1",
            mobile(next(_counter)) if phone is None else phone,
            province,
            city,
            self.clock.now(),
        )
        self.transactions.write_now(lambda uow: self.handlers.parties.on_lead_accepted(uow, accepted))
        if holder is not None:
            self.assign(lead_id, holder)
        return lead_id

    def assign(self, lead_id: str, agent_id: str, at: datetime | None = None) -> None:
        event = LeadAssigned(self.tenant, lead_id, "acct-1", agent_id, at or self.clock.now())
        self.transactions.write_now(lambda uow: self.handlers.parties.on_lead_assigned(uow, event))

    def agent(
        self,
        agent_id: str | None = None,
        *,
        user: str | None = None,
        phone: str | None = None,
        revision: int = 1,
    ) -> str:
        agent_id = agent_id or unique("agent")
        change = AgentChanged(
            self.tenant,
            agent_id,
            user or f"user-{agent_id}",
            phone or mobile(next(_counter)),
            revision,
            False,
        )
        self.transactions.write_now(lambda uow: self.handlers.parties.on_agent_changed(uow, change))
        return agent_id

    def numbers(self, *specs: tuple[str, str, str], **limits: int) -> list[str]:
        """Numbers of (phone, province, city); returns their ids."""
        new = [
            NewNumber(p, prov, city, "simulated", limits.get("bindings", 0), limits.get("daily", 0))
            for p, prov, city in specs
        ]
        views = self.run(self.handlers.numbers.add_numbers(admin(self.tenant), new, unique("add")))
        return [v.number.number_id for v in views]

    def start(
        self,
        lead_id: str,
        agent_id: str = "",
        request_id: str | None = None,
        mode: CallMode = CallMode.DIRECT_DIAL,
    ) -> Any:
        command = StartCallCommand(lead_id, agent_id, request_id or unique("req"), mode)
        return self.run(self.handlers.calls.start_call(admin(self.tenant), command))

    def end(self, call_id: str) -> Any:
        """EndCall as the tenant's administrator: the call ends, so the lead can be called again."""
        view, _announced = self.run(self.handlers.calls.end_call(admin(self.tenant), call_id))
        return view

    def deliver_all(self, until: timedelta = timedelta(hours=6)) -> int:
        """Move the clock step by step and deliver every simulated report due."""
        delivered = 0
        end = self.clock.now() + until
        while self.carrier.pending and self.clock.now() < end:
            due = self.carrier.next_due()
            assert due is not None
            if due > self.clock.now():
                self.clock.set(min(due, end))
            delivered += self.run(self.carrier.deliver_due())
        return delivered


def in_memory_world(
    make_carrier: Callable[[FakeClock], SimulatedCarrier] = lambda clock: SimulatedCarrier(clock, seed=3),
) -> World:
    """A World on the in-memory fakes (``tests/telephony/fakes.py``) at T0, with the carrier ``make_carrier``
    builds on its clock, for a new tenant."""
    clock = FakeClock(T0)
    transactions = FakeTransactions(FakeTelephonyUnitOfWork())
    carrier = make_carrier(clock)
    return World(
        build(transactions, clock, {"simulated": carrier}), transactions, clock, carrier, unique("tenant")
    )


def final_report(
    event_id: str,
    at: datetime,
    state_code: int,
    *,
    answered: bool = False,
    rang: bool = True,
    provider: str = "huawei",
) -> Any:
    """A Huawei bill (FINAL_REPORT) for a call dialled at ``at``: rings 5 s later, answered 10 s after that when
    ``answered`` (and talks 60 s), else released 20 s after ringing."""
    from services.telephony.domain.call import CallEvent, CallEventType
    from services.telephony.domain.evidence import provider_code
    from services.telephony.domain.provider_times import ReportedTimes

    ring = at + timedelta(seconds=5) if rang else None
    answer = at + timedelta(seconds=15) if answered else None
    release = at + timedelta(seconds=75 if answered else 25)
    return CallEvent(
        provider,
        event_id,
        CallEventType.FINAL_REPORT,
        release,
        times=ReportedTimes(at, ring, answer, release, True),
        evidence=(provider_code("huawei", "stateCode", state_code, release),),
    )


def report_to(call_id: str, event: Any) -> Any:
    from services.telephony.domain.commands import CallEventReport

    return CallEventReport(event=event, call_id=call_id)
