"""Routing one lead: criteria, methods, the score gate, fallback to the next rule and to the pool, familiarity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.assign.domain.agents import AgentLoad
from services.assign.domain.availability import Unavailability
from services.assign.domain.enums import (
    AgentStatus,
    AssignmentMethod,
    AssignmentReason,
    BusinessSource,
    Channel,
    PoolReason,
    ScoreGrade,
    TrafficSource,
    Verdict,
)
from services.assign.domain.leads import Region
from services.assign.domain.policy import RuleCriteria, default_policy
from services.assign.domain.pool import Cooldown
from services.assign.domain.rotation import RotationState
from services.assign.domain.routing import RuleResult, ToAgent, ToPool, needs, route
from tests.assign.unit.builders import BEIJING, GUANGDONG, NOON_UTC, agent, inputs, lead, policy, rule

RR = AssignmentMethod.ROUND_ROBIN
TEAM = [agent("a1"), agent("a2"), agent("a3")]


def test_no_policy_sends_everything_to_the_pool() -> None:
    routing = route(default_policy("acct-1"), lead(), inputs(TEAM))
    assert routing.outcome == ToPool(PoolReason.NO_RULE_MATCHED)


@pytest.mark.parametrize(
    ("criteria", "matching", "other"),
    [
        (RuleCriteria(channels=(Channel.FORM,)), lead(), lead(channel=Channel.WECHAT)),
        (
            RuleCriteria(traffic_sources=(TrafficSource.AD_DIRECT,)),
            lead(),
            lead(traffic_source=TrafficSource.ORGANIC),
        ),
        (
            RuleCriteria(business_sources=(BusinessSource.LANDING_PAGE, BusinessSource.LEAD_FORM)),
            lead(business_source=BusinessSource.LEAD_FORM),
            lead(business_source=BusinessSource.INSTANT_FORM),
        ),
        (RuleCriteria(campaign_ids=("c-9",)), lead(campaign_id="c-9"), lead(campaign_id="c-8")),
        (RuleCriteria(regions=(Region("广东省"),)), lead(), lead(phone_region=BEIJING)),
        (
            RuleCriteria(regions=(Region("广东省", "深圳市"),)),
            lead(),
            lead(phone_region=Region("广东省", "广州市")),
        ),
        (RuleCriteria(regions=(BEIJING,)), lead(phone_region=BEIJING), lead(phone_region=None)),
        (RuleCriteria(score_grades=(ScoreGrade.A,)), lead(channel=Channel.INBOUND_CALL), lead()),
    ],
    ids=["channel", "traffic", "business", "campaign", "province", "city", "unknown-region", "grade"],
)
def test_each_criterion(criteria: RuleCriteria, matching: object, other: object) -> None:
    the_policy = policy(rule("r1", AssignmentMethod.DESIGNATED, criteria=criteria))
    assigned = route(the_policy, matching, inputs(TEAM))  # type: ignore[arg-type]
    assert assigned.outcome == ToAgent("a1", "t1", AssignmentReason.RULE, "r1")
    missed = route(the_policy, other, inputs(TEAM))  # type: ignore[arg-type]
    assert missed.outcome == ToPool(PoolReason.NO_RULE_MATCHED)
    assert missed.trace[0].result == RuleResult.NOT_MATCHED


def test_criteria_combine_with_and() -> None:
    criteria = RuleCriteria(channels=(Channel.FORM,), regions=(BEIJING,))
    the_policy = policy(rule("r1", AssignmentMethod.DESIGNATED, criteria=criteria))
    assert isinstance(route(the_policy, lead(), inputs(TEAM)).outcome, ToPool)
    assert isinstance(route(the_policy, lead(phone_region=BEIJING), inputs(TEAM)).outcome, ToAgent)


def test_first_matching_rule_wins() -> None:
    the_policy = policy(
        rule(
            "wechat",
            AssignmentMethod.DESIGNATED,
            agent_id="a3",
            criteria=RuleCriteria(channels=(Channel.WECHAT,)),
        ),
        rule(
            "forms",
            AssignmentMethod.DESIGNATED,
            agent_id="a2",
            criteria=RuleCriteria(channels=(Channel.FORM,)),
        ),
        rule("rest", AssignmentMethod.DESIGNATED, agent_id="a1"),
    )
    routing = route(the_policy, lead(), inputs(TEAM))
    assert routing.outcome == ToAgent("a2", "t1", AssignmentReason.RULE, "forms")
    assert [entry.result for entry in routing.trace] == [RuleResult.NOT_MATCHED, RuleResult.ASSIGNED]


def test_designated_agent_unavailable_passes_to_the_next_rule() -> None:
    team = [agent("a1", status=AgentStatus.OFFLINE), agent("a2")]
    the_policy = policy(rule("r1", AssignmentMethod.DESIGNATED, agent_id="a1"), rule("r2", RR))
    routing = route(the_policy, lead(), inputs(team))
    assert isinstance(routing.outcome, ToAgent)
    assert routing.outcome.agent_id == "a2" and routing.outcome.rule_id == "r2"
    assert routing.trace[0].result == RuleResult.NO_AGENT_AVAILABLE
    assert routing.trace[0].skipped == (("a1", Unavailability.OFFLINE),)


def test_designated_agent_deleted_passes_to_the_next_rule() -> None:
    the_policy = policy(rule("r1", AssignmentMethod.DESIGNATED, agent_id="gone"))
    routing = route(the_policy, lead(), inputs(TEAM))
    assert routing.outcome == ToPool(PoolReason.NO_AGENT_AVAILABLE)
    assert routing.trace[0].skipped == (("gone", Unavailability.NOT_FOUND),)


def test_nobody_available_anywhere_goes_to_the_pool_with_the_reason() -> None:
    team = [agent("a1", status=AgentStatus.ON_LEAVE), agent("a2", max_held_leads=1)]
    the_policy = policy(rule("r1", RR), rule("r2", AssignmentMethod.LEAST_LOADED))
    routing = route(the_policy, lead(), inputs(team, loads={"a2": AgentLoad(held=1)}))
    assert routing.outcome == ToPool(PoolReason.NO_AGENT_AVAILABLE)
    assert [entry.result for entry in routing.trace] == [RuleResult.NO_AGENT_AVAILABLE] * 2
    assert dict(routing.trace[0].skipped) == {"a1": Unavailability.ON_LEAVE, "a2": Unavailability.AT_MAX_HELD}


def test_agents_who_do_not_serve_the_region_are_skipped() -> None:
    team = [agent("a1", regions=(BEIJING,)), agent("a2", regions=(Region("广东省"),))]
    routing = route(policy(rule("r1", RR)), lead(), inputs(team))
    assert isinstance(routing.outcome, ToAgent) and routing.outcome.agent_id == "a2"
    assert routing.trace[0].skipped == (("a1", Unavailability.REGION_NOT_SERVED),)


def test_below_the_rules_grade_goes_to_the_pool_without_trying_later_rules() -> None:
    the_policy = policy(rule("r1", RR, min_score_grade=ScoreGrade.A), rule("r2", RR))
    routing = route(the_policy, lead(), inputs(TEAM))  # grade B
    assert routing.outcome == ToPool(PoolReason.BELOW_SCORE_GRADE, "r1")
    assert routing.grade == ScoreGrade.B and routing.score == 68
    assert isinstance(route(the_policy, lead(channel=Channel.INBOUND_CALL), inputs(TEAM)).outcome, ToAgent)


def test_method_pool() -> None:
    routing = route(policy(rule("r1", AssignmentMethod.POOL)), lead(), inputs(TEAM))
    assert routing.outcome == ToPool(PoolReason.RULE_METHOD_POOL, "r1")


def test_round_robin_rotates_and_returns_the_next_state() -> None:
    the_policy = policy(rule("r1", RR))
    state = RotationState()
    picked = []
    for _ in range(6):
        routing = route(the_policy, lead(), inputs(TEAM, rotations={"r1": state}))
        assert isinstance(routing.outcome, ToAgent) and routing.outcome.rotation is not None
        assert routing.outcome.rotation.state.version == state.version + 1
        state = routing.outcome.rotation.state
        picked.append(routing.outcome.agent_id)
    assert picked == ["a1", "a2", "a3", "a1", "a2", "a3"]


def test_weighted_follows_the_weights() -> None:
    team = [agent("a1", weight=1), agent("a2", weight=3)]
    the_policy = policy(rule("r1", AssignmentMethod.WEIGHTED))
    state = RotationState()
    counts = {"a1": 0, "a2": 0}
    for _ in range(400):
        routing = route(the_policy, lead(), inputs(team, rotations={"r1": state}))
        assert isinstance(routing.outcome, ToAgent) and routing.outcome.rotation is not None
        state = routing.outcome.rotation.state
        counts[routing.outcome.agent_id] += 1
    assert counts == {"a1": 100, "a2": 300}


def test_least_loaded_picks_the_fewest_held_and_rotates_ties() -> None:
    the_policy = policy(rule("r1", AssignmentMethod.LEAST_LOADED))
    loads = {"a1": AgentLoad(held=4), "a2": AgentLoad(held=1), "a3": AgentLoad(held=1)}
    first = route(the_policy, lead(), inputs(TEAM, loads=loads))
    assert isinstance(first.outcome, ToAgent) and first.outcome.rotation is not None
    assert first.outcome.agent_id == "a2"
    # Same loads again (say the first lead was closed): the tie goes to the other agent now.
    second = route(
        the_policy, lead(), inputs(TEAM, loads=loads, rotations={"r1": first.outcome.rotation.state})
    )
    assert isinstance(second.outcome, ToAgent) and second.outcome.agent_id == "a3"


def test_rules_of_another_team_ignore_agents_moved_out_of_it() -> None:
    moved = agent("a1", team_id="t2")
    routing = route(
        policy(rule("r1", RR)),
        lead(),
        inputs([moved, agent("a2")], team_members={"t1": ["a1", "a2"], "t2": ["a1"]}),
    )
    assert isinstance(routing.outcome, ToAgent) and routing.outcome.agent_id == "a2"


def test_familiarity_sends_a_returning_lead_back_to_its_agent() -> None:
    the_policy = policy(rule("r1", RR))
    returning = lead(verdict=Verdict.RETURNING, returning_of_lead_id="lead-0")
    routing = route(the_policy, returning, inputs(TEAM, familiar_agent_id="a3"))
    assert routing.outcome == ToAgent("a3", "t1", AssignmentReason.FAMILIARITY)
    duplicate = lead(verdict=Verdict.DUPLICATE)
    assert route(the_policy, duplicate, inputs(TEAM, familiar_agent_id="a2")).outcome == ToAgent(
        "a2", "t1", AssignmentReason.FAMILIARITY
    )


def test_familiarity_ignores_regions_but_not_availability() -> None:
    the_policy = policy(rule("r1", AssignmentMethod.DESIGNATED, agent_id="a1"))
    returning = lead(verdict=Verdict.RETURNING)
    far_away = [agent("a1"), agent("a2", regions=(BEIJING,))]
    assert route(the_policy, returning, inputs(far_away, familiar_agent_id="a2")).outcome == ToAgent(
        "a2", "t1", AssignmentReason.FAMILIARITY
    )
    offline = [agent("a1"), agent("a2", status=AgentStatus.OFFLINE)]
    fallback = route(the_policy, returning, inputs(offline, familiar_agent_id="a2"))
    assert fallback.outcome == ToAgent("a1", "t1", AssignmentReason.RULE, "r1")


def test_familiarity_skips_an_agent_cooling_down_on_the_lead() -> None:
    the_policy = policy(rule("r1", AssignmentMethod.DESIGNATED, agent_id="a1"))
    cooling = (Cooldown("lead-1", "a2", NOON_UTC + timedelta(hours=1)),)
    routing = route(
        the_policy, lead(verdict=Verdict.DUPLICATE), inputs(TEAM, familiar_agent_id="a2", cooldowns=cooling)
    )
    assert routing.outcome == ToAgent("a1", "t1", AssignmentReason.RULE, "r1")
    later = inputs(TEAM, now=NOON_UTC + timedelta(hours=1), familiar_agent_id="a2", cooldowns=cooling)
    assert route(the_policy, lead(verdict=Verdict.DUPLICATE), later).outcome.agent_id == "a2"  # type: ignore[union-attr]


def test_familiarity_off_or_new_lead_uses_the_rules() -> None:
    rules = (rule("r1", AssignmentMethod.DESIGNATED, agent_id="a1"),)
    off = policy(*rules, familiarity=False)
    assert route(
        off, lead(verdict=Verdict.RETURNING), inputs(TEAM, familiar_agent_id="a2")
    ).outcome == ToAgent("a1", "t1", AssignmentReason.RULE, "r1")
    assert route(policy(*rules), lead(), inputs(TEAM, familiar_agent_id="a2")).outcome == ToAgent(
        "a1", "t1", AssignmentReason.RULE, "r1"
    )


def test_rule_agents_cooling_down_on_the_lead_are_skipped() -> None:
    cooling = (Cooldown("lead-1", "a1", NOON_UTC + timedelta(hours=1)),)
    routing = route(policy(rule("r1", RR)), lead(), inputs(TEAM, cooldowns=cooling))
    assert isinstance(routing.outcome, ToAgent) and routing.outcome.agent_id == "a2"


def test_needs_names_what_matching_rules_use() -> None:
    the_policy = policy(
        rule("wechat", RR, team_id="t9", criteria=RuleCriteria(channels=(Channel.WECHAT,))),
        rule("vip", AssignmentMethod.DESIGNATED, agent_id="boss"),
        rule("team", AssignmentMethod.WEIGHTED, team_id="t1"),
        rule("again", RR, team_id="t1"),
        rule("pool", AssignmentMethod.POOL),
    )
    wanted = needs(the_policy, lead(phone_region=GUANGDONG))
    assert wanted.rule_ids == ("team", "again")
    assert wanted.team_ids == ("t1",)
    assert wanted.agent_ids == ("boss",)
