"""Assignments (``assign_assignments``).

At most one ACTIVE assignment per lead, by the partial unique index ``uq_assign_assignments_active_lead``: an
insert uses ``ON CONFLICT DO NOTHING`` on it and learns from the row count whether it won. Updates are a
compare-and-set on ``version``. Lists filter in SQL (tags by ``EXISTS`` over the active taggings) and page by
(assign time, id) descending.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db import rows
from services.assign.adapters.db.tables import assign_assignments, assign_lead_tags
from services.assign.domain.assignments import Assignment
from services.assign.domain.enums import AssignmentState
from services.assign.domain.ports import AssignmentFilter, AssignmentRepository
from services.common.db import PerDialect, dialect_insert, rowcount
from services.common.timeconv import to_us

_a = assign_assignments.c
_g = assign_lead_tags.c
_ACTIVE = int(AssignmentState.ACTIVE)


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.insert = (
            dialect_insert(dialect)(assign_assignments)
            # The predicate as literal SQL: PostgreSQL infers a partial index only from a predicate it can match,
            # not from a bound parameter.
            .on_conflict_do_nothing(
                index_elements=[_a.tenant_id, _a.lead_id], index_where=sa.text(f"state = {_ACTIVE}")
            )
            .execution_options(preserve_rowcount=True)
        )
        self.insert_returning = self.insert.returning(_a.id)
        self.active_of_lead = sa.select(assign_assignments).where(
            _a.tenant_id == sa.bindparam("t"), _a.lead_id == sa.bindparam("lead"), _a.state == _ACTIVE
        )


_STATEMENTS = PerDialect(_Statements)


def tagged_with_all(tenant: str, lead_column: Any, tag_ids: tuple[str, ...]) -> list[Any]:
    """Conditions: the lead in ``lead_column`` carries every tag of ``tag_ids`` now."""
    return [
        sa.exists().where(
            _g.tenant_id == tenant, _g.lead_id == lead_column, _g.tag_id == tag_id, _g.remove_us.is_(None)
        )
        for tag_id in tag_ids
    ]


class SqlAssignments(AssignmentRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def insert(self, tenant: str, assignment: Assignment) -> bool:
        return rowcount(self._s.execute(self._q.insert, rows.assignment_values(tenant, assignment))) == 1

    def insert_many(self, tenant: str, assignments: Sequence[Assignment]) -> bool:
        if not assignments:
            return True
        values = [rows.assignment_values(tenant, assignment) for assignment in assignments]
        # The RETURNING rows are the inserted ones: psycopg reports no row count for a multi-row insert.
        inserted = self._s.execute(self._q.insert_returning, values).scalars().all()
        return len(inserted) == len(assignments)

    def update(self, tenant: str, assignment: Assignment) -> bool:
        values = rows.assignment_values(tenant, assignment)
        statement = (
            sa.update(assign_assignments)
            .where(_a.tenant_id == tenant, _a.id == assignment.id, _a.version == assignment.version - 1)
            .values(**{k: v for k, v in values.items() if k not in ("tenant_id", "id")})
        )
        return rowcount(self._s.execute(statement)) == 1

    def _select(self, tenant: str, *where: Any, order: tuple[Any, ...] = ()) -> list[Assignment]:
        query = sa.select(assign_assignments).where(_a.tenant_id == tenant, *where).order_by(*order)
        return [rows.assignment(row) for row in self._s.execute(query)]

    def get(self, tenant: str, assignment_id: str) -> Assignment | None:
        found = self._select(tenant, _a.id == assignment_id)
        return found[0] if found else None

    def active_of_lead(self, tenant: str, lead_id: str) -> Assignment | None:
        row = self._s.execute(self._q.active_of_lead, {"t": tenant, "lead": lead_id}).first()
        return None if row is None else rows.assignment(row)

    def of_lead(self, tenant: str, lead_id: str) -> list[Assignment]:
        return self._select(tenant, _a.lead_id == lead_id, order=(_a.assign_us, _a.id))

    def active_of_agent(self, tenant: str, agent_id: str) -> list[Assignment]:
        return self._select(tenant, _a.agent_id == agent_id, _a.state == _ACTIVE, order=(_a.assign_us, _a.id))

    def _conditions(self, tenant: str, where: AssignmentFilter) -> list[Any]:
        conditions: list[Any] = [_a.tenant_id == tenant]
        for column, value in ((_a.agent_id, where.agent_id), (_a.lead_id, where.lead_id)):
            if value:
                conditions.append(column == value)
        if where.account_id:
            conditions.append(_a.account_id == where.account_id)
        if where.state:
            conditions.append(_a.state == int(where.state))
        if where.has_follow_up is not None:
            followed = _a.first_follow_up_us.is_not(None)
            conditions.append(followed if where.has_follow_up else sa.not_(followed))
        if where.assign_start is not None:
            conditions.append(_a.assign_us >= to_us(where.assign_start))
        if where.assign_end is not None:
            conditions.append(_a.assign_us < to_us(where.assign_end))
        conditions += tagged_with_all(tenant, _a.lead_id, where.tag_ids)
        return conditions

    def count(self, tenant: str, where: AssignmentFilter) -> int:
        query = (
            sa.select(sa.func.count()).select_from(assign_assignments).where(*self._conditions(tenant, where))
        )
        return int(self._s.execute(query).scalar_one())

    def list(
        self, tenant: str, where: AssignmentFilter, after: tuple[datetime, str] | None, limit: int
    ) -> list[Assignment]:
        query = sa.select(assign_assignments).where(*self._conditions(tenant, where))
        if after is not None:
            at, last_id = to_us(after[0]), after[1]
            query = query.where(sa.or_(_a.assign_us < at, sa.and_(_a.assign_us == at, _a.id < last_id)))
        query = query.order_by(_a.assign_us.desc(), _a.id.desc()).limit(limit)
        return [rows.assignment(row) for row in self._s.execute(query)]

    def erase(self, tenant: str, lead_id: str) -> None:
        self._s.execute(
            sa.update(assign_assignments)
            .where(_a.tenant_id == tenant, _a.lead_id == lead_id)
            .values(province="", city="", reassign_reason="", release_reason="", version=_a.version + 1)
        )
