"""Row and JSON mapping of the assign tables: agents' regions and working hours, policies and rotation states as
JSON documents; assignments, pool entries, follow-ups and tags as rows. Times are integer microseconds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.assign.domain.agents import Agent, Team
from services.assign.domain.assignments import Assignment
from services.assign.domain.enums import (
    AgentStatus,
    AssignmentMethod,
    AssignmentReason,
    AssignmentState,
    BusinessSource,
    Channel,
    DayOfWeek,
    FollowUpKind,
    FollowUpOutcome,
    LeadInvalidReason,
    PoolReason,
    ScoreGrade,
    TagScope,
    TagState,
    TrafficSource,
    Verdict,
)
from services.assign.domain.followups import FollowUp
from services.assign.domain.hours import DailyWindow, Shift, WorkingHours
from services.assign.domain.leads import LeadFacts, LeadSummary, Region
from services.assign.domain.policy import (
    AssignmentPolicy,
    AssignmentRule,
    ReminderSettings,
    RuleCriteria,
)
from services.assign.domain.pool import PoolEntry
from services.assign.domain.ports import KnownLead
from services.assign.domain.scoring import ScoreThresholds
from services.assign.domain.tags import LeadTagging, Tag
from services.common.timeconv import from_us, span_us, to_us


def _opt_us(value: Any) -> Any:
    return None if value is None else to_us(value)


def _opt_time(value: int | None) -> Any:
    return None if value is None else from_us(value)


# ---------------------------------------------------------------------------------------------- regions, hours


def regions_to_json(regions: tuple[Region, ...]) -> list[list[str]]:
    return [[r.province, r.city] for r in regions]


def regions_from_json(data: list[list[str]]) -> tuple[Region, ...]:
    return tuple(Region(province, city) for province, city in data)


def region_of(province: str, city: str) -> Region | None:
    return Region(province, city) if province else None


def hours_to_json(hours: WorkingHours) -> dict[str, Any]:
    return {
        "time_zone": hours.time_zone,
        "shifts": [[int(s.day_of_week), s.window.start_minute, s.window.end_minute] for s in hours.shifts],
    }


def hours_from_json(data: dict[str, Any]) -> WorkingHours:
    return WorkingHours(
        data["time_zone"],
        tuple(Shift(DayOfWeek(d), DailyWindow(start, end)) for d, start, end in data["shifts"]),
    )


# ---------------------------------------------------------------------------------------------- agents, teams


def agent_values(tenant: str, agent: Agent) -> dict[str, Any]:
    assert agent.create_time is not None and agent.update_time is not None
    return {
        "tenant_id": tenant,
        "id": agent.id,
        "team_id": agent.team_id,
        "display_name": agent.display_name,
        "phone": agent.phone,
        "regions": regions_to_json(agent.regions),
        "weight": agent.weight,
        "daily_capacity": agent.daily_capacity,
        "max_held_leads": agent.max_held_leads,
        "working_hours": hours_to_json(agent.working_hours),
        "status": int(agent.status),
        "user_id": agent.user_id,
        "revision": agent.revision,
        "create_us": to_us(agent.create_time),
        "update_us": to_us(agent.update_time),
    }


def agent(row: Any) -> Agent:
    return Agent(
        id=row.id,
        team_id=row.team_id,
        display_name=row.display_name,
        phone=row.phone,
        regions=regions_from_json(row.regions),
        weight=row.weight,
        daily_capacity=row.daily_capacity,
        max_held_leads=row.max_held_leads,
        working_hours=hours_from_json(row.working_hours),
        status=AgentStatus(row.status),
        user_id=row.user_id,
        revision=row.revision,
        create_time=from_us(row.create_us),
        update_time=from_us(row.update_us),
    )


def team_values(tenant: str, team: Team) -> dict[str, Any]:
    assert team.create_time is not None and team.update_time is not None
    return {
        "tenant_id": tenant,
        "id": team.id,
        "display_name": team.display_name,
        "admin_agent_ids": list(team.admin_agent_ids),
        "create_us": to_us(team.create_time),
        "update_us": to_us(team.update_time),
    }


def team(row: Any) -> Team:
    return Team(
        id=row.id,
        display_name=row.display_name,
        admin_agent_ids=tuple(row.admin_agent_ids),
        create_time=from_us(row.create_us),
        update_time=from_us(row.update_us),
    )


# ---------------------------------------------------------------------------------------------- policies


def _criteria_to_json(criteria: RuleCriteria) -> dict[str, Any]:
    return {
        "channels": [int(v) for v in criteria.channels],
        "traffic_sources": [int(v) for v in criteria.traffic_sources],
        "business_sources": [int(v) for v in criteria.business_sources],
        "campaign_ids": list(criteria.campaign_ids),
        "regions": regions_to_json(criteria.regions),
        "score_grades": [int(v) for v in criteria.score_grades],
    }


def _criteria_from_json(data: dict[str, Any]) -> RuleCriteria:
    return RuleCriteria(
        channels=tuple(Channel(v) for v in data["channels"]),
        traffic_sources=tuple(TrafficSource(v) for v in data["traffic_sources"]),
        business_sources=tuple(BusinessSource(v) for v in data["business_sources"]),
        campaign_ids=tuple(data["campaign_ids"]),
        regions=regions_from_json(data["regions"]),
        score_grades=tuple(ScoreGrade(v) for v in data["score_grades"]),
    )


def policy_to_json(policy: AssignmentPolicy) -> dict[str, Any]:
    reminders, thresholds = policy.reminders, policy.score_thresholds
    quiet = reminders.quiet_hours
    return {
        "account_id": policy.account_id,
        "rules": [
            {
                "id": r.id,
                "method": int(r.method),
                "criteria": _criteria_to_json(r.criteria),
                "display_name": r.display_name,
                "agent_id": r.agent_id,
                "team_id": r.team_id,
                "min_score_grade": int(r.min_score_grade),
            }
            for r in policy.rules
        ],
        "reclaim_after_us": span_us(policy.reclaim_after),
        "reclaim_cooldown_us": span_us(policy.reclaim_cooldown),
        "familiarity": policy.familiarity,
        "reminders": {
            "interval_us": span_us(reminders.interval),
            "escalate_after_count": reminders.escalate_after_count,
            "quiet_hours": None if quiet is None else [quiet.start_minute, quiet.end_minute],
            "time_zone": reminders.time_zone,
        },
        "thresholds": [thresholds.min_score_a, thresholds.min_score_b, thresholds.min_score_c],
        "update_us": _opt_us(policy.update_time),
        "updated_by": policy.updated_by,
    }


def policy_from_json(data: dict[str, Any]) -> AssignmentPolicy:
    reminders = data["reminders"]
    quiet = reminders["quiet_hours"]
    return AssignmentPolicy(
        account_id=data["account_id"],
        rules=tuple(
            AssignmentRule(
                id=r["id"],
                method=AssignmentMethod(r["method"]),
                criteria=_criteria_from_json(r["criteria"]),
                display_name=r["display_name"],
                agent_id=r["agent_id"],
                team_id=r["team_id"],
                min_score_grade=ScoreGrade(r["min_score_grade"]),
            )
            for r in data["rules"]
        ),
        reclaim_after=timedelta(microseconds=data["reclaim_after_us"]),
        reclaim_cooldown=timedelta(microseconds=data["reclaim_cooldown_us"]),
        familiarity=data["familiarity"],
        reminders=ReminderSettings(
            interval=timedelta(microseconds=reminders["interval_us"]),
            escalate_after_count=reminders["escalate_after_count"],
            quiet_hours=None if quiet is None else DailyWindow(quiet[0], quiet[1]),
            time_zone=reminders["time_zone"],
        ),
        score_thresholds=ScoreThresholds(*data["thresholds"]),
        update_time=_opt_time(data["update_us"]),
        updated_by=data["updated_by"],
    )


# ---------------------------------------------------------------------------------------------- leads


def lead_values(tenant: str, lead: KnownLead) -> dict[str, Any]:
    facts, summary = lead.facts, lead.summary
    region = facts.phone_region
    return {
        "tenant_id": tenant,
        "lead_id": facts.lead_id,
        "account_id": facts.account_id,
        "channel": int(facts.channel),
        "traffic_source": int(facts.traffic_source),
        "business_source": int(facts.business_source),
        "campaign_id": facts.campaign_id,
        "province": region.province if region else "",
        "city": region.city if region else "",
        "has_phone": facts.has_phone,
        "phone_from_wechat": facts.phone_from_wechat,
        "verdict": int(facts.verdict),
        "returning_of_lead_id": facts.returning_of_lead_id,
        "score": summary.score,
        "grade": int(summary.grade),
        "receive_us": to_us(lead.receive_time),
    }


def known_lead(row: Any) -> KnownLead:
    region = region_of(row.province, row.city)
    facts = LeadFacts(
        lead_id=row.lead_id,
        account_id=row.account_id,
        channel=Channel(row.channel),
        traffic_source=TrafficSource(row.traffic_source),
        business_source=BusinessSource(row.business_source),
        campaign_id=row.campaign_id,
        phone_region=region,
        has_phone=row.has_phone,
        phone_from_wechat=row.phone_from_wechat,
        verdict=Verdict(row.verdict),
        returning_of_lead_id=row.returning_of_lead_id,
    )
    summary = LeadSummary(
        row.lead_id, row.account_id, row.score, ScoreGrade(row.grade), Channel(row.channel), region
    )
    return KnownLead(facts, summary, from_us(row.receive_us))


def summary_values(summary: LeadSummary) -> dict[str, Any]:
    region = summary.phone_region
    return {
        "lead_id": summary.lead_id,
        "account_id": summary.account_id,
        "score": summary.score,
        "grade": int(summary.grade),
        "channel": int(summary.channel),
        "province": region.province if region else "",
        "city": region.city if region else "",
    }


def summary(row: Any) -> LeadSummary:
    return LeadSummary(
        row.lead_id,
        row.account_id,
        row.score,
        ScoreGrade(row.grade),
        _enum(Channel, row.channel),
        region_of(row.province, row.city),
    )


def _enum(enum: Any, value: int) -> Any:
    return enum(value) if value in enum._value2member_map_ else enum(0)


# ---------------------------------------------------------------------------------------------- assignments, pool


def assignment_values(tenant: str, a: Assignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "tenant_id": tenant,
        **summary_values(a.lead),
        "agent_id": a.agent_id,
        "team_id": a.team_id,
        "state": int(a.state),
        "reason": int(a.reason),
        "rule_id": a.rule_id,
        "previous_agent_id": a.previous_agent_id,
        "assign_us": to_us(a.assign_time),
        "first_follow_up_us": _opt_us(a.first_follow_up_time),
        "next_follow_up_us": _opt_us(a.next_follow_up_time),
        "reclaim_due_us": _opt_us(a.reclaim_due_time),
        "end_us": _opt_us(a.end_time),
        "reminders_sent": a.reminders_sent,
        "counts_toward_capacity": a.counts_toward_capacity,
        "reassign_reason": a.reassign_reason,
        "release_reason": a.release_reason,
        "version": a.version,
    }


def assignment(row: Any) -> Assignment:
    return Assignment(
        id=row.id,
        lead=summary(row),
        agent_id=row.agent_id,
        team_id=row.team_id,
        reason=AssignmentReason(row.reason),
        assign_time=from_us(row.assign_us),
        state=AssignmentState(row.state),
        rule_id=row.rule_id,
        previous_agent_id=row.previous_agent_id,
        first_follow_up_time=_opt_time(row.first_follow_up_us),
        next_follow_up_time=_opt_time(row.next_follow_up_us),
        reclaim_due_time=_opt_time(row.reclaim_due_us),
        end_time=_opt_time(row.end_us),
        reminders_sent=row.reminders_sent,
        counts_toward_capacity=row.counts_toward_capacity,
        reassign_reason=row.reassign_reason,
        release_reason=row.release_reason,
        version=row.version,
    )


def pool_values(tenant: str, entry: PoolEntry) -> dict[str, Any]:
    return {
        "tenant_id": tenant,
        **summary_values(entry.lead),
        "reason": int(entry.reason),
        "enter_us": to_us(entry.enter_time),
        "previous_agent_id": entry.previous_agent_id,
        "rule_id": entry.rule_id,
    }


def pool_entry(row: Any) -> PoolEntry:
    return PoolEntry(
        lead=summary(row),
        reason=PoolReason(row.reason),
        enter_time=from_us(row.enter_us),
        previous_agent_id=row.previous_agent_id,
        rule_id=row.rule_id,
    )


# ---------------------------------------------------------------------------------------------- follow-ups, tags


def follow_up_values(tenant: str, f: FollowUp) -> dict[str, Any]:
    assert f.create_time is not None
    return {
        "tenant_id": tenant,
        "id": f.id,
        "lead_id": f.lead_id,
        "assignment_id": f.assignment_id,
        "agent_id": f.agent_id,
        "kind": int(f.kind),
        "outcome": int(f.outcome),
        "note": f.note,
        "call_id": f.call_id,
        "follow_up_us": to_us(f.follow_up_time),
        "next_follow_up_us": _opt_us(f.next_follow_up_time),
        "invalid_reason": int(f.invalid_reason),
        "create_us": to_us(f.create_time),
    }


def follow_up(row: Any) -> FollowUp:
    return FollowUp(
        id=row.id,
        lead_id=row.lead_id,
        agent_id=row.agent_id,
        kind=FollowUpKind(row.kind),
        outcome=FollowUpOutcome(row.outcome),
        follow_up_time=from_us(row.follow_up_us),
        assignment_id=row.assignment_id,
        note=row.note,
        call_id=row.call_id,
        next_follow_up_time=_opt_time(row.next_follow_up_us),
        invalid_reason=LeadInvalidReason(row.invalid_reason),
        create_time=from_us(row.create_us),
    )


def tag_values(tenant: str, tag: Tag) -> dict[str, Any]:
    assert tag.create_time is not None and tag.update_time is not None
    return {
        "tenant_id": tenant,
        "id": tag.id,
        "display_name": tag.display_name,
        "scope": int(tag.scope),
        "state": int(tag.state),
        "owner_agent_id": tag.owner_agent_id,
        "create_us": to_us(tag.create_time),
        "update_us": to_us(tag.update_time),
    }


def tag(row: Any) -> Tag:
    return Tag(
        id=row.id,
        display_name=row.display_name,
        scope=TagScope(row.scope),
        state=TagState(row.state),
        owner_agent_id=row.owner_agent_id,
        create_time=from_us(row.create_us),
        update_time=from_us(row.update_us),
    )


def tagging(row: Any) -> LeadTagging:
    return LeadTagging(row.lead_id, row.tag_id, row.added_by, from_us(row.add_us), _opt_time(row.remove_us))
