"""Assignment policies: the message as sent to a draft (``domain.policy_checks`` validates it), the stored policy
and its revisions to messages."""

from __future__ import annotations

from leadflow.assign.v1 import assign_service_pb2 as pb
from leadflow.common.v1 import lead_pb2
from services.assign.converters.values import regions, regions_message, window_draft, window_message
from services.assign.domain.policy import AssignmentPolicy, AssignmentRule
from services.assign.domain.policy_checks import CriteriaDraft, PolicyDraft, RuleDraft
from services.assign.domain.ports import PolicyRevision
from services.common.protoconv import duration, timestamp, to_enum, to_timedelta


def policy_draft(message: pb.AssignmentPolicy) -> PolicyDraft:
    reminders = message.reminders
    thresholds = message.score_thresholds
    return PolicyDraft(
        account_id=message.account_id,
        rules=tuple(_rule_draft(rule) for rule in message.rules),
        reclaim_after=to_timedelta(message.reclaim_after, "policy.reclaim_after")
        if message.HasField("reclaim_after")
        else None,
        reclaim_cooldown=to_timedelta(message.reclaim_cooldown, "policy.reclaim_cooldown")
        if message.HasField("reclaim_cooldown")
        else None,
        disable_familiarity=message.disable_familiarity,
        reminder_interval=to_timedelta(reminders.interval, "policy.reminders.interval")
        if reminders.HasField("interval")
        else None,
        escalate_after_count=reminders.escalate_after_count,
        quiet_hours=window_draft(reminders.quiet_hours) if reminders.HasField("quiet_hours") else None,
        reminder_time_zone=reminders.time_zone,
        min_score_a=thresholds.min_score_a,
        min_score_b=thresholds.min_score_b,
        min_score_c=thresholds.min_score_c,
    )


def _rule_draft(rule: pb.AssignmentRule) -> RuleDraft:
    c = rule.criteria
    return RuleDraft(
        id=rule.id,
        method=int(rule.method),
        criteria=CriteriaDraft(
            channels=tuple(int(v) for v in c.channels),
            traffic_sources=tuple(int(v) for v in c.traffic_sources),
            business_sources=tuple(int(v) for v in c.business_sources),
            campaign_ids=tuple(c.campaign_ids),
            regions=regions(c.regions),
            score_grades=tuple(int(v) for v in c.score_grades),
        ),
        display_name=rule.display_name,
        agent_id=rule.agent_id,
        team_id=rule.team_id,
        min_score_grade=int(rule.min_score_grade),
    )


def _rule_message(rule: AssignmentRule) -> pb.AssignmentRule:
    c = rule.criteria
    return pb.AssignmentRule(
        id=rule.id,
        display_name=rule.display_name,
        criteria=pb.RuleCriteria(
            channels=[to_enum(lead_pb2.Channel, v) for v in c.channels],
            traffic_sources=[to_enum(lead_pb2.TrafficSource, v) for v in c.traffic_sources],
            business_sources=[to_enum(lead_pb2.BusinessSource, v) for v in c.business_sources],
            campaign_ids=list(c.campaign_ids),
            regions=regions_message(c.regions),
            score_grades=[to_enum(pb.ScoreGrade, v) for v in c.score_grades],
        ),
        method=to_enum(pb.AssignmentMethod, rule.method),
        agent_id=rule.agent_id,
        team_id=rule.team_id,
        min_score_grade=to_enum(pb.ScoreGrade, rule.min_score_grade),
    )


def policy_message(policy: AssignmentPolicy) -> pb.AssignmentPolicy:
    reminders, thresholds = policy.reminders, policy.score_thresholds
    message = pb.AssignmentPolicy(
        account_id=policy.account_id,
        rules=[_rule_message(rule) for rule in policy.rules],
        reclaim_after=duration(policy.reclaim_after),
        reclaim_cooldown=duration(policy.reclaim_cooldown),
        disable_familiarity=not policy.familiarity,
        reminders=pb.ReminderSettings(
            interval=duration(reminders.interval),
            escalate_after_count=reminders.escalate_after_count,
            time_zone=reminders.time_zone,
        ),
        updated_by=policy.updated_by,
        score_thresholds=pb.ScoreThresholds(
            min_score_a=thresholds.min_score_a,
            min_score_b=thresholds.min_score_b,
            min_score_c=thresholds.min_score_c,
        ),
    )
    if reminders.quiet_hours is not None:
        message.reminders.quiet_hours.CopyFrom(window_message(reminders.quiet_hours))
    if policy.update_time is not None:
        message.update_time.CopyFrom(timestamp(policy.update_time))
    return message


def revision_message(revision: PolicyRevision) -> pb.PolicyRevision:
    return pb.PolicyRevision(
        id=revision.id,
        actor=revision.actor,
        change_time=timestamp(revision.change_time),
        policy=policy_message(revision.policy),
    )
