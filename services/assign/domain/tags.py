"""Tags on leads: enterprise tags (defined by the tenant's administrators, visible to everyone) and personal tags
(an agent's own, visible only to that agent). Pure.

Names are unique, compared after Unicode NFKC normalisation, trimming and case folding ("VIP", " vip", "ＶＩＰ" are
one name): enterprise names among the enterprise tags, personal names among the enterprise tags and the owner's
personal tags, retired ones included (a retired tag still shows on the leads that carry it, so its name stays
taken). Renaming keeps the id, so every lead and filter using the tag follows; retiring stops new uses but keeps
the tag on its leads and in ListTags; a retired tag can be made active again. Tagging records who put a tag on a
lead and when, and removal keeps that record with its removal time, so history is never lost.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from services.assign.domain.checks import check_name
from services.assign.domain.enums import TagScope, TagState
from services.assign.domain.errors import TagNameTaken, TagNotEditable, TagRetired
from services.common.errors import NotFound, ViolationCollector

MAX_TAG_NAME_LENGTH = 32


@dataclass(frozen=True)
class Tag:
    id: str
    display_name: str
    scope: TagScope
    state: TagState = TagState.ACTIVE
    owner_agent_id: str = ""
    create_time: datetime | None = None
    update_time: datetime | None = None


@dataclass(frozen=True)
class Actor:
    """The caller: an agent (``agent_id``), an administrator, or both."""

    agent_id: str = ""
    is_admin: bool = False


@dataclass(frozen=True)
class LeadTagging:
    """One use of a tag on a lead; ``remove_time`` set when it was taken off (the row is kept)."""

    lead_id: str
    tag_id: str
    added_by: str
    add_time: datetime
    remove_time: datetime | None = None


def name_key(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def visible(tag: Tag, actor: Actor) -> bool:
    if tag.scope == TagScope.ENTERPRISE:
        return True
    return bool(actor.agent_id) and tag.owner_agent_id == actor.agent_id


def visible_ids(tag_ids: Iterable[str], tags: Mapping[str, Tag], actor: Actor) -> tuple[str, ...]:
    """The tags of a lead the caller may see, in the given order (unknown ids dropped)."""
    return tuple(tag_id for tag_id in tag_ids if tag_id in tags and visible(tags[tag_id], actor))


def _check_editable(scope: TagScope, owner_agent_id: str, actor: Actor) -> None:
    if scope == TagScope.ENTERPRISE and not actor.is_admin:
        raise TagNotEditable("enterprise tags are defined and edited by administrators")
    if scope == TagScope.PERSONAL and (not actor.agent_id or owner_agent_id != actor.agent_id):
        raise TagNotEditable("personal tags are defined and edited by their own agent")


def _check_name_free(
    name: str, scope: TagScope, owner_agent_id: str, existing: Iterable[Tag], own_id: str
) -> None:
    key = name_key(name)
    for tag in existing:
        if tag.id == own_id or name_key(tag.display_name) != key:
            continue
        same_space = tag.scope == TagScope.ENTERPRISE or (
            scope == TagScope.PERSONAL and tag.owner_agent_id == owner_agent_id
        )
        if same_space:
            raise TagNameTaken(f"tag {tag.id} already has this name", metadata={"tag_id": tag.id})


def _checked_name(name: str, path: str) -> str:
    errors = ViolationCollector()
    check_name(errors, path, name, MAX_TAG_NAME_LENGTH)
    errors.raise_if_any()
    return unicodedata.normalize("NFKC", name).strip()


def check_new_tag_state(errors: ViolationCollector, state: int) -> None:
    """A new tag is ACTIVE: CreateTag takes ``tag.state`` unset or ACTIVE, and names it otherwise rather than
    creating an ACTIVE tag the caller asked to be something else (a tag is retired with UpdateTag)."""
    if state not in (TagState.UNSPECIFIED, TagState.ACTIVE):
        errors.add("tag.state", "a new tag is ACTIVE: leave it unset or ACTIVE (UpdateTag retires a tag)")


def check_tag_update(errors: ViolationCollector, display_name: str, state: int, paths: Iterable[str]) -> None:
    """The shape of an UpdateTag's fields named in ``paths``, checked before the tag is looked up, so bad input is
    INVALID_ARGUMENT whether or not the tag exists: ``tag.display_name`` a tag name, ``tag.state`` ACTIVE or
    RETIRED."""
    paths = set(paths)
    if "display_name" in paths:
        check_name(errors, "tag.display_name", display_name, MAX_TAG_NAME_LENGTH)
    if "state" in paths and state not in (TagState.ACTIVE, TagState.RETIRED):
        errors.add("tag.state", "must be ACTIVE or RETIRED")


def create_tag(
    tag_id: str, display_name: str, scope: int, actor: Actor, existing: Iterable[Tag], now: datetime
) -> Tag:
    """A new tag. ``existing``: the tenant's enterprise tags and the actor's personal tags. Raises InvalidArgument
    (``tag.display_name``, ``tag.scope``), TagNotEditable or TagNameTaken."""
    errors = ViolationCollector()
    if scope not in (TagScope.ENTERPRISE, TagScope.PERSONAL):
        errors.add("tag.scope", "must be ENTERPRISE or PERSONAL")
    check_name(errors, "tag.display_name", display_name, MAX_TAG_NAME_LENGTH)
    errors.raise_if_any()
    tag_scope = TagScope(scope)
    owner = actor.agent_id if tag_scope == TagScope.PERSONAL else ""
    _check_editable(tag_scope, owner, actor)
    name = _checked_name(display_name, "tag.display_name")
    _check_name_free(name, tag_scope, owner, existing, own_id="")
    return Tag(tag_id, name, tag_scope, TagState.ACTIVE, owner, now, now)


def rename_tag(tag: Tag, display_name: str, actor: Actor, existing: Iterable[Tag], now: datetime) -> Tag:
    _check_editable(tag.scope, tag.owner_agent_id, actor)
    name = _checked_name(display_name, "tag.display_name")
    if name == tag.display_name:
        return tag
    _check_name_free(name, tag.scope, tag.owner_agent_id, existing, own_id=tag.id)
    return replace(tag, display_name=name, update_time=now)


def set_tag_state(tag: Tag, state: int, actor: Actor, now: datetime) -> Tag:
    """Retire (RETIRED) or reactivate (ACTIVE) a tag; raises InvalidArgument on ``tag.state``, TagNotEditable."""
    if state not in (TagState.ACTIVE, TagState.RETIRED):
        errors = ViolationCollector()
        errors.add("tag.state", "must be ACTIVE or RETIRED")
        errors.raise_if_any()
    _check_editable(tag.scope, tag.owner_agent_id, actor)
    if tag.state == state:
        return tag
    return replace(tag, state=TagState(state), update_time=now)


def check_applicable(tag: Tag, actor: Actor) -> None:
    """A tag the actor may put on a lead: visible to them (NotFound otherwise, as for a missing tag, so that other
    agents' personal tags do not leak) and ACTIVE (TagRetired otherwise)."""
    if not visible(tag, actor):
        raise NotFound(f"tag {tag.id} not found", metadata={"tag_id": tag.id})
    if tag.state != TagState.ACTIVE:
        raise TagRetired(f"tag {tag.id} is retired", metadata={"tag_id": tag.id})


MAX_TAGS_PER_LEAD = 50


@dataclass(frozen=True)
class TaggingChange:
    """The taggings to insert and the ones to mark removed; ``tag_ids`` are the lead's active tags afterwards."""

    added: tuple[LeadTagging, ...]
    removed: tuple[LeadTagging, ...]
    tag_ids: tuple[str, ...]


def _active(taggings: Iterable[LeadTagging]) -> dict[str, LeadTagging]:
    return {t.tag_id: t for t in taggings if t.remove_time is None}


def add_tags(
    lead_id: str,
    taggings: Iterable[LeadTagging],
    tag_ids: Iterable[str],
    tags: Mapping[str, Tag],
    actor: Actor,
    now: datetime,
) -> TaggingChange:
    """Put tags on a lead; tags already on it are kept unchanged. Raises NotFound (unknown or invisible tag),
    TagRetired, or InvalidArgument on ``tag_ids`` (none given, or more than MAX_TAGS_PER_LEAD on the lead)."""
    wanted = tuple(dict.fromkeys(tag_ids))
    if not wanted:
        _refuse("tag_ids", "must name at least one tag")
    for tag_id in wanted:
        tag = tags.get(tag_id)
        if tag is None:
            raise NotFound(f"tag {tag_id} not found", metadata={"tag_id": tag_id})
        check_applicable(tag, actor)
    active = _active(taggings)
    added = tuple(
        LeadTagging(lead_id, tag_id, actor.agent_id, now) for tag_id in wanted if tag_id not in active
    )
    if len(active) + len(added) > MAX_TAGS_PER_LEAD:
        _refuse("tag_ids", f"a lead carries at most {MAX_TAGS_PER_LEAD} tags")
    return TaggingChange(added, (), tuple(active) + tuple(t.tag_id for t in added))


def remove_tags(
    taggings: Iterable[LeadTagging],
    tag_ids: Iterable[str],
    tags: Mapping[str, Tag],
    actor: Actor,
    now: datetime,
) -> TaggingChange:
    """Take tags off a lead, keeping the records with their removal time; tags not on it are ignored, and a caller
    cannot remove a tag they cannot see (another agent's personal tag). Retired tags can be removed."""
    wanted = tuple(dict.fromkeys(tag_ids))
    if not wanted:
        _refuse("tag_ids", "must name at least one tag")
    active = _active(taggings)
    removed = tuple(
        replace(active[tag_id], remove_time=now)
        for tag_id in wanted
        if tag_id in active and tag_id in tags and visible(tags[tag_id], actor)
    )
    gone = {t.tag_id for t in removed}
    return TaggingChange((), removed, tuple(tag_id for tag_id in active if tag_id not in gone))


def _refuse(path: str, description: str) -> None:
    errors = ViolationCollector()
    errors.add(path, description)
    errors.raise_if_any()
