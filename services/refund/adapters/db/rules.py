"""Refund rules (``refund_rules``): one row per account that changed its rules, holding only the fields it set."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import Connection

from services.common.db import PerDialect, dialect_insert
from services.common.timeconv import to_us
from services.refund.adapters.db import rows
from services.refund.adapters.db.tables import refund_rules
from services.refund.domain.ports import RulesRepository
from services.refund.domain.rules import StoredRules

t = refund_rules


class _Statements:
    def __init__(self, dialect: str) -> None:
        self.get = sa.select(t).where(
            t.c.tenant_id == sa.bindparam("tenant"), t.c.account_id == sa.bindparam("account")
        )
        insert = dialect_insert(dialect)(t)
        self.put = insert.on_conflict_do_update(
            index_elements=["tenant_id", "account_id"],
            set_={name: insert.excluded[name] for name in ("overrides", "update_us", "updated_by")},
        )


_STATEMENTS = PerDialect(_Statements)


class SqlRules(RulesRepository):
    def __init__(self, session: Connection) -> None:
        self._s = session
        self._q = _STATEMENTS(session.dialect.name)

    def get(self, tenant: str, account_id: str) -> StoredRules | None:
        row = self._s.execute(self._q.get, {"tenant": tenant, "account": account_id}).one_or_none()
        return None if row is None else rows.stored_rules(row)

    def put(self, tenant: str, rules: StoredRules) -> None:
        assert rules.update_time is not None
        self._s.execute(
            self._q.put,
            {
                "tenant_id": tenant,
                "account_id": rules.account_id,
                "overrides": rows.overrides_json(rules.overrides),
                "update_us": to_us(rules.update_time),
                "updated_by": rules.updated_by,
            },
        )
