"""Leads changing hands in the store: starting an assignment (capacity taken, timers scheduled, lead.assigned
recorded), writing a changed assignment (a compare-and-set on its version), ending one (its held slot given back
and its timers cancelled). Every use case that moves a lead goes through here, so the per-agent counter and the
timers never drift from the assignments.

A lost compare-and-set, or a capacity counter that another transaction filled since it was read, raises
``TransientConflict``: the unit of work runs the use case again, on fresh reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from services.assign.domain.agents import Agent
from services.assign.domain.assignments import Assignment
from services.assign.domain.availability import capacity_day
from services.assign.domain.events import LeadAssigned
from services.assign.domain.handover import Opened
from services.assign.domain.ports import AssignUnitOfWork, Timer
from services.assign.domain.timers import Timer as DomainTimer
from services.assign.domain.timers import TimerRef
from services.common.uow import DEFAULT_ATTEMPTS, TransientConflict, run_retrying

T = TypeVar("T")


def start(
    uow: AssignUnitOfWork, tenant: str, opened: Opened, agent: Agent, now: datetime, *, daily_capacity: bool
) -> Assignment:
    """Store the new assignment: take one of the agent's held slots (and, when ``daily_capacity`` applies — rules
    and familiarity, not claims or reassignments — one of the day's leads) by the conditional counter, schedule
    its reclaim and first reminder, record lead.assigned."""
    cap = agent.daily_capacity if daily_capacity else 0
    if not uow.loads.take(tenant, agent.id, capacity_day(agent, now), agent.max_held_leads, cap):
        raise TransientConflict()  # another transaction filled the agent since the load was read
    if not uow.assignments.insert(tenant, opened.assignment):
        raise TransientConflict()  # the lead got an active assignment meanwhile
    schedule(uow, tenant, opened.timers)
    uow.events.add(LeadAssigned(tenant, opened.assignment, now))
    return opened.assignment


def save(uow: AssignUnitOfWork, tenant: str, changed: Assignment) -> Assignment:
    """Write ``changed`` (read at ``changed.version``) if nobody changed it meanwhile; the stored value."""
    stored = replace(changed, version=changed.version + 1)
    if not uow.assignments.update(tenant, stored):
        raise TransientConflict()
    return stored


def finish(
    uow: AssignUnitOfWork, tenant: str, ended: Assignment, cancel: Iterable[TimerRef] = ()
) -> Assignment:
    """Write an assignment that stopped being active, give its held slot back, cancel its pending timers."""
    stored = save(uow, tenant, ended)
    uow.loads.release(tenant, ended.agent_id)
    cancel_timers(uow, cancel)
    return stored


def schedule(uow: AssignUnitOfWork, tenant: str, timers: Iterable[DomainTimer]) -> None:
    """One statement for all of them (an assignment's reclaim and first reminder)."""
    uow.timers.schedule_many(
        [Timer(str(timer.kind), timer.key, tenant, timer.due_time, {}) for timer in timers]
    )


def cancel_timers(uow: AssignUnitOfWork, refs: Iterable[TimerRef]) -> None:
    for ref in refs:
        uow.timers.cancel(str(ref.kind), ref.key)


def retrying(uow: AssignUnitOfWork, work: Callable[[], T], attempts: int = DEFAULT_ATTEMPTS) -> T:
    """Run ``work`` in a savepoint of the enclosing transaction, again (on fresh reads) while it loses a race.

    For the consumers and timers, which run inside a transaction the runtime owns (the inbox's, the timer's): a
    lost compare-and-set must not fail the whole delivery. On PostgreSQL (READ COMMITTED) the retry's statements
    see what the winner committed; SQLite has one writer at a time, so there the first attempt always wins."""
    return run_retrying(lambda: uow.savepoint(work), attempts=attempts)
