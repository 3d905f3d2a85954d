"""Reminders of an assigned lead until its first follow-up, with escalation and quiet hours. Pure.

Schedule (policy.reminders): reminder 1 is due one ``interval`` (default 15 minutes) after the assignment, reminder
n+1 one interval after reminder n was due. A due time inside the quiet hours (local to the policy's time zone) moves
to the end of them, and the next reminder counts from there. Reminders 1..``escalate_after_count`` (default 3) go
to the assignee; from the next one on they are escalated: the assignee and every administrator of the assignee's
team (an assignee who is an administrator is reminded once). They stop at the first follow-up, or when the
assignment ends (reclaim, release, reassignment, closing), because the firing re-checks the assignment.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from services.assign.domain.agents import Team
from services.assign.domain.assignments import Assignment
from services.assign.domain.enums import RecipientRole
from services.assign.domain.hours import after_quiet_hours
from services.assign.domain.policy import ReminderSettings
from services.assign.domain.timers import Timer, TimerKind, parse_reminder_key, reminder_ref


@dataclass(frozen=True)
class ReminderNotice:
    """One reminder.due event: who is reminded and why."""

    recipient_agent_id: str
    role: RecipientRole


@dataclass(frozen=True)
class ReminderFiring:
    """A reminder that fired: the notices to publish, the assignment with ``reminders_sent`` raised, the next timer."""

    sequence: int
    due_time: datetime
    escalated: bool
    notices: tuple[ReminderNotice, ...]
    assignment: Assignment
    next_timer: Timer


def due_after(previous: datetime, settings: ReminderSettings) -> datetime:
    """The due time one interval after ``previous``, moved out of the quiet hours."""
    return after_quiet_hours(previous + settings.interval, settings.quiet_hours, settings.time_zone)


def first_reminder(assignment: Assignment, settings: ReminderSettings) -> Timer:
    ref = reminder_ref(assignment.id, 1)
    return Timer(ref.kind, ref.key, due_after(assignment.assign_time, settings))


def fire_reminder(
    assignment: Assignment, timer: Timer, team: Team | None, settings: ReminderSettings
) -> ReminderFiring | None:
    """The effect of ``timer`` firing, or None when it is stale (followed up, ended, or not the next reminder)."""
    if timer.kind != TimerKind.REMINDER:
        raise ValueError(f"not a reminder timer: {timer.kind}")
    assignment_id, sequence = parse_reminder_key(timer.key)
    if assignment_id != assignment.id or not assignment.awaiting_first_follow_up:
        return None
    if sequence != assignment.reminders_sent + 1:
        return None
    escalated = sequence > settings.escalate_after_count
    notices = [ReminderNotice(assignment.agent_id, RecipientRole.ASSIGNEE)]
    if escalated and team is not None:
        notices += [
            ReminderNotice(admin_id, RecipientRole.TEAM_ADMIN)
            for admin_id in dict.fromkeys(team.admin_agent_ids)
            if admin_id != assignment.agent_id
        ]
    next_ref = reminder_ref(assignment.id, sequence + 1)
    return ReminderFiring(
        sequence=sequence,
        due_time=timer.due_time,
        escalated=escalated,
        notices=tuple(notices),
        assignment=replace(assignment, reminders_sent=sequence),
        next_timer=Timer(next_ref.kind, next_ref.key, due_after(timer.due_time, settings)),
    )
