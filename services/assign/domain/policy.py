"""An account's assignment policy: ordered rules with criteria, methods and score gates, reclaim and reminder
settings. Pure values and matching; the decision for one lead is ``routing.route``.

Defaults (ARCHITECTURE and the assign issue): reclaim after 24 hours without a first follow-up, 24 hours of cooling
before the same agent may claim a reclaimed lead back, a reminder every 15 minutes, escalation to the team's
administrators after 3 unanswered reminders, no quiet hours, familiarity on, thresholds A 75 / B 55 / C 35. An
account without a stored policy has no rules, so every lead goes to the pool (NO_RULE_MATCHED).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.assign.domain.enums import (
    AssignmentMethod,
    BusinessSource,
    Channel,
    ScoreGrade,
    TrafficSource,
)
from services.assign.domain.hours import DEFAULT_TIME_ZONE, DailyWindow
from services.assign.domain.leads import LeadFacts, Region, any_covers
from services.assign.domain.scoring import DEFAULT_THRESHOLDS, ScoreThresholds

DEFAULT_RECLAIM_AFTER = timedelta(hours=24)
DEFAULT_RECLAIM_COOLDOWN = timedelta(hours=24)
DEFAULT_REMINDER_INTERVAL = timedelta(minutes=15)
DEFAULT_ESCALATE_AFTER_COUNT = 3
MAX_RULES = 100
TEAM_METHODS = frozenset(
    {AssignmentMethod.ROUND_ROBIN, AssignmentMethod.WEIGHTED, AssignmentMethod.LEAST_LOADED}
)


@dataclass(frozen=True)
class RuleCriteria:
    """Every non-empty tuple must contain the lead's value; empty tuples match everything.

    ``regions``: a region without a city matches the whole province; a lead of unknown region matches only when
    ``regions`` is empty.
    """

    channels: tuple[Channel, ...] = ()
    traffic_sources: tuple[TrafficSource, ...] = ()
    business_sources: tuple[BusinessSource, ...] = ()
    campaign_ids: tuple[str, ...] = ()
    regions: tuple[Region, ...] = ()
    score_grades: tuple[ScoreGrade, ...] = ()

    def matches(self, lead: LeadFacts, lead_grade: ScoreGrade) -> bool:
        return (
            _allows(self.channels, lead.channel)
            and _allows(self.traffic_sources, lead.traffic_source)
            and _allows(self.business_sources, lead.business_source)
            and _allows(self.campaign_ids, lead.campaign_id)
            and any_covers(self.regions, lead.phone_region)
            and _allows(self.score_grades, lead_grade)
        )


def _allows(values: tuple[object, ...], value: object) -> bool:
    return not values or value in values


@dataclass(frozen=True)
class AssignmentRule:
    """One rule. ``agent_id`` is set for DESIGNATED, ``team_id`` for the team methods, neither for POOL.

    ``id`` is chosen by the caller and stays the same across policy revisions, so the rule's rotation state
    (keyed by account and rule id) survives edits of the policy.
    """

    id: str
    method: AssignmentMethod
    criteria: RuleCriteria = RuleCriteria()
    display_name: str = ""
    agent_id: str = ""
    team_id: str = ""
    min_score_grade: ScoreGrade = ScoreGrade.UNSPECIFIED


@dataclass(frozen=True)
class ReminderSettings:
    """Reminders until the first follow-up: every ``interval``; from reminder ``escalate_after_count + 1`` on, the
    team's administrators too; a reminder due inside ``quiet_hours`` (local to ``time_zone``) waits for their end."""

    interval: timedelta = DEFAULT_REMINDER_INTERVAL
    escalate_after_count: int = DEFAULT_ESCALATE_AFTER_COUNT
    quiet_hours: DailyWindow | None = None
    time_zone: str = DEFAULT_TIME_ZONE


@dataclass(frozen=True)
class AssignmentPolicy:
    account_id: str
    rules: tuple[AssignmentRule, ...] = ()
    reclaim_after: timedelta = DEFAULT_RECLAIM_AFTER
    reclaim_cooldown: timedelta = DEFAULT_RECLAIM_COOLDOWN
    familiarity: bool = True
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    score_thresholds: ScoreThresholds = DEFAULT_THRESHOLDS
    update_time: datetime | None = None
    updated_by: str = ""


def default_policy(account_id: str) -> AssignmentPolicy:
    """The policy of an account that never set one: no rules, so leads wait in the pool."""
    return AssignmentPolicy(account_id=account_id)
