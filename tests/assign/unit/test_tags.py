"""Tags: enterprise and personal scopes, visibility, unique names, rename and retire without losing history."""

from __future__ import annotations

import pytest

from services.assign.domain.enums import TagScope, TagState
from services.assign.domain.errors import TagNameTaken, TagNotEditable, TagRetired
from services.assign.domain.tags import (
    Actor,
    add_tags,
    check_applicable,
    create_tag,
    remove_tags,
    rename_tag,
    set_tag_state,
    visible,
    visible_ids,
)
from services.common.errors import InvalidArgument, NotFound
from tests.assign.unit.builders import NOON_UTC

ADMIN = Actor(agent_id="boss", is_admin=True)
ALICE = Actor(agent_id="alice")
BOB = Actor(agent_id="bob")


def test_enterprise_tags_are_defined_by_administrators_and_seen_by_all() -> None:
    tag = create_tag("t1", "  VIP ", TagScope.ENTERPRISE, ADMIN, (), NOON_UTC)
    assert (tag.display_name, tag.scope, tag.state, tag.owner_agent_id) == (
        "VIP",
        TagScope.ENTERPRISE,
        TagState.ACTIVE,
        "",
    )
    assert visible(tag, ALICE) and visible(tag, BOB)
    with pytest.raises(TagNotEditable):
        create_tag("t2", "Hot", TagScope.ENTERPRISE, ALICE, (), NOON_UTC)


def test_personal_tags_belong_to_their_agent_only() -> None:
    tag = create_tag("t1", "call back", TagScope.PERSONAL, ALICE, (), NOON_UTC)
    assert tag.owner_agent_id == "alice"
    assert visible(tag, ALICE) and not visible(tag, BOB) and not visible(tag, Actor(is_admin=True))
    with pytest.raises(TagNotEditable):
        rename_tag(tag, "later", BOB, (tag,), NOON_UTC)
    with pytest.raises(NotFound):
        check_applicable(tag, BOB)
    with pytest.raises(TagNotEditable):
        create_tag("t2", "mine", TagScope.PERSONAL, Actor(is_admin=True), (), NOON_UTC)


def test_names_are_unique_in_their_space_after_normalisation() -> None:
    vip = create_tag("t1", "VIP", TagScope.ENTERPRISE, ADMIN, (), NOON_UTC)
    for clash in ("vip", " VIP", "ＶＩＰ"):
        with pytest.raises(TagNameTaken):
            create_tag("t2", clash, TagScope.ENTERPRISE, ADMIN, (vip,), NOON_UTC)
        with pytest.raises(TagNameTaken):
            create_tag("t2", clash, TagScope.PERSONAL, ALICE, (vip,), NOON_UTC)
    mine = create_tag("t3", "later", TagScope.PERSONAL, ALICE, (vip,), NOON_UTC)
    # Bob's personal space is his own; Alice's "later" does not take the name from him.
    assert create_tag("t4", "later", TagScope.PERSONAL, BOB, (vip, mine), NOON_UTC).owner_agent_id == "bob"


def test_a_retired_tags_name_stays_taken() -> None:
    vip = set_tag_state(
        create_tag("t1", "VIP", TagScope.ENTERPRISE, ADMIN, (), NOON_UTC), TagState.RETIRED, ADMIN, NOON_UTC
    )
    with pytest.raises(TagNameTaken):
        create_tag("t2", "VIP", TagScope.ENTERPRISE, ADMIN, (vip,), NOON_UTC)


def test_rename_keeps_the_id_so_leads_follow() -> None:
    vip = create_tag("t1", "VIP", TagScope.ENTERPRISE, ADMIN, (), NOON_UTC)
    renamed = rename_tag(vip, "Key account", ADMIN, (vip,), NOON_UTC)
    assert renamed.id == "t1" and renamed.display_name == "Key account" and renamed.update_time == NOON_UTC
    assert rename_tag(vip, "VIP", ADMIN, (vip,), NOON_UTC) is vip  # unchanged name: nothing to store
    hot = create_tag("t2", "Hot", TagScope.ENTERPRISE, ADMIN, (vip,), NOON_UTC)
    with pytest.raises(TagNameTaken):
        rename_tag(hot, "vip", ADMIN, (vip, hot), NOON_UTC)


