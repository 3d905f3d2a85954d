"""Tags: enterprise tags (administrators define them, everyone sees them) and personal tags (an agent's own, seen
by that agent only); create (idempotent on request_id), rename or retire (update), list; put on leads and take off.

Names are checked under the tenant's tag lock (``uow.tags.lock_names``), so two concurrent creations cannot take
one name. Who may tag a lead: administrators any lead assign knows; an agent the leads it holds and the leads in
the pool. Removal keeps the tagging with its removal time (``domain.tags``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from services.assign.domain.checks import check_enum, check_identifier
from services.assign.domain.commands import TagDraft
from services.assign.domain.enums import TagScope, TagState
from services.assign.domain.errors import LeadNotFound
from services.assign.domain.ports import AssignUnitOfWork, TagFilter
from services.assign.domain.tags import (
    Tag,
    TaggingChange,
    add_tags,
    check_new_tag_state,
    check_tag_update,
    create_tag,
    remove_tags,
    rename_tag,
    set_tag_state,
    visible,
    visible_ids,
)
from services.assign.handlers.callers import Caller, caller_of
from services.assign.handlers.ids import id_at
from services.assign.handlers.requests import RequestLog, check_request_id
from services.common.auth import Principal
from services.common.clock import Clock
from services.common.errors import NotFound, PermissionDenied, ViolationCollector
from services.common.paging import Page, PageTokens, filter_binding, next_page, read_cursor, resolve_page_size
from services.common.uow import Transactions

TAG_PAGE_SIZE = 100
UPDATABLE_TAG_FIELDS = ("display_name", "state")


def visible_tags_of_leads(
    uow: AssignUnitOfWork, tenant: str, caller: Caller, lead_ids: Iterable[str]
) -> dict[str, tuple[str, ...]]:
    """The tags on each lead that the caller may see."""
    on_leads = uow.taggings.active_of_leads(tenant, lead_ids)
    tags = uow.tags.get_many(tenant, {tag_id for ids in on_leads.values() for tag_id in ids})
    return {lead_id: visible_ids(ids, tags, caller.actor) for lead_id, ids in on_leads.items()}


def check_tag_filter(uow: AssignUnitOfWork, tenant: str, caller: Caller, tag_ids: Sequence[str]) -> None:
    """A filter may name only tags the caller sees (INVALID_ARGUMENT ``tag_ids[i]`` otherwise, whether the tag is
    missing or someone else's personal tag)."""
    if not tag_ids:
        return
    tags = uow.tags.get_many(tenant, tag_ids)
    errors = ViolationCollector()
    for index, tag_id in enumerate(tag_ids):
        tag = tags.get(tag_id)
        if tag is None or not visible(tag, caller.actor):
            errors.add(f"tag_ids[{index}]", "names no tag visible to the caller")
    errors.raise_if_any()


class TagHandlers:
    def __init__(
        self,
        transactions: Transactions[AssignUnitOfWork],
        clock: Clock,
        page_tokens: PageTokens,
        requests: RequestLog,
    ) -> None:
        self._tx = transactions
        self._clock = clock
        self._tokens = page_tokens
        self._requests = requests

    async def create_tag(self, principal: Principal, draft: TagDraft, request_id: str) -> Tag:
        errors = ViolationCollector()
        check_request_id(errors, request_id)
        check_new_tag_state(errors, draft.state)
        errors.raise_if_any()
        tenant = principal.tenant_id
        now = self._clock.now()
        digest = self._requests.digest("create_tag", principal, draft)

        def create(uow: AssignUnitOfWork) -> Tag:
            replayed = self._requests.replayed(uow, tenant, "create_tag", request_id, digest, now)
            if replayed is not None:
                return _tag_or_404(uow, tenant, replayed)
            caller = caller_of(uow, principal)
            uow.tags.lock_names(tenant)
            existing = uow.tags.names_visible_to(tenant, caller.agent_id)
            tag = create_tag(id_at(now), draft.display_name, draft.scope, caller.actor, existing, now)
            uow.tags.insert(tenant, tag)
            self._requests.complete(uow, tenant, request_id, tag.id)
            return tag

        return await self._tx.write(create)

    async def update_tag(
        self, principal: Principal, tag_id: str, draft: TagDraft, mask: Sequence[str]
    ) -> Tag:
        """Rename (``display_name``) and/or retire or reactivate (``state``) a tag, by its editor."""
        errors = ViolationCollector()
        check_identifier(errors, "tag.id", tag_id)
        paths = _tag_mask(errors, draft, mask)
        check_tag_update(errors, draft.display_name, draft.state, paths)
        errors.raise_if_any()
        tenant = principal.tenant_id

        def update(uow: AssignUnitOfWork) -> Tag:
            caller = caller_of(uow, principal)
            tag = _tag_or_404(uow, tenant, tag_id)
            if not visible(tag, caller.actor):
                raise _tag_not_found(tag_id)
            now = self._clock.now()
            updated = tag
            if "display_name" in paths:
                uow.tags.lock_names(tenant)
                existing = uow.tags.names_visible_to(tenant, tag.owner_agent_id or caller.agent_id)
                updated = rename_tag(updated, draft.display_name, caller.actor, existing, now)
            if "state" in paths:
                updated = set_tag_state(updated, draft.state, caller.actor, now)
            if updated != tag:
                uow.tags.update(tenant, updated)
            return updated

        return await self._tx.write(update)

    async def list_tags(
        self, principal: Principal, scope: int, state: int, page_size: int, page_token: str
    ) -> Page[Tag]:
        errors = ViolationCollector()
        check_enum(errors, "scope", scope, TagScope, required=False)
        check_enum(errors, "state", state, TagState, required=False)
        errors.raise_if_any()
        size = resolve_page_size(page_size, default=TAG_PAGE_SIZE)
        tenant = principal.tenant_id

        def read(uow: AssignUnitOfWork) -> Page[Tag]:
            caller = caller_of(uow, principal)
            binding = filter_binding(tenant, "tags", caller.agent_id, scope, state)
            after = read_cursor(self._tokens.decode(page_token, binding=binding), ("id", str))
            where = TagFilter(caller.agent_id, TagScope(scope), TagState(state))
            rows = uow.tags.list(tenant, where, after[0] if after else None, size + 1)
            return next_page(rows, size, self._tokens, binding, lambda last: {"id": last.id})

        return await self._tx.read(read)

    async def add_lead_tags(
        self, principal: Principal, lead_id: str, tag_ids: Sequence[str]
    ) -> tuple[str, ...]:
        """The tags on the lead the caller sees, after the change."""
        return await self._change(principal, lead_id, tag_ids, adding=True)

    async def remove_lead_tags(
        self, principal: Principal, lead_id: str, tag_ids: Sequence[str]
    ) -> tuple[str, ...]:
        return await self._change(principal, lead_id, tag_ids, adding=False)

    async def _change(
        self, principal: Principal, lead_id: str, tag_ids: Sequence[str], *, adding: bool
    ) -> tuple[str, ...]:
        errors = ViolationCollector()
        check_identifier(errors, "lead_id", lead_id)
        for index, tag_id in enumerate(tag_ids):
            check_identifier(errors, f"tag_ids[{index}]", tag_id)
        if not tag_ids:
            errors.add("tag_ids", "must name at least one tag")
        errors.raise_if_any()
        tenant = principal.tenant_id

        def change(uow: AssignUnitOfWork) -> tuple[str, ...]:
            caller = caller_of(uow, principal)
            _require_taggable(uow, tenant, caller, lead_id)
            taggings = uow.taggings.of_lead(tenant, lead_id)
            tags = uow.tags.get_many(tenant, {*tag_ids, *(t.tag_id for t in taggings)})
            now = self._clock.now()
            outcome: TaggingChange
            if adding:
                outcome = add_tags(lead_id, taggings, tag_ids, tags, caller.actor, now)
                uow.taggings.add(tenant, outcome.added)
            else:
                outcome = remove_tags(taggings, tag_ids, tags, caller.actor, now)
                uow.taggings.mark_removed(tenant, outcome.removed)
            return visible_ids(outcome.tag_ids, tags, caller.actor)

        return await self._tx.write(change)


def _tag_mask(errors: ViolationCollector, draft: TagDraft, mask: Sequence[str]) -> tuple[str, ...]:
    if not mask:
        populated = tuple(
            name for name, value in (("display_name", draft.display_name), ("state", draft.state)) if value
        )
        if not populated:
            errors.add("update_mask", "is required when the request sets no field")
        return populated
    paths: list[str] = []
    for index, path in enumerate(mask):
        if path not in UPDATABLE_TAG_FIELDS:
            errors.add(
                f"update_mask.paths[{index}]", f"{path} is not an updatable field (display_name, state)"
            )
        elif path not in paths:
            paths.append(path)
    return tuple(paths)


def _tag_not_found(tag_id: str) -> NotFound:
    return NotFound(f"tag {tag_id} not found", reason="TAG_NOT_FOUND", metadata={"tag_id": tag_id})


def _tag_or_404(uow: AssignUnitOfWork, tenant: str, tag_id: str) -> Tag:
    tag = uow.tags.get(tenant, tag_id)
    if tag is None:
        raise _tag_not_found(tag_id)
    return tag


def _require_taggable(uow: AssignUnitOfWork, tenant: str, caller: Caller, lead_id: str) -> None:
    if uow.leads.get(tenant, lead_id) is None:
        raise LeadNotFound(lead_id)
    if caller.is_admin:
        return
    agent = caller.require_agent()
    active = uow.assignments.active_of_lead(tenant, lead_id)
    if active is not None and active.agent_id == agent.id:
        return
    if active is None and uow.pool.get(tenant, lead_id) is not None:
        return
    raise PermissionDenied(
        "an agent may tag only the leads it holds and the leads in the pool", reason="LEAD_NOT_HELD"
    )
