"""Timers firing: reminders of an assigned lead until its first follow-up, and its reclaim to the pool.

The runtime fires each due timer exactly once, in a write transaction that also runs these handlers and deletes
the timer row, on any replica and after any restart (timers are rows, not sleeps). The domain re-checks the
assignment on firing, so a timer that outlived its purpose (the lead was followed up, released, reassigned)
does nothing.

- REMINDER ``<assignment>#<n>``: reminder n goes to the assignee, and from n = escalate_after_count + 1 on to the
  team's administrators too (reminder.due, one event per recipient); reminder n + 1 is scheduled one interval
  later, out of the quiet hours.
- RECLAIM ``<assignment>``: no first follow-up within reclaim_after: the assignment ends RECLAIMED, the lead enters
  the pool, the agent cools down on it, lead.reclaimed is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.assign.domain.events import LeadReclaimed, ReminderDue
from services.assign.domain.ports import AssignUnitOfWork, Timer
from services.assign.domain.reclaim import Reclaimed, fire_reclaim
from services.assign.domain.reminders import ReminderFiring, fire_reminder
from services.assign.domain.timers import Timer as DomainTimer
from services.assign.domain.timers import TimerKind, parse_reminder_key
from services.assign.handlers import moves
from services.assign.handlers.policies import policy_of
from services.common.clock import Clock
from services.common.uow import TransientConflict


@dataclass(frozen=True)
class TimerResult:
    """What a firing did: a reminder sent (``reminder``) or a lead reclaimed (``reclaimed``); both None when the
    timer was stale."""

    reminder: ReminderFiring | None = None
    reclaimed: Reclaimed | None = None


class TimerHandlers:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def on_reminder(self, uow: AssignUnitOfWork, timer: Timer) -> TimerResult:
        return moves.retrying(uow, lambda: self._remind(uow, timer))

    def on_reclaim(self, uow: AssignUnitOfWork, timer: Timer) -> TimerResult:
        return moves.retrying(uow, lambda: self._reclaim(uow, timer))

    def _remind(self, uow: AssignUnitOfWork, timer: Timer) -> TimerResult:
        tenant = timer.tenant_id
        try:
            assignment_id, _sequence = parse_reminder_key(timer.key)
        except ValueError:
            return TimerResult()  # not ours to understand: dropping it is all a later release could do too
        assignment = uow.assignments.get(tenant, assignment_id)
        if assignment is None:
            return TimerResult()
        policy = policy_of(uow, tenant, assignment.lead.account_id)
        team = uow.teams.get(tenant, assignment.team_id)
        fired = DomainTimer(TimerKind.REMINDER, timer.key, timer.due_time)
        firing = fire_reminder(assignment, fired, team, policy.reminders)
        if firing is None:
            return TimerResult()
        stored = moves.save(uow, tenant, firing.assignment)
        moves.schedule(uow, tenant, [firing.next_timer])
        now = self._clock.now()
        for notice in firing.notices:
            uow.events.add(
                ReminderDue(
                    tenant,
                    timer.key,
                    stored,
                    notice.recipient_agent_id,
                    notice.role,
                    firing.sequence,
                    firing.escalated,
                    firing.due_time,
                    now,
                )
            )
        return TimerResult(reminder=firing)

    def _reclaim(self, uow: AssignUnitOfWork, timer: Timer) -> TimerResult:
        tenant = timer.tenant_id
        assignment = uow.assignments.get(tenant, timer.key)
        if assignment is None:
            return TimerResult()
        policy = policy_of(uow, tenant, assignment.lead.account_id)
        now = self._clock.now()
        reclaimed = fire_reclaim(
            assignment, DomainTimer(TimerKind.RECLAIM, timer.key, timer.due_time), policy, now
        )
        if reclaimed is None:
            return TimerResult()
        stored = moves.finish(uow, tenant, reclaimed.assignment, reclaimed.cancel)
        if not uow.pool.insert(tenant, reclaimed.entry):
            raise TransientConflict()
        cooldown_end = None
        if reclaimed.cooldown is not None:
            uow.cooldowns.add(tenant, reclaimed.cooldown)
            cooldown_end = reclaimed.cooldown.end_time
        uow.events.add(LeadReclaimed(tenant, stored, reclaimed.reason, cooldown_end, now))
        return TimerResult(reclaimed=reclaimed)
