"""Reminders on explicit datetimes: every interval until the first follow-up, escalation to the team's
administrators after N unanswered reminders, quiet hours moving a reminder to their end."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from services.assign.domain.agents import Team
from services.assign.domain.assignments import Assignment
from services.assign.domain.enums import RecipientRole
from services.assign.domain.hours import DailyWindow
from services.assign.domain.policy import ReminderSettings
from services.assign.domain.reminders import ReminderFiring, ReminderNotice, fire_reminder, first_reminder
from services.assign.domain.timers import Timer, TimerKind, parse_reminder_key
from tests.assign.unit.builders import agent, opened, policy, shanghai

TEAM = Team("t1", "Sales", admin_agent_ids=("boss", "deputy"))
ASSIGNEE = (ReminderNotice("a1", RecipientRole.ASSIGNEE),)
ESCALATED = ASSIGNEE + (
    ReminderNotice("boss", RecipientRole.TEAM_ADMIN),
    ReminderNotice("deputy", RecipientRole.TEAM_ADMIN),
)


def run_reminders(
    assign_time: datetime, settings: ReminderSettings, count: int, team: Team = TEAM
) -> list[ReminderFiring]:
    """Fire ``count`` reminders in a row, each exactly when due, as the timer worker would."""
    assignment: Assignment = opened(at=assign_time, the_policy=policy(reminders=settings)).assignment
    timer = first_reminder(assignment, settings)
    firings = []
    for _ in range(count):
        firing = fire_reminder(assignment, timer, team, settings)
        assert firing is not None
        firings.append(firing)
        assignment, timer = firing.assignment, firing.next_timer
    return firings


def test_every_fifteen_minutes_then_escalated_after_three() -> None:
    firings = run_reminders(shanghai(2026, 3, 4, 10, 0), ReminderSettings(), 5)
    assert [f.due_time for f in firings] == [
        shanghai(2026, 3, 4, 10, 15),
        shanghai(2026, 3, 4, 10, 30),
        shanghai(2026, 3, 4, 10, 45),
        shanghai(2026, 3, 4, 11, 0),
        shanghai(2026, 3, 4, 11, 15),
    ]
    assert [f.sequence for f in firings] == [1, 2, 3, 4, 5]
    assert [f.escalated for f in firings] == [False, False, False, True, True]
    assert [f.notices for f in firings] == [ASSIGNEE, ASSIGNEE, ASSIGNEE, ESCALATED, ESCALATED]
    assert firings[-1].assignment.reminders_sent == 5
    assert firings[-1].next_timer == Timer(TimerKind.REMINDER, "as-1#6", shanghai(2026, 3, 4, 11, 30))


def test_interval_and_escalation_are_configurable() -> None:
    settings = ReminderSettings(interval=timedelta(minutes=5), escalate_after_count=1)
    firings = run_reminders(shanghai(2026, 3, 4, 10, 0), settings, 3)
    assert [f.due_time for f in firings] == [
        shanghai(2026, 3, 4, 10, 5),
        shanghai(2026, 3, 4, 10, 10),
        shanghai(2026, 3, 4, 10, 15),
    ]
    assert [f.escalated for f in firings] == [False, True, True]


def test_quiet_hours_move_a_reminder_to_their_end_and_the_next_counts_from_there() -> None:
    settings = ReminderSettings(quiet_hours=DailyWindow.of("22:00", "08:00"), time_zone="Asia/Shanghai")
    firings = run_reminders(shanghai(2026, 3, 4, 21, 40), settings, 4)
    assert [f.due_time for f in firings] == [
        shanghai(2026, 3, 4, 21, 55),
        shanghai(2026, 3, 5, 8, 0),  # 22:10 is quiet
        shanghai(2026, 3, 5, 8, 15),
        shanghai(2026, 3, 5, 8, 30),
    ]
    assert firings[3].escalated and firings[3].notices == ESCALATED


def test_an_assignment_made_in_quiet_hours_is_first_reminded_when_they_end() -> None:
    settings = ReminderSettings(quiet_hours=DailyWindow.of("22:00", "08:00"))
    firings = run_reminders(shanghai(2026, 3, 5, 2, 30), settings, 2)
    assert [f.due_time for f in firings] == [shanghai(2026, 3, 5, 8, 0), shanghai(2026, 3, 5, 8, 15)]


def test_quiet_hours_are_read_in_the_policys_time_zone() -> None:
    # 22:00-08:00 in London is 06:00-16:00 in Shanghai (winter).
    settings = ReminderSettings(quiet_hours=DailyWindow.of("22:00", "08:00"), time_zone="Europe/London")
    firings = run_reminders(shanghai(2026, 3, 4, 10, 0), settings, 1)
    assert firings[0].due_time == shanghai(2026, 3, 4, 16, 0)


def test_reminders_stop_at_the_first_follow_up() -> None:
    settings = ReminderSettings()
    assignment = opened(at=shanghai(2026, 3, 4, 10, 0)).assignment
    timer = first_reminder(assignment, settings)
    followed = replace(assignment, first_follow_up_time=shanghai(2026, 3, 4, 10, 5))
    assert fire_reminder(followed, timer, TEAM, settings) is None


def test_a_reminder_fires_once() -> None:
    """A replayed or out-of-order timer (sequence not the next one) does nothing."""
    settings = ReminderSettings()
    assignment = opened(at=shanghai(2026, 3, 4, 10, 0)).assignment
    timer = first_reminder(assignment, settings)
    firing = fire_reminder(assignment, timer, TEAM, settings)
    assert firing is not None
    assert fire_reminder(firing.assignment, timer, TEAM, settings) is None
    other = opened("as-2").assignment
    assert fire_reminder(other, timer, TEAM, settings) is None


def test_an_administrator_holding_the_lead_is_reminded_once() -> None:
    settings = ReminderSettings(escalate_after_count=1)
    assignment = opened(holder=agent("boss")).assignment
    timer = first_reminder(assignment, settings)
    first = fire_reminder(assignment, timer, TEAM, settings)
    assert first is not None
    second = fire_reminder(first.assignment, first.next_timer, TEAM, settings)
    assert second is not None and second.escalated
    assert second.notices == (
        ReminderNotice("boss", RecipientRole.ASSIGNEE),
        ReminderNotice("deputy", RecipientRole.TEAM_ADMIN),
    )


def test_a_team_without_administrators_escalates_to_nobody_else() -> None:
    firings = run_reminders(shanghai(2026, 3, 4, 10), ReminderSettings(escalate_after_count=1), 2, Team("t1"))
    assert firings[1].escalated and firings[1].notices == ASSIGNEE


@pytest.mark.parametrize("key", ["as-1", "as-1#", "as-1#0", "#3", "as-1#x"])
def test_malformed_reminder_keys(key: str) -> None:
    with pytest.raises(ValueError, match="not a reminder key"):
        parse_reminder_key(key)


def test_reminder_keys_keep_ids_with_hashes() -> None:
    assert parse_reminder_key("as#1#12") == ("as#1", 12)
