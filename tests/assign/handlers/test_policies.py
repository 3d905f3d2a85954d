"""Assignment policies: set (replace, with its history; idempotent), get (the default when never set), history
pages newest first; rules must name the tenant's agents and teams; bad input names the field, changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.assign.domain.enums import AssignmentMethod
from services.assign.domain.policy_checks import PolicyDraft, RuleDraft
from services.common.errors import InvalidArgument
from tests.assign.fakes import FakeAssignUnitOfWork
from tests.assign.world import World, admin


def test_default_set_get_and_history(world: World) -> None:
    default = world.run(world.policies.get_policy(world.admin, "acct-1"))
    assert default.rules == () and default.reclaim_after == timedelta(hours=24) and default.familiarity
    team = world.team()
    first = world.policy(RuleDraft(id="rr", method=AssignmentMethod.ROUND_ROBIN, team_id=team.id))
    world.clock.advance(timedelta(minutes=1))
    second = world.policy(RuleDraft(id="p", method=AssignmentMethod.POOL), reclaim_after=timedelta(hours=2))
    assert world.run(world.policies.get_policy(world.admin, "acct-1")) == second
    assert second.updated_by == "boss" and second.update_time == world.clock.now()
    page = world.run(world.policies.list_history(world.admin, "acct-1", 1, ""))
    assert [r.policy for r in page.items] == [second] and page.next_page_token
    rest = world.run(world.policies.list_history(world.admin, "acct-1", 1, page.next_page_token))
    assert [r.policy for r in rest.items] == [first] and rest.next_page_token == ""
    assert world.run(world.policies.get_policy(admin("t2"), "acct-1")).rules == ()


def test_set_is_idempotent_on_request_id(world: World, uow: FakeAssignUnitOfWork) -> None:
    draft = PolicyDraft(account_id="acct-1", rules=(RuleDraft(id="p", method=AssignmentMethod.POOL),))
    first = world.run(world.policies.set_policy(world.admin, draft, "req-1"))
    world.clock.advance(timedelta(minutes=5))
    again = world.run(world.policies.set_policy(world.admin, draft, "req-1"))
    assert again == first and len(uow.policies.revisions) == 1


def test_rules_must_name_existing_agents_and_teams_and_bad_input_changes_nothing(
    world: World, uow: FakeAssignUnitOfWork
) -> None:
    team = world.team()
    world.policy(RuleDraft(id="rr", method=AssignmentMethod.ROUND_ROBIN, team_id=team.id))
    before = dict(uow.policies.current), dict(uow.policies.revisions)
    with pytest.raises(InvalidArgument) as caught:
        world.policy(
            RuleDraft(id="d", method=AssignmentMethod.DESIGNATED, agent_id="ghost"),
            RuleDraft(id="t", method=AssignmentMethod.WEIGHTED, team_id="ghost-team"),
        )
    assert [v.field for v in caught.value.violations] == [
        "policy.rules[0].agent_id",
        "policy.rules[1].team_id",
    ]
    with pytest.raises(InvalidArgument) as shapes:
        world.policy(
            RuleDraft(id="x", method=0),
            RuleDraft(id="x", method=AssignmentMethod.POOL, team_id=team.id),
            reclaim_after=timedelta(seconds=5),
        )
    assert [v.field for v in shapes.value.violations] == [
        "policy.rules[0].method",
        "policy.rules[1].team_id",
        "policy.rules[1].id",
        "policy.reclaim_after",
    ]
    assert (dict(uow.policies.current), dict(uow.policies.revisions)) == before
