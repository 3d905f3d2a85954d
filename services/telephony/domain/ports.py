"""Ports: what the telephony use cases need from storage and from carriers.

One small repository per aggregate behind a unit of work:

    uow.numbers    the masked-number pool, with each number's load counters (active bindings, calls today)
    uow.bindings   A-X-B bindings
    uow.calls      calls with their carrier events; idempotent on (tenant, request_id) by a unique constraint
    uow.leads      the leads telephony may call (phone, region, time zone, holder)
    uow.agents     the agents' A-leg phones
    uow.dead       the tenant's dead-number list (phones whose calls ended EMPTY_NUMBER or SUSPENDED)
    uow.settings   per-tenant settings
    uow.requests   idempotency records of AddNumbers
    uow.timers     timers (binding expiry, end of quarantine), fired by the runtime
    uow.erased     the leads erased (lead.erased), so that no later event brings their phone back
    uow.events     domain events (CallStarted, CallCompleted), written to the outbox in the same transaction

Every method takes the tenant explicitly (another tenant's rows are invisible), except the two lookups a carrier's
receipt needs before it knows the tenant (``bindings.by_provider``). Adapters: ``adapters/db`` (SQLAlchemy) and
``adapters/carriers``; in-memory fakes for handler tests live in ``tests/telephony/fakes.py``.

Personal data: phones are stored (telephony must dial them) but never logged, put in errors, metrics or events
other than the sealed fields the contract names.
"""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from services.common.erasure import ErasedLeadRepository
from services.common.timers import TimerRepository
from services.common.uow import EventLog
from services.telephony.domain.binding import Binding
from services.telephony.domain.call import Call, CallMode
from services.telephony.domain.callable_hours import DailyWindow
from services.telephony.domain.numbers import MaskedNumber, NumberStatus
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.parties import AgentRecord, LeadRecord
from services.telephony.domain.selection import NumberUsage
from services.telephony.domain.tenant_settings import TenantSettings

# ------------------------------------------------------------------------------------------------ domain events


@dataclass(frozen=True)
class CallStarted:
    """``call.started``: a call was started (its binding is in place)."""

    call: Call
    event_id: str


@dataclass(frozen=True)
class CallableHoursChanged:
    """``telephony.callable_hours_changed``: the tenant's callable hours or default time zone changed at
    ``change_time`` (refund judges leads no call has reported a window for by them)."""

    tenant_id: str
    callable_hours: DailyWindow
    default_time_zone: str
    change_time: datetime
    event_id: str


@dataclass(frozen=True)
class CallCompleted:
    """``call.completed``: the call ended with ``call.progress.outcome``; ``revision`` 1 first, higher for a
    correction. ``lead_phone`` lets ingest keep its dead-number list (personal data: never logged)."""

    call: Call
    revision: int
    lead_phone: str
    occurred_time: datetime
    event_id: str
    # The callable hours enforced for the lead and the IANA zone they are read in (the lead's, else the tenant's).
    callable_hours: DailyWindow
    time_zone: str


# ------------------------------------------------------------------------------------------------ storage


@dataclass(frozen=True)
class NumberFilter:
    status: NumberStatus = NumberStatus.UNSPECIFIED
    province: str = ""
    city: str = ""
    provider: str = ""


@dataclass(frozen=True)
class NumberView:
    """A number with its load and recent answer rate, as ListNumbers shows it."""

    number: MaskedNumber
    active_bindings: int
    calls_today: int
    recent_answer_rate: float = 0.0
    recent_call_count: int = 0
    create_time: datetime | None = None
    update_time: datetime | None = None


class NumberRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, tenant: str, number: MaskedNumber, now: datetime) -> MaskedNumber:
        """Insert unless the tenant already has this phone number (unique); the stored number either way."""

    @abc.abstractmethod
    def get(self, tenant: str, number_id: str) -> MaskedNumber | None: ...

    @abc.abstractmethod
    def view(self, tenant: str, number_id: str, day: date) -> NumberView | None: ...

    @abc.abstractmethod
    def page(
        self, tenant: str, where: NumberFilter, after: str | None, limit: int, day: date
    ) -> list[NumberView]:
        """By phone number ascending, after the phone number of the previous page's last."""

    @abc.abstractmethod
    def usage(self, tenant: str, day: date) -> list[NumberUsage]:
        """Every number not RETIRED with its active bindings and its calls on ``day`` (the pool's day)."""

    @abc.abstractmethod
    def take(self, tenant: str, number_id: str, now: datetime, day: date, binding_limit: int) -> bool:
        """Count one more binding on the number (and its last bind time), only while it is under
        ``binding_limit``; False when the number reached it meanwhile (a lost race: choose again)."""

    @abc.abstractmethod
    def count_call(self, tenant: str, number_id: str, day: date) -> None:
        """Count one call on ``day`` (the counter restarts on a new day)."""

    @abc.abstractmethod
    def give_back(self, tenant: str, number_id: str) -> None:
        """Count one binding less (never below zero)."""

    @abc.abstractmethod
    def save_status(self, tenant: str, number: MaskedNumber, now: datetime) -> None: ...

    @abc.abstractmethod
    def status_counts(self, now: datetime) -> dict[NumberStatus, int]:
        """Numbers per status at ``now`` over every tenant (for the gauge)."""

    @abc.abstractmethod
    def active_binding_total(self) -> int:
        """Bindings counted on numbers over every tenant (for the gauge)."""


class BindingRepository(abc.ABC):
    @abc.abstractmethod
    def insert(self, tenant: str, binding: Binding, provider: str) -> None: ...

    @abc.abstractmethod
    def get(self, tenant: str, binding_id: str) -> Binding | None: ...

    @abc.abstractmethod
    def active_for_pair(self, tenant: str, lead_id: str, agent_id: str, now: datetime) -> list[Binding]: ...

    @abc.abstractmethod
    def set_provider_id(self, tenant: str, binding_id: str, provider_binding_id: str) -> bool:
        """Record the carrier's id of a binding that has none yet; False (nothing changed) when it has one: another
        attempt of the same StartCall confirmed it first."""

    @abc.abstractmethod
    def release(self, tenant: str, binding_id: str, now: datetime) -> bool:
        """Mark the binding released and stop counting it on its number; False when it was not counted any more
        (already released or expired), so the caller gives nothing back twice."""

    @abc.abstractmethod
    def expire(self, tenant: str, binding_id: str) -> bool:
        """Stop counting an expired binding on its number; False when it was not counted any more."""

    @abc.abstractmethod
    def delete(self, tenant: str, binding_id: str) -> None:
        """Forget a binding the carrier refused (it never routed a call)."""

    @abc.abstractmethod
    def active_of_number(self, tenant: str, number_id: str, now: datetime) -> list[Binding]: ...

    @abc.abstractmethod
    def by_provider(self, provider: str, provider_binding_id: str) -> tuple[str, Binding] | None:
        """(tenant, binding) of a carrier's binding id, across tenants: a carrier's receipt names only its own
        binding id."""

    @abc.abstractmethod
    def active_of_lead(self, tenant: str, lead_id: str, now: datetime) -> list[Binding]:
        """The lead's bindings still active at ``now`` (any agent)."""

    @abc.abstractmethod
    def mark_unbind(self, tenant: str, binding_id: str) -> None:
        """The released binding must still be unbound at the carrier (``pending_unbinds``)."""

    @abc.abstractmethod
    def pending_unbinds(self, limit: int) -> list[PendingUnbind]:
        """Up to ``limit`` released bindings, of any tenant, that the carrier may still hold."""

    @abc.abstractmethod
    def unbound(self, tenant: str, binding_id: str) -> None:
        """The carrier no longer holds the binding."""


@dataclass(frozen=True)
class PendingUnbind:
    """A binding released here that the carrier may still hold: what ``Carrier.unbind`` needs."""

    tenant_id: str
    binding_id: str
    provider: str
    provider_binding_id: str
    masked_number: str


@dataclass(frozen=True)
class CallFilter:
    lead_id: str = ""
    agent_id: str = ""
    outcome: CallOutcome = CallOutcome.UNSPECIFIED
    start_from: datetime | None = None
    start_before: datetime | None = None


@dataclass(frozen=True)
class StoredCall:
    """A call as stored: the domain record plus what only storage needs (the optimistic-lock version, the
    idempotency key, the carrier's id of the call, when the record last changed)."""

    call: Call
    version: int
    request_id: str
    provider: str
    provider_call_id: str
    update_time: datetime


