"""ReportCallEvent: one carrier event applied to its call, however late, out of order or repeated it comes.

The call is found by leadflow's ``call_id``, else by the carrier's id of the call. The first time a carrier call id
is seen it is attached to the newest call of the carrier's binding that has none yet; a call the carrier reports
that leadflow never started (the lead called back through X, or the agent dialled X without StartCall) becomes a
call of its own on that binding, stored under the request id ``carrier:<provider>:<call id>`` so that racing
repeats of its first event store it once.

The event joins the call's set of distinct events and the record is derived again from the whole set
(``domain.call.merge``), then written by compare-and-set on the row's version: two events of one call applied at
once on two replicas cannot lose each other (the loser's transaction runs again on the winner's row). A repeat of
an event already held changes nothing and answers ``duplicate``. What follows a change (``call.completed`` once
per outcome, the dead-number list, the number's health) is ``completion.settle``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.common.clock import Clock
from services.common.errors import NotFound, ViolationCollector
from services.common.ids import new_id
from services.common.uow import Transactions, TransientConflict
from services.common.validation import check_identifier
from services.telephony.domain.call import Call, CallEventType, CallMode
from services.telephony.domain.commands import CallEventReport
from services.telephony.domain.errors import not_found
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.ports import StoredCall, TelephonyUnitOfWork, next_attempt
from services.telephony.handlers.access import check_id
from services.telephony.handlers.completion import check_health, settle

MAX_PROVIDER = 64
MAX_PROVIDER_ID = 128


@dataclass(frozen=True)
class ReportResult:
    call: Call
    duplicate: bool
    update_time: datetime
    announced: CallOutcome | None  # the outcome announced in call.completed by this event, if any


class CallEventHandlers:
    def __init__(self, transactions: Transactions[TelephonyUnitOfWork], clock: Clock) -> None:
        self._tx = transactions
        self._clock = clock

    async def report(self, tenant: str | None, report: CallEventReport) -> ReportResult:
        """Apply a carrier event. ``tenant`` is the caller's (a gRPC ReportCallEvent); None for a carrier's own
        receipt, whose tenant is the one of the carrier's binding. Unknown calls answer NOT_FOUND."""
        _check(report)
        now = self._clock.now()
        return await self._tx.write(lambda uow: self.apply(uow, tenant, report, now))

    def apply(
        self, uow: TelephonyUnitOfWork, tenant: str | None, report: CallEventReport, now: datetime
    ) -> ReportResult:
        event = report.event
        stored, attach = _find(uow, tenant, report, now)
        updated, duplicate = stored.call.with_event(event)
        if duplicate and attach is None:
            return ReportResult(stored.call, True, stored.update_time, None)
        updated, announced = settle(uow, updated, now)
        uow.calls.save(stored, updated, now, provider_call_id=attach)
        if announced is not None:
            check_health(uow, updated.tenant_id, updated.number_id, now)
        return ReportResult(updated, duplicate, now, announced)


def _check(report: CallEventReport) -> None:
    errors = ViolationCollector()
    event = report.event
    check_identifier(errors, "provider", event.provider, MAX_PROVIDER, required=True)
    check_identifier(errors, "provider_event_id", event.provider_event_id, MAX_PROVIDER_ID, required=True)
    check_id(errors, "call_id", report.call_id, required=False)
    check_identifier(errors, "provider_call_id", report.provider_call_id, MAX_PROVIDER_ID)
    check_identifier(errors, "provider_binding_id", report.provider_binding_id, MAX_PROVIDER_ID)
    if not report.call_id and not report.provider_call_id:
        errors.add("call_id", "is required when provider_call_id is empty")
    if event.type is CallEventType.UNSPECIFIED or event.type not in CallEventType.__members__.values():
        errors.add("type", "must be one of the CallEventType values")
    if event.type is CallEventType.RECORDING_READY and event.recording is None:
        errors.add("recording", "is required for RECORDING_READY events")
    errors.raise_if_any()


def _find(
    uow: TelephonyUnitOfWork, tenant: str | None, report: CallEventReport, now: datetime
) -> tuple[StoredCall, str | None]:
    """The call the event is about, and the carrier call id to attach to it (None when already attached)."""
    provider = report.event.provider
    if report.call_id:
        if tenant is None:
            raise NotFound("a carrier receipt must name the carrier's call", reason="CALL_NOT_FOUND")
        stored = uow.calls.get(tenant, report.call_id)
        if stored is None:
            raise not_found("call", report.call_id)
        attach = report.provider_call_id if report.provider_call_id and not stored.provider_call_id else None
        return stored, attach
    if tenant is not None:
        stored = uow.calls.by_provider_call(tenant, provider, report.provider_call_id)
        if stored is not None:
            return stored, None
    if not report.provider_binding_id:
        raise not_found("call", report.provider_call_id)
    found = uow.bindings.by_provider(provider, report.provider_binding_id)
    if found is None or (tenant is not None and found[0] != tenant):
        raise NotFound(
            f"no binding {report.provider_binding_id} of carrier {provider}",
            reason="BINDING_NOT_FOUND",
            metadata={"provider_binding_id": report.provider_binding_id},
        )
    owner, binding = found
    stored = uow.calls.by_provider_call(owner, provider, report.provider_call_id)
    if stored is not None:
        return stored, None
    unclaimed = uow.calls.unclaimed_of_binding(owner, binding.binding_id, provider)
    if unclaimed:
        return unclaimed[0], report.provider_call_id
    return _carrier_call(uow, owner, binding.binding_id, report, now), report.provider_call_id


def _carrier_call(
    uow: TelephonyUnitOfWork, tenant: str, binding_id: str, report: CallEventReport, now: datetime
) -> StoredCall:
    """A call the carrier reports on a binding without a StartCall behind it, stored once."""
    binding = uow.bindings.get(tenant, binding_id)
    number = uow.numbers.get(tenant, binding.number_id) if binding is not None else None
    if binding is None or number is None:
        raise TransientConflict()  # cannot happen: bindings and numbers are kept
    lead = uow.leads.get(tenant, binding.lead_id)
    start = report.event.event_time or now
    if report.event.times is not None and report.event.times.dial is not None:
        start = report.event.times.dial
    call = Call(
        call_id=new_id(),
        tenant_id=tenant,
        lead_id=binding.lead_id,
        agent_id=binding.agent_id,
        account_id=lead.account_id if lead is not None else "",
        binding_id=binding.binding_id,
        number_id=number.number_id,
        masked_number=number.phone_number,
        mode=CallMode.DIRECT_DIAL,
        attempt_number=next_attempt(uow.calls.latest_of_lead(tenant, binding.lead_id)),
        start_time=start,
    )
    request_id = f"carrier:{report.event.provider}:{report.provider_call_id}"[:64]
    if not uow.calls.insert(call, request_id, report.event.provider, now):
        raise TransientConflict()  # stored by a racing repeat: run again to find it
    stored = uow.calls.by_request(tenant, request_id)
    if stored is None:
        raise TransientConflict()
    return stored
