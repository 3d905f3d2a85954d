"""In-memory fakes of the telephony ports, for handler tests without a database (with
``tests.common.fakes.FakeTransactions``). They keep the contracts the SQL adapters keep: uniqueness of request ids,
attempt numbers and carrier ids, compare-and-set on a number's places and on a call's version."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from services.common.erasure import redact
from services.common.timers import Timer, TimerRepository
from services.common.uow import TransientConflict
from services.telephony.domain.binding import Binding
from services.telephony.domain.call import Call, CallState
from services.telephony.domain.numbers import MaskedNumber, NumberStatus
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.parties import AgentRecord, LeadRecord
from services.telephony.domain.ports import (
    AgentRepository,
    BindingRepository,
    CallFilter,
    CallRepository,
    DeadEntry,
    DeadNumberRepository,
    LeadRepository,
    NumberFilter,
    NumberRepository,
    NumberView,
    PendingUnbind,
    RequestRepository,
    SettingsRepository,
    StoredCall,
)
from services.telephony.domain.selection import NumberUsage
from services.telephony.domain.tenant_settings import TenantSettings
from tests.common.fakes import EventList, FakeErasedLeads


@dataclass
class _Load:
    bindings: int = 0
    day: date | None = None
    calls: int = 0


class FakeNumbers(NumberRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], MaskedNumber] = {}
        self.load: dict[tuple[str, str], _Load] = {}

    def add(self, tenant: str, number: MaskedNumber, now: datetime) -> MaskedNumber:
        for (t, _), existing in self.rows.items():
            if t == tenant and existing.phone_number == number.phone_number:
                return existing
        self.rows[(tenant, number.number_id)] = number
        self.load[(tenant, number.number_id)] = _Load()
        return number

    def get(self, tenant: str, number_id: str) -> MaskedNumber | None:
        return self.rows.get((tenant, number_id))

    def _view(self, tenant: str, number: MaskedNumber, day: date) -> NumberView:
        load = self.load[(tenant, number.number_id)]
        return NumberView(number, load.bindings, load.calls if load.day == day else 0)

    def view(self, tenant: str, number_id: str, day: date) -> NumberView | None:
        number = self.get(tenant, number_id)
        return None if number is None else self._view(tenant, number, day)

    def page(
        self, tenant: str, where: NumberFilter, after: str | None, limit: int, day: date
    ) -> list[NumberView]:
        found = sorted((n for (t, _), n in self.rows.items() if t == tenant), key=lambda n: n.phone_number)
        found = [
            n
            for n in found
            if (where.status is NumberStatus.UNSPECIFIED or n.status is where.status)
            and (not where.province or n.province == where.province)
            and (not where.city or n.city == where.city)
            and (not where.provider or n.provider == where.provider)
            and (after is None or n.phone_number > after)
        ]
        return [self._view(tenant, n, day) for n in found[:limit]]

    def usage(self, tenant: str, day: date) -> list[NumberUsage]:
        views = [self._view(tenant, n, day) for (t, _), n in self.rows.items() if t == tenant]
        return [
            NumberUsage(v.number, v.active_bindings, v.calls_today)
            for v in views
            if v.number.status is not NumberStatus.RETIRED
        ]

    def take(self, tenant: str, number_id: str, now: datetime, day: date, binding_limit: int) -> bool:
        load = self.load[(tenant, number_id)]
        if load.bindings >= binding_limit:
            return False
        load.bindings += 1
        self.rows[(tenant, number_id)] = replace(self.rows[(tenant, number_id)], last_bind_time=now)
        return True

    def count_call(self, tenant: str, number_id: str, day: date) -> None:
        load = self.load[(tenant, number_id)]
        load.calls = load.calls + 1 if load.day == day else 1
        load.day = day

    def give_back(self, tenant: str, number_id: str) -> None:
        load = self.load[(tenant, number_id)]
        load.bindings = max(0, load.bindings - 1)

    def save_status(self, tenant: str, number: MaskedNumber, now: datetime) -> None:
        self.rows[(tenant, number.number_id)] = number

    def status_counts(self, now: datetime) -> dict[NumberStatus, int]:
        counts: dict[NumberStatus, int] = {}
        for number in self.rows.values():
            status = number.status_at(now)
            counts[status] = counts.get(status, 0) + 1
        return counts

    def active_binding_total(self) -> int:
        return sum(load.bindings for load in self.load.values())


class FakeBindings(BindingRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[Binding, str, bool]] = {}  # binding, provider, counted
        self.unbind: set[tuple[str, str]] = set()  # released here, maybe still bound at the carrier
        self.numbers: FakeNumbers | None = None  # the unit of work's, for pending_unbinds' masked numbers

    def insert(self, tenant: str, binding: Binding, provider: str) -> None:
        self.rows[(tenant, binding.binding_id)] = (binding, provider, True)

    def get(self, tenant: str, binding_id: str) -> Binding | None:
        row = self.rows.get((tenant, binding_id))
        return None if row is None else row[0]

    def active_for_pair(self, tenant: str, lead_id: str, agent_id: str, now: datetime) -> list[Binding]:
        return [
            b
            for (t, _), (b, _, _) in self.rows.items()
            if t == tenant and b.lead_id == lead_id and b.agent_id == agent_id and b.is_active(now)
        ]

    def set_provider_id(self, tenant: str, binding_id: str, provider_binding_id: str) -> bool:
        if (tenant, binding_id) not in self.rows:
            return False  # removed meanwhile (given up): the UPDATE matches no row
        binding, provider, counted = self.rows[(tenant, binding_id)]
        if binding.provider_binding_id:
            return False
        self.rows[(tenant, binding_id)] = (
            replace(binding, provider_binding_id=provider_binding_id),
            provider,
            counted,
        )
        if binding.release_time is not None:
            self.unbind.add((tenant, binding_id))
        return True

    def release(self, tenant: str, binding_id: str, now: datetime) -> bool:
        binding, provider, counted = self.rows[(tenant, binding_id)]
        self.rows[(tenant, binding_id)] = (binding.release(now), provider, False)
        return counted

    def expire(self, tenant: str, binding_id: str) -> bool:
        binding, provider, counted = self.rows[(tenant, binding_id)]
        self.rows[(tenant, binding_id)] = (binding, provider, False)
        return counted

    def delete(self, tenant: str, binding_id: str) -> None:
        self.rows.pop((tenant, binding_id), None)

    def active_of_number(self, tenant: str, number_id: str, now: datetime) -> list[Binding]:
        return [
            b
            for (t, _), (b, _, c) in self.rows.items()
            if t == tenant and b.number_id == number_id and c and b.is_active(now)
        ]

    def by_provider(self, provider: str, provider_binding_id: str) -> tuple[str, Binding] | None:
        for (tenant, _), (binding, p, _) in self.rows.items():
            if p == provider and binding.provider_binding_id == provider_binding_id:
                return tenant, binding
        return None

    def active_of_lead(self, tenant: str, lead_id: str, now: datetime) -> list[Binding]:
        return [
            b
            for (t, _), (b, _, _) in self.rows.items()
            if t == tenant and b.lead_id == lead_id and b.is_active(now)
        ]

    def mark_unbind(self, tenant: str, binding_id: str) -> None:
        if self.rows[(tenant, binding_id)][0].provider_binding_id:
            self.unbind.add((tenant, binding_id))

    def pending_unbinds(self, limit: int) -> list[PendingUnbind]:
        pending = []
        for tenant, binding_id in sorted(self.unbind)[:limit]:
            binding, provider, _ = self.rows[(tenant, binding_id)]
            number = self.numbers.get(tenant, binding.number_id) if self.numbers is not None else None
            masked = number.phone_number if number is not None else ""
            pending.append(PendingUnbind(tenant, binding_id, provider, binding.provider_binding_id, masked))
        return pending

    def unbound(self, tenant: str, binding_id: str) -> None:
        self.unbind.discard((tenant, binding_id))


class FakeCalls(CallRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], StoredCall] = {}

    def insert(self, call: Call, request_id: str, provider: str, now: datetime) -> bool:
        for stored in self.rows.values():
            same_tenant = stored.call.tenant_id == call.tenant_id
            if same_tenant and (
                stored.request_id == request_id
                or (stored.call.lead_id == call.lead_id and stored.call.attempt_number == call.attempt_number)
            ):
                return False
        self.rows[(call.tenant_id, call.call_id)] = StoredCall(call, 1, request_id, provider, "", now)
        return True

    def _find(self, tenant: str, **match: Any) -> StoredCall | None:
        for (t, _), stored in self.rows.items():
            if t == tenant and all(getattr(stored, k) == v for k, v in match.items()):
                return stored
        return None

    def by_request(self, tenant: str, request_id: str) -> StoredCall | None:
        return self._find(tenant, request_id=request_id)

    def get(self, tenant: str, call_id: str) -> StoredCall | None:
        return self.rows.get((tenant, call_id))

    def by_provider_call(self, tenant: str, provider: str, provider_call_id: str) -> StoredCall | None:
        return self._find(tenant, provider=provider, provider_call_id=provider_call_id)

    def unclaimed_of_binding(self, tenant: str, binding_id: str, provider: str) -> list[StoredCall]:
        found = [
            s
            for (t, _), s in self.rows.items()
            if t == tenant
            and s.call.binding_id == binding_id
            and s.provider == provider
            and not s.provider_call_id
        ]
        return sorted(found, key=lambda s: (s.call.start_time, s.call.call_id), reverse=True)

    def save(
        self, stored: StoredCall, call: Call, now: datetime, provider_call_id: str | None = None
    ) -> None:
        current = self.rows[(call.tenant_id, call.call_id)]
        if current.version != stored.version:
            raise TransientConflict()
        self.rows[(call.tenant_id, call.call_id)] = replace(
            current,
            call=call,
            version=current.version + 1,
            provider_call_id=current.provider_call_id or provider_call_id or "",
            update_time=now,
        )

    def delete(self, tenant: str, call_id: str) -> None:
        self.rows.pop((tenant, call_id), None)

    def latest_of_lead(self, tenant: str, lead_id: str) -> StoredCall | None:
        mine = [s for (t, _), s in self.rows.items() if t == tenant and s.call.lead_id == lead_id]
        return max(mine, key=lambda s: s.call.attempt_number, default=None)

    def erase_evidence(self, tenant: str, lead_id: str) -> int:
        changed = 0
        for key, stored in list(self.rows.items()):
            if key[0] != tenant or stored.call.lead_id != lead_id:
                continue
            events = tuple(
                replace(
                    e, evidence=tuple(replace(x, text=redact(x.text)) for x in e.evidence), recording=None
                )
                for e in stored.call.events
            )
            if events != stored.call.events:
                self.rows[key] = replace(
                    stored, call=replace(stored.call, events=events), version=stored.version + 1
                )
                changed += 1
        return changed

    def page(
        self, tenant: str, where: CallFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[StoredCall]:
        found = [
            s
            for (t, _), s in self.rows.items()
            if t == tenant
            and (not where.lead_id or s.call.lead_id == where.lead_id)
            and (not where.agent_id or s.call.agent_id == where.agent_id)
            and (where.outcome is CallOutcome.UNSPECIFIED or s.call.progress.outcome is where.outcome)
            and (after is None or (s.call.start_time, s.call.call_id) < after)
        ]
        found.sort(key=lambda s: (s.call.start_time, s.call.call_id), reverse=True)
        return found[:limit]

    def _ended(self, tenant: str, number_id: str | None) -> list[Call]:
        calls = [
            s.call
            for (t, _), s in self.rows.items()
            if t == tenant
            and s.call.progress.state is CallState.ENDED
            and (number_id is None or s.call.number_id == number_id)
        ]
        return sorted(calls, key=lambda c: c.progress.release_time or c.start_time)

    def number_outcomes(
        self, tenant: str, number_id: str, since: datetime | None, limit: int
    ) -> list[CallOutcome]:
        calls = [
            c
            for c in self._ended(tenant, number_id)
            if since is None or (c.progress.release_time or since) >= since
        ]
        return [c.progress.outcome for c in calls][-limit:]

    def pool_outcomes(self, tenant: str, limit: int) -> list[CallOutcome]:
        return [c.progress.outcome for c in self._ended(tenant, None)][-limit:]


class FakeLeads(LeadRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], LeadRecord] = {}

    def get(self, tenant: str, lead_id: str, *, for_update: bool = False) -> LeadRecord | None:
        return self.rows.get((tenant, lead_id))

    def put(self, tenant: str, lead: LeadRecord) -> None:
        self.rows[(tenant, lead.lead_id)] = lead


class FakeAgents(AgentRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], AgentRecord] = {}

    def get(self, tenant: str, agent_id: str) -> AgentRecord | None:
        return self.rows.get((tenant, agent_id))

    def by_user(self, tenant: str, user_id: str) -> AgentRecord | None:
        return next(
            (a for (t, _), a in self.rows.items() if t == tenant and a.user_id == user_id and not a.deleted),
            None,
        )

    def put(self, tenant: str, agent: AgentRecord) -> None:
        self.rows[(tenant, agent.agent_id)] = agent


class FakeDead(DeadNumberRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], DeadEntry] = {}

    def add(self, tenant: str, phone: str, entry: DeadEntry, now: datetime) -> None:
        self.rows.setdefault((tenant, phone), entry)

    def get(self, tenant: str, phone: str) -> DeadEntry | None:
        return self.rows.get((tenant, phone))

    def forget(self, tenant: str, phone: str) -> None:
        self.rows.pop((tenant, phone), None)


class FakeSettings(SettingsRepository):
    def __init__(self) -> None:
        self.rows: dict[str, TenantSettings] = {}

    def get(self, tenant: str) -> TenantSettings:
        return self.rows.get(tenant, TenantSettings())

    def put(self, tenant: str, settings: TenantSettings) -> None:
        self.rows[tenant] = settings


class FakeRequests(RequestRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str, str], bytes] = {}

    def reserve(self, tenant: str, kind: str, request_id: str, digest: bytes, now: datetime) -> bytes | None:
        existing = self.rows.get((tenant, kind, request_id))
        if existing is None:
            self.rows[(tenant, kind, request_id)] = digest
        return existing


class FakeTimers(TimerRepository):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Timer] = {}

    def schedule(self, timer: Timer) -> None:
        self.rows[(timer.kind, timer.key)] = timer

    def cancel(self, kind: str, key: str) -> bool:
        return self.rows.pop((kind, key), None) is not None

    def get(self, kind: str, key: str) -> Timer | None:
        return self.rows.get((kind, key))


@dataclass
class FakeTelephonyUnitOfWork:
    numbers: FakeNumbers = field(default_factory=FakeNumbers)
    bindings: FakeBindings = field(default_factory=FakeBindings)
    calls: FakeCalls = field(default_factory=FakeCalls)
    leads: FakeLeads = field(default_factory=FakeLeads)
    agents: FakeAgents = field(default_factory=FakeAgents)
    dead: FakeDead = field(default_factory=FakeDead)
    settings: FakeSettings = field(default_factory=FakeSettings)
    requests: FakeRequests = field(default_factory=FakeRequests)
    timers: FakeTimers = field(default_factory=FakeTimers)
    erased: FakeErasedLeads = field(default_factory=FakeErasedLeads)
    events: EventList = field(default_factory=EventList)

    def __post_init__(self) -> None:
        self.bindings.numbers = self.numbers