def test_retire_stops_new_uses_and_can_be_undone() -> None:
    vip = create_tag("t1", "VIP", TagScope.ENTERPRISE, ADMIN, (), NOON_UTC)
    check_applicable(vip, ALICE)
    retired = set_tag_state(vip, TagState.RETIRED, ADMIN, NOON_UTC)
    with pytest.raises(TagRetired):
        check_applicable(retired, ALICE)
    # Still shown on the leads that carry it.
    assert visible_ids(["t1"], {"t1": retired}, ALICE) == ("t1",)
    assert set_tag_state(retired, TagState.ACTIVE, ADMIN, NOON_UTC).state == TagState.ACTIVE
    with pytest.raises(TagNotEditable):
        set_tag_state(vip, TagState.RETIRED, ALICE, NOON_UTC)


def test_visible_ids_hide_other_agents_personal_tags() -> None:
    vip = create_tag("t1", "VIP", TagScope.ENTERPRISE, ADMIN, (), NOON_UTC)
    mine = create_tag("t2", "later", TagScope.PERSONAL, ALICE, (), NOON_UTC)
    tags = {"t1": vip, "t2": mine}
    assert visible_ids(["t1", "t2", "gone"], tags, ALICE) == ("t1", "t2")
    assert visible_ids(["t1", "t2"], tags, BOB) == ("t1",)


@pytest.mark.parametrize(
    ("name", "scope", "field"),
    [
        ("", TagScope.ENTERPRISE, "tag.display_name"),
        ("x" * 33, TagScope.ENTERPRISE, "tag.display_name"),
        ("a\x07b", TagScope.ENTERPRISE, "tag.display_name"),
        ("fine", TagScope.UNSPECIFIED, "tag.scope"),
        ("fine", 9, "tag.scope"),
    ],
)
def test_bad_tags_name_the_field(name: str, scope: int, field: str) -> None:
    with pytest.raises(InvalidArgument) as raised:
        create_tag("t1", name, scope, ADMIN, (), NOON_UTC)
    assert [v.field for v in raised.value.violations] == [field]


def test_bad_state_names_the_field() -> None:
    vip = create_tag("t1", "VIP", TagScope.ENTERPRISE, ADMIN, (), NOON_UTC)
    with pytest.raises(InvalidArgument) as raised:
        set_tag_state(vip, TagState.UNSPECIFIED, ADMIN, NOON_UTC)
    assert [v.field for v in raised.value.violations] == ["tag.state"]


def test_tagging_keeps_history() -> None:
    vip = create_tag("t1", "VIP", TagScope.ENTERPRISE, ADMIN, (), NOON_UTC)
    mine = create_tag("t2", "later", TagScope.PERSONAL, ALICE, (), NOON_UTC)
    tags = {"t1": vip, "t2": mine}
    first = add_tags("lead-1", (), ["t1", "t2", "t1"], tags, ALICE, NOON_UTC)
    assert [t.tag_id for t in first.added] == ["t1", "t2"] and first.tag_ids == ("t1", "t2")
    again = add_tags("lead-1", first.added, ["t1"], tags, ALICE, NOON_UTC)
    assert again.added == () and again.tag_ids == ("t1", "t2")  # already on it: unchanged
    # Bob cannot see, and so cannot remove, Alice's personal tag.
    by_bob = remove_tags(first.added, ["t2", "t1", "t9"], tags, BOB, NOON_UTC)
    assert [t.tag_id for t in by_bob.removed] == ["t1"] and by_bob.removed[0].remove_time == NOON_UTC
    assert by_bob.tag_ids == ("t2",)
    retired = {**tags, "t1": set_tag_state(vip, TagState.RETIRED, ADMIN, NOON_UTC)}
    with pytest.raises(TagRetired):
        add_tags("lead-1", (), ["t1"], retired, ALICE, NOON_UTC)
    with pytest.raises(NotFound):
        add_tags("lead-1", (), ["t2"], tags, BOB, NOON_UTC)
    with pytest.raises(InvalidArgument):
        add_tags("lead-1", (), [], tags, ALICE, NOON_UTC)
