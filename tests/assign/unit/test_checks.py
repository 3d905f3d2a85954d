"""Input rules: agents and teams (creation, field-mask updates), assignment policies. Every bad field is named."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.assign.domain.agent_checks import (
    AgentDraft,
    ShiftDraft,
    TeamDraft,
    WorkingHoursDraft,
    new_agent,
    new_team,
    update_agent,
    update_team,
)
from services.assign.domain.checks import WindowDraft, check_reason
from services.assign.domain.enums import (
    AgentStatus,
    AssignmentMethod,
    Channel,
    DayOfWeek,
    ScoreGrade,
)
from services.assign.domain.hours import DailyWindow
from services.assign.domain.leads import Region
from services.assign.domain.policy import DEFAULT_RECLAIM_AFTER, DEFAULT_REMINDER_INTERVAL
from services.assign.domain.policy_checks import CriteriaDraft, PolicyDraft, RuleDraft, build_policy
from services.assign.domain.scoring import DEFAULT_THRESHOLDS, ScoreThresholds
from services.common.errors import InvalidArgument, ViolationCollector
from tests.assign.unit.builders import NOON_UTC

NINE_TO_SIX = WindowDraft(9, 0, 18, 0)
GOOD = AgentDraft(
    team_id="t1",
    display_name="Li Lei",
    phone="+8613800138000",
    regions=(Region("广东省"),),
    weight=3,
    daily_capacity=40,
    max_held_leads=100,
    working_hours=WorkingHoursDraft("Asia/Shanghai", (ShiftDraft(DayOfWeek.MONDAY, NINE_TO_SIX),)),
    user_id="user-7",
)


def violations(call: object) -> set[str]:
    with pytest.raises(InvalidArgument) as raised:
        call()  # type: ignore[operator]
    return {violation.field for violation in raised.value.violations}


def test_a_good_agent() -> None:
    created = new_agent("ag-1", GOOD, NOON_UTC)
    assert created.status == AgentStatus.ONLINE  # unset status means ONLINE
    assert created.revision == 1 and created.create_time == NOON_UTC
    assert created.working_hours.shifts[0].window == DailyWindow(9 * 60, 18 * 60)
    assert new_agent("ag-2", AgentDraft(team_id="t1", display_name="x", weight=0), NOON_UTC).weight == 1


def test_bad_agent_fields_are_all_named() -> None:
    bad = AgentDraft(
        team_id="",
        display_name=" ",
        phone="13800138000",
        regions=(Region(""),),
        weight=101,
        daily_capacity=-1,
        max_held_leads=-5,
        working_hours=WorkingHoursDraft(
            "Mars/Olympus",
            (
                ShiftDraft(0, NINE_TO_SIX),
                ShiftDraft(DayOfWeek.MONDAY, WindowDraft(25, 0, 18, 0)),
                ShiftDraft(DayOfWeek.TUESDAY, WindowDraft(9, 0, 9, 0)),
                ShiftDraft(DayOfWeek.FRIDAY, WindowDraft(24, 0, 6, 0)),
            ),
        ),
        status=9,
        user_id="x\n",
    )
    assert violations(lambda: new_agent("ag-1", bad, NOON_UTC)) == {
        "agent.team_id",
        "agent.display_name",
        "agent.phone",
        "agent.regions[0].province",
        "agent.weight",
        "agent.daily_capacity",
        "agent.max_held_leads",
        "agent.working_hours.time_zone",
        "agent.working_hours.shifts[0].day_of_week",
        "agent.working_hours.shifts[1].window.start",
        "agent.working_hours.shifts[2].window",
        "agent.working_hours.shifts[3].window.start",
        "agent.status",
        "agent.user_id",
    }


@pytest.mark.parametrize("phone", ["+86138", "+8612345678901", "+86 13800138000", "+0123456789"])
def test_bad_phones(phone: str) -> None:
    assert violations(lambda: new_agent("ag-1", AgentDraft("t1", "x", phone=phone), NOON_UTC)) == {
        "agent.phone"
    }


def test_phone_errors_never_repeat_the_number() -> None:
    with pytest.raises(InvalidArgument) as raised:
        new_agent("ag-1", AgentDraft("t1", "x", phone="+8612345678901"), NOON_UTC)
    assert "12345678901" not in raised.value.message


def test_overnight_and_midnight_windows_are_accepted() -> None:
    hours = WorkingHoursDraft(
        "",
        (
            ShiftDraft(DayOfWeek.FRIDAY, WindowDraft(22, 0, 6, 0)),
            ShiftDraft(DayOfWeek.SATURDAY, WindowDraft(18, 0, 24, 0)),
        ),
    )
    created = new_agent("ag-1", AgentDraft("t1", "x", working_hours=hours), NOON_UTC)
    assert created.working_hours.time_zone == "Asia/Shanghai"
    assert [s.window for s in created.working_hours.shifts] == [
        DailyWindow(1320, 360),
        DailyWindow(1080, 1440),
    ]


def test_update_with_a_mask_changes_only_the_named_fields() -> None:
    current = new_agent("ag-1", GOOD, NOON_UTC)
    later = NOON_UTC + timedelta(hours=1)
    change = update_agent(
        current,
        AgentDraft(status=AgentStatus.OFFLINE, weight=7, display_name="ignored"),
        ["status", "weight"],
        later,
    )
    assert change.changed_fields == ("status", "weight")
    assert change.value.status == AgentStatus.OFFLINE and change.value.weight == 7
    assert (
        change.value.display_name == "Li Lei"
        and change.value.revision == 2
        and change.value.update_time == later
    )


def test_an_empty_mask_means_the_populated_fields() -> None:
    current = new_agent("ag-1", GOOD, NOON_UTC)
    change = update_agent(current, AgentDraft(status=AgentStatus.ON_LEAVE), [], NOON_UTC)
    assert change.changed_fields == ("status",)
    assert violations(lambda: update_agent(current, AgentDraft(), [], NOON_UTC)) == {"update_mask"}


def test_star_replaces_every_writable_field() -> None:
    current = new_agent("ag-1", GOOD, NOON_UTC)
    change = update_agent(
        current, AgentDraft(team_id="t2", display_name="Han Meimei", status=1), ["*"], NOON_UTC
    )
    assert change.value.phone == "" and change.value.regions == () and change.value.team_id == "t2"
    assert "phone" in change.changed_fields and "working_hours" in change.changed_fields


def test_an_update_that_changes_nothing_is_not_a_new_revision() -> None:
    current = new_agent("ag-1", GOOD, NOON_UTC)
    change = update_agent(current, AgentDraft(weight=3), ["weight"], NOON_UTC + timedelta(hours=1))
    assert change.changed_fields == () and change.value is current


def test_bad_masks() -> None:
    current = new_agent("ag-1", GOOD, NOON_UTC)
    assert violations(lambda: update_agent(current, AgentDraft(), ["revision", "nickname"], NOON_UTC)) == {
        "update_mask.paths[0]",
        "update_mask.paths[1]",
    }
    assert violations(lambda: update_agent(current, AgentDraft(), ["status"], NOON_UTC)) == {"agent.status"}


def test_teams() -> None:
    team = new_team("t1", TeamDraft("Sales", ("boss", "boss", "deputy")), NOON_UTC)
    assert team.admin_agent_ids == ("boss", "deputy")
    change = update_team(team, TeamDraft(admin_agent_ids=("deputy",)), ["admin_agent_ids"], NOON_UTC)
    assert change.changed_fields == ("admin_agent_ids",) and change.value.display_name == "Sales"
    assert violations(lambda: new_team("t2", TeamDraft("", ("",)), NOON_UTC)) == {
        "team.display_name",
        "team.admin_agent_ids[0]",
    }


def test_a_good_policy_gets_the_defaults() -> None:
    built = build_policy(
        PolicyDraft("acct-1", (RuleDraft("r1", AssignmentMethod.ROUND_ROBIN, team_id="t1"),)),
        "admin-1",
        NOON_UTC,
    )
    assert built.reclaim_after == DEFAULT_RECLAIM_AFTER
    assert built.reminders.interval == DEFAULT_REMINDER_INTERVAL and built.reminders.escalate_after_count == 3
    assert built.score_thresholds == DEFAULT_THRESHOLDS and built.familiarity
    assert built.updated_by == "admin-1" and built.update_time == NOON_UTC


def test_policy_values_are_kept() -> None:
    draft = PolicyDraft(
        "acct-1",
        (
            RuleDraft(
                "r1",
                AssignmentMethod.DESIGNATED,
                CriteriaDraft(channels=(Channel.FORM, Channel.FORM), score_grades=(ScoreGrade.A,)),
                agent_id="ag-1",
                min_score_grade=ScoreGrade.B,
            ),
            RuleDraft("r2", AssignmentMethod.POOL),
        ),
        reclaim_after=timedelta(hours=4),
        reclaim_cooldown=timedelta(0),
        disable_familiarity=True,
        reminder_interval=timedelta(minutes=30),
        escalate_after_count=2,
        quiet_hours=WindowDraft(22, 0, 8, 0),
        reminder_time_zone="Asia/Urumqi",
        min_score_a=80,
        min_score_b=60,
        min_score_c=40,
    )
    built = build_policy(draft, "admin-1", NOON_UTC)
    assert built.rules[0].criteria.channels == (Channel.FORM,)
    assert built.rules[0].min_score_grade == ScoreGrade.B
    assert (built.reclaim_after, built.reclaim_cooldown, built.familiarity) == (
        timedelta(hours=4),
        timedelta(0),
        False,
    )
    assert (
        built.reminders.quiet_hours == DailyWindow(1320, 480) and built.reminders.time_zone == "Asia/Urumqi"
    )
    assert built.score_thresholds == ScoreThresholds(80, 60, 40)


def test_bad_policies_name_every_field() -> None:
    draft = PolicyDraft(
        "",
        (
            RuleDraft("r1", AssignmentMethod.DESIGNATED, team_id="t1"),
            RuleDraft("r1", AssignmentMethod.ROUND_ROBIN, agent_id="ag-1"),
            RuleDraft("", 0, CriteriaDraft(channels=(0,), traffic_sources=(9,), regions=(Region(""),))),
            RuleDraft(
                "r4", AssignmentMethod.POOL, min_score_grade=7, criteria=CriteriaDraft(campaign_ids=("",))
            ),
        ),
        reclaim_after=timedelta(0),
        reclaim_cooldown=timedelta(days=31),
        reminder_interval=timedelta(seconds=30),
        escalate_after_count=-1,
        quiet_hours=WindowDraft(8, 0, 8, 0),
        reminder_time_zone="Nowhere/Town",
        min_score_a=50,
        min_score_b=60,
        min_score_c=40,
    )
    assert violations(lambda: build_policy(draft, "admin-1", NOON_UTC)) == {
        "policy.account_id",
        "policy.rules[0].agent_id",
        "policy.rules[0].team_id",
        "policy.rules[1].id",
        "policy.rules[1].agent_id",
        "policy.rules[1].team_id",
        "policy.rules[2].id",
        "policy.rules[2].method",
        "policy.rules[2].criteria.channels[0]",
        "policy.rules[2].criteria.traffic_sources[0]",
        "policy.rules[2].criteria.regions[0].province",
        "policy.rules[3].min_score_grade",
        "policy.rules[3].criteria.campaign_ids[0]",
        "policy.reclaim_after",
        "policy.reclaim_cooldown",
        "policy.reminders.interval",
        "policy.reminders.escalate_after_count",
        "policy.reminders.quiet_hours",
        "policy.reminders.time_zone",
        "policy.score_thresholds",
    }


def test_at_most_a_hundred_rules() -> None:
    rules = tuple(RuleDraft(f"r{i}", AssignmentMethod.POOL) for i in range(101))
    assert violations(lambda: build_policy(PolicyDraft("acct-1", rules), "a", NOON_UTC)) == {"policy.rules"}


def test_reassign_and_release_reasons() -> None:
    def check(value: str, *, required: bool) -> set[str]:
        errors = ViolationCollector()
        check_reason(errors, "reason", value, required=required)
        return {violation.field for violation in errors.violations}

    assert check("", required=True) == {"reason"}
    assert check("", required=False) == set()
    assert check("x" * 257, required=False) == {"reason"}
    assert check("moved to\nthe VIP desk", required=True) == set()


def test_quiet_hours_cannot_cover_the_whole_day() -> None:
    draft = PolicyDraft("acct-1", quiet_hours=WindowDraft(0, 0, 24, 0))
    assert violations(lambda: build_policy(draft, "a", NOON_UTC)) == {"policy.reminders.quiet_hours"}