def next_attempt(latest: StoredCall | None) -> int:
    """The attempt number of the lead's next call: one more than its newest call's (from 1). Not a count of its
    calls: a call undone after a carrier refusal leaves a gap, and a count would then repeat the newest number."""
    return 1 if latest is None else latest.call.attempt_number + 1


class CallRepository(abc.ABC):
    @abc.abstractmethod
    def insert(self, call: Call, request_id: str, provider: str, now: datetime) -> bool:
        """Insert unless the tenant has a call with this request id (unique) or this lead has a call with this
        attempt number (unique: two racing StartCalls cannot both be attempt 3); False on a conflict, after
        waiting for a concurrent owner to commit."""

    @abc.abstractmethod
    def by_request(self, tenant: str, request_id: str) -> StoredCall | None: ...

    @abc.abstractmethod
    def get(self, tenant: str, call_id: str) -> StoredCall | None: ...

    @abc.abstractmethod
    def by_provider_call(self, tenant: str, provider: str, provider_call_id: str) -> StoredCall | None: ...

    @abc.abstractmethod
    def unclaimed_of_binding(self, tenant: str, binding_id: str, provider: str) -> list[StoredCall]:
        """Calls of the binding that no carrier call id was attached to yet, newest first."""

    @abc.abstractmethod
    def save(
        self, stored: StoredCall, call: Call, now: datetime, provider_call_id: str | None = None
    ) -> None:
        """Write ``call`` over ``stored`` if its version is unchanged (compare-and-set, raising
        ``TransientConflict`` otherwise); ``provider_call_id`` attaches the carrier's id of the call."""

    @abc.abstractmethod
    def delete(self, tenant: str, call_id: str) -> None: ...

    @abc.abstractmethod
    def latest_of_lead(self, tenant: str, lead_id: str) -> StoredCall | None:
        """The lead's call with the highest attempt number (its newest), or None when it has had none."""

    @abc.abstractmethod
    def page(
        self, tenant: str, where: CallFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[StoredCall]:
        """Newest first (start time, then id, descending), after the previous page's last."""

    @abc.abstractmethod
    def number_outcomes(
        self, tenant: str, number_id: str, since: datetime | None, limit: int
    ) -> list[CallOutcome]:
        """Outcomes of the number's ended calls released at or after ``since``, newest ``limit``, oldest first."""

    @abc.abstractmethod
    def pool_outcomes(self, tenant: str, limit: int) -> list[CallOutcome]:
        """Outcomes of the tenant's newest ``limit`` ended calls."""

    @abc.abstractmethod
    def erase_evidence(self, tenant: str, lead_id: str) -> int:
        """Redact the free texts (announcement transcripts, descriptions) of the lead's calls' carrier events
        (``services.common.erasure.redact``) and drop their recording links; codes and times stay. How many calls
        changed."""


class LeadRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, tenant: str, lead_id: str, *, for_update: bool = False) -> LeadRecord | None:
        """The lead; ``for_update`` locks its row to the end of the transaction (StartCalls of one lead queue, so
        two of them cannot both find no binding for a pair and make two)."""

    @abc.abstractmethod
    def put(self, tenant: str, lead: LeadRecord) -> None: ...

    def get_many(self, tenant: str, lead_ids: Sequence[str]) -> dict[str, LeadRecord]:
        """The stored ones of ``lead_ids``, by id (one statement in SQL): a consumer batch's ``get``."""
        found = {lead_id: self.get(tenant, lead_id) for lead_id in lead_ids}
        return {lead_id: lead for lead_id, lead in found.items() if lead is not None}

    def put_many(self, tenant: str, leads: Sequence[LeadRecord]) -> None:
        """``put`` of each (one statement in SQL, executed for all)."""
        for lead in leads:
            self.put(tenant, lead)


class AgentRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, tenant: str, agent_id: str) -> AgentRecord | None: ...

    @abc.abstractmethod
    def by_user(self, tenant: str, user_id: str) -> AgentRecord | None:
        """The live agent whose JWT subject is ``user_id``."""

    @abc.abstractmethod
    def put(self, tenant: str, agent: AgentRecord) -> None: ...


