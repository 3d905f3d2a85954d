"""Tags (``assign_tags``) and their use on leads (``assign_lead_tags``).

Tag names are checked by the domain under the tenant's lock row (``lock_names``: ``SELECT ... FOR UPDATE`` on
PostgreSQL; SQLite's writer lock already serialises). A tag can be on a lead once at a time (a partial unique index
over the active taggings); removing it stamps ``remove_us`` and keeps the row as history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db import rows
from services.assign.adapters.db.tables import assign_lead_tags, assign_tags, assign_tenant_locks
from services.assign.domain.enums import TagScope
from services.assign.domain.ports import TagFilter, TaggingRepository, TagRepository
from services.assign.domain.tags import LeadTagging, Tag
from services.common.db import dialect_insert
from services.common.timeconv import to_us

_t = assign_tags.c
_g = assign_lead_tags.c
_ENTERPRISE = int(TagScope.ENTERPRISE)


def _visible_to(agent_id: str) -> Any:
    if not agent_id:
        return _t.scope == _ENTERPRISE
    return sa.or_(_t.scope == _ENTERPRISE, _t.owner_agent_id == agent_id)


class SqlTags(TagRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    def lock_names(self, tenant: str) -> None:
        locks = assign_tenant_locks
        self._s.execute(self._insert(locks).values(tenant_id=tenant).on_conflict_do_nothing())
        self._s.execute(sa.select(locks.c.tenant_id).where(locks.c.tenant_id == tenant).with_for_update())

    def _select(self, tenant: str, *where: Any) -> list[Tag]:
        query = sa.select(assign_tags).where(_t.tenant_id == tenant, *where).order_by(_t.id)
        return [rows.tag(row) for row in self._s.execute(query)]

    def get(self, tenant: str, tag_id: str) -> Tag | None:
        found = self._select(tenant, _t.id == tag_id)
        return found[0] if found else None

    def get_many(self, tenant: str, tag_ids: Iterable[str]) -> dict[str, Tag]:
        wanted = sorted(set(tag_ids))
        if not wanted:
            return {}
        return {t.id: t for t in self._select(tenant, _t.id.in_(wanted))}

    def names_visible_to(self, tenant: str, agent_id: str) -> list[Tag]:
        return self._select(tenant, _visible_to(agent_id))

    def insert(self, tenant: str, tag: Tag) -> None:
        self._s.execute(sa.insert(assign_tags).values(**rows.tag_values(tenant, tag)))

    def update(self, tenant: str, tag: Tag) -> None:
        values = rows.tag_values(tenant, tag)
        self._s.execute(
            sa.update(assign_tags)
            .where(_t.tenant_id == tenant, _t.id == tag.id)
            .values(display_name=values["display_name"], state=values["state"], update_us=values["update_us"])
        )

    def list(self, tenant: str, where: TagFilter, after: str | None, limit: int) -> list[Tag]:
        conditions: list[Any] = [_t.tenant_id == tenant, _visible_to(where.viewer_agent_id)]
        if where.scope:
            conditions.append(_t.scope == int(where.scope))
        if where.state:
            conditions.append(_t.state == int(where.state))
        if after is not None:
            conditions.append(_t.id > after)
        query = sa.select(assign_tags).where(*conditions).order_by(_t.id).limit(limit)
        return [rows.tag(row) for row in self._s.execute(query)]


class SqlTaggings(TaggingRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session

    def of_lead(self, tenant: str, lead_id: str) -> list[LeadTagging]:
        query = (
            sa.select(assign_lead_tags).where(_g.tenant_id == tenant, _g.lead_id == lead_id).order_by(_g.id)
        )
        return [rows.tagging(row) for row in self._s.execute(query)]

    def active_of_leads(self, tenant: str, lead_ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
        wanted = sorted(set(lead_ids))
        if not wanted:
            return {}
        query = (
            sa.select(_g.lead_id, _g.tag_id)
            .where(_g.tenant_id == tenant, _g.lead_id.in_(wanted), _g.remove_us.is_(None))
            .order_by(_g.id)
        )
        found: dict[str, list[str]] = {}
        for lead_id, tag_id in self._s.execute(query):
            found.setdefault(lead_id, []).append(tag_id)
        return {lead_id: tuple(ids) for lead_id, ids in found.items()}

    def add(self, tenant: str, taggings: Sequence[LeadTagging]) -> None:
        for t in taggings:
            self._s.execute(
                sa.insert(assign_lead_tags).values(
                    tenant_id=tenant,
                    lead_id=t.lead_id,
                    tag_id=t.tag_id,
                    added_by=t.added_by,
                    add_us=to_us(t.add_time),
                )
            )

    def mark_removed(self, tenant: str, taggings: Sequence[LeadTagging]) -> None:
        for t in taggings:
            assert t.remove_time is not None
            self._s.execute(
                sa.update(assign_lead_tags)
                .where(
                    _g.tenant_id == tenant,
                    _g.lead_id == t.lead_id,
                    _g.tag_id == t.tag_id,
                    _g.remove_us.is_(None),
                )
                .values(remove_us=to_us(t.remove_time))
            )
