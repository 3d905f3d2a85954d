"""Rotation state (``assign_rotations``): one JSON document per (tenant, account, rule) with a version column.

Writes are a compare-and-set: ``UPDATE ... WHERE version = :read`` (PostgreSQL, READ COMMITTED: a concurrent
writer's commit is seen when the row lock is granted, and the WHERE then fails), or ``INSERT ... ON CONFLICT DO
NOTHING`` for the first state. Zero rows written means another writer took the rule's turn first. On SQLite a
consumer batch reads each rule's state once (``txmemo.WriteLockedRows``) and follows its own writes.
``save_many`` writes a batch's last state of several rules, each compared with the version the batch read.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db.tables import assign_rotations
from services.assign.domain.ports import RotationRepository, RotationSave
from services.assign.domain.rotation import RotationState
from services.common.db import PerDialect, dialect_insert, rowcount
from services.common.txmemo import WriteLockedRows

_r = assign_rotations.c

# (tenant, account id, rule id) -> the stored state (SQLite only, see WriteLockedRows).
_STATES: WriteLockedRows[tuple[str, str, str], RotationState] = WriteLockedRows("assign_rotations")


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.insert = (
            dialect_insert(dialect)(assign_rotations)
            .on_conflict_do_nothing()
            .execution_options(preserve_rowcount=True)
        )
        self.insert_returning = self.insert.returning(_r.rule_id)
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
        # In one order (by rule id), so that two batches locking the same rules wait rather than deadlock.
        self.select_for_update = self.select.order_by(_r.rule_id).with_for_update()


_STATEMENTS = PerDialect(_Statements)


class SqlRotations(RotationRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def get_many(
        self, tenant: str, account_id: str, rule_ids: Sequence[str], *, for_update: bool = False
    ) -> dict[str, RotationState]:
        query = self._q.select_for_update if for_update else self._q.select

        def load(keys: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], RotationState]:
            params = {"t": tenant, "a": account_id, "rules": [rule for _, _, rule in keys]}
            return {
                (tenant, account_id, row.rule_id): RotationState.from_record(row.state, row.version)
                for row in self._s.execute(query, params)
            }

        states = _STATES.read(self._s, ((tenant, account_id, rule) for rule in rule_ids), load)
        return {rule: state for (_, _, rule), state in states.items()}

    def save(self, tenant: str, account_id: str, rule_id: str, state: RotationState) -> bool:
        saved = self._save(tenant, account_id, rule_id, state)
        key = (tenant, account_id, rule_id)
        if saved:
            _STATES.put(self._s, key, state)  # the row now holds this state at this version
        else:
            _STATES.forget(self._s, key)
        return saved

    def save_many(self, tenant: str, saves: Sequence[RotationSave]) -> bool:
        firsts = [save for save in saves if save.read_version == 0]
        updates = [save for save in saves if save.read_version != 0]
        saved = True
        if firsts:
            values = [
                {
                    "tenant_id": tenant,
                    "account_id": save.account_id,
                    "rule_id": save.rule_id,
                    "version": save.state.version,
                    "state": save.state.to_record(),
                }
                for save in firsts
            ]
            # RETURNING names the rows written: psycopg reports no row count for a multi-row insert.
            saved = len(self._s.execute(self._q.insert_returning, values).scalars().all()) == len(firsts)
        if saved and updates:
            params = [
                {
                    "t": tenant,
                    "a": save.account_id,
                    "r": save.rule_id,
                    "read": save.read_version,
                    "v": save.state.version,
                    "s": save.state.to_record(),
                }
                for save in updates
            ]
            # An executemany's row count is the sum over its rows (both drivers): all of them, or someone won.
            saved = rowcount(self._s.execute(self._q.update, params)) == len(updates)
        for save in saves:
            key = (tenant, save.account_id, save.rule_id)
            if saved:
                _STATES.put(self._s, key, save.state)
            else:
                _STATES.forget(self._s, key)
        return saved

    def _save(self, tenant: str, account_id: str, rule_id: str, state: RotationState) -> bool:
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