@dataclass(frozen=True)
class DeadEntry:
    outcome: CallOutcome
    call_id: str


class DeadNumberRepository(abc.ABC):
    @abc.abstractmethod
    def add(self, tenant: str, phone: str, entry: DeadEntry, now: datetime) -> None:
        """Insert unless present (the first call that proved the number dead is kept)."""

    @abc.abstractmethod
    def get(self, tenant: str, phone: str) -> DeadEntry | None: ...

    @abc.abstractmethod
    def forget(self, tenant: str, phone: str) -> None: ...


class SettingsRepository(abc.ABC):
    @abc.abstractmethod
    def get(self, tenant: str) -> TenantSettings:
        """The tenant's settings, the defaults when never set."""

    @abc.abstractmethod
    def put(self, tenant: str, settings: TenantSettings) -> None: ...


class RequestRepository(abc.ABC):
    @abc.abstractmethod
    def reserve(self, tenant: str, kind: str, request_id: str, digest: bytes, now: datetime) -> bytes | None:
        """Insert the request unless its id exists; None when this transaction now owns it, else the digest of
        the first use (waiting for a concurrent owner to commit)."""


class TelephonyUnitOfWork(Protocol):
    @property
    def numbers(self) -> NumberRepository: ...

    @property
    def bindings(self) -> BindingRepository: ...

    @property
    def calls(self) -> CallRepository: ...

    @property
    def leads(self) -> LeadRepository: ...

    @property
    def agents(self) -> AgentRepository: ...

    @property
    def dead(self) -> DeadNumberRepository: ...

    @property
    def settings(self) -> SettingsRepository: ...

    @property
    def requests(self) -> RequestRepository: ...

    @property
    def timers(self) -> TimerRepository: ...

    @property
    def erased(self) -> ErasedLeadRepository: ...

    @property
    def events(self) -> EventLog: ...


# ------------------------------------------------------------------------------------------------ carriers


@dataclass(frozen=True)
class BindRequest:
    """What a carrier needs to route calls between A and B through X until ``expire_time``. ``binding_id`` is
    leadflow's (sent as the carrier's out_id, so receipts can be traced back); phones are E.164."""

    tenant_id: str
    binding_id: str
    masked_number: str
    agent_phone: str
    lead_phone: str
    expire_time: datetime
    city: str = ""


@dataclass(frozen=True)
class PlacedCall:
    """A call StartCall created, as a carrier sees it: the binding's carrier id, the mode, and who is where."""

    tenant_id: str
    call_id: str
    binding_id: str
    provider_binding_id: str
    masked_number: str
    agent_phone: str
    lead_phone: str
    mode: CallMode
    start_time: datetime


class CarrierError(Exception):
    """A carrier call failed. ``retryable`` when the carrier was unreachable or busy (UNAVAILABLE), else the
    carrier refused the request (FAILED_PRECONDITION ``CARRIER_REFUSED`` with the carrier's ``code``)."""

    def __init__(self, provider: str, code: str, message: str, *, retryable: bool) -> None:
        super().__init__(f"{provider} {code}: {message}")
        self.provider = provider
        self.code = code
        self.retryable = retryable


class Carrier(abc.ABC):
    """A provider of masked numbers. ``name`` is the provider name numbers carry ("simulated", "aliyun")."""

    name: str
    supports_callback: bool = False

    @abc.abstractmethod
    async def bind(self, request: BindRequest) -> str:
        """Bind A-X-B at the carrier; the carrier's id of the binding (Aliyun subs_id). Raises CarrierError."""

    @abc.abstractmethod
    async def unbind(self, provider_binding_id: str, masked_number: str) -> None:
        """Release a binding at the carrier; an unknown binding counts as released. Raises CarrierError."""

    async def call_started(self, call: PlacedCall) -> None:  # noqa: B027 - most carriers need nothing here
        """A call was started through a binding: CALLBACK mode asks the carrier to place both legs; in
        DIRECT_DIAL mode the agent dials X and real carriers need nothing (the simulator starts its scenario)."""


def pool_day(now: datetime, time_zone: str) -> date:
    """The day a number's daily-call counter belongs to: the date in the tenant's default time zone."""
    return now.astimezone(ZoneInfo(time_zone)).date()
