"""Follow-ups (``assign_follow_ups``): inserted with ``ON CONFLICT DO NOTHING`` on (tenant, id), so a follow-up
whose id derives from a call is recorded once however often its call.completed arrives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db import rows
from services.assign.adapters.db.tables import assign_follow_ups
from services.assign.domain.followups import FollowUp
from services.assign.domain.ports import FollowUpRepository
from services.common.db import dialect_insert, rowcount
from services.common.timeconv import to_us

_f = assign_follow_ups.c


class SqlFollowUps(FollowUpRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._insert = dialect_insert(session.dialect.name)

    def insert(self, tenant: str, follow_up: FollowUp) -> bool:
        statement = (
            self._insert(assign_follow_ups)
            .values(**rows.follow_up_values(tenant, follow_up))
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        )
        return rowcount(self._s.execute(statement)) == 1

    def get(self, tenant: str, follow_up_id: str) -> FollowUp | None:
        row = self._s.execute(
            sa.select(assign_follow_ups).where(_f.tenant_id == tenant, _f.id == follow_up_id)
        ).first()
        return None if row is None else rows.follow_up(row)

    def list(
        self, tenant: str, lead_id: str, agent_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[FollowUp]:
        conditions: list[Any] = [_f.tenant_id == tenant]
        if lead_id:
            conditions.append(_f.lead_id == lead_id)
        if agent_id:
            conditions.append(_f.agent_id == agent_id)
        if after is not None:
            at, last_id = to_us(after[0]), after[1]
            conditions.append(sa.or_(_f.follow_up_us < at, sa.and_(_f.follow_up_us == at, _f.id < last_id)))
        query = (
            sa.select(assign_follow_ups)
            .where(*conditions)
            .order_by(_f.follow_up_us.desc(), _f.id.desc())
            .limit(limit)
        )
        return [rows.follow_up(row) for row in self._s.execute(query)]

    def erase(self, tenant: str, lead_id: str) -> None:
        self._s.execute(
            sa.update(assign_follow_ups).where(_f.tenant_id == tenant, _f.lead_id == lead_id).values(note="")
        )
