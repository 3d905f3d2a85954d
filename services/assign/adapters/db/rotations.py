"""Rotation state (``assign_rotations``): one JSON document per (tenant, account, rule) with a version column.

Writes are a compare-and-set: ``UPDATE ... WHERE version = :read`` (PostgreSQL, READ COMMITTED: a concurrent
writer's commit is seen when the row lock is granted, and the WHERE then fails), or ``INSERT ... ON CONFLICT DO
NOTHING`` for the first state. Zero rows written means another writer took the rule's turn first.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db.tables import assign_rotations
from services.assign.domain.ports import RotationRepository
from services.assign.domain.rotation import RotationState
from services.common.db import PerDialect, dialect_insert, rowcount

_r = assign_rotations.c


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.insert = (
            dialect_insert(dialect)(assign_rotations)
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        )
        self.update = (
            sa.update(assign_rotations)
            .where(
                _r.tenant_id == sa.bindparam("t"),
                _r.account_id == sa.bindparam("a"),
                _r.rule_id == sa.bindparam("r"),
                _r.version == sa.bindparam("read"),
            )
            .values(version=sa.bindparam("v"), state=sa.bindparam("s", type_=_r.state.type))
        )
        self.select = sa.select(_r.rule_id, _r.version, _r.state).where(
            _r.tenant_id == sa.bindparam("t"),
            _r.account_id == sa.bindparam("a"),
            _r.rule_id.in_(sa.bindparam("rules", expanding=True)),
        )


_STATEMENTS = PerDialect(_Statements)


class SqlRotations(RotationRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def get_many(self, tenant: str, account_id: str, rule_ids: Sequence[str]) -> dict[str, RotationState]:
        found = self._s.execute(self._q.select, {"t": tenant, "a": account_id, "rules": list(rule_ids)})
        return {row.rule_id: RotationState.from_record(row.state, row.version) for row in found}

    def save(self, tenant: str, account_id: str, rule_id: str, state: RotationState) -> bool:
        if state.version == 1:
            values = {
                "tenant_id": tenant,
                "account_id": account_id,
                "rule_id": rule_id,
                "version": 1,
                "state": state.to_record(),
            }
            return rowcount(self._s.execute(self._q.insert, values)) == 1
        params = {
            "t": tenant,
            "a": account_id,
            "r": rule_id,
            "read": state.version - 1,
            "v": state.version,
            "s": state.to_record(),
        }
        return rowcount(self._s.execute(self._q.update, params)) == 1
