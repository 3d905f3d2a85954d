"""我的线索 and tags: an agent lists its own assignments with filters (state, tag, follow-up, time) and pages;
enterprise and personal tags, their visibility, renaming and retiring without losing history."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.assign.domain.commands import RecordCommand, ReleaseCommand, TagDraft
from services.assign.domain.enums import AssignmentMethod, AssignmentState, FollowUpKind, TagScope, TagState
from services.assign.domain.followups import FollowUpDraft
from services.assign.domain.policy_checks import RuleDraft
from services.assign.domain.ports import AssignmentFilter, PoolFilter
from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
)
from tests.assign.fakes import FakeAssignUnitOfWork
from tests.assign.world import World, admin, agent_principal

ME = agent_principal("t1", "me")


def held_by_me(world: World, count: int) -> list[str]:
    team = world.team()
    me = world.agent(team, name="me")
    world.agent(team, name="you")
    world.policy(RuleDraft(id="d", method=AssignmentMethod.DESIGNATED, agent_id=me.id))
    leads = []
    for _ in range(count):
        result = world.accept()
        assert result and result.assignment
        leads.append(result.assignment.lead.lead_id)
        world.clock.advance(timedelta(minutes=1))
    return leads


def test_an_agent_lists_its_own_assignments_newest_first_with_filters(world: World) -> None:
    leads = held_by_me(world, 4)
    page = world.run(world.assignments.list(ME, AssignmentFilter(), 3, ""))
    assert [v.assignment.lead.lead_id for v in page.items] == leads[::-1][:3] and page.total_size == 4
    rest = world.run(world.assignments.list(ME, AssignmentFilter(), 3, page.next_page_token))
    assert [v.assignment.lead.lead_id for v in rest.items] == [leads[0]]
    world.run(world.follow_ups.record(ME, RecordCommand(FollowUpDraft(leads[1], FollowUpKind.NOTE)), "f-1"))
    world.run(world.pool.release(ME, ReleaseCommand(leads[2]), "r-1"))
    followed = world.run(world.assignments.list(ME, AssignmentFilter(has_follow_up=True), 10, ""))
    assert [v.assignment.lead.lead_id for v in followed.items] == [leads[1]]
    released = world.run(world.assignments.list(ME, AssignmentFilter(state=AssignmentState.RELEASED), 10, ""))
    assert [v.assignment.lead.lead_id for v in released.items] == [leads[2]]
    start = world.clock.now() - timedelta(minutes=3)
    window = AssignmentFilter(assign_start=start, assign_end=start + timedelta(minutes=2))
    assert [
        v.assignment.lead.lead_id for v in world.run(world.assignments.list(ME, window, 10, "")).items
    ] == [leads[2], leads[1]]
    with pytest.raises(PermissionDenied):
        world.run(
            world.assignments.list(agent_principal("t1", "you"), AssignmentFilter(agent_id="someone"), 10, "")
        )
    assert (
        world.run(world.assignments.list(agent_principal("t1", "you"), AssignmentFilter(), 10, "")).items
        == []
    )
    everyone = world.run(world.assignments.list(world.admin, AssignmentFilter(), 10, ""))
    assert everyone.total_size == 4
    one = everyone.items[0].assignment
    assert world.run(world.assignments.get(ME, one.id)).assignment == one
    with pytest.raises(NotFound):
        world.run(world.assignments.get(agent_principal("t1", "you"), one.id))
    with pytest.raises(NotFound):
        world.run(world.assignments.get(admin("t2"), one.id))
    with pytest.raises(InvalidArgument) as caught:
        world.run(world.assignments.list(ME, AssignmentFilter(assign_start=start, assign_end=start), 10, ""))
    assert [v.field for v in caught.value.violations] == ["assign_end_time"]


def test_tags_filter_my_leads_and_stay_private_or_shared(world: World, uow: FakeAssignUnitOfWork) -> None:
    leads = held_by_me(world, 3)
    vip = world.run(world.tags.create_tag(world.admin, TagDraft("VIP", TagScope.ENTERPRISE), "t-1"))
    mine = world.run(world.tags.create_tag(ME, TagDraft("call back", TagScope.PERSONAL), "t-2"))
    assert mine.owner_agent_id and vip.owner_agent_id == ""
    with pytest.raises(PermissionDenied):
        world.run(world.tags.create_tag(ME, TagDraft("Hot", TagScope.ENTERPRISE), "t-3"))
    with pytest.raises(AlreadyExists):
        world.run(world.tags.create_tag(ME, TagDraft(" vip ", TagScope.PERSONAL), "t-4"))
    assert world.run(world.tags.add_lead_tags(ME, leads[0], [vip.id, mine.id])) == (vip.id, mine.id)
    world.run(world.tags.add_lead_tags(ME, leads[1], [vip.id]))
    tagged = world.run(world.assignments.list(ME, AssignmentFilter(tag_ids=(vip.id, mine.id)), 10, ""))
    assert [v.assignment.lead.lead_id for v in tagged.items] == [leads[0]]
    assert tagged.items[0].tag_ids == (vip.id, mine.id)
    # The administrator does not see the agent's personal tag, and may not filter by it.
    seen = world.run(world.assignments.list(world.admin, AssignmentFilter(lead_id=leads[0]), 10, ""))
    assert seen.items[0].tag_ids == (vip.id,)
    with pytest.raises(InvalidArgument) as caught:
        world.run(world.assignments.list(world.admin, AssignmentFilter(tag_ids=(mine.id,)), 10, ""))
    assert [v.field for v in caught.value.violations] == ["tag_ids[0]"]
    # Another agent may not tag a lead it does not hold.
    with pytest.raises(PermissionDenied):
        world.run(world.tags.add_lead_tags(agent_principal("t1", "you"), leads[0], [vip.id]))

    renamed = world.run(
        world.tags.update_tag(world.admin, vip.id, TagDraft(display_name="VVIP"), ["display_name"])
    )
    retired = world.run(
        world.tags.update_tag(world.admin, vip.id, TagDraft(state=TagState.RETIRED), ["state"])
    )
    assert (
        renamed.display_name == "VVIP"
        and retired.state == TagState.RETIRED
        and retired.display_name == "VVIP"
    )
    with pytest.raises(FailedPrecondition) as retired_error:
        world.run(world.tags.add_lead_tags(ME, leads[2], [vip.id]))
    assert retired_error.value.reason == "TAG_RETIRED"
    still = world.run(world.assignments.list(ME, AssignmentFilter(tag_ids=(vip.id,)), 10, ""))
    assert {v.assignment.lead.lead_id for v in still.items} == {leads[0], leads[1]}, (
        "retired tags stay on leads"
    )
    assert world.run(world.tags.remove_lead_tags(ME, leads[0], [vip.id])) == (mine.id,)
    history = uow.taggings.of_lead("t1", leads[0])
    assert [(t.tag_id, t.remove_time is not None) for t in history] == [(vip.id, True), (mine.id, False)]
    listed = world.run(world.tags.list_tags(ME, 0, 0, 0, ""))
    assert [t.id for t in listed.items] == sorted([vip.id, mine.id])
    assert [t.id for t in world.run(world.tags.list_tags(world.admin, 0, 0, 0, "")).items] == [vip.id]
    assert world.run(world.tags.list_tags(admin("t2"), 0, 0, 0, "")).items == []


def test_pool_filter_by_tag(world: World) -> None:
    world.policy(RuleDraft(id="p", method=AssignmentMethod.POOL))
    first, second = (world.accept() for _ in range(2))
    assert first and first.entry and second and second.entry
    team = world.team()
    world.agent(team, name="me")
    hot = world.run(world.tags.create_tag(world.admin, TagDraft("hot", TagScope.ENTERPRISE), "t-1"))
    world.run(world.tags.add_lead_tags(ME, second.entry.lead.lead_id, [hot.id]))
    page = world.run(world.pool.list_pool(ME, PoolFilter(tag_ids=(hot.id,)), 10, ""))
    assert [v.entry.lead.lead_id for v in page.items] == [second.entry.lead.lead_id]
    assert page.items[0].tag_ids == (hot.id,)


def test_a_new_tag_refuses_a_state_other_than_active_and_creates_nothing(world: World) -> None:
    for state in (TagState.RETIRED, 9999):
        with pytest.raises(InvalidArgument) as refused:
            world.run(
                world.tags.create_tag(world.admin, TagDraft("VIP", TagScope.ENTERPRISE, state), f"s-{state}")
            )
        assert [v.field for v in refused.value.violations] == ["tag.state"]
    assert world.run(world.tags.list_tags(world.admin, 0, 0, 0, "")).items == []
    active = world.run(
        world.tags.create_tag(world.admin, TagDraft("VIP", TagScope.ENTERPRISE, TagState.ACTIVE), "a")
    )
    assert active.state == TagState.ACTIVE


def test_an_update_with_bad_fields_is_refused_before_the_tag_is_looked_up(world: World) -> None:
    missing = "01JBX3M2Q3Z6Y7W8V9T0S1R2P3"
    with pytest.raises(InvalidArgument) as refused:  # not NOT_FOUND: the request is wrong whatever the tag
        world.run(
            world.tags.update_tag(
                world.admin, missing, TagDraft(display_name="x" * 100, state=7), ["display_name", "state"]
            )
        )
    assert sorted(v.field for v in refused.value.violations) == ["tag.display_name", "tag.state"]
    with pytest.raises(NotFound):  # well-formed: the tag is looked up
        world.run(world.tags.update_tag(world.admin, missing, TagDraft(state=TagState.RETIRED), ["state"]))
