"""lead.accepted routed by the policy: every method, every criterion, the fallbacks to the next rule and to the pool
with its reason, availability, familiarity, redelivery, and lost races retried on fresh reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

from services.assign.domain.agent_checks import ShiftDraft, WorkingHoursDraft
from services.assign.domain.checks import WindowDraft
from services.assign.domain.commands import ReleaseCommand
from services.assign.domain.enums import (
    AgentStatus,
    AssignmentMethod,
    AssignmentReason,
    AssignmentState,
    BusinessSource,
    Channel,
    PoolReason,
    ScoreGrade,
    TrafficSource,
    Verdict,
)
from services.assign.domain.events import LeadAssigned
from services.assign.domain.leads import Region
from services.assign.domain.policy_checks import CriteriaDraft, RuleDraft
from services.assign.domain.routing import RuleResult
from services.assign.domain.timers import TimerKind
from tests.assign.fakes import FakeAssignUnitOfWork
from tests.assign.handlers.conftest import T0
from tests.assign.world import World, lead_facts, unique

RR = AssignmentMethod.ROUND_ROBIN


def rule(rule_id: str, method: AssignmentMethod, **fields: object) -> RuleDraft:
    return RuleDraft(id=rule_id, method=method, **fields)  # type: ignore[arg-type]


def test_round_robin_takes_turns_and_records_the_assignment_with_its_timers_and_event(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    team = world.team()
    agents = [world.agent(team) for _ in range(3)]
    world.policy(rule("rr", RR, team_id=team.id))
    results = [world.accept() for _ in range(6)]
    holders = [r.assignment.agent_id for r in results if r and r.assignment]
    assert Counter(holders) == {a.id: 2 for a in agents}
    assert holders[:3] == holders[3:], "a round is a queue: the same order every round"
    first = results[0]
    assert first is not None and first.assignment is not None and first.method == RR
    assignment = first.assignment
    assert assignment.reason == AssignmentReason.RULE and assignment.rule_id == "rr"
    assert assignment.reclaim_due_time == world.clock.now() + timedelta(hours=24)
    assert uow.timers.get(TimerKind.RECLAIM, assignment.id) is not None
    reminder = uow.timers.get(TimerKind.REMINDER, f"{assignment.id}#1")
    assert reminder is not None and reminder.due_time == world.clock.now() + timedelta(minutes=15)
    assigned = [e for e in uow.events.recorded if isinstance(e, LeadAssigned)]
    assert [e.assignment.lead.lead_id for e in assigned] == [
        r.assignment.lead.lead_id for r in results if r and r.assignment
    ]


def test_designated_weighted_and_least_loaded(world: World) -> None:
    team = world.team()
    heavy = world.agent(team, weight=3)
    light = world.agent(team, weight=1)
    world.policy(rule("w", AssignmentMethod.WEIGHTED, team_id=team.id))
    counts = Counter(r.assignment.agent_id for r in (world.accept() for _ in range(40)) if r and r.assignment)
    assert counts == {heavy.id: 30, light.id: 10}

    world.policy(rule("d", AssignmentMethod.DESIGNATED, agent_id=light.id), account_id="acct-2")
    result = world.accept(account_id="acct-2")
    assert result and result.assignment and result.assignment.agent_id == light.id

    fresh = world.agent(team)  # holds nothing yet
    world.policy(rule("ll", AssignmentMethod.LEAST_LOADED, team_id=team.id), account_id="acct-3")
    picks = [world.accept(account_id="acct-3") for _ in range(3)]
    assert [p.assignment.agent_id for p in picks if p and p.assignment][0] == fresh.id
    assert all(p and p.method == AssignmentMethod.LEAST_LOADED for p in picks)


def test_each_criterion_selects_its_rule(world: World) -> None:
    team = world.team()
    agents = {
        name: world.agent(team, name=unique(name))
        for name in ("ch", "ts", "bs", "cp", "rg", "city", "gr", "rest")
    }

    def designated(key: str, **criteria: object) -> RuleDraft:
        return rule(
            key, AssignmentMethod.DESIGNATED, agent_id=agents[key].id, criteria=CriteriaDraft(**criteria)
        )  # type: ignore[arg-type]

    world.policy(
        designated("ch", channels=(Channel.INBOUND_CALL,)),
        designated("ts", traffic_sources=(TrafficSource.ORGANIC,)),
        designated("bs", business_sources=(BusinessSource.OFFICIAL_ACCOUNT,)),
        designated("cp", campaign_ids=("c-9",)),
        designated("city", regions=(Region("北京市", "北京市"),)),
        designated("rg", regions=(Region("浙江省"),)),
        designated("gr", score_grades=(ScoreGrade.D,)),
        designated("rest"),
    )
    cases = {
        "ch": {"channel": Channel.INBOUND_CALL},
        "ts": {"traffic_source": TrafficSource.ORGANIC},
        "bs": {"business_source": BusinessSource.OFFICIAL_ACCOUNT},
        "cp": {"campaign_id": "c-9"},
        "city": {"phone_region": Region("北京市", "北京市")},
        "rg": {"phone_region": Region("浙江省", "杭州市")},
        "gr": {
            "channel": Channel.IMPORT,
            "traffic_source": TrafficSource.UNSPECIFIED,
            "phone_region": None,
            "business_source": BusinessSource.UNSPECIFIED,
        },
        "rest": {},
    }
    for key, fields in cases.items():
        result = world.accept(**fields)
        assert result and result.assignment, key
        assert result.assignment.rule_id == key, (key, [str(t.result) for t in result.routing.trace])


def test_fallbacks_next_rule_then_pool_with_the_reason(world: World, uow: FakeAssignUnitOfWork) -> None:
    team = world.team()
    away = world.agent(team, status=AgentStatus.OFFLINE)
    backup_team = world.team("Backup")
    backup = world.agent(backup_team)
    world.policy(
        rule("first", AssignmentMethod.DESIGNATED, agent_id=away.id),
        rule("second", RR, team_id=backup_team.id),
    )
    result = world.accept()
    assert result and result.assignment and result.assignment.agent_id == backup.id
    assert [(t.rule_id, t.result) for t in result.routing.trace] == [
        ("first", RuleResult.NO_AGENT_AVAILABLE),
        ("second", RuleResult.ASSIGNED),
    ]
    world.set_status(backup, AgentStatus.ON_LEAVE)
    pooled = world.accept()
    assert pooled and pooled.entry and pooled.entry.reason == PoolReason.NO_AGENT_AVAILABLE
    assert uow.pool.get("t1", pooled.entry.lead.lead_id) == pooled.entry

    world.policy(
        rule("calls", RR, team_id=team.id, criteria=CriteriaDraft(channels=(Channel.INBOUND_CALL,))),
        account_id="a2",
    )
    assert (r := world.accept(account_id="a2")) and r.entry and r.entry.reason == PoolReason.NO_RULE_MATCHED
    world.policy(rule("gate", RR, team_id=backup_team.id, min_score_grade=ScoreGrade.A), account_id="a3")
    assert (r := world.accept(account_id="a3")) and r.entry and r.entry.reason == PoolReason.BELOW_SCORE_GRADE
    assert r.entry.rule_id == "gate"
    world.policy(rule("pool", AssignmentMethod.POOL), account_id="a4")
    assert (r := world.accept(account_id="a4")) and r.entry and r.entry.reason == PoolReason.RULE_METHOD_POOL
    assert (
        (r := world.accept(account_id="never-set"))
        and r.entry
        and r.entry.reason == PoolReason.NO_RULE_MATCHED
    )


def test_availability_working_hours_daily_capacity_and_max_held(world: World) -> None:
    team = world.team()
    night = WorkingHoursDraft(
        "Asia/Shanghai",
        (ShiftDraft(3, WindowDraft(22, 0, 6, 0)),),  # Wednesday 22:00-06:00 only
    )
    sleeper = world.agent(team, working_hours=night)
    capped = world.agent(team, daily_capacity=2)
    holder = world.agent(team, max_held_leads=3)
    world.policy(rule("rr", RR, team_id=team.id))
    holders = [r.assignment.agent_id for r in (world.accept() for _ in range(5)) if r and r.assignment]
    assert sleeper.id not in holders
    assert Counter(holders) == {capped.id: 2, holder.id: 3}
    assert (r := world.accept()) and r.entry and r.entry.reason == PoolReason.NO_AGENT_AVAILABLE
    # The next local day: the daily capacity starts again, max held is still full, the night shift not yet on.
    world.clock.advance(timedelta(days=1))
    result = world.accept()
    assert result and result.assignment and result.assignment.agent_id == capped.id
    # Wednesday 23:00 in Shanghai is inside the sleeper's overnight shift.
    world.clock.set(T0.replace(hour=15))
    world.clock.advance(timedelta(days=7))
    world.set_status(capped, AgentStatus.OFFLINE)
    late = world.accept()
    assert late and late.assignment and late.assignment.agent_id == sleeper.id


def test_familiarity_sends_a_returning_person_back_unless_disabled(world: World) -> None:
    team = world.team()
    first, second = world.agent(team), world.agent(team)
    world.policy(rule("rr", RR, team_id=team.id))
    earlier = world.accept()
    assert earlier and earlier.assignment
    had = earlier.assignment.agent_id
    for _ in range(3):
        back = world.accept(verdict=Verdict.RETURNING, returning_of_lead_id=earlier.assignment.lead.lead_id)
        assert back and back.assignment
        assert back.assignment.agent_id == had and back.assignment.reason == AssignmentReason.FAMILIARITY
        assert back.method is None
    world.set_status(first if had == first.id else second, AgentStatus.OFFLINE)
    other = world.accept(verdict=Verdict.RETURNING, returning_of_lead_id=earlier.assignment.lead.lead_id)
    assert other and other.assignment and other.assignment.reason == AssignmentReason.RULE
    world.set_status(first if had == first.id else second, AgentStatus.ONLINE)
    world.policy(rule("rr", RR, team_id=team.id), disable_familiarity=True)
    plain = world.accept(verdict=Verdict.RETURNING, returning_of_lead_id=earlier.assignment.lead.lead_id)
    assert plain and plain.assignment and plain.assignment.reason == AssignmentReason.RULE


def test_a_duplicate_of_a_pooled_lead_goes_back_to_its_agent(world: World, uow: FakeAssignUnitOfWork) -> None:
    team = world.team()
    agent = world.agent(team)
    world.policy(rule("rr", RR, team_id=team.id))
    first = world.accept()
    assert first and first.assignment
    lead_id = first.assignment.lead.lead_id
    world.run(world.pool.release(world.admin, ReleaseCommand(lead_id), "rel-1"))
    assert uow.pool.get("t1", lead_id) is not None
    back = world.write(lambda u: world.intake.duplicate(u, "t1", lead_id))
    assert back and back.assignment and back.assignment.agent_id == agent.id
    assert back.assignment.reason == AssignmentReason.FAMILIARITY
    assert uow.pool.get("t1", lead_id) is None
    # Held already, unknown, or nobody had it: nothing moves.
    assert world.write(lambda u: world.intake.duplicate(u, "t1", lead_id)) is None
    assert world.write(lambda u: world.intake.duplicate(u, "t1", "no-such-lead")) is None


def test_a_redelivered_lead_is_routed_once(world: World, uow: FakeAssignUnitOfWork) -> None:
    team = world.team()
    world.agent(team)
    world.policy(rule("rr", RR, team_id=team.id))
    facts = lead_facts()
    assert world.accept(facts) is not None
    assert world.accept(facts) is None
    assert len(uow.assignments.of_lead("t1", facts.lead_id)) == 1
    assert (
        world.accept(
            facts,
        )
        is None
    )


def test_a_lost_rotation_race_is_decided_again_on_fresh_reads(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    team = world.team()
    a, b = world.agent(team), world.agent(team)
    world.policy(rule("rr", RR, team_id=team.id))
    world.accept()
    uow.rotations.races.remaining = 2  # another replica wrote the rule's turn twice meanwhile
    result = world.accept()
    assert result and result.assignment
    state = uow.rotations.rows[("t1", "acct-1", "rr")]
    assert state.version == 2 and state.turns == 2
    assert {x.agent_id for x in uow.assignments.rows.values()} == {a.id, b.id}


def test_capacity_taken_by_another_rule_meanwhile_routes_again(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    """Two rules pick one agent: the counter, not the read, decides; the loser routes to whoever is left."""
    team = world.team()
    busy = world.agent(team, max_held_leads=1)
    spare_team = world.team("Spare")
    spare = world.agent(spare_team)
    world.policy(
        rule("d", AssignmentMethod.DESIGNATED, agent_id=busy.id),
        rule("rest", RR, team_id=spare_team.id),
    )
    # A rival transaction gave the busy agent a lead and committed after this one read the loads.
    rival_day = next(iter(uow.loads.rows))
    assert rival_day == ("t1", busy.id)
    uow.loads.rows[("t1", busy.id)][0] = 1
    fresh_get_many = uow.loads.get_many
    raced: list[str] = []

    def stale_first_read(tenant, days):  # type: ignore[no-untyped-def]
        loads = fresh_get_many(tenant, days)
        if busy.id in loads and not raced:
            raced.append(busy.id)
            loads[busy.id] = replace(loads[busy.id], held=0)
        return loads

    uow.loads.get_many = stale_first_read  # type: ignore[method-assign]
    result = world.accept()
    assert raced == [busy.id]
    assert result and result.assignment and result.assignment.agent_id == spare.id
    assert [t.rule_id for t in result.routing.trace] == ["d", "rest"]
    active_busy = [
        x
        for x in uow.assignments.rows.values()
        if x.agent_id == busy.id and x.state == AssignmentState.ACTIVE
    ]
    assert active_busy == []
