"""Assignment policies and their history (``assign_policies``, ``assign_policy_history``): the current policy of
each account as one JSON document, and every revision as it was set."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from services.assign.adapters.db import rows
from services.assign.adapters.db.tables import assign_policies, assign_policy_history
from services.assign.domain.policy import AssignmentPolicy
from services.assign.domain.ports import PolicyRepository, PolicyRevision
from services.common.db import PerDialect, dialect_insert
from services.common.timeconv import from_us, to_us
from services.common.txmemo import TransactionMemo

_p = assign_policies.c
_h = assign_policy_history.c


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.get = sa.select(_p.policy).where(
            _p.tenant_id == sa.bindparam("t"), _p.account_id == sa.bindparam("account")
        )


_STATEMENTS = PerDialect(_Statements)


def _revision(row: Any) -> PolicyRevision:
    return PolicyRevision(row.id, row.actor, from_us(row.change_us), rows.policy_from_json(row.policy))


# A consumer batch routes many leads of the same accounts: a policy is read (and decoded) once per transaction.
_POLICIES: TransactionMemo[AssignmentPolicy | None] = TransactionMemo("assign.policies")


class SqlPolicies(PolicyRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        dialect = session.dialect.name
        self._insert = dialect_insert(dialect)
        self._q = _STATEMENTS(dialect)

    def get(self, tenant: str, account_id: str) -> AssignmentPolicy | None:
        def load() -> AssignmentPolicy | None:
            row = self._s.execute(self._q.get, {"t": tenant, "account": account_id}).first()
            return None if row is None else rows.policy_from_json(row.policy)

        return _POLICIES.get(self._s, (tenant, account_id), load)

    def put(self, tenant: str, revision: PolicyRevision) -> None:
        _POLICIES.written(self._s)
        document = rows.policy_to_json(revision.policy)
        values = {"revision_id": revision.id, "policy": document}
        self._s.execute(
            self._insert(assign_policies)
            .values(tenant_id=tenant, account_id=revision.policy.account_id, **values)
            .on_conflict_do_update(index_elements=[_p.tenant_id, _p.account_id], set_=values)
        )
        self._s.execute(
            sa.insert(assign_policy_history).values(
                id=revision.id,
                tenant_id=tenant,
                account_id=revision.policy.account_id,
                actor=revision.actor,
                change_us=to_us(revision.change_time),
                policy=document,
            )
        )

    def revision(self, tenant: str, revision_id: str) -> PolicyRevision | None:
        row = self._s.execute(
            sa.select(assign_policy_history).where(_h.tenant_id == tenant, _h.id == revision_id)
        ).first()
        return None if row is None else _revision(row)

    def history(
        self, tenant: str, account_id: str, after: tuple[datetime, str] | None, limit: int
    ) -> list[PolicyRevision]:
        query = sa.select(assign_policy_history).where(_h.tenant_id == tenant, _h.account_id == account_id)
        if after is not None:
            change_us, entry_id = to_us(after[0]), after[1]
            query = query.where(
                sa.or_(_h.change_us < change_us, sa.and_(_h.change_us == change_us, _h.id < entry_id))
            )
        query = query.order_by(_h.change_us.desc(), _h.id.desc()).limit(limit)
        return [_revision(row) for row in self._s.execute(query)]
