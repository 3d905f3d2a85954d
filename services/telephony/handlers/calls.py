"""Call use cases: StartCall, EndCall, GetCall, ListCalls.

StartCall, in order (each refusal names itself; nothing is stored when one applies):

1. The request id (AIP-155): a call already stored under it is the answer (same lead and agent, else
   FAILED_PRECONDITION REQUEST_ID_REUSED). The calls table is unique on (tenant, request_id), so two racing
   StartCalls with one request id store one call: on PostgreSQL the loser's insert waits for the winner's commit,
   conflicts, and its transaction runs again to find the winner's call; on SQLite writers queue.
2. Who calls: an agent calls as themselves and only the leads they hold (PERMISSION_DENIED NOT_LEAD_HOLDER); an
   administrator names the agent, or the lead's holder is used.
3. Preconditions (FAILED_PRECONDITION): the lead's phone and the agent's phone are known (LEAD_PHONE_UNKNOWN,
   AGENT_PHONE_UNKNOWN), now is inside the tenant's callable hours in the lead's time zone
   (OUTSIDE_CALLABLE_HOURS, with the next opening), the lead's phone is not on the dead-number list (DEAD_NUMBER),
   and the lead has no call in progress (CALL_IN_PROGRESS, naming it: not ended and started within the hour,
   ``Call.in_progress_at``), whoever placed it.
4. The binding: the pair's active binding is reused; otherwise X is chosen (same city > province > any, least
   recently bound, within limits: NO_NUMBER_AVAILABLE names the limit) and counted on its number by a
   compare-and-set, so racing StartCalls never put more pairs on X than its limit.
5. The call is stored with its attempt number (one more than the lead's newest; unique per lead), in the same
   transaction.
6. A new binding is then made at the carrier, outside any transaction (a carrier call must not be repeated by a
   transaction retry); if the carrier refuses or is unreachable, the call and binding are removed again and the
   caller gets FAILED_PRECONDITION CARRIER_REFUSED or UNAVAILABLE, so a retry with the same request id starts
   afresh. ``call.started`` is recorded once the binding is in place at the carrier.
7. A repeat of a StartCall whose first attempt stored its call but has not confirmed the binding is answered
   UNAVAILABLE (CALL_STARTING: retry) while the first attempt may still be binding (``BIND_IN_FLIGHT`` after the
   call's start); after that the first attempt is taken as dead (the process died between steps 5 and 6's
   confirmation, and its answer never reached the caller), and the repeat binds at the carrier as the first attempt
   would have, then answers with the stored call. So no call is ever answered on a binding the carrier does not
   have. Only the first confirmation of a binding counts (a compare-and-set): a repeat that bound as well (a
   carrier slower than the window) unbinds its own binding at the carrier again.
8. A call whose binding is still unconfirmed ``START_GIVE_UP`` after its start (its StartCall died and nobody
   repeated it in time) is removed with its binding by a timer (``call.start_check``), as a carrier refusal would
   have removed it: it was never announced, and it must not hold a place on X until the binding's expiry. A
   repeat after that starts afresh; one that was binding meanwhile unbinds again and is told to retry.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.common.auth import Principal, Role
from services.common.clock import Clock
from services.common.errors import (
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    PermissionDenied,
    Unavailable,
    ViolationCollector,
)
from services.common.ids import new_id
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.timeconv import from_us, to_us
from services.common.timers import Timer
from services.common.uow import Transactions, TransientConflict
from services.telephony.domain.binding import Binding, reusable_binding
from services.telephony.domain.call import Call, CallMode
from services.telephony.domain.callable_hours import is_callable, next_callable_start
from services.telephony.domain.commands import CallListQuery, StartCallCommand
from services.telephony.domain.errors import (
    AgentPhoneUnknown,
    CallbackUnsupported,
    CallInProgress,
    DeadNumber,
    LeadErased,
    LeadPhoneUnknown,
    NotLeadHolder,
    OutsideCallableHours,
    RequestIdReused,
    not_found,
)
from services.telephony.domain.numbers import MaskedNumber
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.parties import AgentRecord, LeadRecord
from services.telephony.domain.ports import (
    BindRequest,
    CallFilter,
    CallStarted,
    Carrier,
    CarrierError,
    PlacedCall,
    StoredCall,
    TelephonyUnitOfWork,
    next_attempt,
    pool_day,
)
from services.telephony.domain.selection import choose_number
from services.telephony.handlers.access import (
    MAX_REQUEST_ID,
    calling_agent,
    check_id,
    require_id,
    visible_agent,
)
from services.telephony.handlers.completion import check_health, settle

log = logging.getLogger("leadflow.telephony")
# How long a StartCall's first attempt may take to bind at the carrier and confirm it: longer than the carriers'
# request timeouts (Aliyun's LEADFLOW_TELEPHONY_ALIYUN_TIMEOUT_SECONDS, 5 s by default) and a transaction's wait.
BIND_IN_FLIGHT = timedelta(seconds=30)
# When a StartCall whose binding is still unconfirmed is given up (step 8): a repeat has had BIND_IN_FLIGHT to
# finish it after the first attempt's own window.
START_GIVE_UP = 2 * BIND_IN_FLIGHT

BINDING_EXPIRY = "binding.expire"
START_CHECK = "call.start_check"
DEFAULT_CALL_PAGE = 50


@dataclass(frozen=True)
class StartedCall:
    """StartCall's answer: the call, its binding, the number to dial ("" in CALLBACK mode), and whether this
    was a replay of an earlier request (not counted again)."""

    call: Call
    binding: Binding
    dial_number: str
    replayed: bool


@dataclass(frozen=True)
class CallView:
    """A call with when its record last changed."""

    call: Call
    update_time: datetime


@dataclass(frozen=True)
class _Plan:
    call: Call
    binding: Binding
    number: MaskedNumber
    fresh_binding: bool
    agent_phone: str
    lead_phone: str
    replayed: bool


def binding_timer(tenant: str, binding: Binding) -> Timer:
    return Timer(BINDING_EXPIRY, f"{tenant}/{binding.binding_id}", tenant, binding.expire_time, {})


def start_check_timer(call: Call) -> Timer:
    return Timer(
        START_CHECK, f"{call.tenant_id}/{call.call_id}", call.tenant_id, call.start_time + START_GIVE_UP, {}
    )


def give_up_unconfirmed_start(uow: TelephonyUnitOfWork, timer: Timer) -> None:
    """Timer START_CHECK (step 8): a call whose binding the carrier never confirmed (its StartCall died and was not
    repeated in time) and that has no event is removed with its binding, and X gets its place back; a confirmed
    one, or one with events, is left alone."""
    call_id = timer.key.split("/", 1)[1]
    stored = uow.calls.get(timer.tenant_id, call_id)
    if stored is None:
        return
    if stored.call.events:
        return  # the call has a life of its own (the agent ended it, a receipt came): it stays
    binding = uow.bindings.get(timer.tenant_id, stored.call.binding_id)
    if binding is None or binding.provider_binding_id or binding.release_time is not None:
        return
    log.warning("giving up a call whose binding was never confirmed", extra={"call_id": call_id})
    _undo(uow, stored.call, binding)


class CallHandlers:
    def __init__(
        self,
        transactions: Transactions[TelephonyUnitOfWork],
        clock: Clock,
        carriers: Mapping[str, Carrier],
        page_tokens: PageTokens,
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._carriers = carriers
        self._tokens = page_tokens

    # ------------------------------------------------------------------------------------------ StartCall

    async def start_call(self, principal: Principal, command: StartCallCommand) -> StartedCall:
        errors = ViolationCollector()
        check_id(errors, "lead_id", command.lead_id)
        check_id(errors, "agent_id", command.agent_id, required=False)
        check_id(errors, "request_id", command.request_id)
        if len(command.request_id) > MAX_REQUEST_ID:
            errors.add("request_id", f"must be at most {MAX_REQUEST_ID} characters")
        if command.mode not in (CallMode.UNSPECIFIED, CallMode.DIRECT_DIAL, CallMode.CALLBACK):
            errors.add("mode", f"unknown call mode {int(command.mode)}")
        errors.raise_if_any()
        mode = command.mode or CallMode.DIRECT_DIAL
        now = self._clock.now()
        plan = await self._tx.write(lambda uow: self._plan(uow, principal, command, mode, now))
        if plan.replayed:
            return self._answer(plan)
        if plan.fresh_binding:
            plan = replace(plan, binding=await self._bind_at_carrier(plan))
        carrier = self._carriers[plan.number.provider]
        await carrier.call_started(
            PlacedCall(
                tenant_id=principal.tenant_id,
                call_id=plan.call.call_id,
                binding_id=plan.binding.binding_id,
                provider_binding_id=plan.binding.provider_binding_id,
                masked_number=plan.number.phone_number,
                agent_phone=plan.agent_phone,
                lead_phone=plan.lead_phone,
                mode=mode,
                start_time=now,
            )
        )
        return self._answer(plan)

    @staticmethod
    def _answer(plan: _Plan) -> StartedCall:
        dial = plan.call.masked_number if plan.call.mode is CallMode.DIRECT_DIAL else ""
        return StartedCall(plan.call, plan.binding, dial, plan.replayed)

    def _plan(
        self,
        uow: TelephonyUnitOfWork,
        principal: Principal,
        command: StartCallCommand,
        mode: CallMode,
        now: datetime,
    ) -> _Plan:
        tenant = principal.tenant_id
        existing = uow.calls.by_request(tenant, command.request_id)
        if existing is not None:
            return self._replay(uow, principal, command, existing)
        lead = uow.leads.get(tenant, command.lead_id, for_update=True)
        if lead is None:
            raise not_found("lead", command.lead_id)
        # The lead's row is locked (SQLite's writers queue), so racing StartCalls of one lead see each other's
        # call here: one starts, the others are refused below (CALL_IN_PROGRESS), or answered with it when they
        # carry its request id (committed while they waited for the lock, after their own look-up above).
        latest = uow.calls.latest_of_lead(tenant, lead.lead_id)
        if latest is not None and latest.request_id == command.request_id:
            return self._replay(uow, principal, command, latest)
        agent = self._agent_of(uow, principal, command, lead)
        if not lead.phone:
            raise (
                LeadErased(lead.lead_id)
                if uow.erased.contains(tenant, lead.lead_id)
                else LeadPhoneUnknown(lead.lead_id)
            )
        settings = uow.settings.get(tenant)
        zone = settings.zone(lead.time_zone)
        if not is_callable(now, settings.callable_hours, zone):
            raise OutsideCallableHours(zone.key, next_callable_start(now, settings.callable_hours, zone))
        dead = uow.dead.get(tenant, lead.phone)
        if dead is not None:
            raise DeadNumber(dead.outcome.name, dead.call_id)
        if latest is not None and latest.call.in_progress_at(now):
            raise CallInProgress(latest.call.call_id, latest.call.agent_id, latest.call.start_time)
        day = pool_day(now, settings.default_time_zone)
        binding = reusable_binding(
            uow.bindings.active_for_pair(tenant, lead.lead_id, agent.agent_id, now),
            lead.lead_id,
            agent.agent_id,
            now,
        )
        fresh = binding is None
        if binding is None:
            choice = choose_number(
                uow.numbers.usage(tenant, day), lead.province, lead.city, now, settings.pool_defaults
            )
            number = choice.number
            self._check_mode(number, mode)
            limit = number.binding_limit(settings.max_concurrent_bindings)
            if not uow.numbers.take(tenant, number.number_id, now, day, limit):
                raise TransientConflict()  # another StartCall took the last place on X meanwhile: choose again
            binding = Binding.new(
                new_id(), number.number_id, lead.lead_id, agent.agent_id, now, settings.binding_ttl
            )
            uow.bindings.insert(tenant, binding, number.provider)
            uow.timers.schedule(binding_timer(tenant, binding))
        else:
            found = uow.numbers.get(tenant, binding.number_id)
            if found is None:
                raise TransientConflict()  # cannot happen: numbers are never deleted
            number = found
            self._check_mode(number, mode)
        uow.numbers.count_call(tenant, number.number_id, day)
        call = Call(
            call_id=new_id(),
            tenant_id=tenant,
            lead_id=lead.lead_id,
            agent_id=agent.agent_id,
            account_id=lead.account_id,
            binding_id=binding.binding_id,
            number_id=number.number_id,
            masked_number=number.phone_number,
            mode=mode,
            attempt_number=next_attempt(latest),
            start_time=now,
        )
        if not uow.calls.insert(call, command.request_id, number.provider, now):
            # The request id was stored meanwhile (run again to answer with that call), or another call of the
            # lead took this attempt number (run again to number it after that one).
            raise TransientConflict()
        if fresh:
            uow.timers.schedule(start_check_timer(call))
        else:
            uow.events.add(CallStarted(call, new_id()))
        return _Plan(call, binding, number, fresh, agent.phone, lead.phone, False)

    def _check_mode(self, number: MaskedNumber, mode: CallMode) -> None:
        carrier = self._carriers.get(number.provider)
        if carrier is None:
            raise FailedPrecondition(
                f"no carrier {number.provider!r} is configured for masked number {number.number_id}",
                reason="CARRIER_NOT_CONFIGURED",
                metadata={"provider": number.provider},
            )
        if mode is CallMode.CALLBACK and not carrier.supports_callback:
            raise CallbackUnsupported(number.provider)

    def _replay(
        self, uow: TelephonyUnitOfWork, principal: Principal, command: StartCallCommand, existing: StoredCall
    ) -> _Plan:
        call = existing.call
        same_agent = not command.agent_id or command.agent_id == call.agent_id
        if call.lead_id != command.lead_id or not same_agent:
            raise RequestIdReused(command.request_id)
        if principal.role is Role.AGENT and calling_agent(uow, principal).agent_id != call.agent_id:
            raise RequestIdReused(command.request_id)
        tenant = principal.tenant_id
        binding = uow.bindings.get(tenant, call.binding_id)
        number = uow.numbers.get(tenant, call.number_id)
        if binding is None or number is None:
            raise TransientConflict()  # the first attempt is being undone (carrier refusal): run again
        if binding.provider_binding_id or binding.release_time is not None:
            return _Plan(call, binding, number, False, "", "", True)
        if self._clock.now() - call.start_time < BIND_IN_FLIGHT:
            # The first attempt may still be binding at the carrier: its call is not the answer yet.
            raise Unavailable(
                f"call {call.call_id} is being started; retry with the same request id",
                reason="CALL_STARTING",
            )
        # The first attempt stopped before the carrier's binding was confirmed (step 7): bind now.
        lead = uow.leads.get(tenant, call.lead_id)
        agent = uow.agents.get(tenant, call.agent_id)
        if lead is None or not lead.phone:
            raise LeadPhoneUnknown(call.lead_id)
        if agent is None or agent.deleted or not agent.phone:
            raise AgentPhoneUnknown(call.agent_id)
        return _Plan(call, binding, number, True, agent.phone, lead.phone, False)

    @staticmethod
    def _agent_of(
        uow: TelephonyUnitOfWork, principal: Principal, command: StartCallCommand, lead: LeadRecord
    ) -> AgentRecord:
        tenant = principal.tenant_id
        if principal.role is Role.AGENT:
            caller = calling_agent(uow, principal)
            if command.agent_id and command.agent_id != caller.agent_id:
                raise PermissionDenied("an agent starts calls as themselves only", reason="AGENT_MISMATCH")
            if lead.holder_agent_id != caller.agent_id:
                raise NotLeadHolder(lead.lead_id)
            agent: AgentRecord | None = caller
        else:
            agent_id = command.agent_id or lead.holder_agent_id
            if not agent_id:
                raise InvalidArgument(FieldViolation("agent_id", "is required: the lead is held by no agent"))
            agent = uow.agents.get(tenant, agent_id)
            if agent is None and command.agent_id:
                raise not_found("agent", agent_id)
        if agent is None or agent.deleted or not agent.phone:
            raise AgentPhoneUnknown(command.agent_id or lead.holder_agent_id)
        return agent

    async def _bind_at_carrier(self, plan: _Plan) -> Binding:
        """The binding made at the carrier (with the carrier's id), or the refusal after undoing the plan."""
        call, binding, number = plan.call, plan.binding, plan.number
        carrier = self._carriers[number.provider]
        request = BindRequest(
            tenant_id=call.tenant_id,
            binding_id=binding.binding_id,
            masked_number=number.phone_number,
            agent_phone=plan.agent_phone,
            lead_phone=plan.lead_phone,
            expire_time=binding.expire_time,
            city=number.city,
        )
        try:
            provider_id = await carrier.bind(request)
        except CarrierError as error:
            await self._tx.write(lambda uow: _undo(uow, call, binding))
            log.warning("carrier refused a binding", extra={"provider": error.provider, "code": error.code})
            if error.retryable:
                raise Unavailable(
                    f"carrier {error.provider} is unavailable ({error.code}); retry",
                    reason="CARRIER_UNAVAILABLE",
                ) from None
            raise FailedPrecondition(
                f"carrier {error.provider} refused the binding: {error.code}",
                reason="CARRIER_REFUSED",
                metadata={"provider": error.provider, "code": error.code},
            ) from None

        def confirm(uow: TelephonyUnitOfWork) -> str | None:
            if uow.bindings.set_provider_id(call.tenant_id, binding.binding_id, provider_id):
                uow.events.add(CallStarted(call, new_id()))
                uow.timers.cancel(START_CHECK, f"{call.tenant_id}/{call.call_id}")
                return provider_id
            stored = uow.bindings.get(call.tenant_id, binding.binding_id)
            return stored.provider_binding_id if stored is not None else None

        confirmed = await self._tx.write(confirm)
        if confirmed != provider_id:
            # A concurrent repeat of this StartCall confirmed its own binding first, or the call was given up
            # meanwhile (step 8): ours is one too many.
            log.info(
                "unbinding a binding its StartCall no longer needs", extra={"binding_id": binding.binding_id}
            )
            try:
                await carrier.unbind(provider_id, number.phone_number)
            except CarrierError as error:  # it expires at the carrier at the binding's expiry anyway
                log.warning("could not unbind a binding no longer needed", extra={"code": error.code})
        if confirmed is None:
            raise Unavailable(
                f"call {call.call_id} was given up while it was being bound; retry with the same request id",
                reason="CALL_STARTING",
            )
        return replace(binding, provider_binding_id=confirmed)

    # ------------------------------------------------------------------------------------------ EndCall, Get, List

    async def end_call(self, principal: Principal, call_id: str) -> tuple[CallView, CallOutcome | None]:
        """The agent's side hangs up: a caller-side release at now, which the carrier's final report later
        overrides with its own times. The outcome, if the call thereby ended, is announced."""
        require_id("call_id", call_id)
        now = self._clock.now()

        def end(uow: TelephonyUnitOfWork) -> tuple[CallView, CallOutcome | None]:
            stored = _visible_call(uow, principal, call_id)
            ended = stored.call.end_by_agent(now)
            if ended == stored.call:
                return CallView(stored.call, stored.update_time), None
            ended, announced = settle(uow, ended, now)
            uow.calls.save(stored, ended, now)
            if announced is not None:
                check_health(uow, ended.tenant_id, ended.number_id, now)
            return CallView(ended, now), announced

        return await self._tx.write(end)

    async def get_call(self, principal: Principal, call_id: str) -> CallView:
        require_id("call_id", call_id)

        def get(uow: TelephonyUnitOfWork) -> CallView:
            stored = _visible_call(uow, principal, call_id)
            return CallView(stored.call, stored.update_time)

        return await self._tx.read(get)

    async def list_calls(self, principal: Principal, query: CallListQuery) -> Page[CallView]:
        errors = ViolationCollector()
        check_id(errors, "lead_id", query.lead_id, required=False)
        check_id(errors, "agent_id", query.agent_id, required=False)
        if query.outcome not in CallOutcome.__members__.values():
            errors.add("outcome", f"unknown call outcome {int(query.outcome)}")
        if query.start_from and query.start_before and query.start_before <= query.start_from:
            errors.add("dial_end_time", "must be after dial_start_time")
        errors.raise_if_any()
        size = resolve_page_size(query.page_size, default=DEFAULT_CALL_PAGE)
        tenant = principal.tenant_id

        def page(uow: TelephonyUnitOfWork) -> Page[CallView]:
            agent_id = query.agent_id
            own = visible_agent(uow, principal)
            if own is not None:
                if agent_id and agent_id != own:
                    return Page()
                agent_id = own
            where = CallFilter(query.lead_id, agent_id, query.outcome, query.start_from, query.start_before)
            binding = filter_binding(
                tenant,
                "calls",
                where.lead_id,
                where.agent_id,
                int(where.outcome),
                to_us(where.start_from) if where.start_from else "",
                to_us(where.start_before) if where.start_before else "",
            )
            cursor = read_cursor(
                self._tokens.decode(query.page_token, binding=binding), ("t", int), ("id", str)
            )
            after = (from_us(cursor[0]), cursor[1]) if cursor is not None else None
            rows = uow.calls.page(tenant, where, after, size + 1)
            views = [CallView(r.call, r.update_time) for r in rows]
            return next_page(
                views,
                size,
                self._tokens,
                binding,
                lambda last: {"t": to_us(last.call.start_time), "id": last.call.call_id},
            )

        return await self._tx.read(page)


def _undo(uow: TelephonyUnitOfWork, call: Call, binding: Binding) -> None:
    """Remove a call whose binding the carrier refused, and the binding, and give X its place back; nothing when
    a concurrent repeat of the StartCall confirmed the binding meanwhile (its call stands)."""
    tenant = call.tenant_id
    stored = uow.bindings.get(tenant, binding.binding_id)
    if stored is not None and stored.provider_binding_id:
        return
    uow.calls.delete(tenant, call.call_id)
    if uow.bindings.release(tenant, binding.binding_id, call.start_time):
        uow.numbers.give_back(tenant, binding.number_id)
    uow.bindings.delete(tenant, binding.binding_id)
    uow.timers.cancel(BINDING_EXPIRY, f"{tenant}/{binding.binding_id}")
    uow.timers.cancel(START_CHECK, f"{tenant}/{call.call_id}")


def _visible_call(uow: TelephonyUnitOfWork, principal: Principal, call_id: str) -> StoredCall:
    stored = uow.calls.get(principal.tenant_id, call_id)
    own = visible_agent(uow, principal)
    if stored is None or (own is not None and stored.call.agent_id != own):
        raise not_found("call", call_id)
    return stored
