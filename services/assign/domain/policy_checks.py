"""Input rules for SetAssignmentPolicy: a draft as sent becomes an ``AssignmentPolicy`` or an INVALID_ARGUMENT that
names every bad field (``policy.rules[2].team_id``). Pure; whether named agents and teams exist is the handler's
check against the store.

Rules: at most 100, ids unique and chosen by the caller (rotation state is keyed by them). DESIGNATED names an
agent and no team; ROUND_ROBIN / WEIGHTED / LEAST_LOADED a team and no agent; POOL neither. Criteria enums must be
known values other than UNSPECIFIED. Durations: reclaim_after from 1 minute to 30 days (unset: 24 hours),
reclaim_cooldown from 0 (no cooling) to 30 days (unset: 24 hours), reminder interval from 1 minute to 24 hours
(unset: 15 minutes), escalate_after_count 0 (meaning 3) to 100; quiet hours not the whole day. Thresholds: all
zero for the defaults, otherwise 100 >= A > B > C > 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import IntEnum
from typing import TypeVar

from services.assign.domain.agent_checks import check_region
from services.assign.domain.checks import (
    MAX_ACCOUNT_ID_LENGTH,
    WindowDraft,
    check_enum,
    check_identifier,
    check_name,
    check_time_zone,
    check_window,
)
from services.assign.domain.enums import AssignmentMethod, BusinessSource, Channel, ScoreGrade, TrafficSource
from services.assign.domain.hours import DEFAULT_TIME_ZONE, MINUTES_PER_DAY
from services.assign.domain.leads import Region
from services.assign.domain.policy import (
    DEFAULT_ESCALATE_AFTER_COUNT,
    DEFAULT_RECLAIM_AFTER,
    DEFAULT_RECLAIM_COOLDOWN,
    DEFAULT_REMINDER_INTERVAL,
    MAX_RULES,
    TEAM_METHODS,
    AssignmentPolicy,
    AssignmentRule,
    ReminderSettings,
    RuleCriteria,
)
from services.assign.domain.scoring import DEFAULT_THRESHOLDS, MAX_SCORE, ScoreThresholds
from services.common.errors import ViolationCollector

MAX_RULE_NAME_LENGTH = 64
MAX_CRITERIA_VALUES = 200
MAX_CAMPAIGN_ID_LENGTH = 128
MAX_RECLAIM = timedelta(days=30)
MIN_DURATION = timedelta(minutes=1)
MAX_REMINDER_INTERVAL = timedelta(hours=24)
MAX_ESCALATE_AFTER = 100


@dataclass(frozen=True)
class CriteriaDraft:
    channels: tuple[int, ...] = ()
    traffic_sources: tuple[int, ...] = ()
    business_sources: tuple[int, ...] = ()
    campaign_ids: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()
    score_grades: tuple[int, ...] = ()


@dataclass(frozen=True)
class RuleDraft:
    id: str
    method: int
    criteria: CriteriaDraft = CriteriaDraft()
    display_name: str = ""
    agent_id: str = ""
    team_id: str = ""
    min_score_grade: int = 0


@dataclass(frozen=True)
class PolicyDraft:
    """An AssignmentPolicy message as sent; None durations and windows are unset messages."""

    account_id: str
    rules: tuple[RuleDraft, ...] = ()
    reclaim_after: timedelta | None = None
    reclaim_cooldown: timedelta | None = None
    disable_familiarity: bool = False
    reminder_interval: timedelta | None = None
    escalate_after_count: int = 0
    quiet_hours: WindowDraft | None = None
    reminder_time_zone: str = ""
    min_score_a: int = 0
    min_score_b: int = 0
    min_score_c: int = 0


def build_policy(draft: PolicyDraft, actor: str, now: datetime) -> AssignmentPolicy:
    """The policy to store, set by ``actor`` at ``now``; raises InvalidArgument naming every bad ``policy.*``."""
    errors = ViolationCollector()
    check_identifier(errors, "policy.account_id", draft.account_id, max_length=MAX_ACCOUNT_ID_LENGTH)
    if len(draft.rules) > MAX_RULES:
        errors.add("policy.rules", f"must have at most {MAX_RULES} rules")
    rules = tuple(_rule(errors, f"policy.rules[{index}]", rule) for index, rule in enumerate(draft.rules))
    seen: set[str] = set()
    for index, rule in enumerate(draft.rules):
        if rule.id in seen:
            errors.add(f"policy.rules[{index}].id", "must be unique within the policy")
        seen.add(rule.id)
    reclaim_after = _duration(
        errors, "policy.reclaim_after", draft.reclaim_after, DEFAULT_RECLAIM_AFTER, MIN_DURATION, MAX_RECLAIM
    )
    cooldown = _duration(
        errors,
        "policy.reclaim_cooldown",
        draft.reclaim_cooldown,
        DEFAULT_RECLAIM_COOLDOWN,
        timedelta(0),
        MAX_RECLAIM,
    )
    reminders = _reminders(errors, draft)
    thresholds = _thresholds(errors, draft)
    errors.raise_if_any()
    return AssignmentPolicy(
        account_id=draft.account_id,
        rules=rules,
        reclaim_after=reclaim_after,
        reclaim_cooldown=cooldown,
        familiarity=not draft.disable_familiarity,
        reminders=reminders,
        score_thresholds=thresholds,
        update_time=now,
        updated_by=actor,
    )


def _rule(errors: ViolationCollector, path: str, draft: RuleDraft) -> AssignmentRule:
    check_identifier(errors, f"{path}.id", draft.id)
    check_name(errors, f"{path}.display_name", draft.display_name, MAX_RULE_NAME_LENGTH, required=False)
    check_enum(errors, f"{path}.method", draft.method, AssignmentMethod)
    check_enum(errors, f"{path}.min_score_grade", draft.min_score_grade, ScoreGrade, required=False)
    method = AssignmentMethod(draft.method) if draft.method in AssignmentMethod._value2member_map_ else None
    wants_agent = method == AssignmentMethod.DESIGNATED
    wants_team = method in TEAM_METHODS
    if wants_agent:
        check_identifier(errors, f"{path}.agent_id", draft.agent_id)
    elif draft.agent_id:
        errors.add(f"{path}.agent_id", "must be empty unless the method is DESIGNATED")
    if wants_team:
        check_identifier(errors, f"{path}.team_id", draft.team_id)
    elif draft.team_id:
        errors.add(
            f"{path}.team_id", "must be empty unless the method is ROUND_ROBIN, WEIGHTED or LEAST_LOADED"
        )
    criteria = _criteria(errors, f"{path}.criteria", draft.criteria)
    return AssignmentRule(
        id=draft.id,
        method=method or AssignmentMethod.UNSPECIFIED,
        criteria=criteria,
        display_name=draft.display_name.strip(),
        agent_id=draft.agent_id,
        team_id=draft.team_id,
        min_score_grade=_known(ScoreGrade, draft.min_score_grade),
    )


def _criteria(errors: ViolationCollector, path: str, draft: CriteriaDraft) -> RuleCriteria:
    for name in (
        "channels",
        "traffic_sources",
        "business_sources",
        "campaign_ids",
        "regions",
        "score_grades",
    ):
        if len(getattr(draft, name)) > MAX_CRITERIA_VALUES:
            errors.add(f"{path}.{name}", f"must have at most {MAX_CRITERIA_VALUES} entries")
    enums = {
        "channels": Channel,
        "traffic_sources": TrafficSource,
        "business_sources": BusinessSource,
        "score_grades": ScoreGrade,
    }
    for name, enum in enums.items():
        for index, value in enumerate(getattr(draft, name)):
            check_enum(errors, f"{path}.{name}[{index}]", value, enum)
    for index, campaign_id in enumerate(draft.campaign_ids):
        check_identifier(
            errors, f"{path}.campaign_ids[{index}]", campaign_id, max_length=MAX_CAMPAIGN_ID_LENGTH
        )
    for index, region in enumerate(draft.regions):
        check_region(errors, f"{path}.regions[{index}]", region)
    return RuleCriteria(
        channels=tuple(_known(Channel, v) for v in dict.fromkeys(draft.channels)),
        traffic_sources=tuple(_known(TrafficSource, v) for v in dict.fromkeys(draft.traffic_sources)),
        business_sources=tuple(_known(BusinessSource, v) for v in dict.fromkeys(draft.business_sources)),
        campaign_ids=tuple(dict.fromkeys(draft.campaign_ids)),
        regions=tuple(dict.fromkeys(draft.regions)),
        score_grades=tuple(_known(ScoreGrade, v) for v in dict.fromkeys(draft.score_grades)),
    )


E = TypeVar("E", bound=IntEnum)


def _known(enum: type[E], value: int) -> E:
    """The member for ``value``, or UNSPECIFIED (already reported by ``check_enum``) for an unknown number."""
    return enum(value) if value in enum._value2member_map_ else enum(0)


def _duration(
    errors: ViolationCollector,
    path: str,
    value: timedelta | None,
    default: timedelta,
    low: timedelta,
    high: timedelta,
) -> timedelta:
    if value is None:
        return default
    if not low <= value <= high:
        errors.add(path, f"must be from {_human(low)} to {_human(high)}")
    return value


def _human(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    if seconds % 86400 == 0 and seconds:
        return f"{seconds // 86400} days"
    if seconds % 3600 == 0 and seconds:
        return f"{seconds // 3600} hours"
    return f"{seconds // 60} minutes"


def _reminders(errors: ViolationCollector, draft: PolicyDraft) -> ReminderSettings:
    path = "policy.reminders"
    interval = _duration(
        errors,
        f"{path}.interval",
        draft.reminder_interval,
        DEFAULT_REMINDER_INTERVAL,
        MIN_DURATION,
        MAX_REMINDER_INTERVAL,
    )
    if not 0 <= draft.escalate_after_count <= MAX_ESCALATE_AFTER:
        errors.add(f"{path}.escalate_after_count", f"must be from 0 to {MAX_ESCALATE_AFTER}")
    check_time_zone(errors, f"{path}.time_zone", draft.reminder_time_zone)
    quiet = (
        None if draft.quiet_hours is None else check_window(errors, f"{path}.quiet_hours", draft.quiet_hours)
    )
    if quiet is not None and quiet.start_minute == 0 and quiet.end_minute == MINUTES_PER_DAY:
        errors.add(f"{path}.quiet_hours", "must leave part of the day for reminders")
        quiet = None
    return ReminderSettings(
        interval=interval,
        escalate_after_count=draft.escalate_after_count or DEFAULT_ESCALATE_AFTER_COUNT,
        quiet_hours=quiet,
        time_zone=draft.reminder_time_zone or DEFAULT_TIME_ZONE,
    )


def _thresholds(errors: ViolationCollector, draft: PolicyDraft) -> ScoreThresholds:
    a, b, c = draft.min_score_a, draft.min_score_b, draft.min_score_c
    if a == b == c == 0:
        return DEFAULT_THRESHOLDS
    if not MAX_SCORE >= a > b > c > 0:
        errors.add(
            "policy.score_thresholds",
            f"must satisfy {MAX_SCORE} >= min_score_a > min_score_b > min_score_c > 0",
        )
    return ScoreThresholds(a, b, c)
