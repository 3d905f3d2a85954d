"""What follows a change of a call's record, in the same transaction as the change:

* ``call.completed`` when the call ended and its outcome was not announced yet, or a correction (revision + 1)
  when later evidence changed an announced outcome; never twice for the same outcome;
* the lead's phone on the tenant's dead-number list when the outcome is EMPTY_NUMBER or SUSPENDED;
* the number's health: after each ended call, ``quarantine.assess`` over the number's calls since it last became
  ACTIVE against the pool's recent calls; a quarantined number rests until its end timer makes it ACTIVE again.
"""

from __future__ import annotations

from datetime import datetime

from services.common.ids import new_id
from services.common.timers import Timer
from services.telephony.domain.call import Call
from services.telephony.domain.numbers import NumberStatus
from services.telephony.domain.outcomes import CallOutcome
from services.telephony.domain.ports import CallCompleted, DeadEntry, TelephonyUnitOfWork
from services.telephony.domain.quarantine import assess

DEAD_NUMBER_OUTCOMES = frozenset({CallOutcome.EMPTY_NUMBER, CallOutcome.SUSPENDED})
REST_END = "number.rest_end"
POOL_SAMPLE_FACTOR = 10  # the pool's answer rate is measured over this many times the number's window


def settle(uow: TelephonyUnitOfWork, call: Call, now: datetime) -> tuple[Call, CallOutcome | None]:
    """The call after announcing its outcome if due, and the outcome announced (None when nothing was). When one
    was, the caller saves the call and then runs ``check_health`` on its number."""
    if not call.completion_due:
        return call, None
    tenant = call.tenant_id
    lead = uow.leads.get(tenant, call.lead_id)
    phone = lead.phone if lead is not None else ""
    settings = uow.settings.get(tenant)
    zone = settings.zone(lead.time_zone if lead is not None else "")
    outcome = call.progress.outcome
    uow.events.add(
        CallCompleted(
            call, call.completion_revision + 1, phone, now, new_id(), settings.callable_hours, zone.key
        )
    )
    if outcome in DEAD_NUMBER_OUTCOMES and phone:
        uow.dead.add(tenant, phone, DeadEntry(outcome, call.call_id), now)
    return call.mark_completed(), outcome


def check_health(uow: TelephonyUnitOfWork, tenant: str, number_id: str, now: datetime) -> None:
    """Judge the number after one of its calls was settled and saved (so that call counts)."""
    number = uow.numbers.get(tenant, number_id)
    if number is None or number.status_at(now) is not NumberStatus.ACTIVE:
        return
    policy = uow.settings.get(tenant).quarantine
    since = number.status_change_time
    mine = uow.calls.number_outcomes(tenant, number_id, since, policy.window_calls)
    if len(mine) < policy.window_calls:
        return
    pool = uow.calls.pool_outcomes(tenant, policy.window_calls * POOL_SAMPLE_FACTOR)
    decision = assess(mine, pool, now, policy)
    if decision is None:
        return
    uow.numbers.save_status(
        tenant, number.rest(NumberStatus.QUARANTINED, decision.until, decision.reason, now), now
    )
    uow.timers.schedule(
        Timer(REST_END, f"{tenant}/{number_id}", tenant, decision.until, {"number_id": number_id})
    )
